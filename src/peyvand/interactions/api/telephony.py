"""The PBX's call events (Asterisk, Issabel): calls logged, the customer popped up.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from peyvand.core.apikit.schemas import (
    ERRORS,
    UserRef,
)
from peyvand.customers.api.schemas import PartyRef

from ..models import PhoneCall
from ..services.telephony import CallEvent, call_event_record
from .webhooks import webhook_auth, webhook_payload

router = Router(tags=["communications"])

# --- telephony ----------------------------------------------------------------------------


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
                "application/json": {"schema": CallEvent.model_json_schema()},
                "application/x-www-form-urlencoded": {"schema": CallEvent.model_json_schema()},
            }
        }
    },
)
def telephony_call(request: HttpRequest) -> dict[str, Any]:
    call = call_event_record(event=webhook_payload(request, CallEvent))
    return _call_out(call)
