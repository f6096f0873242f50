"""A manager opens booking for their team; a customer, on a phone in Persian, books the first
free time and finds it in their appointments, and the member has the meeting in their
activities; then the customer cancels it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peyvand.activities.models import Activity, Kind, Status
from peyvand.portal.models import Appointment, AppointmentStatus
from tests.e2e.conftest import login
from tests.e2e.test_portal_details import PHONE, _account_with_password, _fits_the_phone, _sign_in
from tests.portal.conftest import person  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_opens_booking_and_a_customer_books_and_cancels(open_page, person, users):  # noqa: F811
    staff = open_page("fa-IR")
    login(staff, "manager")
    staff.goto("/portal-booking/")
    staff.locator("[data-testid=booking-team]", has_text="Team A").click()
    form = staff.locator("[data-testid=booking-form]")
    form.locator("[name=length_minutes]").fill("۴۵")
    form.locator("[name=days_ahead]").fill("14")
    form.locator("[name=notice_hours]").fill("2")
    form.locator(f"[name=members][value='{users['sales'].pk}']").check()
    form.locator("button[type=submit]").click()
    expect(staff).to_have_url(re.compile(r"/portal-booking/$"))
    expect(staff.locator("[data-testid=booking-team]", has_text="Team A")).to_contain_text("باز")

    customer = person("نگار", "negar@example.com")
    _account_with_password(users, customer, "negar@example.com", "fa")
    page: Page = open_page("fa-IR")
    _sign_in(page, "negar@example.com")
    page.locator("[data-testid=nav-appointments]").click()
    expect(page.locator("[data-testid=no-appointments]")).to_be_visible()
    day = page.locator("[data-testid=slot-day]").first
    expect(day).to_contain_text("۱۴")  # a Jalali year in Persian digits
    day.locator("[data-testid=slot]").first.click()
    book = page.locator("[data-testid=book-form]")
    book.locator("[name=subject]").fill("معرفی نسخهٔ سازمانی")
    book.locator("[data-testid=book]").click()
    expect(page).to_have_url(re.compile(r"/portal/appointments/$"))
    expect(page.locator("[data-testid=appointment]")).to_contain_text("معرفی نسخهٔ سازمانی")
    _fits_the_phone(page)
    assert page.viewport_size == PHONE

    made = Appointment.objects.get(party=customer)
    assert made.member == users["sales"] and (made.ends_at - made.starts_at).total_seconds() == 45 * 60
    activity = Activity.objects.get(pk=made.activity_id)
    assert (activity.kind, activity.party_id, activity.status) == (Kind.MEETING, customer.pk, Status.OPEN)

    page.locator("[data-testid=cancel-appointment]").click()
    expect(page.locator("[data-testid=no-appointments]")).to_be_visible()
    made.refresh_from_db()
    assert made.status == AppointmentStatus.CANCELLED
