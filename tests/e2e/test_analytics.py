"""The executive dashboard in a real browser: after a run, every chart is drawn, in Persian
(right to left, Persian digits) and in English, without a console error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.analytics.models import RunStatus
from peyvand.analytics.services import runs
from tests.analytics.conftest import TODAY
from tests.analytics.test_runs import simulated_shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = (
    "revenue",
    "cells",
    "moves",
    "history",
    "clv",
    "alive",
    "churn",
    "churn_quality",
    "profitability",
    "whale",
    "lifecycle",
    "cohorts",
    "holdout",
)


@pytest.fixture
def analysed(users, settings, tmp_path):
    """A shop whose customers bought as BG/NBD and Gamma-Gamma say (the analytics tests'
    simulation: enough history for the lifetime-value and churn models to be fitted), and
    one analysis run."""
    settings.PEYVAND_ANALYTICS_DB = tmp_path / "snapshot.duckdb"
    simulated_shop([users["sales"], users["manager"]], customers=120)
    run = runs.run_request(actor=users["manager"], data=runs.RunInput(), as_of=TODAY)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.scored_with is not None  # the lifetime-value model was fitted
    return run


def drawn(page, count):
    containers = page.locator("[data-chart]")
    expect(containers).to_have_count(count)
    for i in range(count):
        expect(containers.nth(i)).to_have_attribute("data-chart-drawn", "1")
        expect(containers.nth(i).locator("svg").first).to_be_attached()


def test_the_dashboard_draws_its_charts_in_persian(signed_in, analysed):
    page = signed_in("admin", locale="fa-IR")
    page.goto("/analytics/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    present = [key for key in CHARTS if page.locator(f"#chart-{key} [data-chart]").count()]
    assert {"revenue", "cells", "clv", "alive", "churn", "churn_quality", "whale", "lifecycle"} <= set(
        present
    )
    drawn(page, len(present))
    expect(page.locator("#chart-revenue tbody th").first).to_have_text(
        re.compile(r"^(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}$")
    )
    expect(page.locator("[data-testid=figure-customers]")).to_have_text(re.compile(r"^[۰-۹٬]+$"))
    # A customer of the top list opens their page, with the value card.
    page.locator("[data-testid=top-customers] tbody a").first.click()
    expect(page.locator("[data-testid=analytics-panel]")).to_be_visible()
    expect(page.locator("[data-testid=insight-clv]")).not_to_be_empty()


def test_the_dashboard_draws_its_charts_in_english(signed_in, analysed):
    page = signed_in("sales", locale="en-US")
    page.goto("/analytics/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    present = [key for key in CHARTS if page.locator(f"#chart-{key} [data-chart]").count()]
    assert "holdout" not in present and "churn_quality" not in present  # the models: managers'
    assert {"revenue", "cells", "churn", "whale", "lifecycle"} <= set(present)
    drawn(page, len(present))
    expect(page.locator("#chart-revenue tbody th").first).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{4}$"))
    expect(page.locator("[data-testid=figure-customers]")).to_have_text(re.compile(r"^[0-9,]+$"))
