"""A distributor's user, on a phone in Persian, registers a deal; the channel manager, in
English, sees it among the registrations and approves it; the partner finds the deal among
theirs and moves its stage, then, in English, moves it again with a next step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peyvand.customers.models import ContactPoint
from peyvand.customers.services.memberships import membership_add
from peyvand.interactions.models import OutboundMessage
from peyvand.portal.models import PartnerDeal, Registration, RegistrationStatus
from peyvand.portal.services import accounts, signin
from peyvand.portal.services import partners as services
from peyvand.sales.models import Stage
from peyvand.sales.services import pipelines
from tests.e2e.conftest import login
from tests.e2e.test_portal_details import LINK, PHONE, _fits_the_phone, _sign_in
from tests.portal.conftest import PASSWORD, person  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_partner_registers_a_deal_the_channel_manager_approves_and_the_partner_moves_it(
    open_page,
    person,  # noqa: F811
    make_org,
    users,
):
    pipeline = pipelines.pipeline_ensure_default()
    organisation = make_org(name="پخش البرز")
    contact = person("رضا", "reza@alborz.example")
    membership_add(person=contact, organisation=organisation, actor=users["admin"])
    partner = services.partner_save(
        actor=users["manager"],
        organisation=organisation,
        data=services.PartnerInput(kind="distributor", commission_rate="8"),
    )
    services.partner_user_invite(
        actor=users["manager"],
        partner=partner,
        data=accounts.InviteInput(
            contact=contact.contact_points.get(kind=ContactPoint.Kind.EMAIL), channel="email"
        ),
    )
    body = OutboundMessage.objects.get(to_address="reza@alborz.example").body_text
    signin.invitation_accept(token=LINK.search(body).group(1), password=PASSWORD, address=None)

    page: Page = open_page("fa-IR")
    _sign_in(page, "reza@alborz.example")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("[data-testid=nav-partner]").click()
    page.locator("[data-testid=partner-register]").first.click()
    form = page.locator("[data-testid=registration-form]")
    form.locator("[name=kind]").select_option("deal")
    form.locator("[name=customer_name]").fill("فروشگاه کیان")
    form.locator("[name=phone]").fill("۰۹۱۲۳۴۵۶۷۸۹")
    form.locator("[name=product_interest]").fill("مجوز سازمانی")
    form.locator("[name=expected_value]").fill("۳۰۰٬۰۰۰٬۰۰۰")
    form.locator("[data-testid=registration-submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/partner/registrations/$"))
    expect(page.locator("[data-testid=registration]")).to_contain_text("فروشگاه کیان")
    _fits_the_phone(page)
    assert page.viewport_size == PHONE
    registration = Registration.objects.get(partner=partner)
    assert registration.phone == "+989123456789" and registration.expected_value == 300_000_000

    staff = open_page("en-US")
    login(staff, "manager")
    staff.goto("/partners/registrations/")
    row = staff.locator("[data-testid=registration]", has_text="فروشگاه کیان")
    expect(row).to_contain_text("پخش البرز")
    row.locator("[data-testid=approve]").click()
    expect(staff.locator("[data-testid=no-registrations]")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    link = PartnerDeal.objects.select_related("deal").get(partner=partner)
    stages = list(Stage.objects.filter(pipeline=pipeline, outcome="open").order_by("order", "id"))
    assert link.deal.stage_id == stages[0].pk

    page.locator("[data-testid=partner-nav-deals]").click()
    page.locator("[data-testid=partner-deal]", has_text="مجوز سازمانی").click()
    deal_form = page.locator("[data-testid=deal-form]")
    deal_form.locator("[name=stage]").select_option(str(stages[1].pk))
    deal_form.locator("[data-testid=deal-save]").click()
    expect(page.locator("[data-testid=deal-stage]")).to_have_text(stages[1].name)
    _fits_the_phone(page)

    page.locator("[data-testid=language]").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    deal_form = page.locator("[data-testid=deal-form]")
    deal_form.locator("[name=stage]").select_option(str(stages[2].pk))
    deal_form.locator("[name=next_step]").fill("Demo on Sunday")
    deal_form.locator("[data-testid=deal-save]").click()
    expect(page.locator("[data-testid=deal-stage]")).to_have_text(stages[2].name)
    expect(page.locator("[data-testid=deal-next-step]")).to_have_text("Demo on Sunday")
    expect(page.locator("[data-testid=nav-partner]")).to_have_text("Partner")
    _fits_the_phone(page)
    link.refresh_from_db()
    link.deal.refresh_from_db()
    assert link.deal.stage_id == stages[2].pk and link.first_update_at is not None
