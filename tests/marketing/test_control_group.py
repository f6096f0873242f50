"""A control group: a reproducible random share of the eligible customers kept out of the send,
recorded with its reason, and the lift the campaign shows against it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import User
from peyvand.interactions.models import OutboundMessage
from peyvand.marketing.models import Campaign, Recipient
from peyvand.marketing.selectors import results
from peyvand.marketing.services import campaigns, groups, sending
from tests.marketing.control_helpers import crowd

pytestmark = pytest.mark.django_db
State = Recipient.State


# --- the split ----------------------------------------------------------------------------


def test_shares_round_half_up():
    assert [groups.share(n, 10) for n in (4, 5, 14, 15, 200)] == [0, 1, 1, 2, 20]
    assert groups.share(7, 0) == 0
    assert groups.share(7, 50) == 4


def test_the_split_is_reproducible_and_exact():
    pairs = [(1000 + i, 50_000 + i) for i in range(1000)]
    first = groups.split(7, pairs, control_percent=10, sample_percent=20)
    again = groups.split(7, list(reversed(pairs)), control_percent=10, sample_percent=20)
    assert first == again  # whatever order the rows came in
    assert len(first.control) == 100
    assert (len(first.a), len(first.b), len(first.rest)) == (90, 90, 720)
    everyone = first.control + first.a + first.b + first.rest
    assert sorted(everyone) == [r for r, _p in pairs]  # each exactly once
    other = groups.split(8, pairs, control_percent=10, sample_percent=20)
    assert set(other.control) != set(first.control)  # another campaign draws another group
    # Not the lowest ids: spread over the whole range.
    assert min(first.control) < 1100 and max(first.control) > 1900
    assert groups.party_hash(7, 50_001) == groups.party_hash(7, 50_001)


def test_an_odd_sample_gives_a_the_extra_one():
    found = groups.split(1, [(i, i) for i in range(15)], control_percent=0, sample_percent=50)
    assert (len(found.a), len(found.b), len(found.rest)) == (4, 4, 7)  # 50 % of 15 → 8
    found = groups.split(1, [(i, i) for i in range(18)], control_percent=0, sample_percent=50)
    assert (len(found.a), len(found.b)) == (5, 4)


# --- sending ------------------------------------------------------------------------------


@pytest.fixture
def audience(users: dict[str, User]) -> dict[str, list[Any]]:
    return {
        "yes": crowd(users["marketing"], 200),
        "no": crowd(users["marketing"], 10, consent=False, start=500),
    }


def test_the_control_group_is_held_out_and_never_messaged(
    audience: dict[str, list[Any]], make_campaign: Callable[..., Campaign], send: Callable[..., Campaign]
):
    campaign = send(make_campaign(control_percent=10))
    assert campaign.status == "sent"
    rows = Recipient.objects.filter(campaign=campaign)
    held = rows.filter(state=State.HELD_OUT)
    assert held.count() == 20  # exactly 10 % of the 200 eligible, not of the 210 targeted
    assert set(held.values_list("reason", flat=True)) == {Recipient.Reason.CONTROL}
    assert rows.filter(state=State.QUEUED).count() == 180
    assert rows.filter(state=State.SKIPPED, reason="no_consent").count() == 10
    held_parties = set(held.values_list("party_id", flat=True))
    assert not OutboundMessage.objects.filter(party_id__in=held_parties).exists()
    assert OutboundMessage.objects.filter(idempotency_key__startswith="campaign-").count() == 180
    assert campaign.processed == campaign.total == 210
    # The same draw as the hash makes it, from the eligible ones alone.
    eligible = list(rows.exclude(state=State.SKIPPED).values_list("id", "party_id"))
    expected = groups.split(campaign.pk, eligible, control_percent=10, sample_percent=None)
    assert set(held.values_list("id", flat=True)) == set(expected.control)
    # A second run (a restart) changes nothing.
    sending.campaign_run(campaign_id=campaign.pk)
    assert OutboundMessage.objects.filter(idempotency_key__startswith="campaign-").count() == 180
    assert held.count() == 20


def test_the_recipients_page_shows_the_reason(
    audience: dict[str, list[Any]],
    make_campaign: Callable[..., Campaign],
    send: Callable[..., Campaign],
    as_user: Callable[[str], Any],
):
    campaign = send(make_campaign(control_percent=10))
    page = as_user("marketing").get(
        reverse("marketing:campaign_recipients", args=[campaign.pk]), {"state": "held_out"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="recipient-reason"') == 20
    assert page.context["page"].extra["count"] == 20


# --- lift ---------------------------------------------------------------------------------


def _orders(campaign: Campaign, make_order: Callable[..., Any], sent: int, control: int) -> None:
    today = timezone.localdate()
    rows = Recipient.objects.filter(campaign=campaign).select_related("party").order_by("id")
    for recipient in [r for r in rows if r.state == State.QUEUED][:sent]:
        make_order(recipient.party, today, "2000000")
    for recipient in [r for r in rows if r.state == State.HELD_OUT][:control]:
        make_order(recipient.party, today, "500000")


def test_lift_against_hand_computed_figures(
    audience: dict[str, list[Any]],
    make_campaign: Callable[..., Campaign],
    send: Callable[..., Campaign],
    make_order: Callable[..., Any],
):
    campaign = send(make_campaign(control_percent=10))
    _orders(campaign, make_order, sent=30, control=1)
    lift = results.campaign_lift(campaign=campaign)
    assert lift is not None
    assert (lift.sent.size, lift.sent.bought, lift.control.size, lift.control.bought) == (180, 30, 20, 1)
    bought = lift.bought
    assert bought is not None
    # 30/180 = 16.67 %, 1/20 = 5 %: 11.67 points, ± 1.96·√(p₁q₁/n₁ + p₂q₂/n₂) = [0.672, 22.661]
    assert bought.first == pytest.approx(16.6667, abs=1e-3)
    assert bought.second == pytest.approx(5.0)
    assert bought.difference == pytest.approx(11.6667, abs=1e-3)
    assert bought.low == pytest.approx(0.6723, abs=1e-3)
    assert bought.high == pytest.approx(22.6610, abs=1e-3)
    assert lift.verdict == "better"
    # Revenue per customer: 30 × 2,000,000 ÷ 180 and 500,000 ÷ 20.
    assert lift.sent.revenue_each == Decimal("333333.33")
    assert lift.control.revenue_each == Decimal("25000.00")


def test_a_difference_chance_explains_is_not_measurable_yet(
    audience: dict[str, list[Any]],
    make_campaign: Callable[..., Campaign],
    send: Callable[..., Campaign],
    make_order: Callable[..., Any],
):
    campaign = send(make_campaign(control_percent=10))
    _orders(campaign, make_order, sent=30, control=3)
    lift = results.campaign_lift(campaign=campaign)
    assert lift is not None and lift.bought is not None
    # 16.67 % against 15 %: 1.67 points in [−14.902, 18.236]
    assert lift.bought.low == pytest.approx(-14.9024, abs=1e-3)
    assert lift.bought.high == pytest.approx(18.2357, abs=1e-3)
    assert lift.verdict == "unclear"


def test_no_lift_without_a_control_group(
    audience: dict[str, list[Any]], make_campaign: Callable[..., Campaign], send: Callable[..., Campaign]
):
    campaign = send(make_campaign())
    assert not Recipient.objects.filter(campaign=campaign, state=State.HELD_OUT).exists()
    assert results.campaign_lift(campaign=campaign) is None


def test_the_report_shows_the_lift_in_a_fixed_number_of_queries(
    audience: dict[str, list[Any]],
    make_campaign: Callable[..., Campaign],
    send: Callable[..., Campaign],
    make_order: Callable[..., Any],
    as_user: Callable[[str], Any],
    django_assert_max_num_queries: Any,
):
    campaign = send(make_campaign(control_percent=10))
    _orders(campaign, make_order, sent=33, control=1)
    client = as_user("marketing")
    url = reverse("marketing:campaign_report", args=[campaign.pk])
    client.get(url)  # warm the caches (session, exchange rates)
    with django_assert_max_num_queries(30) as counted:
        page = client.get(url)
    small = len(counted.captured_queries)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-verdict="better"' in text
    assert 'data-testid="lift-table"' in text
    assert "۲٫۲" in text and "۲۴٫۴" in text  # the interval's ends, 2.23 … 24.43, in Persian digits
    # More customers and orders, the same queries.
    crowd(campaign.owner, 50, start=2000)
    bigger = send(make_campaign(control_percent=10))
    _orders(bigger, make_order, sent=40, control=3)
    with django_assert_max_num_queries(small):
        assert client.get(reverse("marketing:campaign_report", args=[bigger.pk])).status_code == 200
    lift_csv = client.get(url, {"export": "lift"})
    assert lift_csv.status_code == 200


def test_the_api_reports_the_lift(
    audience: dict[str, list[Any]],
    make_campaign: Callable[..., Campaign],
    send: Callable[..., Campaign],
    make_order: Callable[..., Any],
    api_as: Callable[[str], Any],
):
    campaign = send(make_campaign(control_percent=10))
    _orders(campaign, make_order, sent=30, control=1)
    body = api_as("sales").get(f"/marketing/campaigns/{campaign.pk}/stats").json()
    assert body["held_out"] == 20
    lift = body["lift"]
    assert (lift["sent"]["size"], lift["control"]["size"]) == (180, 20)
    assert lift["bought"]["low"] == pytest.approx(0.6723, abs=1e-3)
    assert lift["verdict"] == "better"
    got = api_as("marketing").get(f"/marketing/campaigns/{campaign.pk}").json()
    assert got["control_percent"] == 10


# --- writing it ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, 51, 100])
def test_a_share_out_of_range_is_refused(
    value: int, make_campaign: Callable[..., Campaign], users: dict[str, User]
):
    campaign = make_campaign()
    with pytest.raises(ValidationError) as caught:
        campaigns.campaign_update(
            campaign=campaign, actor=users["marketing"], data=campaigns.CampaignInput(control_percent=value)
        )
    assert "control_percent" in caught.value.message_dict
    campaign.refresh_from_db()
    assert campaign.control_percent == 0


def test_the_form_refuses_a_share_out_of_range_in_persian(
    make_campaign: Callable[..., Campaign], as_user: Callable[[str], Any]
):
    campaign = make_campaign()
    client = as_user("marketing")
    url = reverse("marketing:campaign_edit", args=[campaign.pk])
    data = {
        "name": campaign.name,
        "goal": campaign.goal,
        "channel": "sms",
        "segments": [campaign.audience.first().segment_id],
        "default_language": "fa",
        "body_fa": campaign.body_fa,
        "attribution_days": "30",
        "control_percent": "60",
    }
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 422
    assert "۵۰" in page.content.decode()  # «… کمتر یا مساوی ۵۰ باشد»
    campaign.refresh_from_db()
    assert campaign.control_percent == 0
    data["control_percent"] = "10"
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.control_percent == 10


@pytest.mark.parametrize("role", ["sales", "support", "readonly"])
def test_only_marketing_sets_the_control_group(
    role: str, make_campaign: Callable[..., Campaign], users: dict[str, User]
):
    campaign = make_campaign()
    with pytest.raises(PermissionDenied):
        campaigns.campaign_update(
            campaign=campaign, actor=users[role], data=campaigns.CampaignInput(control_percent=10)
        )
    campaign.refresh_from_db()
    assert campaign.control_percent == 0
