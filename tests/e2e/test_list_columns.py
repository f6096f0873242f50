"""Choosing and ordering the deals list's columns in a real browser, in Persian and English:
a column untucked, another moved up with the keyboard, shown, saved as a view, reloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peyvand.core.models import SavedView
from peyvand.sales.services import deals, pipelines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_columns_are_chosen_ordered_and_kept_in_a_saved_view(signed_in, users, make_org, locale):
    pipelines.pipeline_ensure_default()
    deal = deals.deal_create(
        actor=users["admin"],
        data={"title": "قرارداد پشتیبانی", "party": make_org(name="شرکت آلفا"), "owner": users["sales"]},
    )
    page = signed_in("sales", locale=locale)
    page.goto("/sales/deals/?plain=1")
    heads = page.locator("[data-testid=deal-table] thead th")
    expect(heads).to_have_count(7)

    picker = page.get_by_test_id("column-picker")
    picker.locator("button.dropdown-toggle").click()
    picker.locator("li[data-column=created] input[type=checkbox]").uncheck()
    picker.locator("li[data-column=pipeline] input[type=checkbox]").check()
    up = picker.locator("li[data-column=amount] [data-move=up]")
    up.focus()
    for _ in range(5):  # past close, owner, stage, customer and title: first
        page.keyboard.press("Enter")
    expect(picker.locator("li").first).to_have_attribute("data-column", "amount")
    picker.locator("button[name=as][value=view]").click()

    order = ["amount", "title", "customer", "stage", "owner", "close", "pipeline"]
    expect(heads).to_have_count(len(order))
    assert [heads.nth(i).get_attribute("data-column") for i in range(len(order))] == order
    expect(page.locator(f"#deal-{deal.pk} td")).to_have_count(len(order))

    views = page.get_by_test_id("saved-views")
    views.locator("button.dropdown-toggle").click()
    views.locator("#saved-view-name").fill("مبلغ اول")
    views.locator("button[type=submit]").click()
    expect(views.locator("button.dropdown-toggle")).to_contain_text("مبلغ اول")
    page.reload()
    expect(heads).to_have_count(len(order))
    assert [heads.nth(i).get_attribute("data-column") for i in range(len(order))] == order
    assert "columns=amount%2Ctitle%2Ccustomer" in SavedView.objects.get(name="مبلغ اول").query
