"""An A/B test: a sample gets A or B (half each, chosen reproducibly); when the test's time is
up the run picks the winner by its criterion (a tie goes to A), records it with the figures,
and sends it to the rest, once each; the marketer may pick it by hand before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import User
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Direction, Interaction, OutboundMessage
from peyvand.marketing.models import Campaign, Recipient
from peyvand.marketing.selectors import results
from peyvand.marketing.services import abtest, campaigns, groups, sending
from tests.marketing.control_helpers import crowd

pytestmark = pytest.mark.django_db
State = Recipient.State
B_TEXT = "{first_name} عزیز، فقط امروز ۳۰٪ تخفیف: https://shop.example/b"


@pytest.fixture
def people(users: dict[str, User]) -> list[Any]:
    return crowd(users["marketing"], 100)


@pytest.fixture
def ab_campaign(make_campaign: Callable[..., Campaign], people: list[Any]) -> Campaign:
    return make_campaign(ab_test=True, body_b_fa=B_TEXT, ab_sample_percent=20, ab_hours=4)


def _messages(campaign: Campaign) -> Any:
    return OutboundMessage.objects.filter(
        pk__in=Recipient.objects.filter(campaign=campaign).values("message_id")
    )


def _sample_sent(campaign: Campaign, send: Callable[..., Campaign]) -> Campaign:
    campaign = send(campaign)
    assert campaign.status == "sending"
    return campaign


def _end_the_test(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(ab_ends_at=timezone.now() - dt.timedelta(minutes=1))


def _click(campaign: Campaign, variant: str, count: int) -> None:
    rows = Recipient.objects.filter(campaign=campaign, variant=variant, in_test=True).order_by("id")
    ids = list(rows.values_list("id", flat=True)[:count])
    Recipient.objects.filter(pk__in=ids).update(clicked_at=timezone.now(), clicks=1)


def test_the_sample_goes_first_half_a_half_b(ab_campaign: Campaign, send: Callable[..., Campaign]):
    before = timezone.now()
    campaign = _sample_sent(ab_campaign, send)
    rows = Recipient.objects.filter(campaign=campaign)
    assert rows.filter(in_test=True, variant="a", state=State.QUEUED).count() == 10
    assert rows.filter(in_test=True, variant="b", state=State.QUEUED).count() == 10
    assert rows.filter(state=State.REST).count() == 80
    assert _messages(campaign).count() == 20
    a_bodies = set(
        _messages(campaign)
        .filter(party_id__in=rows.filter(variant="a").values("party_id"))
        .values_list("body_text", flat=True)
    )
    b_bodies = set(
        _messages(campaign)
        .filter(party_id__in=rows.filter(variant="b").values("party_id"))
        .values_list("body_text", flat=True)
    )
    assert all("حراج بهاره" in body for body in a_bodies)
    assert all("۳۰٪ تخفیف" in body and "/m/c/" in body for body in b_bodies)
    assert campaign.ab_ends_at is not None
    assert before + dt.timedelta(hours=4) <= campaign.ab_ends_at <= timezone.now() + dt.timedelta(hours=4)
    assert campaign.lease is None and not campaign.ab_winner
    # The draw is the hash's, reproducibly.
    eligible = list(rows.values_list("id", "party_id"))
    expected = groups.split(campaign.pk, eligible, control_percent=0, sample_percent=20)
    assert set(rows.filter(variant="a").values_list("id", flat=True)) == set(expected.a)
    assert set(rows.filter(variant="b").values_list("id", flat=True)) == set(expected.b)
    # While the test runs, the periodic check leaves it alone, and a run sends nothing more.
    assert campaign.pk not in sending.campaigns_resume(now=timezone.now() + dt.timedelta(minutes=10))
    sending.campaign_run(campaign_id=campaign.pk)
    assert _messages(campaign).count() == 20


def test_when_the_time_is_up_the_winner_goes_to_the_rest_exactly_once(
    ab_campaign: Campaign, send: Callable[..., Campaign], committed: Any
):
    campaign = _sample_sent(ab_campaign, send)
    _click(campaign, "a", 1)
    _click(campaign, "b", 3)
    _end_the_test(campaign)
    later = timezone.now() + dt.timedelta(minutes=5)
    assert campaign.pk in sending.campaigns_resume(now=later)
    with committed():
        sending.campaign_run(campaign_id=campaign.pk)
    with committed():
        sending.campaign_run(campaign_id=campaign.pk)  # the job runs twice
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    assert campaign.ab_winner == "b"
    assert campaign.ab_decided_by is None
    assert campaign.ab_result == {
        "criterion": "clicks",
        "manual": False,
        "a": {"sent": 10, "count": 1},
        "b": {"sent": 10, "count": 3},
    }
    rows = Recipient.objects.filter(campaign=campaign)
    assert rows.filter(state=State.QUEUED).count() == 100
    assert rows.filter(in_test=False, variant="b").count() == 80
    per_party = (
        OutboundMessage.objects.filter(idempotency_key__startswith="campaign-")
        .values("party_id")
        .annotate(n=Count("id"))
    )
    assert len(per_party) == 100 and {row["n"] for row in per_party} == {1}
    rest = _messages(campaign).filter(party_id__in=rows.filter(in_test=False).values("party_id"))
    assert rest.count() == 80
    assert all("۳۰٪ تخفیف" in body for body in rest.values_list("body_text", flat=True))
    assert campaign.processed == campaign.total == 100


def test_a_tie_goes_to_a(ab_campaign: Campaign, send: Callable[..., Campaign], committed: Any):
    campaign = _sample_sent(ab_campaign, send)
    _click(campaign, "a", 2)
    _click(campaign, "b", 2)
    _end_the_test(campaign)
    with committed():
        sending.campaign_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.ab_winner == "a"
    assert campaign.ab_result["a"] == campaign.ab_result["b"] == {"sent": 10, "count": 2}
    rest = Recipient.objects.filter(campaign=campaign, in_test=False)
    assert set(rest.values_list("variant", flat=True)) == {"a"}
    assert set(rest.values_list("state", flat=True)) == {State.QUEUED}


def test_winner_of_compares_rates_not_counts():
    a = results.VariantFigures("a", sent=10, clicked=2)
    b = results.VariantFigures("b", sent=9, clicked=2)
    assert results.winner_of({"a": a, "b": b}, "clicks") == "b"  # 22 % > 20 %
    b = results.VariantFigures("b", sent=10, clicked=2)
    assert results.winner_of({"a": a, "b": b}, "clicks") == "a"
    assert results.winner_of({"a": a, "b": results.VariantFigures("b")}, "clicks") == "a"


def test_replies_decide_an_sms_test(
    make_campaign: Callable[..., Campaign],
    people: list[Any],
    send: Callable[..., Campaign],
    committed: Any,
    users: dict[str, User],
):
    campaign = _sample_sent(
        make_campaign(ab_test=True, body_b_fa=B_TEXT, ab_criterion="replies", track_links=False), send
    )
    a_party = Recipient.objects.filter(campaign=campaign, variant="a").first().party  # type: ignore[union-attr]
    Interaction.objects.create(
        party=a_party,
        channel=InteractionChannel.SMS,
        direction=Direction.INBOUND,
        occurred_at=timezone.now() + dt.timedelta(seconds=1),
        subject="",
        body="ممنون",
        handled_by=users["admin"],
    )
    figures = results.ab_figures(campaign=campaign)
    assert (figures["a"].replied, figures["b"].replied) == (1, 0)
    _end_the_test(campaign)
    with committed():
        sending.campaign_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.ab_winner == "a"
    assert campaign.ab_result["a"] == {"sent": 10, "count": 1}


def test_the_marketer_picks_the_winner_before_the_time(
    ab_campaign: Campaign, send: Callable[..., Campaign], users: dict[str, User], committed: Any
):
    campaign = _sample_sent(ab_campaign, send)
    for role in ("sales", "support", "readonly"):
        with pytest.raises(PermissionDenied):
            abtest.campaign_pick_winner(campaign=campaign, actor=users[role], variant="b")
    campaign.refresh_from_db()
    assert not campaign.ab_winner
    assert _messages(campaign).count() == 20
    with committed():
        abtest.campaign_pick_winner(campaign=campaign, actor=users["marketing"], variant="b")
    campaign.refresh_from_db()
    assert campaign.status == "sent"  # the run it started sent the rest
    assert (campaign.ab_winner, campaign.ab_decided_by, campaign.ab_result["manual"]) == (
        "b",
        users["marketing"],
        True,
    )
    assert _messages(campaign).count() == 100
    with pytest.raises(ValidationError):
        abtest.campaign_pick_winner(campaign=campaign, actor=users["marketing"], variant="a")
    campaign.refresh_from_db()
    assert campaign.ab_winner == "b"


# --- writing it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ab_test": True}, "body_b_fa"),  # no variant B
        ({"ab_test": True, "body_b_fa": "ب", "ab_hours": 0}, "ab_hours"),
        ({"ab_test": True, "body_b_fa": "ب", "ab_hours": 169}, "ab_hours"),
        ({"ab_test": True, "body_b_fa": "ب", "ab_sample_percent": 1}, "ab_sample_percent"),
        ({"ab_test": True, "body_b_fa": "ب", "ab_sample_percent": 91}, "ab_sample_percent"),
        ({"ab_test": True, "body_b_fa": "ب", "ab_criterion": "opens"}, "ab_criterion"),  # an SMS
        ({"ab_test": True, "body_b_fa": "ب", "ab_criterion": "x"}, "ab_criterion"),
        ({"ab_test": True, "body_b_fa": "ب", "track_links": False}, "ab_criterion"),  # clicks
    ],
)
def test_an_ab_test_is_checked(
    values: dict[str, Any], field: str, make_campaign: Callable[..., Campaign], users: dict[str, User]
):
    campaign = make_campaign()
    with pytest.raises(ValidationError) as caught:
        campaigns.campaign_update(
            campaign=campaign, actor=users["marketing"], data=campaigns.CampaignInput(**values)
        )
    assert field in caught.value.message_dict
    campaign.refresh_from_db()
    assert not campaign.ab_test


def test_the_form_asks_for_variant_b_in_persian(
    make_campaign: Callable[..., Campaign], as_user: Callable[[str], Any]
):
    campaign = make_campaign()
    client = as_user("marketing")
    url = reverse("marketing:campaign_edit", args=[campaign.pk])
    data = {
        "name": campaign.name,
        "goal": campaign.goal,
        "channel": "sms",
        "segments": [campaign.audience.first().segment_id],  # type: ignore[union-attr]
        "default_language": "fa",
        "body_fa": campaign.body_fa,
        "attribution_days": "30",
        "track_links": "on",
        "ab_test": "on",
        "ab_sample_percent": "20",
        "ab_criterion": "clicks",
        "ab_hours": "200",
    }
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 422
    assert "۱۶۸" in page.content.decode()
    data["ab_hours"] = "4"
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 422
    assert "body_b_fa" in page.context["form"].errors
    data["body_b_fa"] = B_TEXT
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.ab_test, campaign.ab_hours, campaign.body_b_fa) == (True, 4, B_TEXT)


def test_sales_cannot_turn_the_test_on(make_campaign: Callable[..., Campaign], users: dict[str, User]):
    campaign = make_campaign()
    with pytest.raises(PermissionDenied):
        campaigns.campaign_update(
            campaign=campaign,
            actor=users["sales"],
            data=campaigns.CampaignInput(ab_test=True, body_b_fa=B_TEXT),
        )
    campaign.refresh_from_db()
    assert not campaign.ab_test and not campaign.body_b_fa


# --- the pages and the API ----------------------------------------------------------------


def test_the_campaign_page_shows_both_variants_and_the_winner(
    ab_campaign: Campaign,
    send: Callable[..., Campaign],
    as_user: Callable[[str], Any],
    committed: Any,
    django_assert_max_num_queries: Any,
):
    campaign = _sample_sent(ab_campaign, send)
    _click(campaign, "b", 3)
    client = as_user("marketing")
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    text = page.content.decode()
    assert 'data-testid="ab-pick"' in text
    assert 'data-testid="ab-b-clicks">۳ (۳۰٫۰٪)' in text
    assert 'data-testid="ab-a-sent">۱۰<' in text
    # Sales sees the figures but no buttons; a POST is refused and changes nothing.
    sales = as_user("sales")
    assert 'data-testid="ab-pick"' not in sales.get(url).content.decode()
    assert (
        sales.post(reverse("marketing:campaign_winner", args=[campaign.pk]), {"variant": "b"}).status_code
        == 403
    )
    campaign.refresh_from_db()
    assert not campaign.ab_winner
    with committed():
        page = client.post(reverse("marketing:campaign_winner", args=[campaign.pk]), {"variant": "b"})
    assert page.status_code == 302
    text = client.get(url).content.decode()
    assert 'data-winner="b"' in text
    report = client.get(reverse("marketing:campaign_report", args=[campaign.pk]))
    assert 'id="chart-abtest"' in report.content.decode() or "abtest" in report.content.decode()


def test_the_api_creates_a_test_and_picks_the_winner(
    people: list[Any],
    make_segment: Callable[..., Any],
    api_as: Callable[[str], Any],
    committed: Any,
):
    from tests.marketing.conftest import rule

    segment = make_segment(rule=rule())
    api = api_as("marketing")
    payload = {
        "name": "آزمون",
        "channel": "sms",
        "segment_ids": [segment.pk],
        "body_fa": "سلام {first_name}",
        "ab_test": True,
        "body_b_fa": B_TEXT,
        "ab_sample_percent": 20,
        "ab_criterion": "clicks",
        "ab_hours": 2,
        "control_percent": 10,
    }
    bad = api.post("/marketing/campaigns", {**payload, "ab_hours": 0})
    assert bad.status_code == 422
    bad = api.post("/marketing/campaigns", {**payload, "body_b_fa": ""})
    assert bad.status_code == 422
    created = api.post("/marketing/campaigns", payload)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["ab_test"], body["ab_hours"], body["control_percent"], body["ab_winner"]) == (
        True,
        2,
        10,
        "",
    )
    pk = body["id"]
    with committed():
        assert api.post(f"/marketing/campaigns/{pk}/send", {}).status_code == 202
    stats = api.get(f"/marketing/campaigns/{pk}/stats").json()
    # 100 eligible: 10 held out; 20 % of the 90 others = 18, 9 each.
    assert stats["held_out"] == 10
    assert (stats["ab"]["a"]["sent"], stats["ab"]["b"]["sent"]) == (9, 9)
    assert api_as("sales").post(f"/marketing/campaigns/{pk}/winner", {"variant": "a"}).status_code == 403
    assert api.post(f"/marketing/campaigns/{pk}/winner", {"variant": "c"}).status_code == 422
    with committed():
        picked = api.post(f"/marketing/campaigns/{pk}/winner", {"variant": "a"})
    assert picked.status_code == 200
    assert picked.json()["ab_winner"] == "a"
    again = api.post(f"/marketing/campaigns/{pk}/winner", {"variant": "b"})
    assert again.status_code in (400, 422)
    stats = api.get(f"/marketing/campaigns/{pk}/stats").json()
    assert stats["sent"] == 90 and stats["ab"]["winner"] == "a" and stats["ab"]["manual"] is True


def test_the_preview_shows_b_and_the_estimate_counts_the_longer_variant(
    make_campaign: Callable[..., Campaign],
    people: list[Any],
    users: dict[str, User],
    as_user: Callable[[str], Any],
):
    long_b = "سلام {first_name}، " + "تخفیف ویژهٔ پاییز برای شما. " * 12
    plain = make_campaign()
    tested = make_campaign(ab_test=True, body_b_fa=long_b)
    assert (
        campaigns.message_cost(tested, users["marketing"])[0]
        > campaigns.message_cost(plain, users["marketing"])[0]
    )
    client = as_user("marketing")
    url = reverse("marketing:campaign_preview", args=[tested.pk])
    assert "تخفیف ویژهٔ پاییز" in client.get(url, {"variant": "b", "language": "fa"}).content.decode()
    assert "حراج بهاره" in client.get(url, {"variant": "a", "language": "fa"}).content.decode()


def test_an_email_test_of_the_subject_alone(
    make_campaign: Callable[..., Campaign], users: dict[str, User], send: Callable[..., Campaign]
):
    from peyvand.customers.models import Kind, Party

    Party.objects.bulk_create(
        [
            Party(
                kind=Kind.PERSON,
                first_name=f"خریدار{i}",
                display_name=f"خریدار{i}",
                sort_key=f"{i:04d}",
                owner=users["marketing"],
                primary_email=f"buyer{i}@example.com",
                email_consent=True,
                email_consent_source="web form",
            )
            for i in range(20)
        ]
    )
    campaign = make_campaign(
        channel="email",
        subject_fa="حراج بهاره",
        body_fa="<p>سلام {first_name}</p>",
        body_en="",
        track_opens=True,
        ab_test=True,
        subject_b_fa="فقط امروز: ۳۰٪ تخفیف",
        ab_criterion="opens",
        ab_sample_percent=50,
    )
    campaign = _sample_sent(campaign, send)
    rows = Recipient.objects.filter(campaign=campaign)
    a = _messages(campaign).filter(party_id__in=rows.filter(variant="a").values("party_id"))
    b = _messages(campaign).filter(party_id__in=rows.filter(variant="b").values("party_id"))
    assert (a.count(), b.count()) == (5, 5)
    assert set(a.values_list("subject", flat=True)) == {"حراج بهاره"}
    assert set(b.values_list("subject", flat=True)) == {"فقط امروز: ۳۰٪ تخفیف"}
    assert all("سلام خریدار" in html for html in b.values_list("body_html", flat=True))
