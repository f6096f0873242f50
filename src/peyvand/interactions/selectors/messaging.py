"""Message templates and the outbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..models import Interaction, MessageTemplate, OutboundMessage

# --- the outbox, templates, attachments, extensions ---------------------------------------


def templates_for(*, user: User, channel: str = "") -> QuerySet[MessageTemplate]:
    """Templates are shared: everyone who may write to customers may use all of them."""
    if not policy.can_create(user, Interaction):
        return MessageTemplate.objects.none()
    queryset = MessageTemplate.objects.all()
    return queryset.filter(channel=channel) if channel else queryset


TEMPLATE_SORTS = {"name": ["name", "id"], "new": ["-created_at", "-id"]}


def template_list(
    *, user: User, filters: dict[str, str], cursor: str | None = None, limit: int = 50
) -> Page[MessageTemplate]:
    channel = filters.get("channel", "")
    queryset = templates_for(user=user, channel=channel if channel in MessageTemplate.Kind.values else "")
    if filters.get("language") in ("fa", "en"):
        queryset = queryset.filter(language=filters["language"])
    order = TEMPLATE_SORTS.get(filters.get("sort") or "name", TEMPLATE_SORTS["name"])
    return keyset_page(queryset.select_related("created_by"), order=order, cursor=cursor, limit=limit)


def template_get(*, user: User, pk: Any) -> MessageTemplate:
    if not is_id(pk):
        raise Http404
    template = templates_for(user=user).filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


OUTBOX_SORTS = {"new": ["-created_at", "-id"], "old": ["created_at", "id"]}


# What the outbox shows: messages to customers, and to addresses that are no customer's yet
# (a lead greeted by an automation rule); not the notifications to our own users.
SENT_OUT = Q(party__isnull=False) | (Q(recipient_user__isnull=True) & ~Q(purpose="notification"))


def outbox_list(
    *, user: User, filters: dict[str, str], cursor: str | None = None, limit: int = 50
) -> Page[OutboundMessage]:
    """Customers' emails and SMS the user may see (notifications to users stay private)."""
    queryset = policy.visible(user, OutboundMessage.objects.filter(SENT_OUT))
    if filters.get("status") in OutboundMessage.Status.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("channel") in OutboundMessage.Kind.values:
        queryset = queryset.filter(channel=filters["channel"])
    if is_id(filters.get("party", "")):
        queryset = queryset.filter(party_id=int(filters["party"]))
    order = OUTBOX_SORTS.get(filters.get("sort") or "new", OUTBOX_SORTS["new"])
    return keyset_page(
        queryset.select_related("party", "created_by"), order=order, cursor=cursor, limit=limit
    )


def outbound_get(*, user: User, pk: Any) -> OutboundMessage:
    if not is_id(pk):
        raise Http404
    message = policy.visible(user, OutboundMessage.objects.filter(SENT_OUT)).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message
