"""Reads for the bell, the notification list and the messenger.

Notifications and messages are addressed, not owned: each user reads only their own, so
these filter by recipient rather than through the permission policy's team scopes (a
manager does not read the team's mail). What they link to is checked by the policy when
it is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from .kinds import kind_of
from .models import Conversation, Message, Notification, NotificationPreference
from .services import DEFAULT_REMINDERS, notification_text

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


# --- the messenger ------------------------------------------------------------------------


def conversation_list(*, user: User, cursor: str | None = None, limit: int = 30) -> Page[Conversation]:
    queryset = Conversation.objects.filter(Q(user_low=user) | Q(user_high=user))
    page = keyset_page(queryset, order=["-last_message_at", "-id"], cursor=cursor, limit=limit)
    others = {c.other(user.pk) for c in page.items}
    users = User.objects.in_bulk(others)
    unread = dict(
        Message.objects.filter(conversation__in=page.items, recipient=user, read_at__isnull=True)
        .values_list("conversation_id")
        .annotate(n=Count("id"))
        .values_list("conversation_id", "n")
    )
    for conversation in page.items:
        conversation.other_user = users.get(conversation.other(user.pk))  # type: ignore[attr-defined]
        conversation.unread = unread.get(conversation.pk, 0)  # type: ignore[attr-defined]
    return page


def thread(*, user: User, other: User, cursor: str | None = None, limit: int = 50) -> Page[Message]:
    """A page of the conversation, newest first (the template shows it oldest first)."""
    low, high = sorted((user.pk, other.pk))
    queryset = Message.objects.filter(conversation__user_low_id=low, conversation__user_high_id=high)
    return keyset_page(
        queryset.select_related("sender"), order=["-created_at", "-id"], cursor=cursor, limit=limit
    )


def message_partner(*, user: User, pk: Any) -> User:
    """Someone to write to: any active user but oneself."""
    if not is_id(pk):
        raise Http404
    other = User.objects.filter(pk=pk, is_active=True).exclude(pk=user.pk).first()
    if other is None:
        raise Http404
    return other


def message_partners(*, user: User) -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )


def unread_messages(*, user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).order_by()[: COUNT_CAP + 1].count()
