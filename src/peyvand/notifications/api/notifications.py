"""The caller's notifications.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import (
    ERRORS,
    Cursor,
    Id,
    Limit,
    PageOut,
    UserRef,
)

from .. import selectors, services
from ..models import Notification

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


@router.get(
    "/notifications", response={200: PageOut[NotificationOut], **ERRORS}, summary="Your notifications"
)
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    page = selectors.notifications.notification_list(
        user=actor(request),
        filters={"unread": filters.unread, "kind": filters.kind, "sort": filters.sort},
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.get("/notifications/unread-count", response={200: UnreadOut, **ERRORS}, summary="For the bell")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.notifications.unread_count(user=actor(request))}


@router.post("/notifications/{notification_id}/read", response={204: None, **ERRORS}, summary="Mark one read")
def notification_read(request: HttpRequest, notification_id: Id) -> Status[None]:
    user = actor(request)
    notification: Notification = selectors.notifications.notification_get(user=user, pk=notification_id)
    services.notifications.notification_mark_read(notification=notification, user=user)
    return Status(204, None)


@router.post("/notifications/read-all", response={200: MarkedOut, **ERRORS}, summary="Mark all read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.notifications.notifications_mark_all_read(user=actor(request))}
