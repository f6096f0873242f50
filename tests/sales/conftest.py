"""Sales fixtures: the default pipeline, a small catalogue, and deals made through the services."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from peyvand.core.models import User
from peyvand.customers.models import ContactPoint, Party
from peyvand.sales.models import Deal, Outcome, Pipeline, PriceList, Product, Stage
from peyvand.sales.services import catalogue, deals, pipelines
from tests.api.conftest import api, api_as  # noqa: F401 - fixtures shared with the API tests


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return pipelines.pipeline_ensure_default()


@pytest.fixture
def stages(pipeline: Pipeline) -> dict[str, Stage]:
    """The default stages by role (their names are in the language they were made in)."""
    keys = ("new", "qualified", "proposal", "negotiation", "won", "lost")
    return dict(zip(keys, pipeline.stages.order_by("order"), strict=True))


@pytest.fixture
def price_list(users: dict[str, User]) -> PriceList:
    return catalogue.price_list_create(actor=users["admin"], name="Standard", currency="IRR", is_default=True)


@pytest.fixture
def products(users: dict[str, User], price_list: PriceList) -> dict[str, Product]:
    """Three products priced in Rial: a licence, support hours and training."""
    specs = {
        "crm": ("CRM-1", "مجوز نرم‌افزار", "Software licence", "licence", "10", "12500000"),
        "support": ("SUP-1", "پشتیبانی", "Support hour", "hour", "10", "800000"),
        "training": ("TRN-1", "آموزش", "Training day", "day", "0", "5000000"),
    }
    made = {}
    for key, (sku, fa, en, unit, tax, price) in specs.items():
        made[key] = catalogue.product_create(
            actor=users["admin"],
            data={"sku": sku, "name_fa": fa, "name_en": en, "unit": unit, "tax_rate": tax},
            prices={price_list: price},
        )
    return made


@pytest.fixture
def make_deal(
    users: dict[str, User], pipeline: Pipeline, make_org: Callable[..., Party]
) -> Callable[..., Deal]:
    def make(owner: str | User = "sales", party: Party | None = None, **data: Any) -> Deal:
        owner_user = users[owner] if isinstance(owner, str) else owner
        party = party or make_org(owner=owner_user)
        values = {
            "title": "فروش سامانه",
            "party": party,
            "owner": owner_user,
            "amount": Decimal("1000000"),
            **data,
        }
        return deals.deal_create(actor=users["admin"], data=values)

    return make


@pytest.fixture
def customer_with_email(make_org: Callable[..., Party]) -> Party:
    return make_org(
        name="شرکت آسمان آبی",
        contacts=[{"kind": ContactPoint.Kind.EMAIL, "value": "info@aseman.example", "is_primary": True}],
    )


def stage_of(pipeline: Pipeline, outcome: str) -> Stage:
    return pipeline.stages.filter(outcome=outcome).order_by("order").first()  # type: ignore[return-value]


__all__ = ["Outcome", "stage_of"]
