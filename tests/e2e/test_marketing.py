"""Marketing in a real browser, in Persian (RTL) and English: build the segment «customers in
Tehran who agreed to SMS» with the builder (its live count), send it an SMS campaign, watch
the progress finish and read the campaign's report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.interactions.models import OutboundMessage
from peyvand.marketing.models import Campaign, Recipient, Segment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customers(make_person):
    def person(first: str, last: str, phone: str, city: str, sms: bool) -> None:
        make_person(
            first_name=first,
            last_name=last,
            data={"sms_consent": sms},
            contacts=[
                {"kind": "phone", "value": phone, "label": "mobile", "is_primary": True},
                {"kind": "address", "value": "", "city": city, "province": city},
            ],
        )

    person("مریم", "احمدی", "09121234567", "تهران", True)
    person("رضا", "کریمی", "09121112233", "تهران", False)
    person("سارا", "رحیمی", "09131112233", "اصفهان", True)


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_a_marketer_builds_a_segment_and_sends_an_sms_campaign(signed_in, customers, locale):
    page = signed_in("marketing", locale=locale)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/marketing/segments/new/")
    form = page.locator("[data-testid=segment-form]")
    form.locator("[name=name]").fill("تهرانی‌های پیامکی")
    form.locator("[data-testid=add-group]").click()
    form.locator("[name=g0c0_field]").select_option("city")
    expect(form.locator("[name=g0c0_text]")).to_be_visible()
    form.locator("[name=g0c0_text]").fill("تهران")
    form.locator("[data-testid=add-condition]").click()
    form.locator("[name=g0c1_field]").select_option("sms_consent")
    expect(form.locator("[name=g0c1_op]")).to_have_value("yes")
    expect(form.locator("[data-testid=rule-count] [data-count]")).to_have_attribute("data-count", "1")
    form.locator("[data-testid=save-segment]").click()

    expect(page).to_have_url(re.compile(r"/marketing/segments/\d+/$"))  # saved: the row is there now
    segment = Segment.objects.get()
    assert page.url.endswith(f"/marketing/segments/{segment.pk}/")
    expect(page.locator("[data-testid=member-table]")).to_contain_text("مریم احمدی")
    expect(page.locator("[data-testid=member-table]")).not_to_contain_text("رضا")
    if locale == "fa-IR":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.locator("[data-testid=segment-campaign]").click()
    campaign_form = page.locator("[data-testid=campaign-form]")
    campaign_form.locator("[name=name]").fill("حراج بهاره")
    campaign_form.locator("[name=channel]").select_option("sms")
    campaign_form.locator("[name=body_fa]").fill("سلام {first_name}، حراج بهاره شروع شد.")
    campaign_form.locator("[name=body_en]").fill("Hi {first_name}, our spring sale has started.")
    campaign_form.locator("[data-testid=save-campaign]").click()

    expect(page).to_have_url(re.compile(r"/marketing/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert page.url.endswith(f"/marketing/campaigns/{campaign.pk}/")
    expect(page.locator("[data-testid=estimate-reachable]")).to_have_text("۱" if locale == "fa-IR" else "1")
    expect(page.locator("[data-testid=campaign-preview]")).to_be_visible()
    page.locator("#preview-party").select_option(label="مریم احمدی")
    expect(page.locator("[data-testid=sms-preview]")).to_contain_text("سلام مریم، حراج بهاره شروع شد.")
    page.locator("[data-testid=send-campaign]").click()

    progress = page.locator("[data-testid=campaign-progress]")
    expect(progress).to_have_attribute("data-status", "sent")
    expect(progress.locator(".progress-bar")).to_have_attribute("style", re.compile(r"width: 100%"))
    message = OutboundMessage.objects.get()
    assert message.body_text == "سلام مریم، حراج بهاره شروع شد.\nلغو۱۱" and message.status == "sent"
    assert Recipient.objects.filter(campaign=campaign, state="skipped").count() == 0

    progress.locator("[data-testid=open-report]").click()
    expect(page.locator("[data-testid=figure-sent]")).to_have_text("۱" if locale == "fa-IR" else "1")
    expect(page.locator("[data-testid=figure-delivered]")).to_have_text("۱" if locale == "fa-IR" else "1")
    expect(page.locator("#chart-funnel canvas, #chart-funnel svg").first).to_be_visible()
