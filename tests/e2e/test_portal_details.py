"""A customer changes their details in the portal at a phone's width: in Persian under the
company's review (its colour on the header with black text that reads on it), approved by a
salesperson from the list of changes; in English written at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.customers.models import ContactPoint, Party
from peyvand.interactions.models import OutboundMessage
from peyvand.portal.models import ChangeStatus, DetailChange
from peyvand.portal.services import accounts, signin
from tests.e2e.conftest import login
from tests.portal.conftest import PASSWORD, person  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"/portal/invitation/([A-Za-z0-9_-]+)/")


def _account_with_password(users, customer: Party, email: str, language: str) -> None:
    point = customer.contact_points.get(kind=ContactPoint.Kind.EMAIL)
    accounts.portal_invite(
        actor=users["sales"],
        party=customer,
        data=accounts.InviteInput(contact=point, channel="email", language=language),
    )
    body = OutboundMessage.objects.get(to_address=email).body_text
    signin.invitation_accept(token=LINK.search(body).group(1), password=PASSWORD, address=None)


def _sign_in(page: Page, email: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/portal/sign-in/")
    form = page.locator("[data-testid=password-form]")
    form.locator("[name=identifier]").fill(email)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_change_waits_for_review_and_a_salesperson_approves_it(open_page, person, users):  # noqa: F811
    company_profile_save(
        actor=users["admin"],
        data=CompanyProfileInput(
            legal_name_fa="شرکت زرین", brand_colour="#FFD700", portal_review_details=True
        ),
    )
    customer = person("مریم", "maryam@example.com")
    _account_with_password(users, customer, "maryam@example.com", "fa")

    page = open_page("fa-IR")
    _sign_in(page, "maryam@example.com")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    header = page.locator("[data-testid=portal-header]")
    expect(header).to_have_css("background-color", "rgb(255, 215, 0)")
    expect(page.locator("[data-testid=portal-brand]")).to_have_css(
        "color", "rgb(0, 0, 0)"
    )  # black reads on gold
    expect(page.locator("[data-testid=portal-brand]")).to_contain_text("شرکت زرین")

    page.locator("[data-testid=nav-profile]").click()
    form = page.locator("[data-testid=details-form]")
    form.locator("[name=last_name]").fill("احمدی")
    form.locator("[name=phone]").fill("۰۹۱۲۷۷۷۸۸۹۹")
    form.locator("[name=city]").fill("اصفهان")
    form.locator("[name=street]").fill("خیابان چهارباغ")
    form.locator("[data-testid=details-save]").click()
    expect(page.locator("[data-testid=details-waiting]")).to_be_visible()
    expect(page.locator("[data-testid=details-form] [name=last_name]")).to_have_value("احمدی")
    _fits_the_phone(page)
    customer.refresh_from_db()
    assert customer.last_name == "مشتری"  # held until reviewed

    staff = open_page("fa-IR")
    login(staff, "sales")
    staff.goto("/portal-changes/")
    change = staff.locator("[data-testid=change]")
    expect(change).to_contain_text("احمدی")
    change.locator("[data-testid=change-approve]").click()
    expect(staff.locator("[data-testid=no-changes]")).to_be_visible()

    customer.refresh_from_db()
    assert (customer.last_name, customer.primary_phone) == ("احمدی", "+989127778899")
    assert DetailChange.objects.get().status == ChangeStatus.APPROVED
    page.reload()
    expect(page.locator("[data-testid=details-waiting]")).to_have_count(0)


def test_in_english_a_change_applies_at_once(open_page, page_errors, person, users):  # noqa: F811
    customer = person("Sara", "sara@example.com")
    _account_with_password(users, customer, "sara@example.com", "en")
    page = open_page("en-US")
    _sign_in(page, "sara@example.com")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.locator("[data-testid=nav-profile]").click()
    form = page.locator("[data-testid=details-form]")
    form.locator("[name=first_name]").fill("Sarah")
    form.locator("[name=email]").fill("sarah@example.com")
    form.locator("[name=city]").fill("Shiraz")
    form.locator("[data-testid=details-save]").click()
    expect(page.locator("[role=status]").first).to_contain_text("Your details are saved.")
    expect(page.locator("[data-testid=details-form] [name=email]")).to_have_value("sarah@example.com")
    _fits_the_phone(page)
    customer.refresh_from_db()
    assert (customer.first_name, customer.primary_email) == ("Sarah", "sarah@example.com")
    page_errors.expect_status(400, r"/portal/profile/details/$")  # the refused form, redrawn
    form = page.locator("[data-testid=details-form]")
    form.locator("[name=email]").fill("not an email")
    form.locator("[data-testid=details-save]").click()
    expect(page.locator("[data-testid=details-form] .invalid-feedback").first).to_be_visible()
