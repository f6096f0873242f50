"""The service desk in a real browser: an agent opens a ticket from the customer's page,
answers it, and the customer's reply lands on it; in Persian (RTL) and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.interactions.models import OutboundMessage
from peyvand.service.models import Message, Status, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(make_person):
    return make_person(
        first_name="مریم", last_name="احمدی", contacts=[{"kind": "email", "value": "maryam@example.com"}]
    )


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_an_agent_opens_and_answers_a_ticket(signed_in, customer, locale):
    page = signed_in("support", locale=locale)
    page.goto(f"/customers/{customer.pk}/")
    page.locator("[data-testid=party-new-ticket]").click()
    form = page.locator("[data-testid=ticket-form]")
    expect(form.locator("[data-picked]")).to_have_text("مریم احمدی")
    form.locator("[name=subject]").fill("بسته آسیب دیده رسید")
    form.locator("[name=description]").fill("جعبه پاره بود")
    form.locator("#id_kind").select_option("complaint")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/tickets/\d+/$"))  # saved: the row is there now
    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/tickets/{ticket.pk}/")
    expect(page.locator("[data-testid=ticket-status]").first).to_be_visible()
    if locale == "fa-IR":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("h1")).to_contain_text("T-۰۰۰۰۰۱")
    reply = page.locator("[data-testid=reply-form]")
    reply.locator("[name=body]").fill("عذرخواهی می‌کنیم؛ کالای جایگزین فردا ارسال می‌شود.")
    reply.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=message-reply]")).to_contain_text("کالای جایگزین")
    assert OutboundMessage.objects.get().subject == f"[#{ticket.number}] بسته آسیب دیده رسید"
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_CUSTOMER and ticket.first_responded_at is not None

    note = page.locator("[data-testid=note-form]")
    page.locator("[data-bs-target='#note']").click()
    note.locator("[name=body]").fill("مشتری قدیمی است")
    note.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=message-note]")).to_contain_text("مشتری قدیمی")
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).count() == 1
