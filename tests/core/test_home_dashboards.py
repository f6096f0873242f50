"""The home page by role: each app's cards (through core's home panels) show what the
reader works from, counted through the permission policy, in Persian and English, with a
chart and its table; the page's queries stay bounded whatever the amount of data."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.activities.models import Activity
from peyvand.activities.models import Status as ActivityStatus
from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.marketing.models import Campaign
from peyvand.marketing.models import Status as CampaignStatus
from peyvand.sales.models import Deal, Outcome, SalesTarget
from peyvand.sales.periods import month_start
from peyvand.sales.services import pipelines
from peyvand.service.models import Priority, Status, Ticket

_numbers = itertools.count(1)
ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly")
# Which cards each role's home page has (with data for every card).
CARDS = {
    "admin": {"pipeline", "target", "day", "tickets", "campaigns", "executive"},
    "manager": {"pipeline", "target", "tickets", "executive"},
    "sales": {"pipeline", "target", "day"},
    "support": {"tickets"},
    "marketing": {"campaigns"},
    "readonly": set(),
}
MARKERS = {
    "pipeline": 'data-testid="home-pipeline"',
    "target": 'data-testid="home-target"',
    "day": 'data-testid="home-day"',
    "tickets": 'data-testid="home-tickets"',
    "campaigns": 'data-testid="home-campaigns"',
    "executive": 'data-testid="home-executive"',
}


def page(users: dict[str, User], name: str, language: str = "fa") -> str:
    user = users[name]
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def world(users: dict[str, User], make_org: Any) -> Any:
    """``world(n)``: n of everything each card counts, for each of its readers."""
    pipeline = pipelines.pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    now = timezone.now()

    def make(n: int = 1) -> dict[str, Party]:
        parties = {
            name: make_org(name=f"شرکت {name}", owner=name) for name in ("sales", "sales2", "outsider")
        }
        for owner, i in itertools.product(("sales", "sales2", "outsider"), range(n)):
            Deal.objects.create(
                title=f"فرصت {i}",
                party=parties[owner],
                pipeline=pipeline,
                stage=stages[i % 3],
                status=Outcome.OPEN,
                currency="IRR",
                amount=Decimal(1_000_000),
                amount_base=Decimal(1_000_000),
                expected_close=dt.date.today(),
                owner=users[owner],
                stage_entered_at=now,
            )
            Deal.objects.create(
                title=f"برده {i}",
                party=parties[owner],
                pipeline=pipeline,
                stage=stages[-2],
                status=Outcome.WON,
                currency="IRR",
                amount=Decimal(2_000_000),
                amount_base=Decimal(2_000_000),
                expected_close=dt.date.today(),
                owner=users[owner],
                closed_at=now,
                stage_entered_at=now,
            )
        for i in range(n):
            for assignee in ("sales", "admin"):
                Activity.objects.create(
                    title=f"تماس {i}",
                    party=parties["sales"],
                    due_at=now - dt.timedelta(hours=1 + i),
                    assignee=users[assignee],
                    status=ActivityStatus.OPEN,
                )
            for assignee, breach in (("support", True), ("support", False), ("outsider", True)):
                Ticket.objects.create(
                    number=f"T-{next(_numbers)}",
                    party=parties["sales"],
                    subject="مشکل ورود",
                    priority=Priority.URGENT if breach else Priority.NORMAL,
                    status=Status.OPEN,
                    assignee=users[assignee],
                    team=users[assignee].team,
                    first_response_due=now - dt.timedelta(hours=1) if breach else now + dt.timedelta(hours=2),
                )
            Campaign.objects.create(
                name=f"کمپین {i}",
                status=CampaignStatus.SENDING,
                owner=users["marketing"],
                total=200,
                processed=50,
                started_at=now,
            )
        month = month_start(timezone.localdate())
        SalesTarget.objects.get_or_create(month=month, owner=users["sales"], defaults={"amount": 10_000_000})
        for who, amount in (("manager", 30_000_000), ("outsider", 5_000_000)):
            SalesTarget.objects.get_or_create(
                month=month, team=users[who].team, owner=None, defaults={"amount": amount}
            )
        return parties

    return make


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_cards(users, world, role):
    world(2)
    html = page(users, role)
    shown = {card for card, marker in MARKERS.items() if marker in html}
    assert shown == CARDS[role]


def test_a_salesperson_counts_only_their_own(users, world):
    world(3)
    html = page(users, "sales")
    assert 'data-testid="home-pipeline-count">۳<' in html  # three of the nine open deals
    assert 'data-testid="home-target-percent">۶۰٪' in html  # 6,000,000 won of 10,000,000
    assert 'data-testid="home-day-overdue">۳<' in html  # their own three, not the admin's
    assert "chart-home-pipeline-data" in html and "vendor/echarts/echarts.min.js" in html


def test_a_manager_counts_their_team_and_an_administrator_everything(users, world):
    world(2)
    manager = page(users, "manager")
    assert 'data-testid="home-pipeline-count">۴<' in manager  # sales and sales2, not team B
    assert 'data-testid="home-tickets-open">۴<' in manager  # their team's, not the outsider's
    assert 'data-testid="home-tickets-breached">۲<' in manager
    admin = page(users, "admin")
    assert 'data-testid="home-pipeline-count">۶<' in admin
    assert 'data-testid="home-tickets-open">۶<' in admin
    assert 'data-testid="home-setup"' in admin


def test_support_sees_breached_and_due_soon_tickets(users, world):
    world(2)
    html = page(users, "support", "en")
    assert 'data-testid="home-tickets-open">4<' in html
    assert 'data-testid="home-tickets-breached">2<' in html
    assert 'data-testid="home-tickets-due-soon">2<' in html
    assert "My tickets" in html and "Open tickets by status and priority" in html
    assert 'lang="en"' in html and 'dir="ltr"' in html


def test_english_and_persian(users, world):
    world(1)
    persian = page(users, "sales")
    assert 'lang="fa" dir="rtl"' in persian
    assert 'data-testid="home-pipeline-count">۱<' in persian and '"locale": "fa-IR"' in persian
    english = page(users, "sales", "en")
    assert "My pipeline" in english and "My day" in english and "My target" in english
    assert 'data-testid="home-pipeline-count">1<' in english and '"locale": "en-US"' in english
    assert 'data-testid="home-target-percent">20%' in english


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_queries_stay_bounded(users, world, role, django_assert_max_num_queries):
    world(1)
    page(users, role)  # the first reads the settings once
    user = users[role]
    client = Client()
    client.force_login(user)
    with django_assert_max_num_queries(40) as small:
        assert client.get("/").status_code == 200
    world(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/").status_code == 200


def test_the_executive_dashboard_is_linked_for_managers(users, world):
    world(1)
    html = page(users, "manager", "en")
    assert "/analytics/" in html and "Executive dashboard" in html
