"""The "done when" of workflow automation in a real browser, in Persian and in English: a
manager makes the ready-made rule that assigns and greets new leads, tests it on a lead
(nothing changes), switches it on, captures a lead, and finds it assigned, the greeting in
the outbox and the run in the rule's log."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from peyvand.automation.models import Rule, Run
from peyvand.interactions.models import OutboundMessage
from peyvand.sales.models import Lead
from peyvand.sales.services.leads import lead_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "locale"), [("fa", "fa-IR"), ("en", "en-US")])
def test_an_administrator_switches_on_a_rule_that_assigns_and_greets_new_leads(
    signed_in: Callable[..., Page], users: dict[str, Any], language: str, locale: str
) -> None:
    reverse("automation:rule_list")  # the URLconf loaded here, not in the server's first answer
    admin = users["admin"]
    admin.language = language
    admin.save(update_fields=["language"])
    earlier = lead_create(actor=admin, data={"first_name": "Parisa", "email": "parisa@example.com"})
    page = signed_in("admin", locale=locale)
    direction = "rtl" if language == "fa" else "ltr"

    page.goto("/automation/")
    page.get_by_test_id("template-greet_new_leads").click()
    rule = Rule.objects.get()
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.get_by_test_id("rule-state")).to_have_attribute("data-active", "false")
    assert rule.active is False

    # A dry run on a lead already there: what it would do, and nothing done.
    page.get_by_test_id("test-rule").click()
    page.locator("#test-q").fill("Parisa")
    page.locator("#test-q").press("Enter")
    page.get_by_test_id(f"test-record-{earlier.pk}").click()
    expect(page.get_by_test_id("test-verdict")).to_have_attribute("data-met", "true")
    expect(page.get_by_test_id("test-result")).to_contain_text("parisa@example.com")
    assert Lead.objects.get(pk=earlier.pk).owner_id is None
    assert not OutboundMessage.objects.exists() and not Run.objects.exists()

    # Switched on, a new lead is assigned and greeted.
    page.goto(f"/automation/{rule.pk}/")
    page.get_by_test_id("switch-rule").click()
    expect(page.get_by_test_id("rule-state")).to_have_attribute("data-active", "true")
    page.goto("/sales/leads/new/")
    page.locator("input[name=first_name]").fill("Kaveh")
    page.locator("input[name=last_name]").fill("Sadeghi")
    page.locator("input[name=email]").fill("kaveh@example.com")
    page.locator("select[name=owner]").select_option("")  # "by the assignment rules": no owner
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sales/leads/\d+/$"))
    lead = Lead.objects.get(email="kaveh@example.com")
    assert lead.owner is not None and lead.owner.role != "admin"
    page.goto(f"/sales/leads/{lead.pk}/")
    expect(page.locator("main")).to_contain_text(lead.owner.get_full_name())

    page.goto("/outbox/")
    expect(page.locator("main")).to_contain_text("kaveh@example.com")

    page.goto(f"/automation/{rule.pk}/")
    row = page.get_by_test_id("run-row").first
    expect(row).to_contain_text("Kaveh Sadeghi")
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text(lead.owner.get_full_name())
