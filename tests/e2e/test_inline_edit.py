"""Editing in place on the lists, in a real browser: a deal renamed and its close date moved
in Persian (a Jalali date, Persian digits), a refused date answered with the API's translated
message, a ticket's priority changed in English; the change goes through the API's service."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from peyvand.sales.models import Deal
from peyvand.sales.services import deals, pipelines
from peyvand.service.models import Ticket
from peyvand.service.services import tickets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(users, make_org):
    pipelines.pipeline_ensure_default()
    return deals.deal_create(
        actor=users["admin"],
        data={"title": "قرارداد پشتیبانی", "party": make_org(name="شرکت آلفا"), "owner": users["sales"]},
    )


def test_a_deal_is_renamed_and_moved_in_place_in_persian(signed_in, deal, page_errors):
    page = signed_in("sales", locale="fa-IR")
    page.goto("/sales/deals/?plain=1")
    row = page.locator(f"#deal-{deal.pk}")
    row.locator("td").first.locator("[data-inline-open]").click()
    field = row.locator("form.inline-edit input")
    expect(field).to_have_value("قرارداد پشتیبانی")
    field.fill("قرارداد پشتیبانی ۱۴۰۶")
    field.press("Enter")
    expect(page.locator(f"#deal-{deal.pk} a.fw-medium")).to_have_text("قرارداد پشتیبانی ۱۴۰۶")
    deal.refresh_from_db()
    assert deal.title == "قرارداد پشتیبانی ۱۴۰۶"

    planned = deal.expected_close
    close = page.locator(f"#deal-{deal.pk} td[data-inline-field=expected_close]")
    close.locator("[data-inline-open]").click()
    page_errors.expect_status(422, f"/api/v1/deals/{deal.pk}")
    close.locator("input").fill("فردا")  # not a date
    close.locator("input").press("Enter")
    expect(close.locator(".invalid-feedback")).to_be_visible()
    expect(close.locator(".invalid-feedback")).not_to_be_empty()
    assert Deal.objects.get(pk=deal.pk).expected_close == planned  # refused: nothing changed
    close.locator("input").fill("۱۴۰۵/۱۰/۱۵")
    close.locator("input").press("Enter")
    expect(page.locator(f"#deal-{deal.pk} td[data-inline-field=expected_close]")).to_contain_text("۱۴۰۵")
    assert Deal.objects.get(pk=deal.pk).expected_close == dt.date(2027, 1, 5)


def test_a_tickets_priority_is_changed_in_place_in_english(signed_in, users, make_person):
    ticket = tickets.ticket_open(
        actor=users["support"],
        data=tickets.TicketInput(party=make_person(owner="support"), subject="Printer jammed", priority=3),
    )
    page = signed_in("support", locale="en-US")
    page.goto("/tickets/?plain=1")
    cell = page.locator(f"#ticket-{ticket.pk} td[data-inline-field=priority]")
    cell.locator("[data-inline-open]").click()
    cell.locator("select").select_option("1")
    cell.locator("button[type=submit]").click()
    expect(cell).to_have_attribute("data-inline-value", "1")  # the row drawn again by the server
    expect(cell.locator("form")).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).priority == 1
