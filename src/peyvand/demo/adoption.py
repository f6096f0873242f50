"""The demo company's CRM adoption: a finished readiness assessment of the Iranian 9-factor
model answered by six colleagues (structure and knowledge management come out weak), and the
risk register filled from the checklist of seed [004], a few risks rated and owned.

Safe to run again: an assessment of the same title is not made twice, and the checklist adds
only what is missing."""

from __future__ import annotations

import datetime as dt
import random

from peyvand.adoption.models import Assessment, AssessmentStatus, ReadinessModel, Risk, Statement
from peyvand.adoption.services import assessments, catalogue, risks
from peyvand.core.models import User

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
    return f"{made} readiness assessment, {added} risks"
