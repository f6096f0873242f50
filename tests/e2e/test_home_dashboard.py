"""The home dashboard in a real browser: a salesperson signs in and finds their pipeline,
target and day drawn as charts beside their tables, right to left with Persian digits in
Persian and left to right with Latin digits in English, without a console error."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.activities.models import Activity
from peyvand.sales.models import Deal, Outcome, SalesTarget
from peyvand.sales.periods import month_start
from peyvand.sales.services import pipelines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ("home-pipeline", "home-target", "home-day")


@pytest.fixture
def pipeline_of_sales(users, make_org):
    pipeline = pipelines.pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    customer = make_org(name="شرکت آسمان", owner="sales")
    now = timezone.now()
    for i, (stage, status) in enumerate(
        [(0, Outcome.OPEN), (1, Outcome.OPEN), (2, Outcome.OPEN), (-2, Outcome.WON)]
    ):
        Deal.objects.create(
            title=f"فرصت {i}",
            party=customer,
            pipeline=pipeline,
            stage=stages[stage],
            status=status,
            currency="IRR",
            amount=Decimal(1_200_000 * (i + 1)),
            amount_base=Decimal(1_200_000 * (i + 1)),
            expected_close=timezone.localdate(),
            owner=users["sales"],
            closed_at=now if status == Outcome.WON else None,
            stage_entered_at=now,
        )
    SalesTarget.objects.create(
        month=month_start(timezone.localdate()), owner=users["sales"], amount=Decimal(10_000_000)
    )
    Activity.objects.create(
        title="تماس با آسمان", party=customer, due_at=now - dt.timedelta(hours=2), assignee=users["sales"]
    )


def test_a_salesperson_reads_their_dashboard_in_persian_and_english(signed_in, pipeline_of_sales):
    page = signed_in("sales", locale="fa-IR")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    for key in CHARTS:
        expect(page.locator(f"#chart-{key} [data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(page.get_by_test_id("home-pipeline-count")).to_have_text("۳")
    # The table beside the pipeline's chart: a row per stage, the figures in Persian digits.
    rows = page.locator("#chart-home-pipeline tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^[۰-۹٬]+$"))
    expect(page.get_by_test_id("home-target-percent")).to_contain_text("۴۸٪")  # 4,800,000 of 10,000,000
    expect(page.get_by_test_id("home-day-overdue")).to_have_text("۱")
    page.get_by_test_id("home-day-list").get_by_role("link", name="تماس با آسمان").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+/$"))

    page = signed_in("sales", locale="en-US")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", name="My pipeline")).to_be_visible()
    expect(page.locator("#chart-home-pipeline [data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(page.locator("#chart-home-pipeline tbody tr").first.locator("td").first).to_have_text(
        re.compile(r"^[0-9,]+$")
    )
    expect(page.get_by_test_id("home-target-percent")).to_contain_text("48%")
