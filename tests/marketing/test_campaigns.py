"""Campaigns: writing one, the checks before sending, sending into the outbox exactly once
(run twice, crashed, resumed), skip reasons, unsubscribing by link and by «لغو», email
headers, tracking, test sends, scheduling, and ROI figures on a small fixture."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from peyvand.core import jobs
from peyvand.interactions.consent import unsubscribe_token
from peyvand.interactions.models import OutboundMessage
from peyvand.interactions.services import inbound, messaging
from peyvand.marketing import content
from peyvand.marketing.models import Campaign, Recipient, Status
from peyvand.marketing.selectors import campaigns as selectors
from peyvand.marketing.services import campaigns as services
from peyvand.marketing.services import sending
from peyvand.sales.models import CurrencyRate

from .conftest import rule

pytestmark = pytest.mark.django_db
Reason = Recipient.Reason


def outcome(campaign: Campaign) -> dict[str, tuple[str, str]]:
    """first name -> (state, reason)."""
    rows = Recipient.objects.filter(campaign=campaign).values_list("party__first_name", "state", "reason")
    return {name: (state, reason) for name, state, reason in rows}


@pytest.fixture
def held(monkeypatch):
    """The campaign's run does not start on its own: a test runs it (and "crashes" it)."""
    monkeypatch.setitem(jobs._JOBS, services.CAMPAIGN_RUN, lambda *args: None)


# --- writing a campaign --------------------------------------------------------------------


def test_a_campaign_is_checked_as_it_is_written(users, town, make_segment):
    segment = make_segment()
    hidden = make_segment(actor="admin", name="مدیر")
    bad = services.CampaignInput(
        name="",
        goal="fame",
        channel="fax",
        body_fa="سلام {nickname}",
        budget="-5",
        attribution_days=0,
        segments=(segment,),
        exclusions=(segment,),
    )
    with pytest.raises(ValidationError) as caught:
        services.campaign_create(actor=users["marketing"], data=bad)
    assert {"name", "goal", "channel", "body_fa", "budget", "attribution_days", "exclusions"} <= set(
        caught.value.message_dict
    )
    assert not Campaign.objects.exists()
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=users["sales"], data=services.CampaignInput(name="فروش"))
    # The admin's segment is visible to marketing (view: all), so this one is fine.
    services.campaign_create(
        actor=users["marketing"], data=services.CampaignInput(name="x", segments=(hidden,))
    )


def test_email_content_is_sanitised(users, make_campaign):
    campaign = make_campaign(
        channel="email",
        subject_fa="تخفیف",
        body_fa='<p onclick="x()">سلام <script>alert(1)</script><a href="javascript:alert(1)">بد</a>'
        '<a href="https://shop.example/a">خوب</a></p>',
        body_en="",
    )
    assert "script" not in campaign.body_fa and "onclick" not in campaign.body_fa
    assert "javascript" not in campaign.body_fa
    assert 'href="https://shop.example/a"' in campaign.body_fa


def test_what_keeps_a_campaign_from_going_out(users, town, make_campaign, make_segment, english):
    campaign = make_campaign(body_fa="", body_en="Hello")
    with pytest.raises(ValidationError) as caught:
        services.campaign_send(campaign=campaign, actor=users["marketing"])
    assert "Write the message in" in " ".join(caught.value.messages)
    campaign = make_campaign(budget="1000")  # three SMS of several parts cost more
    with pytest.raises(ValidationError) as caught:
        services.campaign_send(campaign=campaign, actor=users["marketing"])
    assert "budget" in " ".join(caught.value.messages)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.DRAFT
    assert not Recipient.objects.exists()


def test_the_estimate_counts_the_audience_and_the_cost(users, town, make_campaign):
    campaign = make_campaign(track_links=False, body_fa="سلام {first_name}", body_en="Hi {first_name}")
    estimate = services.campaign_estimate(user=users["marketing"], campaign=campaign)
    assert (estimate.audience, estimate.reachable) == (5, 3)
    assert estimate.segments == 1 and estimate.cost == Decimal(1500) * 3


# --- sending --------------------------------------------------------------------------------


def test_an_sms_campaign_reaches_each_customer_once_in_their_language(users, town, make_campaign, send):
    campaign = send(make_campaign())
    assert campaign.status == Status.SENT and campaign.total == 5 and campaign.processed == 5
    assert campaign.percent == 100
    assert outcome(campaign) == {
        "مریم": ("queued", ""),
        "سارا": ("queued", ""),
        "John": ("queued", ""),
        "رضا": ("skipped", Reason.NO_CONSENT),
        "": ("skipped", Reason.NO_CONSENT),
    }
    messages = {m.party.first_name: m for m in OutboundMessage.objects.select_related("party")}
    assert len(messages) == 3
    assert messages["مریم"].body_text.startswith("سلام مریم، حراج بهاره شروع شد: http")
    assert messages["مریم"].body_text.endswith("\nلغو۱۱")
    assert (
        messages["John"].body_text.startswith("Hi John, our spring sale")
        and messages["John"].language == "en"
    )
    assert "/m/c/" in messages["مریم"].body_text  # the link is tracked
    assert all(m.purpose == "marketing" and m.status == "sent" for m in messages.values())
    recipients = Recipient.objects.filter(campaign=campaign, state="queued")
    assert set(recipients.values_list("delivery", flat=True)) == {"sent"}  # the outbox mirrors it
    assert sum(r.cost for r in recipients) == sum(m.cost for m in messages.values())


def test_running_the_job_again_sends_nothing_twice(users, town, make_campaign, send, committed):
    campaign = send(make_campaign())
    before = OutboundMessage.objects.count()
    Campaign.objects.filter(pk=campaign.pk).update(status=Status.SENDING, lease=None)  # as if resumed
    with committed():
        sending.campaign_run(campaign_id=campaign.pk)
        sending.campaign_run(campaign_id=campaign.pk)
    assert OutboundMessage.objects.count() == before == 3
    assert Recipient.objects.filter(campaign=campaign).count() == 5


def test_a_crashed_send_resumes_where_it_stopped(users, town, make_campaign, held, monkeypatch, committed):
    monkeypatch.setenv("PEYVAND_CAMPAIGN_BATCH", "2")
    campaign = services.campaign_send(campaign=make_campaign(), actor=users["marketing"])
    assert campaign.status == Status.SENDING and not Recipient.objects.exists()
    sending.campaign_run(campaign_id=campaign.pk, batches=1)  # and then the worker dies
    campaign.refresh_from_db()
    assert (campaign.total, campaign.processed) == (5, 2)
    # Another run while the lease is fresh does nothing…
    assert sending.campaign_run(campaign_id=campaign.pk).processed == 2
    assert sending.campaigns_resume() == []
    # …until the heartbeat is old: the periodic check takes it over.
    old = timezone.now() - dt.timedelta(minutes=10)
    Campaign.objects.filter(pk=campaign.pk).update(heartbeat_at=old, started_at=old)
    assert sending.campaigns_resume() == [campaign.pk]
    with committed():
        campaign = sending.campaign_run(campaign_id=campaign.pk)
    assert campaign.status == Status.SENT and campaign.processed == 5
    assert OutboundMessage.objects.count() == 3
    assert Recipient.objects.filter(campaign=campaign, state="pending").count() == 0


def test_a_recipient_decided_again_finds_its_message(users, town, make_campaign, send):
    """Even if a row were decided a second time, its message is the same one."""
    campaign = send(make_campaign())
    maryam = Recipient.objects.get(campaign=campaign, party=town["maryam"])
    message_id = maryam.message_id
    Recipient.objects.filter(pk=maryam.pk).update(state="pending", message=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Status.SENDING, lease=None, cursor=0)
    sending.campaign_run(campaign_id=campaign.pk)
    maryam.refresh_from_db()
    assert maryam.state == "queued" and maryam.message_id == message_id
    assert OutboundMessage.objects.count() == 3


def test_skipped_customers_are_counted_by_reason(users, town, make_campaign, make_segment, send):
    town["firm"].sms_consent = True  # agreed, but has no phone
    town["firm"].save()
    town["reza"].sms_consent = True
    town["reza"].save()
    OutboundMessage.objects.create(  # Reza's number failed for good last month
        channel="sms",
        purpose="transactional",
        status="failed",
        to_address=town["reza"].primary_phone,
        body_text="x",
        idempotency_key="old-1",
        failed_at=timezone.now() - dt.timedelta(days=30),
    )
    messaging.consent_withdraw_by_link(token=unsubscribe_token(town["john"], "sms"))
    campaign = send(make_campaign())
    assert outcome(campaign) == {
        "مریم": ("queued", ""),
        "سارا": ("queued", ""),
        "John": ("skipped", Reason.UNSUBSCRIBED),
        "رضا": ("skipped", Reason.BOUNCED),
        "": ("skipped", Reason.NO_ADDRESS),
    }
    stats = selectors.campaign_stats(campaign=campaign)
    assert stats.skipped_by == {Reason.UNSUBSCRIBED: 1, Reason.BOUNCED: 1, Reason.NO_ADDRESS: 1}
    listed = selectors.recipient_list(
        user=users["marketing"], campaign=campaign, filters={"reason": "bounced"}
    )
    assert [r.party.first_name for r in listed] == ["رضا"]


def test_a_reply_of_cancel_stops_every_marketing_message(users, town, make_campaign, send):
    first = services.campaign_send(campaign=make_campaign(), actor=users["marketing"])
    sending.campaign_run(campaign_id=first.pk)  # queued; delivered only after the commit
    inbound.sms_receive(sender="09121234567", text="لغو")
    maryam = Recipient.objects.get(campaign=first, party=town["maryam"])
    assert sending.campaign_deliver(message_ids=[maryam.message_id]) == 0
    maryam.refresh_from_db()
    assert maryam.delivery == "cancelled"  # withdrawn while it waited
    second = send(make_campaign(name="دوم"))
    assert outcome(second)["مریم"] == ("skipped", Reason.UNSUBSCRIBED)
    assert not OutboundMessage.objects.filter(party=town["maryam"], status="sent").exists()


def test_the_sender_reaches_only_customers_they_may_see(users, town, make_campaign, make_segment, send):
    segment = make_segment(actor="manager", rule=rule())
    campaign = send(make_campaign(actor="manager", segment=segment), actor="manager")
    assert "سارا" not in outcome(campaign)  # team B's customer
    assert set(outcome(campaign)) == {"مریم", "رضا", "John", ""}


def test_a_cancelled_campaign_stops(users, town, make_campaign, held):
    campaign = services.campaign_send(campaign=make_campaign(), actor=users["marketing"])
    services.campaign_cancel(campaign=campaign, actor=users["marketing"])
    campaign = sending.campaign_run(campaign_id=campaign.pk)
    assert campaign.status == Status.CANCELLED
    assert not OutboundMessage.objects.exists()


def test_a_scheduled_campaign_starts_on_time(users, town, make_campaign, committed):
    at = timezone.now() + dt.timedelta(hours=2)
    campaign = services.campaign_schedule(campaign=make_campaign(), actor=users["marketing"], send_at=at)
    assert campaign.status == Status.SCHEDULED
    assert services.campaign_start_due(now=at - dt.timedelta(minutes=1)) == 0
    with committed():
        assert services.campaign_start_due(now=at + dt.timedelta(minutes=1)) == 1
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT and OutboundMessage.objects.count() == 3
    with pytest.raises(ValidationError):
        services.campaign_update(
            campaign=campaign, actor=users["marketing"], data=services.CampaignInput(name="نو")
        )


# --- email ---------------------------------------------------------------------------------


def test_marketing_email_carries_one_click_unsubscribe(users, town, make_campaign, send):
    campaign = make_campaign(
        channel="email",
        subject_fa="تخفیف {first_name}",
        body_fa='<p>سلام {first_name}</p><p><a href="https://shop.example/spring">فروشگاه</a></p>',
        subject_en="Sale for {first_name}",
        body_en='<p>Hi {first_name}</p><p><a href="https://shop.example/spring">Shop</a></p>',
        track_opens=True,
    )
    campaign = send(campaign)
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"maryam@example.com", "john@example.com", "info@firm.example"}
    maryam = sent["maryam@example.com"]
    assert maryam.subject == "تخفیف مریم" and sent["john@example.com"].subject == "Sale for John"
    assert maryam.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    leave = maryam.extra_headers["List-Unsubscribe"].strip("<>")
    html = maryam.alternatives[0][0]
    assert 'dir="rtl"' in html and "/m/c/" in html and "/m/o/" in html
    assert "https://shop.example/spring" not in html  # behind the tracking link
    assert leave in maryam.body and html.count(leave) == 1
    # The mail client's one-click unsubscribe: a POST to that address.
    response = Client().post(leave.replace("http://127.0.0.1:8000", ""), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    town["maryam"].refresh_from_db()
    assert not town["maryam"].email_consent and town["maryam"].email_consent_source == "unsubscribe"
    stats = selectors.campaign_stats(campaign=campaign)
    assert stats.unsubscribed == 1
    again = send(
        make_campaign(channel="email", subject_fa="دوباره", body_fa="<p>x</p>", body_en="", name="دوم")
    )
    assert outcome(again)["مریم"] == ("skipped", Reason.UNSUBSCRIBED)


def test_an_unsubscribe_link_is_the_same_each_time_and_old_links_still_work(town, monkeypatch):
    # The header is made when the email is sent and the body when it was written: the link
    # must not change in between (it carried a time stamp, and differed across a second).
    maryam = town["maryam"]
    made = unsubscribe_token(maryam, "email")
    later = signing.time.time() + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert unsubscribe_token(maryam, "email") == made
    # A link sent before, with its time stamp, still withdraws; a forged one does nothing.
    old = signing.dumps({"p": maryam.pk, "c": "email"}, salt="peyvand.unsubscribe", compress=True)
    assert messaging.consent_withdraw_by_link(token=old[:-2] + "xx") is None
    assert messaging.consent_withdraw_by_link(token=old) == maryam
    maryam.refresh_from_db()
    assert not maryam.email_consent and maryam.email_consent_source == "unsubscribe"


def test_transactional_email_has_no_list_unsubscribe(users, town, committed):
    draft = messaging.Draft(to="maryam@example.com", subject="فاکتور", body="پیوست")
    with committed():
        messaging.email_send(party=town["maryam"], actor=users["sales"], draft=draft)
    assert "List-Unsubscribe" not in mail.outbox[-1].extra_headers


# --- tracking ------------------------------------------------------------------------------


def test_a_click_goes_only_to_the_campaigns_own_link(users, town, make_campaign, send):
    campaign = send(make_campaign())
    message = OutboundMessage.objects.get(party=town["maryam"])
    path = re.search(r"http://127\.0\.0\.1:8000(/m/c/[^\s]+)", message.body_text).group(1)
    client = Client()
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "https://shop.example/spring"
    client.get(path)
    maryam = Recipient.objects.get(campaign=campaign, party=town["maryam"])
    assert maryam.clicks == 2 and maryam.clicked_at is not None and maryam.opened_at is not None
    token = path.split("/")[3]
    rid, _index, mac = token.split(".")
    forged = [
        f"{rid}.1.{mac}",  # another link number with the same signature
        content.link_token(maryam.pk, 5),  # signed, but the campaign has no sixth link
        f"{rid}.0.AAAAAAAAAAAA",
        "https%3A%2F%2Fevil.example",
    ]
    for bad in forged:
        assert client.get(f"/m/c/{bad}/?next=https://evil.example").status_code == 404
    assert client.get(f"{path}?next=https://evil.example")["Location"] == "https://shop.example/spring"


def test_the_open_pixel(users, town, make_campaign, send):
    campaign = send(
        make_campaign(channel="email", subject_fa="س", body_fa="<p>x</p>", body_en="", track_opens=True)
    )
    maryam = Recipient.objects.get(campaign=campaign, party=town["maryam"])
    response = Client().get(f"/m/o/{content.open_token(maryam.pk)}.gif")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    maryam.refresh_from_db()
    assert maryam.opened_at is not None
    assert Client().get("/m/o/1.AAAAAAAAAAAA.gif").status_code == 200  # no tell either way


# --- preview and tests ----------------------------------------------------------------------


def test_the_preview_is_the_message_as_sent(users, town, make_campaign):
    campaign = make_campaign()
    fa = services.campaign_preview(campaign=campaign, actor=users["marketing"], party=town["maryam"])
    assert fa.language == "fa" and fa.text.startswith("سلام مریم") and fa.text.endswith("لغو۱۱")
    assert "https://shop.example/spring" in fa.text  # not tracked in a preview
    en = services.campaign_preview(campaign=campaign, actor=users["marketing"], party=town["john"])
    assert en.language == "en" and en.text.endswith("Reply STOP to opt out")
    forced = services.campaign_preview(
        campaign=campaign, actor=users["marketing"], party=town["john"], language="fa"
    )
    assert forced.text.startswith("سلام John")
    with pytest.raises(PermissionDenied):
        services.campaign_preview(campaign=campaign, actor=users["outsider"], party=town["maryam"])


def test_test_sends_are_limited(users, town, make_campaign, monkeypatch):
    monkeypatch.setenv("PEYVAND_CAMPAIGN_TEST_LIMIT", "2")
    campaign = make_campaign()
    for _n in range(2):
        services.campaign_test_send(campaign=campaign, actor=users["marketing"], to="09120000000")
    with pytest.raises(ValidationError):
        services.campaign_test_send(campaign=campaign, actor=users["marketing"], to="09120000000")
    with pytest.raises(ValidationError):
        services.campaign_test_send(campaign=campaign, actor=users["manager"], to="02188888888")  # a landline
    tests = OutboundMessage.objects.filter(recipient_user=users["marketing"])
    assert tests.count() == 2 and all(t.purpose == "notification" for t in tests)
    assert tests.first().body_text.startswith("[آزمایشی] سلام")  # marked in the message's language
    assert not Recipient.objects.exists()


# --- responses and ROI ---------------------------------------------------------------------


def test_roi_figures_are_exact(users, town, make_campaign, make_order, touch, send):
    CurrencyRate.objects.create(currency="USD", rate=Decimal(500000), valid_from=dt.date(2000, 1, 1))
    campaign = make_campaign(
        body_fa="سلام {first_name}",
        body_en="Hi {first_name}",
        track_links=False,
        other_cost="100000",
        budget=None,
    )
    campaign = send(campaign)
    # Sent ten days ago: what the customers did since then counts, for 30 days.
    started = timezone.now() - dt.timedelta(days=10)
    Campaign.objects.filter(pk=campaign.pk).update(started_at=started)
    Recipient.objects.filter(campaign=campaign, state="queued").update(queued_at=started)
    campaign.refresh_from_db()
    first = timezone.localdate(started)
    maryam, sara, john, reza = (town[n] for n in ("maryam", "sara", "john", "reza"))
    Recipient.objects.filter(campaign=campaign, party=maryam).update(clicked_at=started, clicks=1)
    make_order(maryam, first + dt.timedelta(days=1), "2000000")
    make_order(sara, first + dt.timedelta(days=3), "500000")
    make_order(sara, first + dt.timedelta(days=4), "10", currency="USD")
    make_order(sara, first + dt.timedelta(days=5), "999999", status="cancelled")
    make_order(sara, first - dt.timedelta(days=1), "888888")  # before the campaign
    make_order(john, first + dt.timedelta(days=31), "7000000")  # after the window
    make_order(reza, first + dt.timedelta(days=1), "9000000")  # never reached
    touch(john, started + dt.timedelta(hours=1))  # a reply
    touch(reza, started + dt.timedelta(hours=1))  # not a recipient
    touch(maryam, started - dt.timedelta(hours=1))  # before the campaign
    inbound.sms_receive(sender="09131112233", text="لغو۱۱")  # Sara opts out: a reply too
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats.targeted, stats.queued, stats.delivered, stats.skipped) == (5, 3, 3, 2)
    assert (stats.clicked, stats.replied, stats.unsubscribed) == (1, 2, 1)
    assert (stats.orders, stats.buyers) == (3, 2)
    assert stats.revenue == Decimal(7500000)  # 2,000,000 + 500,000 + 10 USD at 500,000
    assert stats.message_cost == Decimal(4500)  # three one-part SMS at 1,500
    assert stats.cost == Decimal(104500)
    assert stats.responders == 3
    assert stats.cost_per_response == Decimal("34833.33")
    assert stats.roi == Decimal("7077.0")  # (7,500,000 − 104,500) ÷ 104,500
    charts = selectors.campaign_charts(campaign=campaign, stats=stats)
    assert charts["funnel"].series[0].values == (5.0, 3.0, 3.0, 1.0, 2.0, 2.0)
    clicked, replied, ordered = (series.values for series in charts["daily"].series)
    assert (sum(clicked), sum(replied), sum(ordered)) == (1, 2, 3)


def test_the_customer_page_shows_the_campaigns_that_reached_them(users, town, make_campaign, as_user, send):
    send(make_campaign())
    page = as_user("sales").get(f"/customers/{town['maryam'].pk}/").content.decode()
    assert 'data-testid="campaigns-panel"' in page and "حراج بهاره" in page
    page = as_user("support").get(f"/customers/{town['maryam'].pk}/").content.decode()
    assert 'data-testid="campaigns-panel"' not in page  # support sees no campaigns
