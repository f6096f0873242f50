"""Tickets through the permission policy: the queues, one ticket and its thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.converters import choice_id, is_id
from peyvand.core.custom_fields import Entity
from peyvand.core.models import User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.selectors.custom_fields import CustomFilter, custom_list
from peyvand.core.text import search_terms
from peyvand.customers.models import Party
from peyvand.sales.models import Order

from ..models import OPEN_STATUSES, Category, Channel, Kind, Message, Priority, Status, Ticket

# Each order and its reverse (a list's column turns it round), read along the same index.
SORTS = {
    "-created": ["-created_at", "-id"],
    "created": ["created_at", "id"],
    "-updated": ["-updated_at", "-id"],
    "updated": ["updated_at", "id"],
    "due": ["resolution_due", "id"],
    "-due": ["-resolution_due", "-id"],
    "-priority": ["-priority", "-created_at", "-id"],
    "priority": ["priority", "created_at", "id"],
}
DEFAULT_SORT = "-created"
# The queues a list offers: which tickets, for whom.
VIEWS = ("open", "mine", "unassigned", "overdue", "all")
DEFAULT_VIEW = "open"


def ticket_queryset(
    *, user: User, filters: Mapping[str, Any], now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    queryset = policy.visible(user, Ticket.objects.filter(merged_into__isnull=True))
    view = filters.get("view") or DEFAULT_VIEW
    if view == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif view == "mine":
        queryset = queryset.filter(assignee=user, status__in=OPEN_STATUSES)
    elif view == "unassigned":
        queryset = queryset.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif view == "overdue":
        moment = now or timezone.now()
        queryset = queryset.filter(status__in=OPEN_STATUSES).filter(
            Q(first_response_due__lt=moment, first_responded_at__isnull=True)
            | Q(next_response_due__lt=moment)
            | Q(resolution_due__lt=moment, sla_running_since__isnull=False)
        )
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("status") in Status.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("kind") in Kind.values:
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("channel") in Channel.values:
        queryset = queryset.filter(channel=filters["channel"])
    if (priority := choice_id(filters.get("priority"))) in Priority.values:
        queryset = queryset.filter(priority=priority)
    if (category_id := choice_id(filters.get("category"))) is not None:
        queryset = queryset.filter(category_id=category_id)
    if (team_id := choice_id(filters.get("team"))) is not None:
        queryset = queryset.filter(team_id=team_id)
    if filters.get("assignee") == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif (assignee_id := choice_id(filters.get("assignee"))) is not None:
        queryset = queryset.filter(assignee_id=assignee_id)
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    if isinstance(filters.get("created_from"), dt.date):
        queryset = queryset.filter(created_at__date__gte=filters["created_from"])
    if isinstance(filters.get("created_to"), dt.date):
        queryset = queryset.filter(created_at__date__lte=filters["created_to"])
    return queryset


# What a list never shows: the search keys, the longest columns of a row and its customer's.
UNSHOWN = ("search_text", "party__search_text", "party__sort_key", "product__search_text")


def ticket_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
    custom: Sequence[CustomFilter] = (),
) -> Page[Ticket]:
    """The tickets ``user`` may see in a view, filtered (custom fields' filters too) and
    sorted by one of SORTS or a filterable custom field's ``cf_<key>``."""
    queryset, custom_order = custom_list(
        ticket_queryset(user=user, filters=filters), Entity.TICKET, custom, sort
    )
    order = custom_order or SORTS.get(sort, SORTS[DEFAULT_SORT])
    if sort in ("due", "-due"):
        queryset = queryset.filter(resolution_due__isnull=False)
    page = keyset_page(
        queryset.select_related("party", "assignee", "team", "category", "product").defer(*UNSHOWN),
        order=order,
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def ticket_get(*, user: User, pk: Any) -> Ticket:
    return policy.get_visible(
        user,
        Ticket.objects.select_related(
            "party", "contact", "assignee", "team", "category", "product", "sla_policy", "merged_into"
        ),
        pk,
    )


def ticket_thread(*, ticket: Ticket, public_only: bool = False) -> list[Message]:
    """The thread, oldest first; ``public_only`` leaves out internal notes (for a customer)."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author", "outbound", "interaction")
        .prefetch_related("interaction__attachments")
    )
    if public_only:
        messages = messages.exclude(kind=Message.Kind.NOTE)
    return list(messages.order_by("created_at", "id"))


def party_tickets(*, user: User, party: Party, limit: int = 5) -> tuple[list[Ticket], int]:
    """A customer's open tickets, newest first, and how many they have open."""
    queryset = policy.visible(user, Ticket.objects.filter(party=party, status__in=OPEN_STATUSES))
    return list(queryset.select_related("assignee").order_by("-created_at", "-id")[:limit]), queryset.count()


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def reply_addresses(*, ticket: Ticket) -> dict[str, list[str]]:
    """Where a reply can go: the customer's emails and mobile numbers, primary first."""
    points = ticket.party.contact_points.order_by("-is_primary", "id").values_list("kind", "value")
    found: dict[str, list[str]] = {Channel.EMAIL: [], Channel.SMS: []}
    for kind, value in points:
        if kind == "email":
            found[Channel.EMAIL].append(value)
        elif kind == "phone":
            found[Channel.SMS].append(value)
    return found


def customer_orders(*, user: User, ticket: Ticket) -> QuerySet[Order]:
    """The orders a complaint may concern: its customer's, that ``user`` may see, newest first."""
    return policy.visible(user, Order.objects.filter(party_id=ticket.party_id)).order_by("-created_at", "-id")


def merge_candidates(*, user: User, ticket: Ticket) -> QuerySet[Ticket]:
    """The tickets ``ticket`` may be merged into: the same customer's others that ``user`` may
    change and that were not merged themselves, open ones first, newest first."""
    others = Ticket.objects.filter(party_id=ticket.party_id, merged_into__isnull=True).exclude(pk=ticket.pk)
    return policy.changeable(user, others).order_by("-last_message_at", "-id")


def ticket_message(*, ticket: Ticket, pk: Any) -> Message:
    """One message of ``ticket``'s thread, or 404."""
    if not is_id(pk):
        raise Http404
    found = Message.objects.filter(ticket=ticket, pk=int(str(pk))).first()
    if found is None:
        raise Http404
    return found
