"""First-touch and last-touch attribution on hand-built timelines, at the window's edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.marketing.models import Campaign, Programme, Recipient
from peyvand.marketing.selectors import attribution
from peyvand.marketing.selectors.attribution import Response, Touch, credit
from peyvand.sales.models import Deal, Lead
from peyvand.sales.services import deals, pipelines

T0 = timezone.make_aware(dt.datetime(2026, 2, 1, 10, 0))
A, B = ("campaign", 1), ("campaign", 2)


def day(n: int) -> dt.date:
    return timezone.localdate(T0) + dt.timedelta(days=n)


def test_a_lead_at_the_window_s_last_moment_counts_and_one_after_it_does_not() -> None:
    touches = [Touch(T0, 1, A, 7), Touch(T0 + dt.timedelta(days=3), 2, B, 30)]
    edge = credit(touches, [Response("lead", moment=T0 + dt.timedelta(days=7))])
    assert edge[A].first.leads == 1 and edge[A].last.leads == 0
    assert edge[B].last.leads == 1 and edge[B].first.leads == 0
    after = credit(touches, [Response("lead", moment=T0 + dt.timedelta(days=7, seconds=1))])
    assert set(after) == {B}
    assert (after[B].first.leads, after[B].last.leads) == (1, 1)


def test_a_response_before_any_contact_or_at_its_moment() -> None:
    touches = [Touch(T0, 1, A, 7)]
    assert credit(touches, [Response("deal", moment=T0 - dt.timedelta(seconds=1))]) == {}
    at_once = credit(touches, [Response("deal", moment=T0)])
    assert (at_once[A].first.deals, at_once[A].last.deals) == (1, 1)


def test_an_order_counts_by_its_day_through_the_window_s_last_day() -> None:
    touches = [Touch(T0, 1, A, 7), Touch(T0 + dt.timedelta(days=2), 2, B, 10)]
    last_day = credit(touches, [Response("order", day=day(7), revenue=Decimal(500))])
    assert last_day[A].first.orders == 1 and last_day[A].first.revenue == Decimal(500)
    assert last_day[B].last.orders == 1 and last_day[B].last.revenue == Decimal(500)
    day_after = credit(touches, [Response("order", day=day(8), revenue=Decimal(500))])
    assert set(day_after) == {B}
    # The contact's own day counts; the day before it does not.
    assert credit(touches, [Response("order", day=day(0))])[A].last.orders == 1
    assert credit(touches, [Response("order", day=day(-1))]) == {}


def test_ties_go_by_the_order_contacts_were_queued_in() -> None:
    touches = [Touch(T0, 9, B, 7), Touch(T0, 3, A, 7)]
    found = credit(touches, [Response("lead", moment=T0 + dt.timedelta(hours=1))])
    assert found[A].first.leads == 1 and found[B].last.leads == 1


@pytest.mark.django_db
def test_a_campaign_s_figures_and_the_comparison(
    users: dict[str, User],
    town: dict[str, Party],
    make_order: Callable[..., Any],
    as_user: Callable[[str], Client],
) -> None:
    def campaign(name: str, days: int, programme: Programme | None = None) -> Campaign:
        return Campaign.objects.create(
            name=name,
            currency="IRR",
            owner=users["marketing"],
            attribution_days=days,
            status="sent",
            started_at=T0,
            programme=programme,
        )

    def sent(to: Campaign, party: Party, at: dt.datetime) -> None:
        Recipient.objects.create(campaign=to, party=party, state="queued", queued_at=at)

    spring = campaign("حراج بهاره", 7)
    drip = Programme.objects.create(name="سری خوشامد", owner=users["marketing"])
    step = campaign("سری خوشامد، گام ۱", 30, programme=drip)
    maryam, john = town["maryam"], town["john"]
    sent(spring, maryam, T0)
    sent(step, maryam, T0 + dt.timedelta(days=2))
    sent(spring, john, T0)
    # Maryam: a lead on the spring window's last moment (first: spring, last: the programme)
    # and an order on day 9 (the programme only). John: an order a day after the window.
    lead = Lead.objects.create(first_name="مریم", last_name="احمدی", phone="+989121234567", party=maryam)
    Lead.objects.filter(pk=lead.pk).update(created_at=T0 + dt.timedelta(days=7))
    make_order(maryam, day(9), "2000000")
    make_order(john, day(8), "5000000")
    pipelines.pipeline_ensure_default()
    deal = deals.deal_create(
        actor=users["admin"], data={"title": "قرارداد", "party": maryam, "owner": users["sales"]}
    )
    Deal.objects.filter(pk=deal.pk).update(created_at=T0 + dt.timedelta(days=1))
    figures = attribution.campaign_attribution(campaign=spring)
    assert figures is not None
    mine, unconverted = figures
    assert (mine.first.leads, mine.first.deals, mine.first.orders) == (1, 1, 0)
    assert (mine.last.leads, mine.last.deals, mine.last.orders) == (0, 1, 0)
    assert unconverted == []
    rows, _unconverted = attribution.comparison(
        user=users["marketing"], since=T0 - dt.timedelta(days=1), until=T0 + dt.timedelta(days=60)
    )
    by_name = {row.name: row.attribution for row in rows}
    assert set(by_name) == {"حراج بهاره", "سری خوشامد"}
    assert by_name["سری خوشامد"].last.orders == 1 and by_name["سری خوشامد"].last.revenue == Decimal(2000000)
    assert by_name["سری خوشامد"].first.orders == 1 and by_name["سری خوشامد"].last.leads == 1
    # The analysis page shows the comparison in a table, in Persian digits.
    page = as_user("marketing").get(
        "/marketing/attribution/", {"date_from": "1404-11-01", "date_to": "1405-01-20"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "سری خوشامد" in body and "حراج بهاره" in body
