"""The customer portal in a real browser at a phone's width: staff invites a customer, who
sets a password through the link, sees what they ordered and owe, downloads an invoice,
opens a complaint and sees the public answer but never the internal note; in Persian, and
a short check in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.customers.models import ContactPoint
from peyvand.interactions.models import OutboundMessage
from peyvand.portal.models import PortalAccount
from peyvand.portal.services import accounts, signin
from peyvand.service.models import Ticket
from peyvand.service.services import messages
from tests.e2e.conftest import login
from tests.portal.conftest import (  # noqa: F401 - fixtures
    PASSWORD,
    make_deal,
    make_records,
    person,
    pipeline,
    price_list,
    products,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://[^/\s]+(/portal/invitation/[A-Za-z0-9_-]+/)")


def test_a_customer_follows_an_order_an_invoice_and_a_complaint_on_a_phone(
    open_page,
    person,  # noqa: F811 - the fixture imported above
    make_records,  # noqa: F811 - the fixture imported above
    users,
):
    customer = person("مریم", "maryam@example.com")
    records = make_records(customer)

    staff = open_page("fa-IR")
    login(staff, "sales")
    staff.goto(f"/customers/{customer.pk}/")
    staff.locator("[data-testid=portal-invite]").click()
    form = staff.locator("[data-testid=invite-form]")
    form.locator("[name=contact]").select_option(
        str(customer.contact_points.get(kind=ContactPoint.Kind.EMAIL).pk)
    )
    form.locator("button[type=submit]").click()
    expect(staff).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(staff.locator("[data-testid=portal-state]")).to_contain_text("maryam@example.com")

    invitation = OutboundMessage.objects.get(to_address="maryam@example.com", body_text__contains="/portal/")
    found = LINK.search(invitation.body_text)
    assert found is not None
    page = open_page("fa-IR")
    page.set_viewport_size(PHONE)
    page.goto(found.group(1))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    setting = page.locator("[data-testid=invitation-form]")
    setting.locator("[name=password1]").fill(PASSWORD)
    setting.locator("[name=password2]").fill(PASSWORD)
    setting.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("[data-testid=balance-due]")).to_be_visible()
    expect(page.locator("[data-testid=due]")).to_contain_text(records.invoice.number)

    page.locator("[data-testid=nav-orders]").click()
    expect(page.locator("[data-testid=order]")).to_contain_text(records.order.number)
    page.locator("[data-testid=order]").click()
    expect(page.locator("[data-testid=order-status]")).to_be_visible()

    page.locator("[data-testid=nav-invoices]").click()
    with page.expect_download() as download:
        page.locator("[data-testid=invoice-pdf]").click()
    assert download.value.suggested_filename == f"{records.invoice.number}-fa.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.locator("[data-testid=nav-tickets]").click()
    page.locator("[data-testid=new-ticket]").click()
    ticket_form = page.locator("[data-testid=ticket-form]")
    ticket_form.locator("[name=kind]").select_option("complaint")
    ticket_form.locator("[name=subject]").fill("کالای آسیب دیده")
    ticket_form.locator("[name=body]").fill("جعبه پاره رسید")
    ticket_form.locator("[name=order]").select_option(str(records.order.pk))
    ticket_form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=message-customer]")).to_contain_text("جعبه پاره رسید")
    ticket = Ticket.objects.get(subject="کالای آسیب دیده")
    assert ticket.channel == "portal" and ticket.order_id == records.order.pk

    messages.ticket_reply(
        ticket=ticket,
        actor=users["admin"],
        data=messages.ReplyInput(body="کالای جایگزین فردا ارسال می‌شود", to="maryam@example.com"),
    )
    messages.ticket_note(ticket=ticket, actor=users["admin"], body="هزینه را انبار بپردازد")
    page.reload()
    expect(page.locator("[data-testid=message-reply]")).to_contain_text("کالای جایگزین")
    expect(page.locator("[data-testid=thread]")).not_to_contain_text("انبار")

    reply = page.locator("[data-testid=reply-form]")
    reply.locator("[name=body]").fill("سپاس")
    reply.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=message-customer]").last).to_contain_text("سپاس")


def test_the_portal_in_english(open_page, person, users):  # noqa: F811 - the fixtures imported above
    customer = person("Sara", "sara@example.com")
    point = customer.contact_points.get()
    accounts.portal_invite(
        actor=users["sales"],
        party=customer,
        data=accounts.InviteInput(contact=point, channel="email", language="en"),
    )
    invitation = OutboundMessage.objects.get(to_address="sara@example.com")
    token = LINK.search(invitation.body_text).group(1).rstrip("/").rsplit("/", 1)[-1]
    signin.invitation_accept(token=token, password=PASSWORD, address=None)
    assert PortalAccount.objects.get().password

    page = open_page("en-US")
    page.set_viewport_size(PHONE)
    page.goto("/portal/orders/")
    expect(page).to_have_url(re.compile(r"/portal/sign-in/$"))
    form = page.locator("[data-testid=password-form]")
    form.locator("[name=identifier]").fill("sara@example.com")
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_contain_text("Hello, Sara")
    page.locator("[data-testid=nav-tickets]").click()
    expect(page.locator("h1")).to_have_text("Your requests")
