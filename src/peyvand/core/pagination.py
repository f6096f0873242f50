"""Keyset (cursor) pagination and capped counts, for lists that stay fast at millions of rows.

A cursor carries the sort values of the row it starts after (or before), never an offset,
so page 10,000 costs what page 1 does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

COUNT_CAP = 10_000


class InvalidCursor(ValueError):
    pass


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _encode(direction: str, values: list[Any]) -> str:
    raw = json.dumps([direction, values], separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, fields: list[models.Field]) -> tuple[str, list[Any]]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, raw_values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if direction not in ("n", "p") or len(raw_values) != len(fields):
            raise ValueError
        values = [_cursor_value(f, v) for f, v in zip(fields, raw_values, strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError, ValidationError):
        raise InvalidCursor(_("The page link is invalid or out of date.")) from None
    return direction, values


def _cursor_value(field: models.Field, raw: Any) -> Any:
    """A sort value read back from a cursor, refused unless the database could compare it."""
    if raw is None:
        return None
    value = field.to_python(raw)
    field.run_validators(value)  # e.g. an id beyond the column's range
    if isinstance(value, str) and "\x00" in value:
        raise ValueError  # PostgreSQL refuses NUL in text
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value.astimezone(dt.UTC)  # OverflowError near year 1 or 9999, else later in the driver
    return value


def _after(order: list[str], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after ``values`` in ``order`` (or before, going back).

    (a, b) > (x, y) is written as a > x OR (a = x AND b > y), which both engines turn
    into an index range scan. Sort values are never NULL here: callers order by non-null
    columns and the primary key last.
    """
    condition = Q()
    for depth in range(len(order) - 1, -1, -1):
        name = order[depth].lstrip("-")
        descending = order[depth].startswith("-") == forward
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[depth]})
        condition = step if depth == len(order) - 1 else step | (Q(**{name: values[depth]}) & condition)
    return condition


def _sort_field(queryset: models.QuerySet[Any], name: str) -> tuple[str, models.Field]:
    """The attribute a row carries its sort value in, and the field that reads a cursor's value."""
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return name, annotation.output_field
    field = queryset.model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"cannot page {queryset.model.__name__} by the relation {name}")
    return field.attname, field


def keyset_page(queryset: models.QuerySet[M], *, order: list[str], cursor: str | None, limit: int) -> Page[M]:
    """One page of ``queryset`` in ``order``, which must end with a unique column."""
    sorts = [_sort_field(queryset, name.lstrip("-")) for name in order]
    direction, values = _decode(cursor, [field for _attr, field in sorts]) if cursor else ("n", None)
    forward = direction == "n"
    ordering = order if forward else [o[1:] if o.startswith("-") else f"-{o}" for o in order]
    if values is not None:
        queryset = queryset.filter(_after(order, values, forward=forward))
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()

    def key(row: M) -> list[Any]:
        return [getattr(row, attr) for attr, _field in sorts]

    page: Page[M] = Page(items=rows)
    if rows:
        has_next = more if forward else True
        has_previous = values is not None if forward else more
        page.next_cursor = _encode("n", key(rows[-1])) if has_next else None
        page.previous_cursor = _encode("p", key(rows[0])) if has_previous else None
    elif values is not None and not forward:
        page.next_cursor = None
    return page


def capped_count(
    queryset: models.QuerySet, cap: int = COUNT_CAP, *, along: list[str] | None = None
) -> tuple[int, bool]:
    """How many rows, counting no further than ``cap``: (count, whether there are more).

    ``along`` counts in that order, so the engine walks the index the list's page walked.
    Without it a planner that takes a filter for unselective (a stage every row but a few
    has, as after an import) may scan the whole table to count the few.
    """
    ordered = queryset.order_by(*along) if along else queryset.order_by()
    count = ordered[: cap + 1].count()
    return min(count, cap), count > cap
