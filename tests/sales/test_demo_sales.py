"""The demo's sales look like months of use: rates, rules, the website's form, and deals
whose moments are the plan's (made weeks ago, moved stage by stage, closed on their day)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import translation

from peyvand.core.models import AuditEvent, User
from peyvand.core.selectors.audit import describe_events
from peyvand.demo import build_plan, load_demo
from peyvand.demo.base import TEHRAN_TZ
from peyvand.sales.models import (
    AssignmentRule,
    CurrencyRate,
    Deal,
    DealStageChange,
    Lead,
    Outcome,
    ScoreRule,
    WebForm,
)
from peyvand.sales.selectors.forecast import forecast
from peyvand.sales.services.common import rate_on

ANCHOR = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(size="small", anchor=ANCHOR)
        transaction.set_rollback(True)


@pytest.fixture
def demo(small_demo, db):
    return small_demo


def test_rates_rules_and_the_web_form_are_set_up(demo):
    assert set(CurrencyRate.objects.values_list("currency", flat=True)) == {
        "USD", "EUR", "GBP", "AED", "TRY", "CNY", "IQD"
    }  # fmt: skip
    assert CurrencyRate.objects.filter(currency="USD").count() == 7
    assert all(r.valid_from <= ANCHOR for r in CurrencyRate.objects.all())
    assert 500_000 < rate_on("USD", ANCHOR) < 2_000_000
    assert ScoreRule.objects.filter(active=True).count() >= 8
    assert AssignmentRule.objects.filter(active=True, kind="any", team__name="فروش تهران").exists()
    form = WebForm.objects.get()
    assert form.active and "last_name" in form.fields and form.email_consent_label
    web = Lead.objects.filter(source="website", created_by=None)
    assert web.exists() and all(lead.web_form_id == form.pk for lead in web)
    assert Lead.objects.filter(score__gt=0).exists()


def test_deals_were_made_and_moved_on_the_plans_days(demo):
    plan = build_plan(size="small", anchor=ANCHOR)
    made = list(Deal.objects.order_by("id"))[: len(plan.sales.deals)]
    end = dt.datetime.combine(ANCHOR, dt.time(), TEHRAN_TZ)
    assert len({deal.created_at.date() for deal in made}) >= 5  # not one afternoon
    for deal, planned in zip(made, plan.sales.deals, strict=True):
        assert deal.created_at == planned.times[0] < end
        history = list(DealStageChange.objects.filter(deal=deal).order_by("at", "id"))
        assert [change.at for change in history] == planned.times
        assert [change.left_at for change in history] == [*planned.times[1:], None]
        assert deal.stage_entered_at == planned.times[-1]
        if deal.status == Outcome.OPEN:
            assert deal.closed_at is None
        else:
            assert deal.closed_at == planned.times[-1] < end
        if deal.status == Outcome.WON:
            order = deal.order_set.get()
            assert order.ordered_on == deal.closed_at.astimezone(TEHRAN_TZ).date()
            assert all(i.issued_on >= order.ordered_on for i in order.invoices.all())


def test_the_timeline_tells_how_long_each_stage_lasted(demo):
    deal = Deal.objects.filter(status=Outcome.WON).order_by("id").first()
    events = AuditEvent.objects.filter(model="sales.deal", object_id=deal.pk, kind="update").order_by(
        "at", "id"
    )
    moves = [e for e in events if "stage" in e.changes]
    assert len(moves) == 4 and all(e.changes["stage"][0]["seconds"] > 3600 for e in moves)
    with translation.override("fa"):
        shown = [c.old for view in describe_events(moves) for c in view.changes if c.label == "مرحله"]
    assert shown and all("روز)" in text for text in shown), shown


def test_the_forecast_counts_what_was_won_in_its_month(demo):
    won = Deal.objects.filter(status=Outcome.WON).order_by("-closed_at").first()
    manager = User.objects.get(role="manager", team_id=won.owner.team_id)
    result = forecast(user=manager, start=won.closed_at.date(), months=1)
    assert result.totals[result.months[0]].won > 0
