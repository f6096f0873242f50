"""A programme in a real browser: a marketer makes the welcome series from its template in
Persian, starts it and enrols a list; the programme's job runs at given times (no waiting);
the customer's path shows which step, when and why — then the same pages in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.marketing.models import Enrolment, Programme, Recipient
from peyvand.marketing.services import programmes, segments

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_welcome_series_from_its_template_walks_a_customer(
    live_server, signed_in, users, make_person, page_errors
):
    maryam = make_person(
        first_name="مریم",
        last_name="احمدی",
        data={"email_consent": True, "email_consent_source": "web form", "sms_consent": True},
        contacts=[
            {"kind": "email", "value": "maryam@example.com", "is_primary": True},
            {"kind": "phone", "value": "09121234567", "label": "mobile", "is_primary": True},
        ],
    )
    newcomers = segments.segment_create(
        actor=users["marketing"], data=segments.SegmentInput(name="تازه‌واردها", kind="static")
    )
    segments.list_add(segment=newcomers, actor=users["marketing"], party_ids=[maryam.pk])

    page = signed_in("marketing", locale="fa-IR")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/marketing/programmes/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("[data-testid=template-form] select").select_option("welcome")
    page.locator("[data-testid=from-template]").click()
    expect(page).to_have_url(re.compile(r"/marketing/programmes/\d+/$"))
    programme = Programme.objects.get()
    expect(page.locator("[data-testid=step-row]")).to_have_count(9)
    expect(page.locator("[data-testid=step-table]")).to_contain_text("۹")  # Persian digits
    # The step editor refuses a wait of no length, in Persian digits too.
    page.locator("[data-testid=add-step]").click()
    form = page.locator("[data-testid=step-form]")
    form.locator("[name=kind]").select_option("wait")
    form.locator("[name=amount]").fill("۰")
    page_errors.expect_status(422, r"/steps/new/$")
    form.locator("[data-testid=save-step]").click()
    expect(form.locator("[name=amount]")).to_have_class(re.compile("is-invalid"))
    page.locator("a", has_text=programme.name).first.click()
    page.locator("[data-testid=programme-start]").click()
    expect(page.locator("[data-testid=programme-status]")).to_have_attribute("data-status", "active")
    page.locator("[data-testid=enrol-form] select").select_option(str(newcomers.pk))
    page.locator("[data-testid=enrol]").click()
    expect(page.locator("[data-testid=programme-enrolled]")).to_contain_text("۱")

    # The job, at the moments it would run: the welcome email at once; three days without
    # an open, so the SMS; then the wait of four days.
    start = timezone.now()
    programmes.programmes_advance(now=start)
    programmes.programmes_advance(now=start + dt.timedelta(days=3, minutes=1))
    enrolment = Enrolment.objects.get()
    assert enrolment.step is not None and enrolment.step.position == 4
    assert Recipient.objects.filter(enrolment=enrolment, state="queued").count() == 2

    page.locator("[data-testid=programme-enrolments]").click()
    page.locator("[data-testid=enrolment-path]").click()
    path = page.locator("[data-testid=path-table]")
    expect(path.locator("tr[data-kind=sent]")).to_have_count(2)
    expect(path.locator("tr[data-kind=branched]")).to_contain_text("۳")
    expect(page.locator("[data-testid=enrolment-step]")).to_contain_text("۴")

    english = signed_in("marketing", locale="en-US")
    english.goto(f"/marketing/programmes/{programme.pk}/enrolments/{enrolment.pk}/")
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    table = english.locator("[data-testid=path-table]")
    expect(table.locator("tr[data-kind=branched]")).to_contain_text("No: not Opened in time → step 3")
    expect(table).to_contain_text("Message queued")
    expect(english.locator("[data-testid=enrolment-step]")).to_contain_text("4. Wait")
