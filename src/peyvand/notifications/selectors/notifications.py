"""The bell, the notification list, a ringing call, preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404
from django.utils import timezone

from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..kinds import kind_of, notification_text
from ..models import Notification, NotificationPreference
from ..reminders import DEFAULT_REMINDERS

BELL_LIMIT = 8
COUNT_CAP = 99


def _dress(notifications: Iterable[Notification]) -> list[Notification]:
    """Give each notification its text and icon for the templates."""
    items = list(notifications)
    for item in items:
        kind = kind_of(item.kind)
        item.text = notification_text(item)  # type: ignore[attr-defined]
        item.icon = kind.icon  # type: ignore[attr-defined]
        item.label = kind.label  # type: ignore[attr-defined]
    return items


def unread_count(*, user: User) -> int:
    """Unread notifications, counted no further than 100 (the bell shows 99+)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread.order_by()[: COUNT_CAP + 1].count()


def bell(*, user: User) -> list[Notification]:
    latest = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:BELL_LIMIT]
    return _dress(latest)


def ringing(*, user: User, seconds: int = 90) -> Notification | None:
    """An incoming call the user has not looked at yet, for the screen-pop."""
    since = timezone.now() - dt.timedelta(seconds=seconds)
    call = (
        Notification.objects.filter(recipient=user, kind="call", read_at__isnull=True, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )
    return _dress([call])[0] if call else None


SORTS = {"new": ["-created_at", "-id"], "old": ["created_at", "id"]}


def notification_list(
    *, user: User, filters: Mapping[str, Any], cursor: str | None = None, limit: int = 30
) -> Page[Notification]:
    queryset = Notification.objects.filter(recipient=user).select_related("actor")
    if filters.get("unread"):
        queryset = queryset.filter(read_at__isnull=True)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    page = keyset_page(
        queryset, order=SORTS.get(filters.get("sort") or "new", SORTS["new"]), cursor=cursor, limit=limit
    )
    page.items = _dress(page.items)
    return page


def notification_get(*, user: User, pk: Any) -> Notification:
    if not is_id(pk):
        raise Http404
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def preference_for(*, user: User) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user, default_reminders=list(DEFAULT_REMINDERS))


def default_reminders(*, user: User) -> list[int]:
    return list(preference_for(user=user).default_reminders)
