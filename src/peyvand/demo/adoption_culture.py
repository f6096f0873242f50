"""The demo company's organisational culture and stakeholder map: a finished culture survey
(the competing-values model) answered by five colleagues, who find the company hierarchical
today and would prefer it closer-knit and more customer-driven; and the buy-in matrix of the
CRM project with a few people who moved over the past weeks, each with an action plan.

Safe to run again: a survey of the same title, or a stakeholder of the same name, is not made
twice."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from peyvand.adoption.models import (
    Assessment,
    AssessmentStatus,
    Placement,
    ReadinessModel,
    Stakeholder,
    Statement,
)
from peyvand.adoption.services import assessments, catalogue, culture, stakeholders
from peyvand.core.models import User

CULTURE_TITLE = "فرهنگ سازمانی پیش از استقرار CRM"
CULTURE_RESPONDENTS = ("sara.ahmadi", "reza.karimi", "fatemeh.nouri", "hamid.rostami", "leila.kazemi")
# Mean points of 100 (clan, adhocracy, market, hierarchy): now, and preferred.
NOW = {"clan": 22, "adhocracy": 13, "market": 27, "hierarchy": 38}
PREFERRED = {"clan": 32, "adhocracy": 20, "market": 30, "hierarchy": 18}

# (name, role, department, linked user, [(rational, emotional, note, days before the anchor)],
#  (action, owner, days after the anchor))
STAKEHOLDERS = (
    (
        "بهرام صالحی",
        "مدیر فروش و راهبر پروژه",
        "فروش",
        "bahram.salehi",
        [(5, 5, "", 40)],
        ("معرفی به‌عنوان سفیر CRM در جلسهٔ ماهانه", "bahram.salehi", 7),
    ),
    (
        "مینا قاسمی",
        "مدیر شعبهٔ اصفهان",
        "فروش",
        "mina.ghasemi",
        [(4, 2, "", 40), (4, 4, "پس از دیدن نمونهٔ آزمایشی", 10)],
        ("همراهی در آموزش تیم اصفهان", "bahram.salehi", 14),
    ),
    (
        "فاطمه نوری",
        "سرپرست پشتیبانی",
        "پشتیبانی",
        "fatemeh.nouri",
        [(4, 2, "", 35)],
        ("نشان دادن کاهش زمان پاسخ در داشبورد", "bahram.salehi", 10),
    ),
    (
        "علی رضایی",
        "کارشناس فروش",
        "فروش",
        "ali.rezaei",
        [(2, 5, "", 30)],
        ("کارگاه یک‌ساعته دربارهٔ فرایند فروش در CRM", "mina.ghasemi", 5),
    ),
    (
        "کاوه شریفی",
        "مدیر مالی",
        "مالی",
        "kaveh.sharifi",
        [(1, 1, "", 40), (3, 2, "طرح توجیهی را دید", 12)],
        ("جلسهٔ حضوری دربارهٔ طرح توجیهی و بازگشت سرمایه", "bahram.salehi", 3),
    ),
    (
        "شرکت پخش البرز",
        "توزیع‌کنندهٔ اصلی",
        "شریک تجاری",
        None,
        [(3, 4, "", 20)],
        ("ارسال راهنمای درگاه شرکا", "leila.kazemi", 20),
    ),
)


def _split(base: dict[str, int], rng: random.Random) -> dict[str, int]:
    """Four whole, non-negative numbers adding up to 100, near ``base``."""
    values = {key: max(0, value + rng.randint(-6, 6)) for key, value in base.items()}
    top = max(values, key=lambda key: values[key])
    values[top] += 100 - sum(values.values())
    return values


def write_culture(users: dict[str, User], *, seed: int, anchor: dt.date) -> int:
    catalogue.culture_models_load()
    if Assessment.objects.filter(title=CULTURE_TITLE).exists():
        return 0
    rng = random.Random(seed + 4)
    manager = users["bahram.salehi"]
    model = ReadinessModel.objects.get(key="ocai")
    survey = assessments.assessment_create(
        actor=manager,
        data=assessments.AssessmentInput(
            model=model,
            title=CULTURE_TITLE,
            starts_on=anchor - dt.timedelta(days=28),
            ends_on=anchor - dt.timedelta(days=14),
        ),
    )
    statements = list(Statement.objects.filter(factor__model=model).order_by("factor__order", "order"))
    by_factor: dict[int, dict[str, int]] = {}
    for statement in statements:
        by_factor.setdefault(statement.factor_id, {})[statement.culture] = statement.pk
    for username in CULTURE_RESPONDENTS:
        respondent = assessments.respondent_invite_user(
            actor=manager, assessment=survey, user=users[username]
        )
        answers = {}
        for ids in by_factor.values():
            now, preferred = _split(NOW, rng), _split(PREFERRED, rng)
            answers.update({ids[key]: (now[key], preferred[key]) for key in ids})
        culture.culture_answers_save(
            respondent=respondent, answers=answers, submit=True, user=users[username]
        )
    assessments.assessment_set_status(actor=manager, assessment=survey, status=AssessmentStatus.CLOSED)
    return 1


def write_stakeholders(users: dict[str, User], *, anchor: dt.date) -> int:
    manager = users["bahram.salehi"]
    made = 0
    today = timezone.localdate()
    for name, role, department, username, places, (action, owner, due_in) in STAKEHOLDERS:
        if Stakeholder.objects.filter(name=name).exists():
            continue
        first, *later = places
        stakeholder = stakeholders.stakeholder_create(
            actor=manager,
            data=stakeholders.StakeholderInput(
                name=name, role=role, department=department, user=users[username] if username else None
            ),
            placement=stakeholders.PlacementInput(rational=first[0], emotional=first[1], note=first[2]),
        )
        rows = [stakeholder.placements.get()]
        for rational, emotional, note, _days in later:
            rows.append(
                stakeholders.stakeholder_place(
                    actor=manager,
                    stakeholder=stakeholder,
                    data=stakeholders.PlacementInput(rational=rational, emotional=emotional, note=note),
                )
            )
        # The demo's history: each placement on its day before the anchor (now, when it is later).
        for row, (_r, _e, _n, days) in zip(rows, places, strict=True):
            when = min(anchor, today) - dt.timedelta(days=days)
            Placement.objects.filter(pk=row.pk).update(
                placed_at=timezone.make_aware(dt.datetime.combine(when, dt.time(10, 0)))
            )
        stakeholders.stakeholder_action_save(
            actor=manager,
            stakeholder=stakeholder,
            data=stakeholders.ActionInput(
                description=action, owner=users[owner], due_on=anchor + dt.timedelta(days=due_in)
            ),
        )
        made += 1
    return made
