from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.service.models import Ticket
from peyvand.service.services import tickets

EMAIL, MOBILE = "maryam@example.com", "+989121234567"


@pytest.fixture
def customer(make_person: Callable[..., Party]) -> Party:
    return make_person(
        first_name="مریم",
        last_name="احمدی",
        contacts=[
            {"kind": "email", "value": EMAIL},
            {"kind": "phone", "value": "09121234567", "label": "mobile"},
        ],
    )


@pytest.fixture
def open_ticket(users: dict[str, User], customer: Party) -> Callable[..., Ticket]:
    def make(actor: str = "support", **fields: Any) -> Ticket:
        data = tickets.TicketInput(party=customer, subject=fields.pop("subject", "سفارش نرسیده"), **fields)
        return tickets.ticket_open(actor=users[actor], data=data, description="سفارش ۱۲۳ هنوز نرسیده است.")

    return make


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
