from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from peyvand.analytics.models import Run
from peyvand.analytics.services import runs
from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.sales.models import Order, OrderLine

TODAY = dt.date(2025, 6, 30)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def snapshot_file(settings: Any, tmp_path: Any) -> Any:
    """Each test its own DuckDB file."""
    settings.PEYVAND_ANALYTICS_DB = tmp_path / "snapshot.duckdb"
    return settings.PEYVAND_ANALYTICS_DB


@pytest.fixture
def buy() -> Callable[..., Order]:
    """``buy(party, day, amount)``: an order of one line, as the sales app keeps it."""

    def make(party: Party, day: dt.date, amount: float | int, **fields: Any) -> Order:
        value = Decimal(str(amount))
        order = Order.objects.create(
            number=f"T-{next(_numbers):06d}",
            party=party,
            owner=party.owner,
            ordered_on=day,
            currency=fields.pop("currency", "IRR"),
            subtotal=value + Decimal(str(fields.get("discount_total", 0))),
            total=value,
            **fields,
        )
        OrderLine.objects.create(
            order=order, description="کالا", quantity=1, unit_price=order.subtotal, net=value, total=value
        )
        return order

    return make


@pytest.fixture
def analyse(django_capture_on_commit_callbacks: Any) -> Callable[..., Run]:
    """Run the analysis as the worker would (Huey runs the job at once in the tests)."""

    def run(actor: User | None = None, as_of: dt.date = TODAY, **data: Any) -> Run:
        with django_capture_on_commit_callbacks(execute=True):
            made = runs.run_request(actor=actor, data=runs.RunInput(**data), as_of=as_of)
        made.refresh_from_db()
        return made

    return run


@pytest.fixture
def as_user(users: dict[str, User]) -> Callable[[str], Client]:
    def login(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return login


@pytest.fixture
def api_as(users: dict[str, User]) -> Callable[[str], Any]:
    from peyvand.core.services.tokens import api_token_create
    from tests.api.conftest import ApiClient

    def make(name: str) -> ApiClient:
        _token, key = api_token_create(user=users[name], name="tests")
        return ApiClient(key)

    return make
