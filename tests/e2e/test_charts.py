"""Charts in a real browser: the service analysis page draws every chart (SVG, so its text
is text), in Persian with Persian digits and the value axis on the right, in English with
Latin digits and the value axis on the left, without a console error."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from peyvand.service.models import (
    BusinessCalendar,
    Category,
    Cause,
    SlaEvent,
    SlaPolicy,
    Status,
    Survey,
    Ticket,
)
from peyvand.service.services import tickets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSIAN_NUMBER = re.compile(r"^[۰-۹٬٫]+$")
LATIN_NUMBER = re.compile(r"^[0-9,.]+$")
MONTH_LABEL = re.compile(r"^(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) ")


@pytest.fixture
def desk(make_person, users, team_a):
    """A few tickets of the last weeks, so every chart of the page has something to draw."""
    customer = make_person(first_name="مریم", last_name="احمدی")
    now = timezone.now()
    # Made here, not taken from the seeded ones: a browser test's flush removes those.
    category = Category.objects.get_or_create(name="ارسال")[0]
    cause = Cause.objects.get_or_create(name="تأخیر در ارسال")[0]
    calendar = BusinessCalendar.objects.get_or_create(name="ساعات کاری")[0]
    targets = {"calendar": calendar, "first_response_minutes": 240, "resolution_minutes": 2400}
    policy = SlaPolicy.objects.get_or_create(name="عادی", defaults=targets)[0]
    for i, (channel, kind, status) in enumerate(
        [
            ("phone", "complaint", Status.RESOLVED),
            ("email", "complaint", Status.OPEN),
            ("web", "question", Status.OPEN),
            ("phone", "request", Status.NEW),
        ]
    ):
        ticket = tickets.ticket_open(
            actor=users["admin"],
            data=tickets.TicketInput(
                party=customer, subject=f"مورد {i}", channel=channel, kind=kind, category=category,
                team=team_a, assignee=users["support"] if i % 2 else None,
            ),
        )  # fmt: skip
        opened = now - dt.timedelta(days=20 - 4 * i)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=opened,
            status=status,
            sla_policy=policy,
            cause=cause if kind == "complaint" else None,
            first_responded_at=opened + dt.timedelta(hours=i + 1),
            resolved_at=opened + dt.timedelta(hours=30) if status == Status.RESOLVED else None,
        )
        answered = opened + dt.timedelta(days=2)
        Survey.objects.create(ticket=ticket, kind="csat", score=4 + i % 2, answered_at=answered)
        Survey.objects.create(ticket=ticket, kind="nps", score=6 + i, answered_at=answered)
    SlaEvent.objects.create(ticket=ticket, metric="first_response", kind="breach", due_at=now, at=now)


def axis_numbers(page: Page, key: str, pattern: re.Pattern[str]) -> list[dict[str, float]]:
    """Where the chart's numbers-only labels (its value axis) stand, against the drawing's middle."""
    container = page.locator(f"#chart-{key} [data-chart]")
    expect(container).to_have_attribute("data-chart-drawn", "1")
    box = container.bounding_box()
    assert box is not None
    found = []
    texts = container.locator("svg text")
    for i in range(texts.count()):
        text = texts.nth(i)
        if pattern.match(text.text_content() or ""):
            label = text.bounding_box()
            assert label is not None
            found.append({"x": label["x"] + label["width"] / 2, "middle": box["x"] + box["width"] / 2})
    return found


def test_the_analysis_page_draws_its_charts_right_to_left_in_persian(signed_in, desk):
    page = signed_in("admin", locale="fa-IR")
    page.goto("/tickets/analysis/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    containers = page.locator("[data-chart]")
    expect(containers).to_have_count(12)
    for i in range(containers.count()):
        container = containers.nth(i)
        expect(container).to_have_attribute("data-chart-drawn", "1")
        expect(container.locator("svg").first).to_be_attached()
    for key in ("backlog", "volume", "first_response"):
        numbers = axis_numbers(page, key, PERSIAN_NUMBER)
        assert numbers, f"no Persian digits on the axis of {key}"
        assert all(n["x"] > n["middle"] for n in numbers), f"the value axis of {key} is not on the right"
        assert not axis_numbers(page, key, LATIN_NUMBER)
    # The table beside the chart says the same in Persian digits.
    table = page.locator("#chart-backlog table")
    expect(table.locator("caption")).to_have_text(page.locator("#chart-backlog figcaption").inner_text())
    expect(table.locator("tbody td").first).to_have_text(re.compile(r"^[۰-۹]+$"))
    # Months read from the right: the first month's label stands right of the last one's.
    labels = page.locator("#chart-volume svg text", has_text=MONTH_LABEL)
    first, last = labels.first.bounding_box(), labels.last.bounding_box()
    assert first is not None and last is not None and first["x"] > last["x"]


def test_in_english_the_value_axis_is_on_the_left(signed_in, desk):
    page = signed_in("admin", locale="en-US")
    page.goto("/tickets/analysis/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    numbers = axis_numbers(page, "backlog", LATIN_NUMBER)
    assert numbers and all(n["x"] < n["middle"] for n in numbers)
