"""Replies the SMS gateway posts: on the timeline, and «لغو»/STOP withdraws consent.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from peyvand.core.apikit.errors import ApiError
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDateTime,
    NoNul,
)
from peyvand.customers.api.schemas import PartyRef

from ..services.inbound import InboundError, sms_receive
from .webhooks import webhook_auth, webhook_payload

router = Router(tags=["communications"])

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
    payload = webhook_payload(request, SmsIn)
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
