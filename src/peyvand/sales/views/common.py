from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from peyvand.core import policy
from peyvand.core.models import User


def assignable(user: User, model: Any) -> list[User]:
    """Users ``user`` may give a record of ``model`` to."""
    people = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
    )
    return [u for u in people if policy.may_own(user, model, u)]


def show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def back(request: HttpRequest, fallback: str) -> Any:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def sort_columns(current: str, labels: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if current == key else key,
            "mark": "▲" if current == key else ("▼" if current == f"-{key}" else ""),
        }
        for key, label in labels.items()
    ]
