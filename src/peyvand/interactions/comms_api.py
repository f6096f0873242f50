"""The communications API: email and SMS to customers, the outbox, and the webhooks of the
PBX (telephony) and the SMS gateway (replies).

The two webhooks take JSON or a form-encoded body, as Asterisk's CURL() and most Iranian
SMS gateways post forms. They authenticate with a shared secret from the environment
(``Authorization: Bearer <secret>`` or ``X-Peyvand-Token: <secret>``), or with an
administrator's personal API token.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
import hmac
import json
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from peyvand.core.api import (
    ERRORS,
    ApiDateTime,
    ApiError,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    Limit,
    NoNul,
    PageOut,
    TokenAuth,
    UserRef,
    actor,
    page_out,
)
from peyvand.core.text import to_ascii_digits
from peyvand.customers.api import PartyRef
from peyvand.customers.selectors import party_get

from . import selectors
from .models import MessageTemplate, OutboundMessage, PhoneCall
from .services import messaging
from .services.inbound import InboundError, sms_receive
from .services.telephony import CallEvent, call_event_record

router = Router(tags=["communications"])
S = TypeVar("S", bound=BaseModel)


# --- webhook authentication ---------------------------------------------------------------


def _secret_matches(given: str | None, secret: str) -> bool:
    return bool(secret and given) and hmac.compare_digest(str(given).encode(), secret.encode())


class _SecretBearer(HttpBearer):
    setting = ""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return "webhook" if _secret_matches(token, getattr(settings, self.setting)) else None


class _SecretHeader(APIKeyHeader):
    param_name = "X-Peyvand-Token"
    setting = ""

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return "webhook" if _secret_matches(key, getattr(settings, self.setting)) else None


class _AdminToken(TokenAuth):
    """A personal API token, for administrators only: a webhook acts for nobody in particular."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return user if user is not None and user.is_administrator else None


def webhook_auth(setting: str) -> list[Any]:
    bearer = type("Bearer", (_SecretBearer,), {"setting": setting})
    header = type("Header", (_SecretHeader,), {"setting": setting})
    return [bearer(), header(), _AdminToken()]


def _payload(request: HttpRequest, schema: type[S]) -> S:
    """The body as JSON or as a form, validated into ``schema`` with the API's error format."""
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # A PBX's dialplan sends every field, empty when it has no value (no billsec while
        # ringing): an empty field is a missing one.
        data = {name: value for name, value in request.POST.items() if str(value).strip()}
    else:
        try:
            data = json.loads(request.body or b"null")
        except RecursionError:
            raise ApiError(400, "invalid_json", _("The request body is nested too deeply.")) from None
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    try:
        return schema.model_validate(data)
    except RecursionError:
        raise ApiError(400, "invalid_json", _("The request body is nested too deeply.")) from None
    except PydanticValidationError as exc:
        errors = [
            {"type": error["type"], "loc": ("body", "payload", *error["loc"]), "ctx": error.get("ctx")}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise NinjaValidationError(errors) from None


def _whole_number(value: Any) -> Any:
    """A whole number, from JSON or a form's text; never a boolean or a fraction."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_("Enter a whole number."))
    if isinstance(value, str):
        text = to_ascii_digits(value.strip())
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise ValueError(_("Enter a whole number."))
        return int(text)
    return value


# --- telephony ----------------------------------------------------------------------------


class CallEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: Annotated[
        str, Field(min_length=1, max_length=100, description="The PBX's id (Asterisk's UNIQUEID)"), NoNul
    ]
    event: Literal["ringing", "answered", "finished"]
    number: Annotated[
        str, Field(max_length=100, description="The customer's number, in any format"), NoNul
    ] = ""
    direction: Literal["inbound", "outbound"] = "inbound"
    extension: Annotated[str, Field(max_length=20), NoNul] = ""
    duration: (
        Annotated[
            int,
            BeforeValidator(_whole_number),
            Field(ge=0, le=604_800, description="Talk time in seconds (billsec)"),
        ]
        | None
    ) = None
    recording_url: Annotated[str, Field(max_length=500), NoNul] = ""
    at: ApiDateTime | None = Field(None, description="When it happened; now when left out")


class CallOut(Schema):
    call_id: str
    status: str
    direction: str
    number: str = Field(description="E.164, empty when withheld")
    extension: str
    customer: PartyRef | None
    customer_url: str | None
    caller_name: str = Field(description="For the phone's display: the customer's name, or the number")
    interaction_id: int | None
    user: UserRef | None


def _call_out(call: PhoneCall) -> dict[str, Any]:
    party = call.party
    return {
        "call_id": call.call_id,
        "status": call.status,
        "direction": call.direction,
        "number": call.number,
        "extension": call.extension,
        "customer": party,
        "customer_url": settings.PEYVAND_BASE_URL + reverse("party_detail", args=[party.pk])
        if party
        else None,
        "caller_name": party.display_name if party else (call.number or call.raw_number),
        "interaction_id": call.interaction_id,
        "user": call.user,
    }


@router.post(
    "/telephony/calls",
    response={200: CallOut, **ERRORS},
    auth=webhook_auth("PEYVAND_TELEPHONY_TOKEN"),
    summary="A PBX event: ringing, answered or finished",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": CallEventIn.model_json_schema()},
                "application/x-www-form-urlencoded": {"schema": CallEventIn.model_json_schema()},
            }
        }
    },
)
def telephony_call(request: HttpRequest) -> dict[str, Any]:
    payload = _payload(request, CallEventIn)
    call = call_event_record(event=CallEvent(**payload.model_dump()))
    return _call_out(call)


# --- SMS replies --------------------------------------------------------------------------


class SmsIn(BaseModel):
    # Gateways send more than this; what we do not read is ignored.
    model_config = ConfigDict(extra="ignore")

    sender: Annotated[
        str, Field(min_length=1, max_length=100, validation_alias=AliasChoices("from", "sender")), NoNul
    ]
    text: Annotated[
        str, Field(max_length=5000, validation_alias=AliasChoices("text", "message", "body")), NoNul
    ] = ""
    id: Annotated[
        str, Field(max_length=200, validation_alias=AliasChoices("id", "messageid", "message_id")), NoNul
    ] = ""
    at: ApiDateTime | None = None


class SmsReceived(Schema):
    interaction_id: int | None = Field(description="Null when the same message came before")
    customer: PartyRef | None


@router.post(
    "/sms/inbound",
    response={200: SmsReceived, **ERRORS},
    auth=webhook_auth("PEYVAND_SMS_WEBHOOK_TOKEN"),
    summary="An SMS a customer sent (the gateway's callback)",
)
def sms_inbound(request: HttpRequest) -> dict[str, Any]:
    payload = _payload(request, SmsIn)
    try:
        interaction = sms_receive(
            sender=payload.sender, text=payload.text, key=payload.id, received_at=payload.at
        )
    except InboundError as exc:
        raise ApiError(422, "validation_error", str(exc), [(exc.field, str(exc))]) from None
    return {
        "interaction_id": interaction.pk if interaction else None,
        "customer": interaction.party if interaction else None,
    }


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
        template = selectors.templates_for(user=user).filter(pk=payload.template_id).first()
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
    from .lookup import caller_number

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
    page = selectors.outbox_list(
        user=actor(request), filters=values, cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.get("/outbound-messages/{message_id}", response={200: OutboundOut, **ERRORS}, summary="One message")
def outbound_get(request: HttpRequest, message_id: Id) -> OutboundMessage:
    return selectors.outbound_get(user=actor(request), pk=message_id)
