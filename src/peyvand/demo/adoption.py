"""The demo company's CRM adoption: a finished readiness assessment of the Iranian 9-factor
model answered by six colleagues (structure and knowledge management come out weak), the
risk register filled from the checklist of seed [004], a few risks rated and owned, the
business case for the project (five years in Rial) and its roadmap, the first phases done.

Safe to run again: an assessment, a business case or a roadmap of the same title is not made
twice, and the checklist adds only what is missing."""

from __future__ import annotations

import datetime as dt
import random

from peyvand.adoption.models import (
    Assessment,
    AssessmentStatus,
    BusinessCase,
    ItemStatus,
    Objective,
    ReadinessModel,
    Risk,
    Roadmap,
    Statement,
)
from peyvand.adoption.services import assessments, business, catalogue, objectives, risks, roadmap
from peyvand.core.models import User

from .adoption_culture import write_culture, write_stakeholders
from .adoption_decision import write_decision

TITLE = "ارزیابی آمادگی پیش از استقرار"
MANAGER = "bahram.salehi"
RESPONDENTS = ("sara.ahmadi", "reza.karimi", "ali.rezaei", "fatemeh.nouri", "hamid.rostami", "leila.kazemi")
# Where the company stands on each factor, on the 1–5 scale (the rest stand at 3.8).
LEVELS = {"structure": 2.0, "knowledge-management": 2.2, "culture": 3.0, "planning": 3.4, "strategy": 4.3}
# (the checklist item, likelihood, impact, owner, mitigation, status)
RATED = (
    ("project-management-2", 4, 5, MANAGER, "جلسهٔ ماهانه با مدیرعامل و گزارش پیشرفت", "mitigating"),
    ("application-use-2", 4, 4, "mina.ghasemi", "کاربران کلیدی از هر تیم در آزمایش نمونه", "mitigating"),
    ("application-use-3", 3, 4, "fatemeh.nouri", "دوره‌های کوتاه آموزشی پیش از راه‌اندازی", "identified"),
    ("technology-1", 2, 4, "hamid.rostami", "", "monitored"),
    ("organisational-1", 3, 5, MANAGER, "بودجهٔ پروژه در برنامهٔ سال آینده", "identified"),
)


def write_adoption(users: dict[str, User], *, seed: int, anchor: dt.date) -> str:
    rng = random.Random(seed)
    catalogue.builtin_models_load()
    manager = users[MANAGER]
    model = ReadinessModel.objects.get(key="iranian-9")
    made = 0
    if not Assessment.objects.filter(title=TITLE).exists():
        assessment = assessments.assessment_create(
            actor=manager,
            data=assessments.AssessmentInput(
                model=model,
                title=TITLE,
                starts_on=anchor - dt.timedelta(days=30),
                ends_on=anchor - dt.timedelta(days=10),
            ),
        )
        statements = list(Statement.objects.filter(factor__model=model).select_related("factor"))
        for username in RESPONDENTS:
            respondent = assessments.respondent_invite_user(
                actor=manager, assessment=assessment, user=users[username]
            )
            ratings = {}
            for statement in statements:
                level = LEVELS.get(statement.factor.key, 3.8) + rng.uniform(-1.0, 1.0)
                value = min(5, max(1, round(level)))
                ratings[statement.pk] = 6 - value if statement.reverse else value
            assessments.answers_save(
                respondent=respondent, answers=ratings, submit=True, user=users[username]
            )
        assessments.assessment_set_status(
            actor=manager, assessment=assessment, status=AssessmentStatus.CLOSED
        )
        made = 1
    added = risks.risks_add_standard(actor=manager)
    if added:
        by_key = {r.catalogue_key: r for r in Risk.objects.exclude(catalogue_key="")}
        for key, likelihood, impact, owner, mitigation, status in RATED:
            risk = by_key[key]
            risks.risk_save(
                actor=manager,
                risk=risk,
                data=risks.RiskInput(
                    group=risk.group,
                    title_fa=risk.title_fa,
                    title_en=risk.title_en,
                    likelihood=likelihood,
                    impact=impact,
                    owner=users[owner],
                    mitigation=mitigation,
                    status=status,
                ),
            )
    cases = write_business_case(users)
    roadmaps = write_roadmap(users, anchor=anchor)
    goals = write_objectives(users, anchor=anchor)
    surveys = write_culture(users, seed=seed, anchor=anchor)
    people = write_stakeholders(users, anchor=anchor)
    decision = write_decision(users, seed=seed, anchor=anchor)
    return (
        f"{made} readiness assessment, {added} risks, {cases} business case, {roadmaps} roadmap, "
        f"{goals} objectives, {surveys} culture survey, {people} stakeholders, {decision}"
    )


# (objective, the goal it serves, metric, target, days it runs from 45 days before the anchor,
# the channel it is limited to or "")
OBJECTIVES = (
    ("۲۰۰ سرنخ تازه در این فصل", "رشد فروش از مشتریان تازه", "new_leads", "200", 90, ""),
    ("۶۰ سرنخ تازه از وب‌سایت", "رشد فروش از مشتریان تازه", "new_leads", "60", 90, "website"),
    ("۳۰ فرصت فروش برنده در این فصل", "رشد فروش از مشتریان تازه", "deals_won", "30", 90, ""),
    ("نگهداشت ۷۰٪ خریداران سال گذشته", "وفاداری مشتریان", "retention", "70", 90, ""),
    ("۶۰۰ تعامل ثبت‌شده در این فصل", "استفادهٔ واقعی کارکنان از سیستم", "interactions", "600", 90, ""),
)


def write_objectives(users: dict[str, User], *, anchor: dt.date) -> int:
    """Objectives measured on the demo company's own figures, the quarter half gone."""
    made = 0
    start = anchor - dt.timedelta(days=45)
    for title, goal, metric, target, days, channel in OBJECTIVES:
        if Objective.objects.filter(title=title).exists():
            continue
        objectives.objective_save(
            actor=users[MANAGER],
            data=objectives.ObjectiveInput(
                title=title,
                goal=goal,
                metric=metric,
                baseline_start=start - dt.timedelta(days=days),
                baseline_end=start - dt.timedelta(days=1),
                starts_on=start,
                due_on=start + dt.timedelta(days=days),
                target=target,
                channel=channel,
                owner=users[MANAGER],
            ),
        )
        made += 1
    return made


CASE_TITLE = "طرح توجیهی استقرار CRM"
# (kind, category, label, amount a year in Rial, growth % a year, once in year 0)
CASE_LINES = (
    ("benefit", "retention", "نگهداشت بیشتر مشتریان", 2_500_000_000, 15, False),
    ("benefit", "cross_sell", "فروش متقاطع به مشتریان فعلی", 1_500_000_000, 20, False),
    # Four more deals won a year, each worth the average deal won (an assumption below).
    ("benefit", "conversion", "تبدیل بیشتر سرنخ‌ها", 1_000_000_000, 10, False),
    ("benefit", "cost_to_serve", "کاهش هزینهٔ پشتیبانی", 800_000_000, 5, False),
    ("cost", "hardware", "سرور و پشتیبان‌گیری", 3_500_000_000, 0, True),
    ("cost", "integration", "یکپارچه‌سازی با حسابداری", 1_500_000_000, 0, True),
    ("cost", "consulting", "مشاورهٔ فرآیند", 2_000_000_000, 0, True),
    ("cost", "training", "آموزش کاربران", 900_000_000, 0, True),
    ("cost", "people", "کارشناس CRM و پشتیبانی", 2_400_000_000, 25, False),
    ("cost", "training", "آموزش کارکنان تازه", 300_000_000, 10, False),
)


# What the case's benefits rest on, tied to the figures the demo company measures.
CASE_ASSUMPTIONS = (
    ("نرخ ریزش سالانهٔ مشتریان (٪)", "25", "churn"),
    ("نرخ تبدیل سرنخ (٪)", "15", "lead_conversion"),
    ("میانگین فرصت فروش برنده (ریال)", "250000000", "average_deal_won"),
)


def write_business_case(users: dict[str, User]) -> int:
    if BusinessCase.objects.filter(title=CASE_TITLE).exists():
        return 0
    manager = users[MANAGER]
    case = business.case_save(
        actor=manager,
        data=business.BusinessCaseInput(
            title=CASE_TITLE,
            currency="IRR",
            horizon_years=5,
            discount_rate=25,
            sensitivity=20,
            notes="نرخ تنزیل برابر هزینهٔ سرمایهٔ شرکت؛ منافع از داده‌های فروش سال گذشته برآورد شده‌اند.",
        ),
    )
    assumptions = {
        metric: business.assumption_save(
            actor=manager,
            case=case,
            data=business.AssumptionInput(label=label, value=value, metric=metric, months=12),
        )
        for label, value, metric in CASE_ASSUMPTIONS
    }
    average_deal = assumptions["average_deal_won"]
    for kind, category, label, amount, growth, one_off in CASE_LINES:
        driven = category == "conversion"
        business.line_save(
            actor=manager,
            case=case,
            data=business.CaseLineInput(
                kind=kind,
                category=category,
                label=label,
                amount=None if driven else amount,
                growth=growth,
                one_off=one_off,
                assumption=average_deal.pk if driven else None,
                per_unit=amount // int(average_deal.value) if driven else None,
            ),
        )
    return 1


ROADMAP_TITLE = "نقشهٔ راه استقرار CRM"
# Who owns each phase's items.
PHASE_OWNERS = {
    "strategy": MANAGER,
    "infrastructure": MANAGER,
    "requirements-partners": "hamid.rostami",
    "implementation": "mina.ghasemi",
    "evaluation": "fatemeh.nouri",
}


def write_roadmap(users: dict[str, User], *, anchor: dt.date) -> int:
    """The roadmap opened 20 weeks before the anchor: what ended before it is done, what spans
    it is under way, the proposals wait on the RFP's sign-off."""
    if Roadmap.objects.filter(title=ROADMAP_TITLE).exists():
        return 0
    manager = users[MANAGER]
    found = roadmap.roadmap_create(
        actor=manager,
        data=roadmap.RoadmapInput(title=ROADMAP_TITLE, starts_on=anchor - dt.timedelta(weeks=20)),
    )
    for item in found.items.order_by("phase_order", "order"):
        if item.ends_on < anchor:
            status = ItemStatus.DONE
        elif item.starts_on <= anchor:
            status = ItemStatus.IN_PROGRESS
        else:
            status = ItemStatus.NOT_STARTED
        if item.key == "proposals" and status != ItemStatus.DONE:
            status = ItemStatus.BLOCKED
        roadmap.item_save(
            actor=manager,
            item=item,
            data=roadmap.RoadmapItemInput(
                owner=users[PHASE_OWNERS[item.phase_key]],
                starts_on=item.starts_on,
                ends_on=item.ends_on,
                deliverables=item.deliverables,
                status=status,
            ),
        )
    return 1
