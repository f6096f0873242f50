"""Small things the pages of every app share."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` (never anonymous there)."""
    return cast(User, request.user)


def show_errors(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal, as messages at the top of the next page."""
    for message in error.messages:
        messages.error(request, message)


def sort_columns(current: str, labels: dict[str, Any]) -> list[dict[str, Any]]:
    """A list's sortable columns: each one's label, the sort its link asks for, its arrow."""
    return [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if current == key else key,
            "mark": "▲" if current == key else ("▼" if current == f"-{key}" else ""),
        }
        for key, label in labels.items()
    ]
