"""A promised call, end to end in Chromium: scheduled from the customer page in two clicks,
reminded under the bell (which polls), finished with its follow-up planned — in Persian
(RTL, Jalali) and in English; and moved on the calendar by dragging it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from peyvand.activities.models import Activity
from peyvand.activities.services.activities import activity_create
from peyvand.activities.services.reminders import reminders_deliver_due

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSIAN_DIGIT = re.compile("[۰-۹]")


def _schedule_a_call(page: Page, party_pk: int) -> Activity:
    page.goto(f"/customers/{party_pk}/")
    panel = page.locator("[data-testid=next-steps]")
    expect(panel).to_be_visible()
    panel.locator("[data-testid=schedule-next]").click()  # one
    panel.locator("[data-testid=preset-tomorrow]").click()  # two
    expect(page.locator(".alert-success")).to_be_visible()
    call = Activity.objects.get(party_id=party_pk)
    expect(panel.locator("[data-testid=next-steps-list]")).to_contain_text(call.title)
    return call


def _see_the_reminder_under_the_bell(page: Page, call: Activity, *, wait_for_poll: bool) -> None:
    bell = page.locator("[data-testid=bell]")
    expect(page.locator("[data-testid=bell-count]")).to_have_count(0)
    # The worker's periodic job, run here as the worker would when the reminder is due.
    assert reminders_deliver_due(now=call.due_at - dt.timedelta(minutes=10)) == 1
    if wait_for_poll:
        # The bell asks every 20 seconds: the count appears without a reload.
        expect(page.locator("[data-testid=bell-count]")).to_be_visible(timeout=30_000)
    else:
        page.reload()
    expect(page.locator("[data-testid=bell-count]")).to_have_text(re.compile("^(1|۱)$"))
    bell.click()
    menu = page.locator("[data-testid=bell-menu]")
    expect(menu).to_contain_text(call.title)
    menu.locator("[data-testid=notification]").first.click()
    expect(page).to_have_url(re.compile(rf"/activities/{call.pk}/$"))
    expect(page.locator("[data-testid=bell-count]")).to_have_count(0)  # opening it read it


def _finish_and_follow_up(page: Page, call: Activity) -> Activity:
    form = page.locator("[data-testid=complete-form]")
    form.locator("select[name=outcome]").select_option("completed")
    form.locator("textarea[name=note]").fill(
        "پیش‌فاکتور خواستند" if page.locator("html[lang=fa]").count() else "Wants a quote"
    )
    form.locator("input[name=follow_up][value=next_week]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=activity-status]")).to_have_text(re.compile("Done|انجام"))
    call.refresh_from_db()
    assert call.status == "done" and call.outcome == "completed"
    follow = Activity.objects.get(follows=call)
    assert follow.status == "open" and follow.kind == "call" and follow.party_id == call.party_id
    assert timezone.localtime(follow.due_at).hour == 10
    return follow


def test_a_promised_call_in_persian(signed_in, make_person, tmp_path):
    party = make_person(contacts=[{"kind": "phone", "value": "09121234567"}])
    page = signed_in("sales", locale="fa-IR")
    call = _schedule_a_call(page, party.pk)
    # Jalali, in Persian digits.
    due_text = page.locator("[data-testid=next-steps-list] time").first.inner_text()
    assert PERSIAN_DIGIT.search(due_text) and due_text.startswith("۱۴"), due_text
    assert call.kind == "call" and call.assignee.username == "sales"
    page.screenshot(path=tmp_path / "customer-next-steps-fa.png", full_page=True)

    _see_the_reminder_under_the_bell(page, call, wait_for_poll=True)
    follow = _finish_and_follow_up(page, call)
    page.goto(f"/customers/{party.pk}/")
    expect(page.locator("[data-testid=next-steps-list]")).to_contain_text(follow.title)
    # The finished call is on the timeline.
    expect(page.locator("[data-testid=timeline] li[data-kind=interaction]").first).to_contain_text(call.title)


def test_a_promised_call_in_english(signed_in, make_person):
    party = make_person(first_name="Mary", last_name="Rezaei")
    page = signed_in("sales", locale="en-US")
    call = _schedule_a_call(page, party.pk)
    due_text = page.locator("[data-testid=next-steps-list] time").first.inner_text()
    assert re.match(r"20\d\d-\d\d-\d\d \d\d:\d\d", due_text), due_text
    _see_the_reminder_under_the_bell(page, call, wait_for_poll=False)
    follow = _finish_and_follow_up(page, call)
    expect(page.locator("body")).to_contain_text(follow.title)


def test_drag_a_call_to_another_day_on_the_jalali_calendar(signed_in, users, tmp_path):
    activity = activity_create(
        actor=users["sales"],
        data={"kind": "call", "title": "تماس با مشتری", "due_at": timezone.now() + dt.timedelta(days=1)},
        reminders=[],
    )
    local = timezone.localtime(activity.due_at)
    # Another day of the same Saturday-first week, whatever weekday the test runs on.
    week_start = local.date() - dt.timedelta(days=(local.date().weekday() - 5) % 7)
    target = week_start + dt.timedelta(days=3 if local.date() != week_start + dt.timedelta(days=3) else 4)
    page = signed_in("sales", locale="fa-IR")
    page.goto(f"/calendar/?date={local.date().isoformat()}&view=week")
    chip = page.locator(f"[data-testid=chip-{activity.pk}]")
    expect(chip).to_be_visible()
    expect(page.locator("[data-testid=calendar-title]")).to_contain_text(re.compile("[۰-۹]"))
    chip.drag_to(page.locator(f"[data-testid=slot-{target.isoformat()}-other]"))
    # Dropped on the day's "other times" row, it keeps its hour: it lands in that hour's row
    # (7:00–21:59) or stays in "other times", depending on when the test runs.
    expect(
        page.locator(f"[data-testid^=slot-{target.isoformat()}-] [data-testid=chip-{activity.pk}]")
    ).to_be_visible()
    moved = timezone.localtime(Activity.objects.get(pk=activity.pk).due_at)
    assert moved.date() == target and (moved.hour, moved.minute) == (local.hour, local.minute)
    page.screenshot(path=tmp_path / "calendar-week-fa.png", full_page=True)


def test_an_incoming_call_pops_up_within_seconds_for_a_user_with_an_extension(
    signed_in, users, make_person, tmp_path
):
    from peyvand.interactions.services.telephony import CallEvent, call_event_record, extension_set

    party = make_person(
        first_name="مریم", last_name="احمدی", contacts=[{"kind": "phone", "value": "02188776655"}]
    )
    extension_set(user=users["sales"], extension="101", actor=users["admin"])
    page = signed_in("sales", locale="fa-IR")
    page.goto("/my-day/")
    expect(page.locator("[data-testid=screen-pop-slot][hx-trigger='every 4s']")).to_have_count(1)
    page.wait_for_timeout(1_000)  # the page is up and its bell has asked once
    call_event_record(event=CallEvent(call_id="e2e-1", event="ringing", number="88776655", extension="101"))
    pop = page.locator("[data-testid=screen-pop]")
    # Well before the bell's own 20-second round.
    expect(pop).to_be_visible(timeout=8_000)
    expect(pop).to_contain_text("مریم احمدی")
    page.screenshot(path=tmp_path / "screen-pop-fa.png")
    expect(pop.locator("[data-testid=call-new-ticket]")).to_be_visible()  # a ticket, one click away
    pop.locator("[data-testid=screen-pop-open]").click()
    expect(page).to_have_url(re.compile(rf"/customers/{party.pk}/$"))


def test_the_sms_cost_counts_the_customers_name(signed_in, make_person, settings):
    settings.PEYVAND_SMS_SEGMENT_PRICE = "1000"
    party = make_person(
        first_name="عبدالرحمن‌محمدحسین",
        last_name="شریعتمداری‌خراسانی‌اصفهانی‌نژاد",
        contacts=[{"kind": "phone", "value": "09121234567"}],
    )
    page = signed_in("sales", locale="fa-IR")
    page.goto(f"/customers/{party.pk}/")
    page.locator("[data-testid=open-sms]").click()
    form = page.locator("[data-testid=sms-form]")
    form.locator("textarea[name=body]").fill("سلام {name}، سفارش شما آماده است و فردا ارسال می‌شود. سپاس")
    count = page.locator(f"#sms-count-{party.pk} [data-testid=sms-count]")
    expect(count).to_have_attribute("data-segments", "2")  # 1 with the placeholder unfilled
    expect(count.locator("[data-testid=sms-cost]")).to_contain_text("۲٬۰۰۰ ریال")


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_picking_a_customer_in_the_activity_form_offers_their_deals(signed_in, make_org, users, locale):
    from peyvand.sales.services import deals, pipelines

    pipelines.pipeline_ensure_default()
    for name, title in (("شرکت البرز", "تمدید قرارداد"), ("شرکت دماوند", "خرید دوم")):
        customer = make_org(name=name, owner="sales")
        data = {"title": title, "party": customer, "owner": users["sales"], "amount": 1}
        deals.deal_create(actor=users["admin"], data=data)
    page = signed_in("sales", locale=locale)
    page.goto("/activities/new/")
    deals = page.locator("#deal-choice select[name=deal]")
    expect(deals).to_contain_text("تمدید قرارداد")  # with no customer yet: my own open deals
    page.locator("#party-search").fill("دماوند")
    page.locator("[data-pick]").first.click()
    expect(deals).to_contain_text("خرید دوم")
    expect(deals).not_to_contain_text("تمدید قرارداد")
