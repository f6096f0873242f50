"""Vendor selection in a real browser, in Persian: a manager opens a selection, changes a
weight in Persian digits, adds two vendors and two evaluators; both evaluators score in
Persian digits (a score out of range is refused and what was typed stays); the results draw
the grouped bar chart with its table and rank the vendors; the manager records the decision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from peyvand.adoption.models import Criterion, Selection, Vendor, VendorScore
from peyvand.adoption.services.catalogue import builtin_models_load, risk_groups_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(autouse=True)
def builtin_data(transactional_db):
    builtin_models_load()
    risk_groups_load()


def fa(number: int) -> str:
    return str(number).translate(PERSIAN_DIGITS)


def score_all(page: Page, selection: Selection, values: dict[str, int]) -> None:
    page.goto(f"/adoption/selections/{selection.pk}/scores/")
    for vendor in Vendor.objects.filter(selection=selection):
        for criterion in Criterion.objects.filter(selection=selection).order_by("order")[:3]:
            page.locator(f"input[name=score-{vendor.pk}-{criterion.pk}]").fill(fa(values[vendor.name]))
    page.locator("[data-testid=score-submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_a_manager_compares_two_vendors_with_a_colleague(signed_in, users, page_errors):
    page_errors.expect_status(422, r"/adoption/selections/\d+/scores/$")
    manager = signed_in("manager", locale="fa-IR")
    manager.goto("/adoption/selections/")
    expect(manager.locator("html")).to_have_attribute("dir", "rtl")
    manager.locator("[data-testid=new-selection]").click()
    form = manager.locator("[data-testid=selection-form]")
    form.locator("input[name=name]").fill("انتخاب CRM شرکت")
    form.locator("button[type=submit]").click()
    expect(manager.locator("h1")).to_have_text("انتخاب CRM شرکت")
    selection = Selection.objects.get(name="انتخاب CRM شرکت")
    first = Criterion.objects.filter(selection=selection).order_by("order").first()
    row = manager.locator("[data-testid=criteria-table] tr", has_text=first.name_fa)
    row.locator("input[name=weight]").fill("۱۰")
    row.locator("button[type=submit]").first.click()
    expect(manager.locator(".alert-success")).to_be_visible()
    assert Criterion.objects.get(pk=first.pk).weight == 10
    for name, site in (
        ("همکاران سیستم", "https://hamkaran.example"),
        ("پیوند ابری", "https://cloud.example"),
    ):
        vendor_form = manager.locator("[data-testid=vendor-form]")
        vendor_form.locator("input[name=name]").fill(name)
        vendor_form.locator("input[name=website]").fill(site)
        vendor_form.locator("button[type=submit]").click()
        expect(manager.locator("[data-testid=vendor-list]")).to_contain_text(name)
    for who in ("manager", "admin"):
        evaluator_form = manager.locator("[data-testid=evaluator-form]")
        evaluator_form.locator("select[name=user]").select_option(value=str(users[who].pk))
        evaluator_form.locator("button[type=submit]").click()
        expect(manager.locator("[data-testid=evaluator-list] li")).to_have_count(1 if who == "manager" else 2)

    # A score out of range is refused, and what was typed stays.
    vendor = Vendor.objects.get(selection=selection, name="همکاران سیستم")
    manager.goto(f"/adoption/selections/{selection.pk}/scores/")
    cell = manager.locator(f"input[name=score-{vendor.pk}-{first.pk}]")
    cell.fill("۹")
    manager.locator("[data-testid=score-submit]").click()
    expect(manager.locator("[data-testid=score-errors]")).to_be_visible()
    expect(manager.locator(f"input[name=score-{vendor.pk}-{first.pk}]")).to_have_value("۹")
    assert not VendorScore.objects.exists()
    score_all(manager, selection, {"همکاران سیستم": 5, "پیوند ابری": 3})
    colleague = signed_in("admin", locale="fa-IR")
    score_all(colleague, selection, {"همکاران سیستم": 4, "پیوند ابری": 2})
    assert VendorScore.objects.count() == 12

    manager.goto(f"/adoption/selections/{selection.pk}/results/")
    chart = manager.locator("#chart-vendors [data-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg").first).to_be_attached()
    expect(manager.locator("[data-testid=leader]")).to_have_text("همکاران سیستم")
    ranking = manager.locator("[data-testid=ranking-table] tbody tr")
    expect(ranking.first).to_contain_text("۴٫۵۰")  # (5 + 4) / 2
    expect(ranking.nth(1)).to_contain_text("۲٫۵۰")  # (3 + 2) / 2
    expect(ranking.first).to_contain_text("۰٫۵۰")  # the spread

    manager.goto(f"/adoption/selections/{selection.pk}/")
    decision = manager.locator("[data-testid=decision-form]")
    decision.locator("select[name=vendor]").select_option(value=str(vendor.pk))
    decision.locator("textarea[name=reason]").fill("بیشترین امتیاز و پشتیبانی محلی")
    decision.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=decision]")).to_contain_text("همکاران سیستم")
    selection.refresh_from_db()
    assert selection.status == "decided" and selection.chosen_vendor == vendor
