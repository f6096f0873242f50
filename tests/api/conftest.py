"""API test helpers: a JSON client that signs in with a personal token, and error checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from peyvand.core.models import User
from peyvand.core.services.tokens import api_token_create

BASE = "/api/v1"


class ApiClient:
    """Sends JSON to /api/v1 with a bearer token (or none) and returns Django's response."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        # English unless a test asks otherwise: assertions on messages must not depend on
        # which translations exist (the default language is Persian).
        self.headers: dict[str, str] = {"Accept-Language": "en"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        return {**self.headers, **(extra or {})}

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        return self.client.get(BASE + path, params or {}, headers=self._headers(headers))

    def send(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        raw: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        call = getattr(self.client, method)
        return call(BASE + path, body, content_type="application/json", headers=self._headers(headers))

    def post(self, path: str, data: Any = None, **kwargs: Any) -> HttpResponse:
        return self.send("post", path, data, **kwargs)

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> HttpResponse:
        return self.send("patch", path, data, **kwargs)

    def put(self, path: str, data: Any = None, **kwargs: Any) -> HttpResponse:
        return self.send("put", path, data, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.send("delete", path, None, **kwargs)


@pytest.fixture
def api_as(users: dict[str, User]) -> Callable[[str | User], ApiClient]:
    """``api_as("sales")``: a client acting with a fresh token of that user."""

    def make(who: str | User) -> ApiClient:
        user = users[who] if isinstance(who, str) else who
        _token, key = api_token_create(user=user, name="tests")
        return ApiClient(key)

    return make


@pytest.fixture
def api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    """An administrator's client."""
    return api_as("admin")


def assert_error(response: HttpResponse, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """The response is the API's JSON error with this status and code (and field at fault)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["fields"], list)
    for item in error["fields"]:
        assert set(item) == {"field", "message"} and item["message"].strip(), item
    if field is not None:
        assert field in [item["field"] for item in error["fields"]], error
    return error


def ids(response: HttpResponse) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [item["id"] for item in response.json()["items"]]
