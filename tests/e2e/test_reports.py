"""The report builder in a real browser, in Persian and in English: a manager builds the
value of won deals by owner × Jalali quarter (each choice redraws the preview through htmx),
sees the pivot with its totals and the chart drawn, and saves the report."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from peyvand.analytics.models import SavedReport
from peyvand.sales.models import Deal, DealStatus
from peyvand.sales.services import pipelines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def won_deals(users, make_org):
    pipeline = pipelines.pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    party = make_org(name="شرکت آزمون", owner="sales")
    spring = timezone.make_aware(dt.datetime(2025, 4, 10, 12))  # Farvardin 1404: Q1
    summer = timezone.make_aware(dt.datetime(2025, 7, 10, 12))  # Tir 1404: Q2
    for owner, closed, amount, status in (
        ("sales", spring, 1_000_000, DealStatus.WON),
        ("sales", summer, 2_000_000, DealStatus.WON),
        ("sales2", summer, 500_000, DealStatus.WON),
        ("sales2", summer, 7_000_000, DealStatus.LOST),
    ):
        Deal.objects.create(
            title="فروش",
            party=party,
            pipeline=pipeline,
            stage=stages[-2] if status == DealStatus.WON else stages[-1],
            status=status,
            currency="IRR",
            amount=Decimal(amount),
            amount_base=Decimal(amount),
            expected_close=closed.date(),
            owner=users[owner],
            closed_at=closed,
            stage_entered_at=closed,
        )


def choose(page: Page, name: str, value: str) -> None:
    """Pick a value and wait until htmx has drawn the builder again with it. A choice equal to
    the one shown (the Jalali calendar, Persian's default) still asks again: waiting for no
    request in flight keeps the next choice from landing on a builder about to be replaced."""
    page.locator(f"[data-testid=report-form] select[name={name}]").select_option(value=value)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    expect(page).to_have_url(re.compile(re.escape(value.replace(":", "%3A")) + "|" + re.escape(value)))
    expect(page.locator(f"[data-testid=report-form] select[name={name}]")).to_have_value(value)


@pytest.mark.parametrize(
    ("locale", "total", "quarter", "save"),
    [
        ("fa-IR", "۳٬۵۰۰٬۰۰۰", "۱۴۰۴", "گزارش فصلی فروش"),
        ("en-US", "3,500,000", "1404", "Quarterly won value"),
    ],
)
def test_a_manager_builds_and_saves_a_report(signed_in, won_deals, locale, total, quarter, save):
    page = signed_in("manager", locale=locale)
    page.goto("/analytics/reports/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "fa-IR" else "ltr")
    page.locator("[data-testid=new-report]").click()
    expect(page.locator("[data-testid=report-pivot]")).to_be_visible()
    choose(page, "measure", "sum:amount_base")
    choose(page, "columns", "closed_at:quarter")
    choose(page, "calendar", "jalali")
    choose(page, "filter_dimension", "status")
    choose(page, "filter_values", "won")
    pivot = page.locator("[data-testid=report-pivot]")
    expect(pivot.locator("thead th")).to_have_count(4)  # owner, two quarters, total
    expect(pivot.locator("thead")).to_contain_text(quarter)
    expect(page.locator("[data-testid=report-totals]")).to_contain_text(total)  # the lost deal left out
    expect(page.locator("[data-testid=report-chart] svg")).to_be_visible()
    page.locator("[data-testid=report-form] input[name=name]").fill(save)
    page.locator("[data-testid=report-save]").click()
    expect(page.locator("[data-testid=report-name]")).to_have_text(save)
    expect(page.locator("[data-testid=report-totals]")).to_contain_text(total)
    expect(page.locator("[data-testid=report-chart] svg")).to_be_visible()
    report = SavedReport.objects.get(name=save)
    assert report.definition["columns"] == "closed_at:quarter"
    assert report.definition["filters"] == [{"dimension": "status", "values": ["won"]}]
