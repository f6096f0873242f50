"""The customer timeline and interaction lists, through the permission policy."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import AuditEvent, User
from peyvand.core.pagination import InvalidCursor, Page, keyset_page
from peyvand.core.selectors import EventView, describe_events
from peyvand.customers.models import Note, Party
from peyvand.customers.selectors import party_merged_ids

from .models import Attachment, Interaction, MessageTemplate, OutboundMessage, TelephonyProfile

# Timeline entry kinds, in the order they sort among entries at the same instant.
INTERACTION, NOTE, CHANGE = "interaction", "note", "change"
KINDS = (CHANGE, NOTE, INTERACTION)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
# Creating a note or an interaction is already its own entry on the timeline.
_SHOWN_ELSEWHERE = Q(
    kind=AuditEvent.Kind.CREATE, model__in=["customers.note", "interactions.interaction"]
) | Q(
    # An email's or SMS's progress shows on its interaction, as a status.
    model="interactions.outboundmessage"
)


@dataclass
class TimelineEntry:
    kind: str
    at: dt.datetime
    id: int
    obj: Any
    change: EventView | None = None  # how an audit event reads, for "change" entries

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, _RANK[self.kind], self.id)


def _encode(entry: TimelineEntry) -> str:
    raw = json.dumps([entry.at.isoformat(), entry.kind, entry.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[dt.datetime, int, int]:
    try:
        at, kind, pk = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        moment = parse_datetime(at)
        if moment is None or kind not in _RANK or not -(2**63) <= int(pk) < 2**63:
            raise ValueError
        moment.astimezone(dt.UTC)  # OverflowError near year 1 or 9999, else later in the driver
        return moment, _RANK[kind], int(pk)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(_("The page link is invalid or out of date.")) from None


def _before(field: str, rank: int, cursor: tuple[dt.datetime, int, int] | None) -> Q:
    """Rows of one source (all of rank ``rank``) that come after the cursor, newest first."""
    if cursor is None:
        return Q()
    at, cursor_rank, pk = cursor
    if rank < cursor_rank:
        return Q(**{f"{field}__lte": at})
    if rank > cursor_rank:
        return Q(**{f"{field}__lt": at})
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk})


def _read(
    kind: str, queryset: QuerySet[Any], moment: str, position: tuple[dt.datetime, int, int] | None, limit: int
) -> list[TimelineEntry]:
    """The next ``limit + 1`` entries of one source after ``position``, newest first."""
    rows = queryset.filter(_before(moment, _RANK[kind], position)).order_by(f"-{moment}", "-id")[: limit + 1]
    return [TimelineEntry(kind, getattr(row, moment), row.pk, row) for row in rows]


def party_timeline(
    *,
    user: User,
    party: Party,
    channel: str = "",
    kinds: tuple[str, ...] = KINDS,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[TimelineEntry]:
    """Everything that happened with a customer, newest first: interactions, notes, changes.

    Each source is read with its own index, limit + 1 rows after the cursor, and the three
    are merged; a page costs three queries however long the history is.
    """
    policy.require_view(user, party)
    position = _decode(cursor) if cursor else None
    ids = party_merged_ids(party=party)
    if channel:
        kinds = (INTERACTION,)
    sources: list[list[TimelineEntry]] = []
    if INTERACTION in kinds:
        interactions = policy.visible(user, Interaction.objects.filter(party_id__in=ids))
        if channel:
            interactions = interactions.filter(channel=channel)
        interactions = interactions.select_related("handled_by", "outbound", "phone_call").prefetch_related(
            "attachments"
        )
        sources.append(_read(INTERACTION, interactions, "occurred_at", position, limit))
    if NOTE in kinds:
        notes = policy.visible(user, Note.objects.filter(party_id__in=ids))
        sources.append(_read(NOTE, notes.select_related("created_by"), "created_at", position, limit))
    if CHANGE in kinds:
        # Only changes to records the user may see: a deal of another team on this customer
        # stays out, with its amounts.
        events = policy.visible_events(user, AuditEvent.objects.filter(party_id__in=ids))
        events = events.exclude(_SHOWN_ELSEWHERE)
        sources.append(_read(CHANGE, events.select_related("actor"), "at", position, limit))
    merged = list(heapq.merge(*sources, key=lambda e: e.sort_key, reverse=True))
    page: Page[TimelineEntry] = Page(items=merged[:limit])
    changes = [entry for entry in page.items if entry.kind == CHANGE]
    for entry, view in zip(changes, describe_events(e.obj for e in changes), strict=True):
        entry.change = view
    if len(merged) > limit:
        page.next_cursor = _encode(page.items[-1])
    return page


def interaction_queryset(
    *, user: User, party_id: int | None = None, channel: str = ""
) -> QuerySet[Interaction]:
    queryset = policy.visible(user, Interaction.objects.all())
    if party_id is not None:
        queryset = queryset.filter(party_id=party_id)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset


def interaction_list(
    *, user: User, party_id: int | None = None, channel: str = "", cursor: str | None = None, limit: int = 50
) -> Page[Interaction]:
    queryset = interaction_queryset(user=user, party_id=party_id, channel=channel)
    return keyset_page(
        queryset.select_related("handled_by", "party"),
        order=["-occurred_at", "-id"],
        cursor=cursor,
        limit=limit,
    )


def interaction_get(*, user: User, pk: Any) -> Interaction:
    if not is_id(pk):
        raise Http404
    interaction = (
        policy.visible(user, Interaction.objects.select_related("party", "handled_by")).filter(pk=pk).first()
    )
    if interaction is None:
        raise Http404
    return interaction


def home_summary(*, user: User) -> dict[str, Any]:
    """What the home page shows: how many customers the user reaches, the latest contacts."""
    from peyvand.core.pagination import capped_count
    from peyvand.customers.models import Kind

    visible = policy.visible(user, Party.objects.all())
    mine, mine_more = capped_count(visible.filter(owner=user))
    people, people_more = capped_count(visible.filter(kind=Kind.PERSON))
    organisations, organisations_more = capped_count(visible.filter(kind=Kind.ORGANISATION))
    recent = interaction_list(user=user, limit=10).items
    return {
        "my_customers": mine,
        "my_customers_more": mine_more,
        "people": people,
        "people_more": people_more,
        "organisations": organisations,
        "organisations_more": organisations_more,
        "recent": recent,
    }


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


def outbox_list(
    *, user: User, filters: dict[str, str], cursor: str | None = None, limit: int = 50
) -> Page[OutboundMessage]:
    """Customers' emails and SMS the user may see (notifications to users stay private)."""
    queryset = policy.visible(user, OutboundMessage.objects.filter(party__isnull=False))
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
    message = policy.visible(user, OutboundMessage.objects.filter(party__isnull=False)).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


def attachment_get(*, user: User, pk: Any) -> Attachment:
    """A file, for whoever may see its interaction (and its customer)."""
    if not is_id(pk):
        raise Http404
    attachment = (
        Attachment.objects.select_related("interaction__party")
        .filter(pk=pk, interaction__isnull=False, interaction__deleted_at__isnull=True)
        .first()
    )
    if (
        attachment is None
        or attachment.interaction is None
        or not policy.can_view(user, attachment.interaction)
    ):
        raise Http404
    return attachment


def extension_list() -> QuerySet[TelephonyProfile]:
    return TelephonyProfile.objects.select_related("user").order_by("extension")


def has_extension(*, user: User) -> bool:
    """Whether calls to some extension pop up for ``user`` (their page then watches for them)."""
    return TelephonyProfile.objects.filter(user=user).exists()
