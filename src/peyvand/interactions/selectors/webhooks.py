"""Reads of outgoing webhooks, for administrators only: the endpoints and each one's delivery log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..models import WebhookDelivery, WebhookEndpoint
from ..webhook_events import EVENTS, PING

DELIVERY_SORTS = {"new": ["-created_at", "-id"], "old": ["created_at", "id"]}
DEFAULT_DELIVERY_SORT = "new"


def webhook_list(*, user: User) -> list[WebhookEndpoint]:
    """Every endpoint, with its count of failed deliveries (an installation keeps a few)."""
    policy.require_admin(user)
    failed = Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED))
    return list(WebhookEndpoint.objects.annotate(failed_count=failed).order_by("name", "id"))


def webhook_get(*, user: User, pk: Any) -> WebhookEndpoint:
    policy.require_admin(user)
    found = WebhookEndpoint.objects.filter(pk=int(str(pk))).first() if is_id(pk) else None
    if found is None:
        raise Http404
    return found


def delivery_list(
    *,
    user: User,
    endpoint: WebhookEndpoint,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_DELIVERY_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[WebhookDelivery]:
    """An endpoint's deliveries, newest first (or oldest), by status and event."""
    policy.require_admin(user)
    queryset: QuerySet[WebhookDelivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    status = filters.get("status") or ""
    if status in WebhookDelivery.Status.values:
        queryset = queryset.filter(status=status)
    event = filters.get("event") or ""
    if event in EVENTS or event == PING:
        queryset = queryset.filter(event=event)
    order = DELIVERY_SORTS.get(sort, DELIVERY_SORTS[DEFAULT_DELIVERY_SORT])
    return keyset_page(queryset.defer("body"), order=order, cursor=cursor, limit=limit)


def delivery_get(*, user: User, endpoint: WebhookEndpoint, pk: Any) -> WebhookDelivery:
    policy.require_admin(user)
    found = WebhookDelivery.objects.filter(endpoint=endpoint, pk=int(str(pk))).first() if is_id(pk) else None
    if found is None:
        raise Http404
    return found
