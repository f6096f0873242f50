"""Tickets and their threads: the queues, opening and changing a ticket, replies and notes.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDate,
    BodyId,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.models import Team
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import PartyRef
from peyvand.customers.models import Kind as PartyKind
from peyvand.sales.models import Order, Product

from ..models import Category, Cause, Channel, Kind, Message, Ticket
from ..models import Status as TicketStatus
from ..selectors import tickets as selectors
from ..services import messages as thread
from ..services import tickets as services

router = Router(tags=["tickets"])

# Named apart from the other apps' enums, which would overwrite them in the schema.
TicketChannel = Annotated[Channel, SchemaName("TicketChannel")]
TicketKind = Annotated[Kind, SchemaName("TicketKind")]
TicketState = Annotated[TicketStatus, SchemaName("TicketStatus")]
TicketPriority = Literal[1, 2, 3, 4]
Subject = Annotated[str, Field(max_length=200), NoNul]
Body = Annotated[str, Field(max_length=services.BODY_MAX_LENGTH), NoNul]


class NamedRef(Schema):
    id: int
    name: str


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
    sort: Literal["-created", "created", "-updated", "due", "-priority"] = "-created"


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


def _row(model: Any, pk: int | None, field: str, **conditions: Any) -> Any:
    if pk is None:
        return None
    row = model.objects.filter(pk=pk, **conditions).first()
    if row is None:
        raise field_error(field, _("Choose a valid value."))
    return row


def _input(request: HttpRequest, payload: TicketFields, **extra: Any) -> services.TicketInput:
    user = actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"party_id", "description"})
    values: dict[str, Any] = {**extra}
    for name, value in data.items():
        if name == "contact_id":
            values["contact"] = visible_party(user, value, name, PartyKind.PERSON) if value else None
        elif name == "category_id":
            values["category"] = _row(Category, value, name, active=True)
        elif name == "product_id":
            values["product"] = _row(Product, value, name, active=True)
        elif name == "team_id":
            values["team"] = _row(Team, value, name)
        elif name == "assignee_id":
            values["assignee"] = resolve_user(value, name)
        elif name == "cause_id":
            values["cause"] = _row(Cause, value, name, active=True)
        elif name == "order_id":
            values["order"] = _row(Order, value, name)
        elif name == "compensation":
            values[name] = value or ""
        else:
            values[name] = value.value if hasattr(value, "value") else value
    return services.TicketInput(**values)


@router.get("/tickets", response={200: PageOut[TicketOut], **ERRORS}, summary="Tickets, by queue and filters")
def ticket_list(request: HttpRequest, filters: Query[TicketQuery]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"cursor", "limit", "sort"})
    page = selectors.ticket_list(
        user=actor(request), filters=values, sort=filters.sort, cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.post("/tickets", response={201: TicketOut, **ERRORS}, summary="Open a ticket")
def ticket_create(request: HttpRequest, payload: TicketCreate) -> Status[Ticket]:
    user = actor(request)
    party = visible_party(user, payload.party_id, "party_id")
    ticket = services.ticket_open(
        actor=user,
        data=_input(request, payload, party=party, subject=payload.subject),
        description=payload.description,
    )
    return Status(201, ticket)


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
