from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from peyvand.activities import services
from peyvand.activities.models import Activity
from peyvand.core.models import User
from tests.sales.conftest import (  # noqa: F401 - the sales fixtures deals and quotes need
    customer_with_email,
    make_deal,
    pipeline,
    price_list,
    products,
    stages,
)


@pytest.fixture
def make_activity(users: dict[str, User]) -> Callable[..., Activity]:
    """``make_activity("sales", due_in=dt.timedelta(hours=2), party=..., reminders=[15])``."""

    def make(
        assignee: str | User = "sales",
        *,
        due_in: dt.timedelta = dt.timedelta(hours=2),
        reminders: list[int] | None = None,
        actor: str | User | None = None,
        **data: Any,
    ) -> Activity:
        who = users[assignee] if isinstance(assignee, str) else assignee
        by = users[actor] if isinstance(actor, str) else (actor or users["admin"])
        fields = {
            "title": "تماس پیگیری",
            "kind": "call",
            "due_at": timezone.now() + due_in,
            "assignee": who,
            **data,
        }
        return services.activities.activity_create(actor=by, data=fields, reminders=reminders or [])

    return make


@pytest.fixture
def as_user(client: Any, users: dict[str, User]) -> Callable[[str], Any]:
    def login(name: str) -> Any:
        client.force_login(users[name])
        return client

    return login
