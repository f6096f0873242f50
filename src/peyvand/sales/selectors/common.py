from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id


def get_visible(user: Any, queryset: models.QuerySet, pk: Any) -> Any:
    """The record ``user`` may see, or 404 exactly as if it did not exist."""
    if not is_id(pk):
        raise Http404
    obj = policy.visible(user, queryset).filter(pk=int(str(pk))).first()
    if obj is None:
        raise Http404
    return obj


def choice_id(value: Any) -> int | None:
    """A filter's id as typed in a query string, or None when it is not one."""
    text = str(value or "")
    return int(text) if is_id(text) and text else None
