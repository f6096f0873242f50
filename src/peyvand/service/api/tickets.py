"""Tickets and their threads: the queues, opening and changing a ticket, replies and notes.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import SortChoice, custom_filters
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    CUSTOM_IN,
    CUSTOM_OUT,
    ERRORS,
    ApiDate,
    BodyId,
    CustomValuesIn,
    CustomValuesOut,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.models import Team
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import PartyRef
from peyvand.customers.models import Kind as PartyKind
from peyvand.sales.models import Order, Product

from ..models import Category, Cause, Channel, Kind, Message, Ticket
from ..models import Status as TicketStatus
from ..selectors import tickets as selectors
from ..services import merge as merging
from ..services import messages as thread
from ..services import tickets as services
from .common import NamedRef, one_row

router = Router(tags=["tickets"])

# Named apart from the other apps' enums, which would overwrite them in the schema.
TicketChannel = Annotated[Channel, SchemaName("TicketChannel")]
TicketKind = Annotated[Kind, SchemaName("TicketKind")]
TicketState = Annotated[TicketStatus, SchemaName("TicketStatus")]
TicketPriority = Literal[1, 2, 3, 4]
Subject = Annotated[str, Field(max_length=200), NoNul]
Body = Annotated[str, Field(max_length=services.BODY_MAX_LENGTH), NoNul]


class TicketOut(Schema):
    id: int
    number: str
    subject: str
    party: PartyRef
    contact: PartyRef | None
    channel: str
    kind: str
    priority: int
    status: str
    language: str = Field(description="The customer's: fa or en")
    category: NamedRef | None
    product_id: int | None
    team: NamedRef | None
    assignee: UserRef | None
    sla_policy: NamedRef | None
    cause: NamedRef | None
    order_id: int | None
    compensation: str
    compensation_amount: str | None
    customer_stayed: bool | None

    @staticmethod
    def resolve_compensation_amount(obj: Ticket) -> str | None:
        return None if obj.compensation_amount is None else str(obj.compensation_amount)

    first_response_due: dt.datetime | None
    next_response_due: dt.datetime | None
    resolution_due: dt.datetime | None = Field(
        description="None while the ticket waits on the customer (paused)"
    )
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    custom: CustomValuesOut = Field(description=CUSTOM_OUT)


class TicketMessageOut(Schema):
    id: int
    kind: str = Field(description="customer, reply (to the customer) or note (internal)")
    body: str
    author: UserRef | None
    delivery_status: str
    created_at: dt.datetime


class TicketFields(InputSchema):
    contact_id: BodyId | None = None
    channel: TicketChannel | None = None
    kind: TicketKind | None = None
    priority: TicketPriority | None = None
    language: Literal["fa", "en"] | None = Field(None, description="The customer's; guessed when left out")
    category_id: BodyId | None = None
    product_id: BodyId | None = None
    team_id: BodyId | None = None
    assignee_id: BodyId | None = Field(None, description="null leaves it in the queue")
    cause_id: BodyId | None = Field(None, description="A complaint's root cause")
    order_id: BodyId | None = Field(None, description="The customer's order a complaint concerns")
    compensation: Annotated[str, Field(max_length=200), NoNul] | None = None
    compensation_amount: Annotated[str, Field(max_length=40), NoNul] | None = Field(
        None, description="In the base currency, as text: 1500000 or 19.99"
    )
    customer_stayed: bool | None = None
    custom: CustomValuesIn | None = Field(None, description=CUSTOM_IN)


class TicketCreate(TicketFields):
    party_id: BodyId
    subject: Subject
    description: Body = Field("", description="What the customer asks: the thread's first message")


class TicketUpdate(TicketFields):
    subject: Subject | None = None
    status: TicketState | None = None


class TicketQuery(PageQuery):
    view: Literal["open", "mine", "unassigned", "overdue", "all"] = "open"
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    status: TicketState | None = None
    kind: TicketKind | None = None
    channel: TicketChannel | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = None
    category: Id | None = None
    team: Id | None = None
    assignee: Id | None = None
    party: Id | None = None
    created_from: ApiDate | None = None
    created_to: ApiDate | None = None
    sort: Annotated[str, SortChoice("-created", "created", "-updated", "due", "-priority")] = "-created"


class TicketReplyIn(InputSchema):
    body: Body
    channel: Literal["email", "sms"] = "email"
    to: Annotated[str, Field(max_length=254), NoNul] = Field(
        description="One of the customer's email addresses or mobile numbers"
    )
    status: TicketState = TicketStatus.WAITING_CUSTOMER
    seen: Id | None = Field(
        None, description="The last message you saw: a newer one from someone else stops the reply"
    )
    send_anyway: bool = False


class TicketNoteIn(InputSchema):
    body: Body


def _input(request: HttpRequest, payload: TicketFields, **extra: Any) -> services.TicketInput:
    user = actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"party_id", "description"})
    values: dict[str, Any] = {**extra}
    for name, value in data.items():
        if name == "contact_id":
            values["contact"] = visible_party(user, value, name, PartyKind.PERSON) if value else None
        elif name == "category_id":
            values["category"] = one_row(Category, value, name, active=True)
        elif name == "product_id":
            values["product"] = one_row(Product, value, name, active=True)
        elif name == "team_id":
            values["team"] = one_row(Team, value, name)
        elif name == "assignee_id":
            values["assignee"] = resolve_user(value, name)
        elif name == "cause_id":
            values["cause"] = one_row(Cause, value, name, active=True)
        elif name == "order_id":
            values["order"] = one_row(Order, value, name)
        elif name == "compensation":
            values[name] = value or ""
        else:
            values[name] = value.value if hasattr(value, "value") else value
    return services.TicketInput(**values)


@router.get("/tickets", response={200: PageOut[TicketOut], **ERRORS}, summary="Tickets, by queue and filters")
def ticket_list(request: HttpRequest, filters: Query[TicketQuery]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"cursor", "limit", "sort"})
    page = selectors.ticket_list(
        user=actor(request),
        filters=values,
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
        custom=custom_filters(request, Entity.TICKET, filters.sort),
    )
    return page_out(page)


@router.post("/tickets", response={201: TicketOut, **ERRORS}, summary="Open a ticket")
def ticket_create(request: HttpRequest, payload: TicketCreate) -> Status[Ticket]:
    user = actor(request)
    party = visible_party(user, payload.party_id, "party_id")
    ticket = services.ticket_open(
        actor=user,
        # A new ticket's required custom fields are checked, given or not.
        data=_input(request, payload, party=party, subject=payload.subject, custom=payload.custom),
        description=payload.description,
    )
    return Status(201, ticket)


class TicketBulkIn(InputSchema):
    ids: list[BodyId] = Field(min_length=1, max_length=services.BULK_MAX)
    assignee_id: BodyId | None = Field(None, description="null: back to the queue")
    status: TicketState | None = None
    priority: TicketPriority | None = None
    team_id: BodyId | None = Field(None, description="null: no team")


class TicketBulkOut(Schema):
    changed: int
    skipped: int = Field(description="Tickets you may not change (or that do not exist)")


# Before the /tickets/{ticket_id} routes, which would take "bulk" for an id otherwise.
@router.post(
    "/tickets/bulk",
    response={200: TicketBulkOut, **ERRORS},
    summary="Change the assignee, status, priority or team of many tickets",
)
def ticket_bulk(request: HttpRequest, payload: TicketBulkIn) -> services.BulkResult:
    values: dict[str, Any] = {}
    for name in payload.model_fields_set - {"ids"}:
        value = getattr(payload, name)
        if name == "assignee_id":
            values["assignee"] = resolve_user(value, name)
        elif name == "team_id":
            values["team"] = one_row(Team, value, name)
        elif name == "status":
            values[name] = value.value if value is not None else None
        else:
            values[name] = value
    data = services.TicketInput(**values)
    return services.ticket_bulk_update(actor=actor(request), ticket_ids=payload.ids, data=data)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="Get a ticket")
def ticket_get(request: HttpRequest, ticket_id: Id) -> Ticket:
    return selectors.ticket_get(user=actor(request), pk=ticket_id)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="Change a ticket")
def ticket_update(request: HttpRequest, ticket_id: Id, payload: TicketUpdate) -> Ticket:
    user = actor(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    return services.ticket_update(ticket=ticket, actor=user, data=_input(request, payload))


@router.get(
    "/tickets/{ticket_id}/messages",
    response={200: list[TicketMessageOut], **ERRORS},
    summary="A ticket's thread",
)
def ticket_messages(request: HttpRequest, ticket_id: Id) -> list[Message]:
    ticket = selectors.ticket_get(user=actor(request), pk=ticket_id)
    return selectors.ticket_thread(ticket=ticket)


@router.post(
    "/tickets/{ticket_id}/replies",
    response={201: TicketMessageOut, **ERRORS},
    summary="Reply to the customer",
)
def ticket_reply(request: HttpRequest, ticket_id: Id, payload: TicketReplyIn) -> Status[Message]:
    user = actor(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    data = thread.ReplyInput(**{**payload.model_dump(), "status": payload.status.value})
    return Status(201, thread.ticket_reply(ticket=ticket, actor=user, data=data))


@router.post(
    "/tickets/{ticket_id}/notes", response={201: TicketMessageOut, **ERRORS}, summary="Add an internal note"
)
def ticket_note(request: HttpRequest, ticket_id: Id, payload: TicketNoteIn) -> Status[Message]:
    user = actor(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    return Status(201, thread.ticket_note(ticket=ticket, actor=user, body=payload.body))


class TicketMergeIn(InputSchema):
    into_id: BodyId = Field(description="The ticket kept: another of the same customer's")


class TicketSplitIn(InputSchema):
    subject: Subject = Field("", description="The new ticket's; the message's first line when left out")


@router.post(
    "/tickets/{ticket_id}/merge",
    response={200: TicketOut, **ERRORS},
    summary="Merge a ticket into another (returns the one kept)",
)
def ticket_merge(request: HttpRequest, ticket_id: Id, payload: TicketMergeIn) -> Ticket:
    user = actor(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    into = policy.visible(user, Ticket.objects.filter(pk=payload.into_id)).first()
    if into is None:
        raise field_error("into_id", _("Choose a valid value."))
    return merging.ticket_merge(ticket=into, other=ticket, actor=user)


@router.post(
    "/tickets/{ticket_id}/messages/{message_id}/split",
    response={201: TicketOut, **ERRORS},
    summary="Split what the customer wrote off into a new ticket",
)
def ticket_split(
    request: HttpRequest, ticket_id: Id, message_id: Id, payload: TicketSplitIn
) -> Status[Ticket]:
    user = actor(request)
    ticket = selectors.ticket_get(user=user, pk=ticket_id)
    message = selectors.ticket_message(ticket=ticket, pk=message_id)
    return Status(201, merging.ticket_split(message=message, actor=user, subject=payload.subject))
