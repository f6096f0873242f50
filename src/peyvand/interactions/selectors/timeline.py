"""A customer's timeline: interactions, notes and changes, newest first, one page in three
queries however long the history is."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.pagination import InvalidCursor, Page
from peyvand.core.selectors.audit import EventView, describe_events
from peyvand.customers.models import Kind, Note, Party
from peyvand.customers.selectors.parties import party_merged_ids

from ..models import Interaction

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
    person: Party | None = None  # on an organisation's timeline: the member it happened with

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
    people: bool = True,
) -> Page[TimelineEntry]:
    """Everything that happened with a customer, newest first: interactions, notes, changes.

    An organisation's timeline rolls up its people's (their calls, deals, invoices,
    tickets), unless ``people`` is False. Each source is read with its own index, limit + 1
    rows after the cursor, and the three are merged; a page costs the same few queries
    however long the history is (one more on an organisation's, which reads its people).
    """
    policy.require_view(user, party)
    position = _decode(cursor) if cursor else None
    ids = party_merged_ids(party=party)
    members: dict[int, Party] = {}
    if people and party.kind == Kind.ORGANISATION:
        # Only the people the user may see: a member of another team stays out, with its history.
        members = {
            person.pk: person
            for person in policy.visible(
                user,
                Party.objects.filter(memberships__organisation=party, memberships__deleted_at__isnull=True),
            )
        }
        ids = [*ids, *members]
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
    for entry in page.items:
        entry.person = members.get(entry.obj.party_id)
    changes = [entry for entry in page.items if entry.kind == CHANGE]
    for entry, view in zip(changes, describe_events(e.obj for e in changes), strict=True):
        entry.change = view
    if len(merged) > limit:
        page.next_cursor = _encode(page.items[-1])
    return page
