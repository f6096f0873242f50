"""Deals: stages with history on the customer's timeline, lines and amounts, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from peyvand.core.models import AuditEvent
from peyvand.core.selectors.audit import describe_events
from peyvand.sales.hooks import _show_stage
from peyvand.sales.models import Deal, DealLine, DealStageChange, Outcome
from peyvand.sales.selectors import deals as selectors
from peyvand.sales.services import catalogue, deals, pipelines

pytestmark = pytest.mark.django_db


def test_a_new_deal_starts_in_the_first_open_stage_with_history(make_deal, stages):
    deal = make_deal()
    assert deal.stage == stages["new"]
    assert deal.status == Outcome.OPEN
    assert deal.amount_base == Decimal("1000000")
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_moving_a_deal_writes_history_and_a_timeline_event(make_deal, stages, users):
    deal = make_deal()
    moved = deals.deal_move_stage(deal=deal, stage=stages["proposal"], actor=users["sales"])
    assert moved.stage == stages["proposal"]
    history = selectors.deal_history(deal=deal)
    assert [s.stage for s in history] == [stages["new"], stages["proposal"]]
    assert history[0].left is not None and history[1].left is None
    event = AuditEvent.objects.filter(model="sales.deal", object_id=deal.pk, kind="update").latest("id")
    assert event.party_id == deal.party_id
    old, new = event.changes["stage"]
    # The time in stage is kept as a number and put in words when the timeline is read.
    assert old == {"stage": stages["new"].name, "seconds": 0} and new == stages["proposal"].name
    with translation.override("en"):
        (view,) = describe_events([event])
        assert [(c.label, c.old) for c in view.changes] == [("stage", f"{stages['new'].name} (0 hours)")]
        assert _show_stage({"stage": "New", "seconds": 86400}) == "New (1 day)"
        assert _show_stage({"stage": "New", "seconds": 3 * 86400 + 5}) == "New (3 days)"
        assert _show_stage({"stage": "New", "seconds": 3600}) == "New (1 hour)"
        assert _show_stage("New (3 days)") == "New (3 days)"  # written before, as it was
    with translation.override("fa"):
        assert _show_stage({"stage": "تازه", "seconds": 3 * 86400}) == "تازه (۳ روز)"


def test_losing_needs_a_reason_and_a_refusal_changes_nothing(make_deal, stages, users):
    deal = make_deal()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        deals.deal_move_stage(deal=deal, stage=stages["lost"], actor=users["sales"])
    assert "lost_reason" in error.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == stages["new"] and deal.status == Outcome.OPEN
    assert AuditEvent.objects.count() == events
    assert DealStageChange.objects.filter(deal=deal).count() == 1
    lost = deals.deal_move_stage(
        deal=deal, stage=stages["lost"], actor=users["sales"], lost_reason="قیمت بالا"
    )
    assert lost.status == Outcome.LOST and lost.closed_at is not None and lost.lost_reason == "قیمت بالا"
    reopened = deals.deal_move_stage(deal=deal, stage=stages["new"], actor=users["sales"])
    assert reopened.status == Outcome.OPEN and reopened.closed_at is None and reopened.lost_reason == ""


def test_a_stage_of_another_pipeline_moves_the_deal_there(make_deal, users):
    from peyvand.sales.services.pipelines import pipeline_save

    other = pipeline_save(
        actor=users["admin"],
        name="پروژه‌ها",
        stages=[
            {"name": "شروع", "probability": 20, "outcome": "open"},
            {"name": "برد", "probability": 100, "outcome": "won"},
            {"name": "باخت", "probability": 0, "outcome": "lost"},
        ],
    )
    deal = make_deal()
    first = other.stages.order_by("order").first()
    moved = deals.deal_move_stage(deal=deal, stage=first, actor=users["sales"])
    assert moved.pipeline == other and moved.stage == first


def test_lines_make_the_amount_with_discount_and_tax(make_deal, products, users):
    deal = make_deal(amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "2"})
    deals.deal_line_add(
        deal=deal,
        actor=users["sales"],
        data={"product": products["support"], "quantity": "10", "discount_percent": "25"},
    )
    deal.refresh_from_db()
    # 2 × 12,500,000 + 10% tax = 27,500,000; 10 × 800,000 − 25% = 6,000,000 + 10% = 6,600,000
    assert deal.amount == Decimal("34100000")
    assert deal.amount_base == deal.amount


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": "x", "quantity": "-1", "unit_price": "10"}, "quantity"),
        ({"description": "x", "quantity": "0", "unit_price": "10"}, "quantity"),
        ({"description": "x", "quantity": "1", "unit_price": "-5"}, "unit_price"),
        (
            {"description": "x", "quantity": "1", "unit_price": "10", "discount_percent": "120"},
            "discount_percent",
        ),
        ({"description": "x", "quantity": "abc", "unit_price": "10"}, "quantity"),
        ({"description": "x", "quantity": "1e40", "unit_price": "10"}, "quantity"),
        ({"description": "", "quantity": "1", "unit_price": "10"}, "description"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(make_deal, users, data, field):
    deal = make_deal()
    with pytest.raises(ValidationError) as error:
        deals.deal_line_add(deal=deal, actor=users["sales"], data=data)
    assert field in error.value.message_dict
    assert not DealLine.objects.filter(deal=deal).exists()
    deal.refresh_from_db()
    assert deal.amount == Decimal("1000000")


def test_unknown_currency_is_refused(make_deal, users, make_org):
    with pytest.raises(ValidationError) as error:
        deals.deal_create(actor=users["sales"], data={"title": "x", "party": make_org(), "currency": "XYZ"})
    assert "currency" in error.value.message_dict
    assert not Deal.objects.filter(title="x").exists()


def test_a_foreign_currency_needs_a_rate_and_is_reported_in_rial(make_deal, users):
    with pytest.raises(ValidationError):
        make_deal(currency="USD", amount="100")
    catalogue.currency_rate_set(
        actor=users["admin"],
        currency="USD",
        rate="600000",
        valid_from=timezone.localdate() - dt.timedelta(days=3),
    )
    deal = make_deal(currency="USD", amount="100.50")
    assert deal.amount == Decimal("100.50") and deal.amount_base == Decimal("60300000")


def test_sales_cannot_change_a_teammates_deal(make_deal, stages, users):
    deal = make_deal(owner="sales2")
    with pytest.raises(PermissionDenied):
        deals.deal_move_stage(deal=deal, stage=stages["proposal"], actor=users["sales"])
    deal.refresh_from_db()
    assert deal.stage == stages["new"]


def test_the_currency_of_a_deal_with_lines_cannot_change(make_deal, products, users):
    deal = make_deal(amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    with pytest.raises(ValidationError) as error:
        deals.deal_update(deal=deal, actor=users["sales"], data={"currency": "EUR"})
    assert "currency" in error.value.message_dict
    deal.refresh_from_db()
    assert deal.currency == "IRR" and deal.amount == Decimal("13750000")
    # The same currency again is no change at all.
    deals.deal_update(deal=deal, actor=users["sales"], data={"currency": "IRR", "title": "تازه"})
    deal.refresh_from_db()
    assert deal.title == "تازه"


def test_a_deal_without_lines_may_change_currency(make_deal, users):
    catalogue.currency_rate_set(
        actor=users["admin"], currency="EUR", rate="600000", valid_from=timezone.localdate()
    )
    deal = deals.deal_update(deal=make_deal(amount="10"), actor=users["sales"], data={"currency": "EUR"})
    assert deal.currency == "EUR" and deal.amount_base == Decimal("6000000")


def test_a_sales_rep_cannot_leave_a_deal_to_nobody_and_is_told_so(make_deal, users):
    deal = make_deal()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        deals.deal_update(deal=deal, actor=users["sales"], data={"owner": None})
    assert error.value.message_dict["owner"] == ["A deal you make or change needs an owner; choose one."]
    deal.refresh_from_db()
    assert deal.owner == users["sales"]
    assert deals.deal_update(deal=deal, actor=users["manager"], data={"owner": None}).owner is None


def test_trashing_a_deals_contact_person_leaves_the_organisations_deal(make_deal, make_person, users):
    from peyvand.customers import services as customer_services

    person = make_person()
    deal = make_deal(contact=person)
    own = make_deal(party=person, title="خرید شخصی")
    customer_services.parties.party_delete(party=person, actor=users["admin"])
    assert Deal.objects.filter(pk=deal.pk, contact=person).exists()  # still alive, still naming them
    assert not Deal.objects.filter(pk=own.pk).exists()  # the person's own deal went with them
    customer_services.parties.party_restore(party=person, actor=users["admin"])
    assert Deal.objects.filter(pk__in=[deal.pk, own.pk]).count() == 2


def test_the_default_pipeline_and_price_list_are_named_in_the_installations_language(db):
    """Issue 12: set-up stored str(_(…)) while running in English, and the Persian board showed
    «Sales», «New», «Won»… The stored names follow LANGUAGE_CODE, whoever asks first."""
    from django.utils import translation

    from peyvand.sales.services.catalogue import default_price_list

    with translation.override("en"):
        pipeline = pipelines.pipeline_ensure_default()
        price_list = default_price_list()
    assert pipeline.name == "فروش"
    assert [s.name for s in pipeline.stages.order_by("order")][:2] == ["تازه", "واجد شرایط"]
    assert price_list.name == "عمومی"
