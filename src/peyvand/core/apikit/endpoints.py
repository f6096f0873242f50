"""Small helpers endpoints share: the acting user, policy-checked lookups, pages.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _
from ninja import Schema

from .. import policy
from ..models import User
from ..pagination import Page
from .errors import field_error
from .schemas import PageOut

M = TypeVar("M", bound=models.Model)
F = TypeVar("F", bound=Callable[..., Any])


# --- helpers for endpoints ----------------------------------------------------------------


def typed(func: F, **annotations: Any) -> F:
    """Give an endpoint shared by several resources the schemas of one of them.

    django-ninja reads a body's schema from the annotation, so a factory that registers
    one function per resource sets it here rather than repeating the function.
    """
    func.__annotations__ = {**func.__annotations__, **annotations}
    return func


def visible_or_404(user: User, queryset: models.QuerySet[M], pk: int) -> M:
    """The record ``user`` may see, through the policy; 404 as if it did not exist otherwise."""
    return policy.get_visible(user, queryset, pk)


def resolve_user(pk: int | None, field: str) -> User | None:
    """The active user a body refers to by id (an owner, a handler), or a field error."""
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise field_error(field, _("Choose an active user."))
    return user


def page_of(schema: type[Schema]) -> Any:
    """``PageOut[schema]`` for a schema chosen at run time (by a factory)."""
    return PageOut[schema]  # type: ignore[valid-type]


def page_out(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


def reject_unknown(values: Sequence[str], allowed: Iterable[str], field: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise field_error(field, _("Unknown values: %(values)s.") % {"values": ", ".join(unknown)})
