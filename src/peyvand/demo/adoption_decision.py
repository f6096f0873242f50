"""The demo company's decision to adopt CRM and its feedback loop: the risk questionnaire of
seed [004] answered by four colleagues (technology and skills come out the riskiest), a
vendor selection scored by the two managers, its go/no-go evaluation decided "go", and three
monthly feedback periods measured from the demo data, the first two with a support decision.

Safe to run again: what exists (by title, name or days) is not made twice."""

from __future__ import annotations

import datetime as dt
import random

from peyvand.adoption.models import (
    Assessment,
    AssessmentStatus,
    Criterion,
    FeedbackPeriod,
    ReadinessModel,
    Selection,
    Statement,
    Vendor,
)
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.selectors import gonogo as gonogo_selectors
from peyvand.adoption.services import assessments, catalogue, feedback, gonogo
from peyvand.adoption.services import selection as selection_services
from peyvand.core.models import User

RISK_TITLE = "ارزیابی ریسک استقرار CRM"
SELECTION = "انتخاب سامانهٔ مدیریت ارتباط با مشتری"
MANAGER = "bahram.salehi"
RESPONDENTS = ("sara.ahmadi", "reza.karimi", "hamid.rostami", "leila.kazemi")
# Where the company stands in each risk group, on the 1–5 scale (the rest stand at 4.2).
LEVELS = {"technology": 2.3, "skills-staffing": 2.8, "application-use": 3.3}
VENDORS = (("پیوند ابری", "https://peyvand.example", 4.2), ("همکاران سیستم", "https://hamkaran.example", 3.6))
EVALUATORS = ("bahram.salehi", "mina.ghasemi")
GO_SCORES = {
    "goal": (4, "مدیریت ارتباط با مشتری در برنامهٔ راهبردی ۱۴۰۵ آمده است."),
    "usefulness": (5, "پیگیری سرنخ‌ها و شکایات امروز پراکنده است؛ CRM آن را یکجا می‌کند."),
    "resources": (3, "بودجه تأیید شده؛ کارشناس فنی تمام‌وقت هنوز نداریم."),
}
# (days before the anchor the period starts, its length, support decision, why)
PERIODS = (
    (89, 30, "continue", "کاربران فعال رو به افزایش است؛ کامل بودن داده‌ها هنوز پایین است."),
    (59, 30, "expand", "ثبت فعالیت‌ها دو برابر شد؛ تیم اصفهان هم به پروژه می‌پیوندد."),
    (29, 30, "", ""),
)


def write_risk_questionnaire(users: dict[str, User], *, seed: int, anchor: dt.date) -> Assessment:
    catalogue.risk_questionnaire_load()
    found = Assessment.objects.filter(title=RISK_TITLE).first()
    if found is not None:
        return found
    rng = random.Random(seed + 4)
    manager = users[MANAGER]
    model = ReadinessModel.objects.get(key=RISK_QUESTIONNAIRE_KEY)
    assessment = assessments.assessment_create(
        actor=manager,
        data=assessments.AssessmentInput(
            model=model,
            title=RISK_TITLE,
            starts_on=anchor - dt.timedelta(days=25),
            ends_on=anchor - dt.timedelta(days=15),
        ),
    )
    statements = list(Statement.objects.filter(factor__model=model).select_related("factor"))
    for username in RESPONDENTS:
        respondent = assessments.respondent_invite_user(
            actor=manager, assessment=assessment, user=users[username]
        )
        ratings = {}
        for statement in statements:
            level = LEVELS.get(statement.factor.key, 4.2) + rng.uniform(-0.8, 0.8)
            value = min(5, max(1, round(level)))
            ratings[statement.pk] = 6 - value if statement.reverse else value
        assessments.answers_save(respondent=respondent, answers=ratings, submit=True, user=users[username])
    assessments.assessment_set_status(actor=manager, assessment=assessment, status=AssessmentStatus.CLOSED)
    return assessment


def write_selection(users: dict[str, User], *, seed: int, risk: Assessment) -> int:
    if Selection.objects.filter(name=SELECTION).exists():
        return 0
    rng = random.Random(seed + 5)
    manager = users[MANAGER]
    selection = selection_services.selection_create(
        actor=manager,
        data=selection_services.SelectionInput(
            name=SELECTION, description="مقایسهٔ دو تأمین‌کننده و ارزیابی ادامه یا توقف پیش از خرید"
        ),
    )
    for name, website, _level in VENDORS:
        selection_services.vendor_save(
            actor=manager,
            selection=selection,
            data=selection_services.VendorInput(name=name, website=website),
        )
    for username in EVALUATORS:
        selection_services.evaluator_add(actor=manager, selection=selection, user=users[username])
    levels = {name: level for name, _site, level in VENDORS}
    vendors = list(Vendor.objects.filter(selection=selection))
    criteria = list(Criterion.objects.filter(selection=selection))
    for username in EVALUATORS:
        scores = [
            selection_services.ScoreInput(
                vendor_id=vendor.pk,
                criterion_id=criterion.pk,
                value=min(5, max(1, round(levels[vendor.name] + rng.uniform(-1.0, 1.0)))),
            )
            for vendor in vendors
            for criterion in criteria
        ]
        selection_services.scores_save(actor=users[username], selection=selection, scores=scores)
    gonogo.go_no_go_save(actor=manager, selection=selection, scores=[], risk_assessment=risk)
    suggested = gonogo_selectors.evaluation(selection).suggested_risk_score or 3
    inputs = [
        gonogo.GoScoreInput(criterion=key, value=value, note=note) for key, (value, note) in GO_SCORES.items()
    ]
    inputs.append(
        gonogo.GoScoreInput(
            criterion="risk", value=suggested, note="ریسک فناوری بالاست؛ زیرساخت در فاز نخست ارتقا می‌یابد."
        )
    )
    gonogo.go_no_go_save(actor=manager, selection=selection, scores=inputs, risk_assessment=risk)
    gonogo.go_no_go_decide(
        actor=manager,
        selection=selection,
        decision="go",
        reason="سازمان آماده است و ریسک‌ها با برنامهٔ ارتقای زیرساخت و آموزش مهارشدنی‌اند.",
    )
    chosen = next(v for v in vendors if v.name == VENDORS[0][0])
    selection_services.selection_decide(
        actor=manager, selection=selection, vendor=chosen, reason="امتیاز بالاتر در گروه‌های عملیاتی و فنی"
    )
    return 1


def write_feedback(users: dict[str, User], *, anchor: dt.date) -> int:
    manager = users[MANAGER]
    made = 0
    for back, days, decision, reason in PERIODS:
        start = anchor - dt.timedelta(days=back)
        end = start + dt.timedelta(days=days - 1)
        if FeedbackPeriod.objects.filter(start=start, end=end).exists():
            continue
        period = feedback.feedback_period_create(
            actor=manager, data=feedback.PeriodInput(start=start, end=end)
        )
        if decision:
            feedback.feedback_period_decide(
                actor=manager, period=period, data=feedback.DecisionInput(decision=decision, reason=reason)
            )
        made += 1
    return made


def write_decision(users: dict[str, User], *, seed: int, anchor: dt.date) -> str:
    risk = write_risk_questionnaire(users, seed=seed, anchor=anchor)
    selections = write_selection(users, seed=seed, risk=risk)
    periods = write_feedback(users, anchor=anchor)
    return (
        f"1 risk questionnaire, {selections} vendor selection with its go/no-go, {periods} feedback periods"
    )
