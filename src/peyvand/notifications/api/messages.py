"""The messenger.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.schemas import (
    ERRORS,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    Limit,
    NoNul,
    PageOut,
    UserRef,
)

from .. import selectors, services
from ..models import Message

router = Router(tags=["notifications"])


class MessageOut(Schema):
    id: int
    sender: UserRef
    recipient_id: int
    body: str
    party_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class MessageIn(InputSchema):
    recipient_id: BodyId
    body: Annotated[str, Field(min_length=1, max_length=services.notifications.MESSAGE_MAX_LENGTH), NoNul]


class ThreadQuery(Schema):
    with_user: Id = Field(alias="with")
    cursor: Cursor = None
    limit: Limit = 50


@router.get(
    "/messages", response={200: PageOut[MessageOut], **ERRORS}, summary="Your conversation with a user"
)
def thread(request: HttpRequest, filters: Query[ThreadQuery]) -> dict[str, Any]:
    user = actor(request)
    other = selectors.messages.message_partner(user=user, pk=filters.with_user)
    return page_out(
        selectors.messages.thread(user=user, other=other, cursor=filters.cursor, limit=filters.limit)
    )


@router.post("/messages", response={201: MessageOut, **ERRORS}, summary="Write to another user")
def message_send(request: HttpRequest, payload: MessageIn) -> Status[Message]:
    user = actor(request)
    recipient = resolve_user(payload.recipient_id, "recipient_id")
    assert recipient is not None
    return Status(201, services.messages.message_send(sender=user, recipient=recipient, body=payload.body))
