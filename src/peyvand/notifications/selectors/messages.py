"""Conversations and threads of the messenger."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..models import Conversation, Message

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
