"""The PBX's call events (Asterisk, Issabel): calls logged, the customer popped up.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDateTime,
    NoNul,
    UserRef,
)
from peyvand.customers.api.schemas import PartyRef

from ..models import PhoneCall
from ..services.telephony import CallEvent, call_event_record
from .webhooks import webhook_auth, webhook_payload, whole_number

router = Router(tags=["communications"])

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
            BeforeValidator(whole_number),
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
    payload = webhook_payload(request, CallEventIn)
    call = call_event_record(event=CallEvent(**payload.model_dump()))
    return _call_out(call)
