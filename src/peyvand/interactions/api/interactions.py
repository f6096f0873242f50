"""Interactions and a customer's timeline.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.apps import apps
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, reject_unknown, resolve_user
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDateTime,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.models import AuditEvent, User
from peyvand.core.selectors.audit import field_label
from peyvand.customers import selectors as customer_selectors
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import NoteOut, PartyRef

from .. import selectors, services
from ..models import Channel, Direction, Interaction, Outcome
from ..services.interactions import InteractionInput

router = Router(tags=["interactions"])

Subject = Annotated[str, Field(max_length=200), NoNul]
# Named apart from the sales Outcome (open, won, lost), which would overwrite it in the schema.
InteractionOutcome = Annotated[Outcome, SchemaName("InteractionOutcome")]
Body = Annotated[str, Field(max_length=services.interactions.BODY_MAX_LENGTH), NoNul]


# --- schemas ------------------------------------------------------------------------------


class InteractionBrief(Schema):
    id: int
    party_id: int
    channel: str
    direction: str
    occurred_at: dt.datetime
    subject: str
    body: str
    outcome: str
    handled_by: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class InteractionOut(InteractionBrief):
    party: PartyRef


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _admits_blank(schema: dict[str, Any]) -> None:
    # "" is in the schema as well as null, since both clear it (the fuzzing sends what the schema
    # refuses, and "" was accepted without the schema saying so); the field's type stays as it
    # is, so an error still names the field alone.
    schema["anyOf"] = [*schema.get("anyOf", []), {"const": "", "type": "string"}]


class InteractionFields(InputSchema):
    direction: Direction | None = None
    occurred_at: ApiDateTime | None = Field(
        None, description='ISO 8601, or Jalali "1403/05/12 14:30" in your time zone'
    )
    body: Body | None = None
    outcome: Annotated[InteractionOutcome | None, BeforeValidator(_blank_is_none)] = Field(
        None, description="Empty or null clears it", json_schema_extra=_admits_blank
    )
    handled_by: BodyId | None = Field(None, description="A user's id; you, when left out")


class InteractionCreate(InteractionFields):
    party_id: BodyId
    channel: Channel
    subject: Subject


class InteractionUpdate(InteractionFields):
    channel: Channel | None = None
    subject: Subject | None = None


class InteractionQuery(PageQuery):
    party: Id | None = None
    channel: Channel | None = None


def _split_kinds(value: Any) -> Any:
    """``kinds=note,change`` or ``kinds=note&kinds=change``; none given means all."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        return value  # let the type check refuse it
    parts = tuple(part.strip() for v in values for part in v.split(",") if part.strip())
    return parts or selectors.timeline.KINDS


class TimelineQuery(Schema):
    channel: Channel | None = Field(None, description="Only interactions through this channel")
    kinds: Annotated[tuple[str, ...], BeforeValidator(_split_kinds)] = Field(
        selectors.timeline.KINDS, description="Comma-separated: interaction, note, change"
    )
    cursor: Cursor = None
    limit: int = Field(20, ge=1, le=200)
    people: bool = Field(True, description="An organisation's timeline with its people's (false: its own)")


class FieldChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any


class ChangeOut(Schema):
    action: str = Field(description="create, update, delete, restore or merge")
    model: str
    object_id: int
    object_repr: str
    actor: UserRef | None
    changes: list[FieldChangeOut]


def _field_changes(event: AuditEvent) -> list[dict[str, Any]]:
    try:
        model = apps.get_model(event.model)
    except (LookupError, ValueError):
        model = None
    changes = []
    for name, values in (event.changes or {}).items():
        old, new = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
        # The labels the web timeline shows, "merged into" and "tags" included, translated.
        changes.append({"field": name, "label": field_label(model, name), "old": old, "new": new})
    return changes


class TimelineEntryBase(Schema):
    at: dt.datetime
    id: int


class InteractionEntry(TimelineEntryBase):
    kind: Literal["interaction"]
    interaction: InteractionBrief


class NoteEntry(TimelineEntryBase):
    kind: Literal["note"]
    note: NoteOut


class ChangeEntry(TimelineEntryBase):
    kind: Literal["change"]
    change: ChangeOut


TimelineEntryOut = Annotated[InteractionEntry | NoteEntry | ChangeEntry, Field(discriminator="kind")]


def _entry(entry: selectors.timeline.TimelineEntry) -> dict[str, Any]:
    if entry.kind == selectors.timeline.CHANGE:
        event: AuditEvent = entry.obj
        payload: Any = {
            "action": event.kind,
            "model": event.model,
            "object_id": event.object_id,
            "object_repr": event.object_repr,
            "actor": event.actor,
            "changes": _field_changes(event),
        }
    else:
        payload = entry.obj
    return {"kind": entry.kind, "at": entry.at, "id": entry.id, entry.kind: payload}


# --- endpoints ----------------------------------------------------------------------------


def _data(payload: InputSchema, *, exclude: set[str] | None = None) -> InteractionInput:
    data = payload.model_dump(exclude_unset=True, exclude=exclude)
    if "handled_by" in data:
        data["handled_by"] = resolve_user(data["handled_by"], "handled_by")
    return InteractionInput(**data)


@router.get(
    "/interactions",
    response={200: PageOut[InteractionOut], **ERRORS},
    summary="Interactions, newest first",
)
def interaction_list(request: HttpRequest, filters: Query[InteractionQuery]) -> dict[str, Any]:
    page = selectors.interactions.interaction_list(
        user=actor(request),
        party_id=filters.party,
        channel=filters.channel or "",
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/interactions", response={201: InteractionOut, **ERRORS}, summary="Log an interaction")
def interaction_create(request: HttpRequest, payload: InteractionCreate) -> Status[Interaction]:
    user = actor(request)
    party = visible_party(user, payload.party_id, "party_id")
    interaction = services.interactions.interaction_log(
        party=party, actor=user, data=_data(payload, exclude={"party_id"})
    )
    return Status(201, interaction)


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    summary="Get an interaction",
)
def interaction_get(request: HttpRequest, interaction_id: Id) -> Interaction:
    return selectors.interactions.interaction_get(user=actor(request), pk=interaction_id)


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    summary="Change an interaction",
)
def interaction_update(request: HttpRequest, interaction_id: Id, payload: InteractionUpdate) -> Interaction:
    user = actor(request)
    interaction = selectors.interactions.interaction_get(user=user, pk=interaction_id)
    return services.interactions.interaction_update(interaction=interaction, actor=user, data=_data(payload))


@router.delete(
    "/interactions/{interaction_id}",
    response={204: None, **ERRORS},
    summary="Delete an interaction",
)
def interaction_delete(request: HttpRequest, interaction_id: Id) -> Status[None]:
    user = actor(request)
    services.interactions.interaction_delete(
        interaction=selectors.interactions.interaction_get(user=user, pk=interaction_id), actor=user
    )
    return Status(204, None)


@router.get(
    "/parties/{party_id}/timeline",
    response={200: PageOut[TimelineEntryOut], **ERRORS},
    summary="Everything that happened with a customer, newest first",
)
def timeline(request: HttpRequest, party_id: Id, filters: Query[TimelineQuery]) -> dict[str, Any]:
    user: User = actor(request)
    reject_unknown(filters.kinds, selectors.timeline.KINDS, "kinds")
    party = customer_selectors.parties.party_get(user=user, pk=party_id)
    page = selectors.timeline.party_timeline(
        user=user,
        party=party,
        channel=filters.channel or "",
        kinds=filters.kinds,
        cursor=filters.cursor,
        limit=filters.limit,
        people=filters.people,
    )
    return {
        "items": [_entry(e) for e in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": None,
    }
