"""The notifications and messenger API: each user's own, nobody else's.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.api import (
    ERRORS,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    Limit,
    NoNul,
    PageOut,
    UserRef,
    actor,
    page_out,
)

from . import selectors, services
from .models import Message, Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(description="What happened, in your language")
    url: str
    party_id: int | None
    actor: UserRef | None
    late: bool = Field(description="Delivered later than due (the worker was down)")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationQuery(Schema):
    unread: bool = False
    kind: Annotated[str, Field(max_length=30)] = ""
    sort: Literal["new", "old"] = "new"
    cursor: Cursor = None
    limit: Limit = 30


class UnreadOut(Schema):
    unread: int = Field(description="Counted up to 100")


class MarkedOut(Schema):
    marked: int


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
    body: Annotated[str, Field(min_length=1, max_length=services.MESSAGE_MAX_LENGTH), NoNul]


class ThreadQuery(Schema):
    with_user: Id = Field(alias="with")
    cursor: Cursor = None
    limit: Limit = 50


@router.get(
    "/notifications", response={200: PageOut[NotificationOut], **ERRORS}, summary="Your notifications"
)
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    page = selectors.notification_list(
        user=actor(request),
        filters={"unread": filters.unread, "kind": filters.kind, "sort": filters.sort},
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.get("/notifications/unread-count", response={200: UnreadOut, **ERRORS}, summary="For the bell")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(user=actor(request))}


@router.post("/notifications/{notification_id}/read", response={204: None, **ERRORS}, summary="Mark one read")
def notification_read(request: HttpRequest, notification_id: Id) -> Status[None]:
    user = actor(request)
    notification: Notification = selectors.notification_get(user=user, pk=notification_id)
    services.notification_mark_read(notification=notification, user=user)
    return Status(204, None)


@router.post("/notifications/read-all", response={200: MarkedOut, **ERRORS}, summary="Mark all read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.notifications_mark_all_read(user=actor(request))}


@router.get(
    "/messages", response={200: PageOut[MessageOut], **ERRORS}, summary="Your conversation with a user"
)
def thread(request: HttpRequest, filters: Query[ThreadQuery]) -> dict[str, Any]:
    user = actor(request)
    other = selectors.message_partner(user=user, pk=filters.with_user)
    return page_out(selectors.thread(user=user, other=other, cursor=filters.cursor, limit=filters.limit))


@router.post("/messages", response={201: MessageOut, **ERRORS}, summary="Write to another user")
def message_send(request: HttpRequest, payload: MessageIn) -> Status[Message]:
    from peyvand.core.api import resolve_user

    user = actor(request)
    recipient = resolve_user(payload.recipient_id, "recipient_id")
    assert recipient is not None
    return Status(201, services.message_send(sender=user, recipient=recipient, body=payload.body))
