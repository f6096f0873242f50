"""The activities API: plan, list, change, finish and cancel activities, and the calendar.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictInt

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDate,
    ApiDateTime,
    BodyId,
    Cursor,
    Id,
    InputSchema,
    Limit,
    NoNul,
    PageOut,
    SchemaName,
    UserRef,
)
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import PartyRef
from peyvand.interactions.api.interactions import InteractionOutcome
from peyvand.notifications.reminders import REMINDER_CHOICES
from peyvand.sales.models import Deal

from .. import selectors, services
from ..models import Activity, Kind, Repeat
from ..models import Status as ActivityStatus

router = Router(tags=["activities"])

Title = Annotated[str, Field(min_length=1, max_length=200), NoNul]
Text = Annotated[str, Field(max_length=20_000), NoNul]
# Named apart from the other apps' Kind enums, which would overwrite it in the schema.
ActivityKind = Annotated[Kind, SchemaName("ActivityKind")]
Who = Literal["me", "team", "all"]


class ReminderOut(Schema):
    minutes_before: int
    remind_at: dt.datetime
    delivered_at: dt.datetime | None


class ActivityOut(Schema):
    id: int
    kind: ActivityKind
    title: str
    description: str
    party: PartyRef | None
    deal_id: int | None
    due_at: dt.datetime
    ends_at: dt.datetime | None
    assignee: UserRef
    priority: int = Field(description="1 low, 2 normal, 3 high, 4 urgent")
    status: ActivityStatus
    outcome: str
    outcome_note: str
    completed_at: dt.datetime | None
    repeat: str
    repeat_every: int
    repeat_until: dt.date | None
    follows_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityDetail(ActivityOut):
    reminders: list[ReminderOut]

    @staticmethod
    def resolve_reminders(obj: Activity) -> list[Any]:
        return list(obj.reminders.all())


Reminders = Annotated[list[Literal[REMINDER_CHOICES]], Field(max_length=len(REMINDER_CHOICES))]  # type: ignore[valid-type]


class ActivityFields(InputSchema):
    description: Text | None = None
    party_id: BodyId | None = None
    deal_id: BodyId | None = Field(
        None, description="The deal it is for; its customer when party_id is left out"
    )
    ends_at: ApiDateTime | None = None
    assignee_id: BodyId | None = Field(None, description="You, when left out")
    priority: Literal[1, 2, 3, 4] | None = None
    repeat: Repeat | None = None
    repeat_every: Annotated[StrictInt, Field(ge=1, le=365)] | None = None
    repeat_until: ApiDate | None = None
    reminders: Reminders | None = Field(
        None, description="Minutes before it is due; your defaults when left out"
    )


class ActivityCreate(ActivityFields):
    kind: ActivityKind = Kind.TASK
    title: Title
    due_at: ApiDateTime = Field(description='ISO 8601, or Jalali "1403/05/12 14:30" in your time zone')


class ActivityUpdate(ActivityFields):
    kind: ActivityKind | None = None
    title: Title | None = None
    due_at: ApiDateTime | None = None


class FollowUpIn(InputSchema):
    due_at: ApiDateTime
    kind: ActivityKind | None = None
    title: Title | None = None


class CompleteIn(InputSchema):
    outcome: InteractionOutcome | Literal[""] = ""
    note: Text = ""
    follow_up: FollowUpIn | None = Field(None, description="Plan the next contact in the same step")


class CompleteOut(Schema):
    activity: ActivityDetail
    follow_up: ActivityOut | None
    next_occurrence: ActivityOut | None


class CancelIn(InputSchema):
    reason: Text = ""


class ActivityQuery(Schema):
    who: Annotated[str, Field(max_length=20, description="me, team, all, or a user's id")] = "me"
    status: Literal["open", "done", "cancelled", "any"] = "open"
    kind: ActivityKind | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = None  # text in a query string
    party: Id | None = None
    due_from: ApiDate | None = None
    due_to: ApiDate | None = None
    overdue: bool = False
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    sort: Literal["due", "-due", "priority", "created"] = "due"
    cursor: Cursor = None
    limit: Limit = 50


class CalendarQuery(Schema):
    start: ApiDateTime
    end: ApiDateTime
    who: Annotated[str, Field(max_length=20)] = "me"


def _data(payload: InputSchema) -> tuple[dict[str, Any], list[int] | None]:
    user_fields = {"party_id", "deal_id", "assignee_id", "reminders"}
    raw = payload.model_dump(exclude_unset=True)
    data = {key: value for key, value in raw.items() if key not in user_fields}
    for key in ("description",):
        if key in data and data[key] is None:
            data[key] = ""
    if "repeat" in data and data["repeat"] is None:
        data["repeat"] = ""
    for key in ("kind", "title", "due_at", "priority", "repeat_every"):
        if key in data and data[key] is None:
            del data[key]
    return data, raw.get("reminders")


def _resolve(request: HttpRequest, payload: InputSchema, data: dict[str, Any]) -> None:
    user = actor(request)
    fields = payload.model_fields_set
    if "party_id" in fields:
        pk = getattr(payload, "party_id", None)
        data["party"] = visible_party(user, pk, "party_id") if pk else None
    if "deal_id" in fields:
        pk = getattr(payload, "deal_id", None)
        data["deal"] = None
        if pk:
            data["deal"] = policy.visible(user, Deal.objects.filter(pk=pk)).first()
            if data["deal"] is None:
                raise field_error("deal_id", _("Choose a deal you can see."))
    if "assignee_id" in fields:
        assignee = resolve_user(getattr(payload, "assignee_id", None), "assignee_id")
        if assignee is None:
            raise field_error("assignee_id", _("Choose an active user."))
        data["assignee"] = assignee


@router.get("/activities", response={200: PageOut[ActivityOut], **ERRORS}, summary="Activities")
def activity_list(request: HttpRequest, filters: Query[ActivityQuery]) -> dict[str, Any]:
    page = selectors.activities.activity_list(
        user=actor(request),
        filters=selectors.activities.ActivityFilters(
            q=filters.q,
            who=filters.who,
            status=filters.status,
            kind=filters.kind or "",
            priority=filters.priority,
            party=filters.party,
            due_from=filters.due_from,
            due_to=filters.due_to,
            overdue=filters.overdue,
        ),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/activities", response={201: ActivityDetail, **ERRORS}, summary="Plan an activity")
def activity_create(request: HttpRequest, payload: ActivityCreate) -> Status[Activity]:
    data, reminders = _data(payload)
    _resolve(request, payload, data)
    return Status(
        201, services.activities.activity_create(actor=actor(request), data=data, reminders=reminders)
    )


@router.get("/activities/{activity_id}", response={200: ActivityDetail, **ERRORS}, summary="An activity")
def activity_get(request: HttpRequest, activity_id: Id) -> Activity:
    return selectors.activities.activity_get(user=actor(request), pk=activity_id)


@router.patch(
    "/activities/{activity_id}", response={200: ActivityDetail, **ERRORS}, summary="Change or move it"
)
def activity_update(request: HttpRequest, activity_id: Id, payload: ActivityUpdate) -> Activity:
    user = actor(request)
    activity = selectors.activities.activity_get(user=user, pk=activity_id)
    data, reminders = _data(payload)
    _resolve(request, payload, data)
    return services.activities.activity_update(activity=activity, actor=user, data=data, reminders=reminders)


@router.delete("/activities/{activity_id}", response={204: None, **ERRORS}, summary="Delete an activity")
def activity_delete(request: HttpRequest, activity_id: Id) -> Status[None]:
    user = actor(request)
    services.activities.activity_delete(
        activity=selectors.activities.activity_get(user=user, pk=activity_id), actor=user
    )
    return Status(204, None)


@router.post(
    "/activities/{activity_id}/complete",
    response={200: CompleteOut, **ERRORS},
    summary="Mark it done, and plan the follow-up",
)
def activity_complete(request: HttpRequest, activity_id: Id, payload: CompleteIn) -> dict[str, Any]:
    user = actor(request)
    activity = selectors.activities.activity_get(user=user, pk=activity_id)
    follow_up = payload.follow_up.model_dump(exclude_none=True) if payload.follow_up else None
    result = services.activities.activity_complete(
        activity=activity, actor=user, outcome=payload.outcome, note=payload.note, follow_up=follow_up
    )
    return {
        "activity": result.activity,
        "follow_up": result.follow_up,
        "next_occurrence": result.next_occurrence,
    }


@router.post("/activities/{activity_id}/cancel", response={200: CompleteOut, **ERRORS}, summary="Cancel it")
def activity_cancel(request: HttpRequest, activity_id: Id, payload: CancelIn) -> dict[str, Any]:
    user = actor(request)
    activity = selectors.activities.activity_get(user=user, pk=activity_id)
    result = services.activities.activity_cancel(activity=activity, actor=user, reason=payload.reason)
    return {"activity": result.activity, "follow_up": None, "next_occurrence": result.next_occurrence}


@router.get(
    "/calendar", response={200: list[ActivityOut], **ERRORS}, summary="Activities between two moments"
)
def calendar(request: HttpRequest, filters: Query[CalendarQuery]) -> list[Activity]:
    if filters.end <= filters.start or filters.end - filters.start > dt.timedelta(days=62):
        raise field_error("end", _("Ask for at most 62 days, ending after the start."))
    return selectors.activities.calendar_items(
        user=actor(request), start=filters.start, end=filters.end, who=filters.who
    )
