"""The acceptance flow in a real browser: Persian (RTL, Jalali) and English (LTR, Gregorian)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

import jdatetime
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from peyvand.customers.models import ContactPoint, Party
from peyvand.interactions.models import Interaction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER_URL = re.compile(r"/customers/(\d+)/$")
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")  # the users' and the browser's time zone


def _pk(page: Page) -> int:
    match = CUSTOMER_URL.search(page.url)
    assert match, page.url
    return int(match.group(1))


def _close_date_picker(page: Page) -> None:
    """Close the Jalali picker with Escape, as a keyboard user would.

    The picker ignores Escape (and clicks outside it) for the 300 ms it takes to open, and
    a test types faster than that: press again until it has closed.
    """
    picker = page.locator("jdp-container")
    for _ in range(30):
        page.keyboard.press("Escape")
        try:
            expect(picker).to_be_hidden(timeout=100)
        except AssertionError:
            continue
        return
    expect(picker).to_be_hidden()


def _search_people(page: Page, text: str) -> None:
    """Search from the top bar, as a user would: type, see the matches drop down, press
    Enter for every result, open the people's list searched."""
    box = page.locator("[data-testid=top-search]")
    box.fill(text)
    expect(page.locator("[data-testid=top-search-results] [data-testid=search-hit]").first).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    page.locator("[data-testid=search-group-party-person]").get_by_role(
        "link", name=re.compile("list|فهرست")
    ).click()
    expect(page).to_have_url(re.compile(r"/person/\?q="))


def _log_call(page: Page, subject: str) -> None:
    """Log a phone call with the form on the customer page, keeping its default time."""
    form = page.locator("[data-testid=interaction-form]")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("input[name=subject]").fill(subject)
    form.locator("button[type=submit]").click()
    # The form posts elsewhere and comes back to the customer page, freshly rendered.
    expect(page.locator("[data-testid=timeline]")).to_contain_text(subject)
    expect(page).to_have_url(CUSTOMER_URL)


def _expect_latest_interaction(page: Page, subject: str) -> None:
    """The call just logged heads the timeline, above the customer's creation a moment ago."""
    first = page.locator("[data-testid=timeline] li.timeline-item").first
    expect(first).to_have_attribute("data-kind", "interaction")
    expect(first).to_contain_text(subject)
    expect(page.locator("[data-testid=timeline] li[data-kind=interaction]")).to_have_count(1)


def _settled(page: Page, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until htmx has swapped its answer in and wired the new content
    (on a loaded machine a choice made in between would reach a form not yet listening)."""
    page.evaluate(
        "() => { window.__settled = false; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__settled = true; }, { once: true }); }"
    )
    action()
    page.wait_for_function("() => window.__settled")


def _check_channel_filter(page: Page, subject: str) -> None:
    """The channel filter swaps the timeline in place (htmx): SMS hides the call, Phone shows it."""
    timeline = page.locator("[data-testid=timeline]")
    url = page.url
    _settled(page, lambda: page.locator("[data-testid=timeline-channel]").select_option("sms"))
    expect(timeline).not_to_contain_text(subject)
    expect(page.locator("[data-testid=timeline-channel]")).to_have_value("sms")
    page.locator("[data-testid=timeline-channel]").select_option("phone")
    expect(timeline.locator("li[data-kind=interaction]").first).to_contain_text(subject)
    expect(page.locator("[data-testid=timeline-channel]")).to_have_value("phone")
    assert page.url == url  # swapped in place, no navigation


def test_persian_flow(signed_in, tmp_path):
    page = signed_in("sales", locale="fa-IR")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    # Right to left for real, not just the attribute: the brand sits right of the user menu.
    brand = page.locator("nav.navbar .navbar-brand").bounding_box()
    menu = page.locator("[data-testid=user-menu]").bounding_box()
    assert brand and menu and brand["x"] > menu["x"] + menu["width"], (brand, menu)

    page.locator("nav.navbar a[href='/person/']").click()
    page.locator("[data-testid=new-party]").click()
    page.locator("input[name=first_name]").fill("مریم")
    page.locator("input[name=last_name]").fill("رضایی")
    date = page.locator("input[name=date_of_birth]")
    date.click()  # the Jalali picker opens on focus; typing still goes to the field
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    date.press_sequentially("۱۳۷۰/۰۶/۳۱")
    _close_date_picker(page)
    expect(date).to_have_value("۱۳۷۰/۰۶/۳۱")  # the picker left the typed date alone
    page.locator("input[name=phone]").fill("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    page.locator("[data-testid=save-party]").click()

    expect(page).to_have_url(CUSTOMER_URL)
    pk = _pk(page)
    expect(page.locator("[data-testid=party-name]")).to_contain_text("مریم رضایی")
    expect(page.locator("[data-testid=date-of-birth]")).to_have_text("۳۱ شهریور ۱۳۷۰")
    expect(page.locator("[data-testid=contacts] a.phone")).to_have_text("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    party = Party.objects.get(pk=pk)
    assert party.date_of_birth == dt.date(1991, 9, 22)
    assert ContactPoint.objects.get(party=party).value == "+989123456789"

    _log_call(page, "پیگیری سفارش")
    _expect_latest_interaction(page, "پیگیری سفارش")
    _check_channel_filter(page, "پیگیری سفارش")
    page.screenshot(path=tmp_path / "customer-fa.png", full_page=True)

    # Arabic yeh in the query, Persian yeh in the name: still found.
    _search_people(page, "مريم رضايي")
    table = page.locator("[data-testid=party-table]")
    expect(table.locator(f"a[href='/customers/{pk}/']")).to_have_text("مریم رضایی")
    # The phone in Arabic-Indic digits, only its beginning.
    _search_people(page, "٠٩١٢٣٤٥")
    expect(table.locator(f"a[href='/customers/{pk}/']")).to_have_text("مریم رضایی")


def test_english_flow(signed_in, make_person, tmp_path):
    make_person(first_name="علي", last_name="كريمي")  # Arabic letters; stored cleaned: علی کریمی
    page = signed_in("sales", locale="en-US")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "en")
    brand = page.locator("nav.navbar .navbar-brand").bounding_box()
    menu = page.locator("[data-testid=user-menu]").bounding_box()
    assert brand and menu and brand["x"] + brand["width"] < menu["x"], (brand, menu)

    page.locator("nav.navbar a[href='/person/']").click()
    page.locator("[data-testid=new-party]").click()
    page.locator("input[name=first_name]").fill("Mary")
    page.locator("input[name=last_name]").fill("Rezaei")
    date = page.locator("input[name=date_of_birth]")
    expect(date).to_have_attribute("type", "date")
    date.fill("1991-09-22")
    page.locator("input[name=phone]").fill("0912 345 6789")
    page.locator("[data-testid=save-party]").click()

    expect(page).to_have_url(CUSTOMER_URL)
    pk = _pk(page)
    expect(page.locator("[data-testid=party-name]")).to_contain_text("Mary Rezaei")
    expect(page.locator("[data-testid=date-of-birth]")).to_have_text("22 September 1991")
    expect(page.locator("[data-testid=contacts] a.phone")).to_have_text("0912 345 6789")
    assert Party.objects.get(pk=pk).date_of_birth == dt.date(1991, 9, 22)

    _log_call(page, "Order follow-up")
    _expect_latest_interaction(page, "Order follow-up")
    _check_channel_filter(page, "Order follow-up")

    _search_people(page, "علي")
    table = page.locator("[data-testid=party-table]")
    expect(table.locator("tbody a[href^='/customers/']")).to_have_text(["علی کریمی"])

    page.goto("/person/")
    expect(table.locator("tbody a[href^='/customers/']")).to_have_count(2)
    page.screenshot(path=tmp_path / "people-en.png", full_page=True)


def test_duplicate_phone_warns_then_create_anyway(signed_in, make_person):
    existing = make_person(contacts=[{"kind": "phone", "value": "09121112233"}])
    page = signed_in("sales")
    page.goto("/person/new/")
    page.locator("input[name=first_name]").fill("علی")
    page.locator("input[name=last_name]").fill("کریمی‌زاده")
    page.locator("input[name=phone]").fill("0912 111 2233")
    page.locator("[data-testid=save-party]").click()

    warning = page.locator("[data-testid=duplicates]")
    expect(warning).to_be_visible()
    expect(warning.locator(f"a[href='/customers/{existing.pk}/']")).to_have_text(existing.display_name)
    assert Party.objects.count() == 1
    # What was typed is still there.
    expect(page.locator("input[name=last_name]")).to_have_value("کریمی‌زاده")
    expect(page.locator("input[name=phone]")).to_have_value("0912 111 2233")

    page.locator("input[name=allow_duplicate]").check()
    page.locator("[data-testid=save-party]").click()
    expect(page).to_have_url(CUSTOMER_URL)
    assert _pk(page) != existing.pk
    expect(page.locator("[data-testid=party-name]")).to_contain_text("علی کریمی‌زاده")
    assert Party.objects.count() == 2


def test_other_team_gets_not_found(signed_in, make_person, page_errors):
    person = make_person(owner="sales")
    url = f"/customers/{person.pk}/"
    owner = signed_in("sales")
    owner.goto(url)
    expect(owner.locator("[data-testid=party-name]")).to_contain_text(person.display_name)

    page_errors.expect_status(404, re.escape(url) + "$")
    outsider = signed_in("outsider")
    response = outsider.goto(url)
    assert response is not None and response.status == 404
    expect(outsider.locator("main h1")).to_be_visible()
    expect(outsider.locator("[data-testid=party-name]")).to_have_count(0)
    expect(outsider.locator("main")).not_to_contain_text(person.display_name)
    expect(outsider.locator("[data-testid=user-menu]")).to_be_visible()  # the app's page, signed in


def test_language_switch_is_remembered(signed_in, users):
    page = signed_in("sales", locale="fa-IR")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    page.goto("/person/")
    page.locator("nav.navbar button[name=language][value=en]").click()
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/person/$"))  # back where the user was
    page.reload()
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "en")
    # Remembered on the user: a new browser asking for Persian still gets English.
    elsewhere = signed_in("sales", locale="fa-IR")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")

    page.locator("nav.navbar button[name=language][value=fa]").click()
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    page.reload()
    expect(html).to_have_attribute("dir", "rtl")
    users["sales"].refresh_from_db()
    assert users["sales"].language == "fa"


def test_bulk_tag_two_people(signed_in, make_person):
    first = make_person(first_name="سارا", last_name="احمدی")
    second = make_person(first_name="نگار", last_name="محمدی")
    other = make_person(first_name="بهرام", last_name="نوری")
    page = signed_in("sales")
    page.goto("/person/")
    page.get_by_role("checkbox", name=first.display_name, exact=True).check()
    page.get_by_role("checkbox", name=second.display_name, exact=True).check()
    expect(page.locator("[data-bulk-count]")).to_contain_text("۲")
    page.locator("#bulk-tag").fill("مشتری ویژه")
    page.locator("button[name=action][value=tag]").click()

    rows = page.locator("[data-testid=party-table] tbody tr")
    for party in (first, second):
        row = rows.filter(has=page.locator(f"a[href='/customers/{party.pk}/']"))
        expect(row.locator(".badge", has_text="مشتری ویژه")).to_have_count(1)
    other_row = rows.filter(has=page.locator(f"a[href='/customers/{other.pk}/']"))
    expect(other_row).to_be_visible()
    expect(other_row.locator(".badge", has_text="مشتری ویژه")).to_have_count(0)
    assert sorted(Party.objects.filter(tags__name="مشتری ویژه").values_list("pk", flat=True)) == sorted(
        [first.pk, second.pk]
    )


def _pick_day(page: Page, day: int) -> None:
    """Click a day of the month the open picker shows (its cells are in Persian digits)."""
    picker = page.locator("jdp-container")
    cells = picker.locator("div.jdp-day:not(.not-in-month):not(.disabled-day)")
    persian = str(day).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    cells.filter(has_text=re.compile(f"^{persian}$")).click()


def test_the_date_picker_opens_on_a_filled_date_and_picks_another(signed_in, make_person):
    person = make_person(data={"date_of_birth": dt.date(1991, 9, 22)})  # 31 Shahrivar 1370
    page = signed_in("sales", locale="fa-IR")
    page.goto(f"/customers/{person.pk}/edit/")
    date = page.locator("input[name=date_of_birth]")
    expect(date).to_have_value("1370/06/31")  # digits the picker can read
    date.click()
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    # It opened on the field's month, with the field's day chosen, drawn in Persian digits.
    expect(picker.locator("div.jdp-day:not(.not-in-month)")).to_have_count(31)
    expect(picker.locator("div.jdp-day.selected")).to_have_text("۳۱")
    expect(picker.locator(".jdp-year select")).to_have_value("1370")
    expect(picker.locator(".jdp-year select option:checked")).to_have_text("۱۳۷۰")
    _pick_day(page, 15)
    expect(date).to_have_value("1370/06/15")
    _close_date_picker(page)
    page.locator("[data-testid=save-party]").click()
    expect(page).to_have_url(CUSTOMER_URL)
    expect(page.locator("[data-testid=date-of-birth]")).to_have_text("۱۵ شهریور ۱۳۷۰")
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1991, 9, 6)


def test_the_date_and_time_picker_opens_on_the_time_shown_and_picks_a_day(signed_in, make_person):
    person = make_person()
    page = signed_in("sales", locale="fa-IR")
    page.goto(f"/customers/{person.pk}/")
    form = page.locator("[data-testid=interaction-form]")
    when = form.locator("input[name=occurred_at]")
    today = jdatetime.date.fromgregorian(date=timezone.localdate(timezone=TEHRAN))
    expect(when).to_have_value(re.compile(rf"^{today.year}/{today.month:02d}/{today.day:02d} \d\d:\d\d$"))
    when.click()
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    expect(picker.locator("div.jdp-day.selected")).to_have_count(1)
    expect(picker.locator(".jdp-year select")).to_have_value(str(today.year))
    _pick_day(page, 1)
    expect(when).to_have_value(re.compile(rf"^{today.year}/{today.month:02d}/01 \d\d:\d\d$"))
    _close_date_picker(page)
    form.locator("select[name=channel]").select_option("phone")
    form.locator("input[name=subject]").fill("تماس اول ماه")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("تماس اول ماه")
    logged = Interaction.objects.get(party=person)
    local = timezone.localtime(logged.occurred_at, timezone=TEHRAN)
    assert jdatetime.date.fromgregorian(date=local.date()) == jdatetime.date(today.year, today.month, 1)
