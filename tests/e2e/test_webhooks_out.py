"""The main flow of outgoing webhooks in a real browser: an administrator adds one pointing at
a receiver, copies the secret shown once, sends a test ping that arrives signed, and reads it
in the delivery log; then a new customer reaches the receiver too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from peyvand.interactions.models import WebhookDelivery, WebhookEndpoint
from tests.interactions.test_webhooks_out import Receiver, receiver  # noqa: F401 - the HTTP receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_administrator_adds_a_webhook_and_pings_it(
    signed_in: Callable[..., Page],
    receiver: Receiver,  # noqa: F811
    make_person: Callable[..., object],
    users: dict[str, Any],
) -> None:
    reverse("webhook_list")  # the URLconf loaded here, not in the server's first answer
    users["admin"].language = "en"
    users["admin"].save(update_fields=["language"])
    page = signed_in("admin", locale="en-US")
    page.goto("/admin/webhooks/")
    page.get_by_role("link", name="New webhook").click()
    page.locator("input[name=name]").fill("ERP")
    page.locator("input[name=url]").fill("ftp://files.example.com/hook")
    page.get_by_label("Person created").check()
    page.get_by_test_id("webhook-form").locator("button[type=submit]").click()
    expect(page.get_by_text("Enter a public http or https address")).to_be_visible()
    page.locator("input[name=url]").fill(receiver.url)
    page.get_by_test_id("webhook-form").locator("button[type=submit]").click()
    endpoint = WebhookEndpoint.objects.get()
    expect(page.get_by_test_id("secret")).to_contain_text(endpoint.secret)
    page.get_by_test_id("ping").click()
    expect(page.get_by_text("The test ping was delivered.")).to_be_visible()
    expect(page.get_by_test_id("secret")).to_have_count(0)
    expect(page.get_by_test_id("deliveries")).to_contain_text("Delivered")
    assert receiver.verified(endpoint.secret, receiver.requests[-1])
    make_person(first_name="Maryam")
    assert WebhookDelivery.objects.filter(event="person.created", status="delivered").count() == 1
    assert receiver.requests[-1].headers["X-Peyvand-Event"] == "person.created"
    page.reload()
    page.get_by_test_id("deliveries").locator("a").first.click()
    expect(page.get_by_test_id("request")).to_contain_text("person.created")
