"""The executive dashboard in a real browser: after a run, every chart is drawn, in Persian
(right to left, Persian digits) and in English, without a console error."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.analytics.models import RunStatus
from peyvand.analytics.services import runs
from peyvand.sales.models import Order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ("revenue", "cells", "moves", "history", "clv", "alive", "cohorts", "holdout")


@pytest.fixture
def analysed(make_person, users, settings, tmp_path):
    """Two dozen customers who bought one to six times over the past year, varied enough for
    the lifetime-value model to fit, and one analysis run."""
    settings.PEYVAND_ANALYTICS_DB = tmp_path / "snapshot.duckdb"
    today = timezone.localdate()
    rng = random.Random(7)
    number = 0
    for i in range(24):
        party = make_person(first_name=f"مشتری {i}", owner="sales" if i % 2 else "manager")
        for _k in range(rng.randint(1, 6)):
            number += 1
            amount = Decimal(rng.randrange(300_000, 3_000_000, 50_000))
            Order.objects.create(
                number=f"E-{number}",
                party=party,
                owner=party.owner,
                currency="IRR",
                subtotal=amount,
                total=amount,
                ordered_on=today - dt.timedelta(days=rng.randint(1, 360)),
            )
    run = runs.run_request(actor=users["manager"], data=runs.RunInput(), as_of=today)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
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
    assert {"revenue", "cells", "clv", "alive"} <= set(present)
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
    assert "holdout" not in present and {"revenue", "cells"} <= set(present)
    drawn(page, len(present))
    expect(page.locator("#chart-revenue tbody th").first).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{4}$"))
    expect(page.locator("[data-testid=figure-customers]")).to_have_text(re.compile(r"^[0-9,]+$"))
