"""Email and SMS to customers through the outbox; the SMS cost before sending.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.errors import ApiError
from peyvand.core.apikit.schemas import (
    ERRORS,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    Limit,
    NoNul,
    PageOut,
)
from peyvand.customers.selectors.parties import party_get

from .. import selectors
from ..addresses import caller_number
from ..models import MessageTemplate, OutboundMessage
from ..services import messaging

router = Router(tags=["communications"])

# --- email and SMS to customers -----------------------------------------------------------


class OutboundOut(Schema):
    id: int
    channel: str
    purpose: str
    status: str
    party_id: int | None
    interaction_id: int | None
    to_address: str
    subject: str
    body_text: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str = Field(description="Why the last attempt failed")
    sent_at: dt.datetime | None
    segments: int
    cost: Decimal | None
    currency: str
    created_at: dt.datetime


class SendIn(InputSchema):
    to: Annotated[str, Field(max_length=254, description="One of the customer's addresses or numbers"), NoNul]
    body: Annotated[str, Field(min_length=1, max_length=50_000), NoNul]
    purpose: Literal["transactional", "marketing"] = "transactional"
    language: Literal["fa", "en"] | None = None
    template_id: BodyId | None = None


class EmailIn(SendIn):
    subject: Annotated[str, Field(min_length=1, max_length=200), NoNul]


class SmsPreviewIn(InputSchema):
    text: Annotated[str, Field(max_length=5000), NoNul]
    party_id: BodyId | None = Field(
        None, description="Count it as sent to this customer (placeholders filled)"
    )
    language: Literal["fa", "en"] | None = None


class SmsPreviewOut(Schema):
    encoding: str
    characters: int
    segments: int
    per_segment: int
    cost: Decimal
    currency: str


class OutboxQuery(Schema):
    status: Literal["queued", "sending", "sent", "failed", "cancelled"] | None = None
    channel: Literal["email", "sms"] | None = None
    party: Id | None = None
    cursor: Cursor = None
    limit: Limit = 50


def _draft(user: Any, payload: SendIn, subject: str = "") -> messaging.Draft:
    template: MessageTemplate | None = None
    if payload.template_id is not None:
        template = selectors.messaging.templates_for(user=user).filter(pk=payload.template_id).first()
        if template is None:
            raise ApiError(
                422, "validation_error", _("Choose a template."), [("template_id", _("Choose a template."))]
            )
    return messaging.Draft(
        to=payload.to.strip().lower() if "@" in payload.to else payload.to.strip(),
        subject=subject,
        body=payload.body,
        purpose=payload.purpose,
        language=payload.language or "",
        template=template,
    )


def _phone(raw: str) -> str:
    """A number as the API caller wrote it, as E.164 when it is one."""

    return caller_number(raw) or raw


@router.post("/parties/{party_id}/emails", response={201: OutboundOut, **ERRORS}, summary="Email a customer")
def email_send(request: HttpRequest, party_id: Id, payload: EmailIn) -> Status[OutboundMessage]:
    user = actor(request)
    party = party_get(user=user, pk=party_id)
    return Status(
        201, messaging.email_send(party=party, actor=user, draft=_draft(user, payload, payload.subject))
    )


@router.post("/parties/{party_id}/sms", response={201: OutboundOut, **ERRORS}, summary="Text a customer")
def sms_send(request: HttpRequest, party_id: Id, payload: SendIn) -> Status[OutboundMessage]:
    user = actor(request)
    party = party_get(user=user, pk=party_id)
    draft = _draft(user, payload)
    draft.to = _phone(draft.to)
    return Status(201, messaging.sms_send(party=party, actor=user, draft=draft))


@router.post("/sms/preview", response={200: SmsPreviewOut, **ERRORS}, summary="Segments and cost of a text")
def sms_preview(request: HttpRequest, payload: SmsPreviewIn) -> dict[str, Any]:
    user = actor(request)
    party = party_get(user=user, pk=payload.party_id) if payload.party_id is not None else None
    counted = messaging.sms_preview(
        text=payload.text, party=party, actor=user, language=payload.language or ""
    )
    return {
        "encoding": counted.encoding,
        "characters": counted.units,
        "segments": counted.segments,
        "per_segment": counted.per_segment,
        "cost": counted.cost,
        "currency": counted.currency,
    }


@router.get(
    "/outbound-messages", response={200: PageOut[OutboundOut], **ERRORS}, summary="Emails and SMS sent"
)
def outbox_list(request: HttpRequest, filters: Query[OutboxQuery]) -> dict[str, Any]:
    values = {
        "status": filters.status or "",
        "channel": filters.channel or "",
        "party": str(filters.party or ""),
    }
    page = selectors.messaging.outbox_list(
        user=actor(request), filters=values, cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.get("/outbound-messages/{message_id}", response={200: OutboundOut, **ERRORS}, summary="One message")
def outbound_get(request: HttpRequest, message_id: Id) -> OutboundMessage:
    return selectors.messaging.outbound_get(user=actor(request), pk=message_id)
