"""Custom roles go through the one permission policy: pages and the API of the demo company
answer a custom role's user by that role's own row of the matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from peyvand.core import policy
from peyvand.core.models import CustomRole, Role, Scope, User
from peyvand.core.services.tokens import api_token_create
from peyvand.core.services.users import user_update
from peyvand.demo.load import load_demo
from peyvand.sales.models import Deal, Invoice

ANCHOR = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(size="small", anchor=ANCHOR)
        yield {
            "admin": User.objects.create(username="roles.admin", role=Role.ADMIN),
            "sales": User.objects.get(username="sara.ahmadi"),
        }
        transaction.set_rollback(True)


def _copy_of_sales(admin: User, name: str, cells: dict[str, str]) -> CustomRole:
    """A copy of Sales made on the roles page, its cells changed on the permissions page."""
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("roles"), {"source": Role.SALES, "name_fa": f"{name} فا", "name_en": name})
    assert response.status_code == 302
    role = CustomRole.objects.get(name_en=name)
    key = policy.custom_role_key(role.pk)
    response = client.post(reverse("permissions"), {f"{key}.{cell}": value for cell, value in cells.items()})
    assert response.status_code == 302
    return role


def _give(admin: User, user: User, role: CustomRole) -> User:
    user_update(user=user, actor=admin, role=policy.custom_role_key(role.pk))
    return User.objects.get(pk=user.pk)  # a fresh object: the policy caches its scopes on it


def test_a_copy_of_sales_changing_its_teams_deals_reaches_a_teammates_deal(demo: Any, db: Any) -> None:
    seller = demo["sales"]
    deal = Deal.objects.filter(owner__team=seller.team).exclude(owner=seller).order_by("pk").first()
    assert deal is not None
    client = Client()
    client.force_login(seller)
    edit = reverse("sales:deal_edit", kwargs={"pk": deal.pk})
    assert client.get(edit).status_code in (403, 404)  # built-in Sales changes its own deals only

    role = _copy_of_sales(demo["admin"], "Team closer", {"deal.change": Scope.TEAM})
    seller = _give(demo["admin"], seller, role)
    assert (seller.role, seller.custom_role_id) == (Role.SALES, role.pk)
    assert policy.can_change(seller, deal)
    client.force_login(seller)
    assert client.get(edit).status_code == 200
    outsider = Deal.objects.exclude(owner__team=seller.team).exclude(owner__isnull=True).first()
    assert outsider is not None and not policy.can_change(seller, outsider)


def test_a_copy_of_sales_that_sees_no_deals_sees_no_invoice_by_page_or_api(demo: Any, db: Any) -> None:
    seller = demo["sales"]
    invoice = policy.visible(seller, Invoice.objects.all()).order_by("pk").first()
    assert invoice is not None  # built-in Sales sees its team's invoices

    role = _copy_of_sales(demo["admin"], "No sales", {"deal.view": Scope.NONE, "deal.change": Scope.NONE})
    seller = _give(demo["admin"], seller, role)
    assert not policy.visible(seller, Invoice.objects.all()).exists()
    client = Client()
    client.force_login(seller)
    listed = client.get(reverse("sales:invoice_list"), headers={"Accept-Language": "en"})
    assert listed.status_code in (200, 403)
    detail_url = reverse("sales:invoice_detail", kwargs={"pk": invoice.pk})
    assert detail_url not in listed.content.decode()
    detail = client.get(detail_url)
    assert detail.status_code in (403, 404)

    _token, key = api_token_create(user=seller, name="tests")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/invoices").json()["items"] == []
    assert api.get(f"/api/v1/invoices/{invoice.pk}").status_code == 404
