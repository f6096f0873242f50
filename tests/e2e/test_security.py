"""The Content-Security-Policy in a real browser: pages that use scripts (htmx, the date
picker, the API's documentation) still work, and the browser reports no violation (the
fixture fails a test on any console error)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_renders_under_the_policy(signed_in):
    page = signed_in("admin", locale="en-US")
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Peyvand API")


def test_a_filter_applies_on_change_without_an_inline_handler(signed_in):
    page = signed_in("admin", locale="en-US")
    page.goto("/sales/orders/")
    with page.expect_navigation():
        page.locator("select[name=imported]").select_option("yes")
    assert "imported=yes" in page.url
