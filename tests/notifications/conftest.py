from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def as_user(client: Any, users: dict[str, Any]) -> Any:
    def login(name: str) -> Any:
        client.force_login(users[name])
        return client

    return login
