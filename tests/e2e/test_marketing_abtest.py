"""An A/B test in a real browser, in Persian: the marketer writes variant B of an SMS in the
campaign form, sends the sample, sees both variants side by side and sends B to the rest."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.interactions.models import OutboundMessage
from peyvand.marketing.models import Campaign, Recipient
from peyvand.marketing.services import segments
from tests.marketing.control_helpers import crowd

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_marketer_runs_an_ab_test_in_persian(live_server, signed_in, users, page_errors):
    crowd(users["marketing"], 10)
    segment = segments.segment_create(
        actor=users["marketing"],
        data=segments.SegmentInput(name="همه", rule={"match": "all", "groups": []}),
    )
    page = signed_in("marketing", locale="fa-IR")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/marketing/campaigns/new/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.locator("[data-testid=campaign-form]")
    form.locator("[name=name]").fill("حراج پاییزه")
    form.locator("[name=channel]").select_option("sms")
    form.locator("[name=segments]").select_option(str(segment.pk))
    form.locator("[name=body_fa]").fill("سلام {first_name}، حراج پاییزه شروع شد.")
    form.locator("[name=ab_test]").check()
    form.locator("[name=ab_hours]").fill("۲۰۰")  # too long: refused, in Persian digits
    page_errors.expect_status(422, r"/marketing/campaigns/new/$")
    form.locator("[data-testid=save-campaign]").click()
    expect(form.locator("[name=ab_hours]")).to_have_class(re.compile("is-invalid"))
    expect(form).to_contain_text("۱۶۸")
    form.locator("[name=ab_hours]").fill("4")
    form.locator("[name=ab_sample_percent]").fill("40")
    form.locator("[name=body_b_fa]").fill("{first_name} عزیز، فقط امروز ۳۰٪ تخفیف.")
    form.locator("[data-testid=save-campaign]").click()

    expect(page).to_have_url(re.compile(r"/marketing/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert (campaign.ab_test, campaign.ab_sample_percent, campaign.ab_hours) == (True, 40, 4)
    page.locator("[data-testid=send-campaign]").click()

    card = page.locator("[data-testid=abtest]")
    expect(card.locator("[data-testid=ab-a-sent]")).to_have_text("۲")
    expect(card.locator("[data-testid=ab-b-sent]")).to_have_text("۲")
    expect(card.locator("[data-testid=ab-ends]")).to_be_visible()
    assert OutboundMessage.objects.count() == 4
    card.locator("[data-testid=pick-b]").click()

    expect(page.locator("[data-testid=ab-winner]")).to_have_attribute("data-winner", "b")
    expect(page.locator("[data-testid=campaign-progress]")).to_have_attribute("data-status", "sent")
    assert OutboundMessage.objects.count() == 10
    rest = Recipient.objects.filter(campaign=campaign, in_test=False)
    bodies = OutboundMessage.objects.filter(party_id__in=rest.values("party_id")).values_list(
        "body_text", flat=True
    )
    assert len(bodies) == 6 and all("۳۰٪ تخفیف" in body for body in bodies)
