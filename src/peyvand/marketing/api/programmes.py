"""Programmes (drips): CRUD (or one made from a template), their steps, starting and pausing,
enrolling customers, the enrolments with their paths, and the figures per step.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictInt

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef
from peyvand.customers.api.schemas import PartyRef

from ..models import Enrolment, Programme, Step
from ..selectors import programmes as selectors
from ..selectors import segments as segment_selectors
from ..services import programme_templates
from ..services import programmes as services

router = Router(tags=["marketing"])

Name = Annotated[str, Field(max_length=200), NoNul]
Subject = Annotated[str, Field(max_length=200), NoNul]
Body = Annotated[str, Field(max_length=200_000), NoNul]
Position = Annotated[StrictInt, Field(ge=1, le=services.MAX_STEPS)]


class EntrySegmentRef(Schema):
    id: int
    name: str


class ProgrammeStepOut(Schema):
    id: int
    position: int
    kind: str = Field(description="wait, send, branch, tag, task, lead or exit")
    amount: int = Field(description="A wait's length, or how long a branch watches")
    unit: str = Field(description="days or hours")
    channel: str = Field(description="A send's channel: email or sms")
    subject_fa: str
    body_fa: str
    subject_en: str
    body_en: str
    condition: str = Field(description="A branch's test: opened, clicked, replied or bought")
    yes_position: int | None = Field(description="Where a branch goes on yes (null: the next step)")
    no_position: int | None = Field(description="Where a branch goes on no (null: the next step)")
    text: str = Field(description="A tag's name, a task's or a lead's title")

    @staticmethod
    def resolve_channel(obj: Step) -> str:
        return obj.campaign.channel if obj.campaign else ""

    @staticmethod
    def _content(obj: Step, name: str) -> str:
        return str(getattr(obj.campaign, name)) if obj.campaign else ""

    @staticmethod
    def resolve_subject_fa(obj: Step) -> str:
        return ProgrammeStepOut._content(obj, "subject_fa")

    @staticmethod
    def resolve_body_fa(obj: Step) -> str:
        return ProgrammeStepOut._content(obj, "body_fa")

    @staticmethod
    def resolve_subject_en(obj: Step) -> str:
        return ProgrammeStepOut._content(obj, "subject_en")

    @staticmethod
    def resolve_body_en(obj: Step) -> str:
        return ProgrammeStepOut._content(obj, "body_en")

    @staticmethod
    def resolve_yes_position(obj: Step) -> int | None:
        return obj.yes_step.position if obj.yes_step else None

    @staticmethod
    def resolve_no_position(obj: Step) -> int | None:
        return obj.no_step.position if obj.no_step else None


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    status: str = Field(description="draft, active (running) or paused")
    template: str
    owner: UserRef | None
    entry_segment: EntrySegmentRef | None = Field(description="Whose customers enter by themselves")
    reentry_days: int | None = Field(description="null: once per customer")
    attribution_days: int
    default_language: str
    track_links: bool
    track_opens: bool
    started_at: dt.datetime | None
    steps: list[ProgrammeStepOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(obj: Programme) -> list[Step]:
        return selectors.programme_steps(programme=obj)


class ProgrammeFields(InputSchema):
    description: Annotated[str, Field(max_length=5000), NoNul] | None = None
    owner_id: BodyId | None = None
    entry_segment_id: BodyId | None = Field(None, description="null: enrolled by hand or the API only")
    reentry_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = Field(
        None, description="null: once per customer"
    )
    attribution_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = None
    default_language: Literal["fa", "en"] | None = None
    track_links: bool | None = None
    track_opens: bool | None = None


class ProgrammeCreate(ProgrammeFields):
    name: Name | None = Field(None, description="Required unless made from a template")
    template: Literal["welcome", "win_back", "cross_sell"] | None = Field(
        None, description="Make a draft from a ready template (the other fields are then ignored)"
    )


class ProgrammeUpdate(ProgrammeFields):
    name: Name | None = None


class ProgrammeQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    status: Literal["draft", "active", "paused"] | None = None
    sort: Literal["name", "-name", "created", "-created"] = "-created"


class ProgrammeStepIn(InputSchema):
    kind: Literal["wait", "send", "branch", "tag", "task", "lead", "exit"]
    position: Position | None = Field(None, description="1 is first; null: at the end (or where it is)")
    amount: Annotated[StrictInt, Field(ge=0, le=9999)] = 0
    unit: Literal["days", "hours"] = "days"
    channel: Literal["email", "sms"] = "email"
    subject_fa: Subject = ""
    body_fa: Body = ""
    subject_en: Subject = ""
    body_en: Body = ""
    condition: Literal["opened", "clicked", "replied", "bought", ""] = ""
    yes_position: Position | None = None
    no_position: Position | None = None
    text: Annotated[str, Field(max_length=200), NoNul] = ""


class ProgrammeEnrolIn(InputSchema):
    party_ids: list[BodyId] = Field(default_factory=list, max_length=10_000)
    segment_id: BodyId | None = Field(None, description="Enrol a list's (or segment's) customers instead")


class ProgrammeEnrolOut(Schema):
    added: int
    skipped: int = Field(description="Already in it, or not yet allowed back in")


class ProgrammeStepStatsOut(Schema):
    step_id: int
    position: int
    kind: str
    entered: int
    sent: int
    skipped: int
    opened: int
    clicked: int
    converted: int = Field(description="Reached the step, then bought within the attribution window")
    exited: int


class ProgrammeStatsOut(Schema):
    enrolled: int
    active: int
    done: int
    exited: int
    steps: list[ProgrammeStepStatsOut]


class EnrolmentPathOut(Schema):
    at: dt.datetime
    kind: str
    step_position: int | None
    detail: str


class EnrolmentOut(Schema):
    id: int
    party: PartyRef
    number: int = Field(description="The customer's first, second… entry")
    state: str = Field(description="active, done or exited")
    step_position: int | None
    entered_at: dt.datetime
    due_at: dt.datetime | None = Field(description="When the programme looks at it next")
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_step_position(obj: Enrolment) -> int | None:
        return obj.step.position if obj.step else None


class EnrolmentDetailOut(EnrolmentOut):
    path: list[EnrolmentPathOut]

    @staticmethod
    def resolve_path(obj: Enrolment) -> list[Any]:
        return selectors.enrolment_path(enrolment=obj)


class EnrolmentQuery(PageQuery):
    state: Literal["active", "done", "exited"] | None = None
    step: Position | None = None


def _segment(user: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    segment = segment_selectors.segments_for_choice(user=user).filter(pk=pk).first()
    if segment is None:
        raise field_error(field, _("Choose a segment you can see."))
    return segment


def _input(request: HttpRequest, payload: ProgrammeFields) -> services.ProgrammeInput:
    user = actor(request)
    values: dict[str, Any] = {}
    for name, value in payload.model_dump(exclude_unset=True).items():
        if name == "template":
            continue
        if name == "entry_segment_id":
            values["entry_segment"] = _segment(user, value, name)
        elif name == "owner_id":
            values["owner"] = resolve_user(value, name)
        elif name == "reentry_days":
            values[name] = value
        elif value is None and name == "description":
            values[name] = ""
        elif value is not None:
            values[name] = value
    return services.ProgrammeInput(**values)


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    return selectors.programme_get(user=actor(request), pk=programme_id)


def _step(programme: Programme, step_id: int) -> Step:
    return selectors.step_get(programme=programme, pk=step_id)  # 404 when it is not there


def _step_input(payload: ProgrammeStepIn) -> services.StepInput:
    return services.StepInput(**payload.model_dump())


@router.get("/marketing/programmes", response={200: PageOut[ProgrammeOut], **ERRORS}, summary="Programmes")
def programme_list(request: HttpRequest, filters: Query[ProgrammeQuery]) -> dict[str, Any]:
    page = selectors.programme_list(
        user=actor(request),
        filters=filters.model_dump(include={"q", "status"}),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post(
    "/marketing/programmes",
    response={201: ProgrammeOut, **ERRORS},
    summary="Create a programme (or from a template)",
)
def programme_create(request: HttpRequest, payload: ProgrammeCreate) -> Status[Programme]:
    user = actor(request)
    if payload.template:
        return Status(201, programme_templates.programme_from_template(actor=user, template=payload.template))
    if not payload.name:
        raise field_error("name", _("This field is required."))
    data = _input(request, payload)
    return Status(201, services.programme_create(actor=user, data=data))


@router.get(
    "/marketing/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, summary="Get a programme"
)
def programme_get(request: HttpRequest, programme_id: Id) -> Programme:
    return _programme(request, programme_id)


@router.patch(
    "/marketing/programmes/{programme_id}",
    response={200: ProgrammeOut, **ERRORS},
    summary="Change a programme",
)
def programme_update(request: HttpRequest, programme_id: Id, payload: ProgrammeUpdate) -> Programme:
    programme = _programme(request, programme_id)
    return services.programme_update(programme=programme, actor=actor(request), data=_input(request, payload))


@router.delete(
    "/marketing/programmes/{programme_id}",
    response={204: None, **ERRORS},
    summary="Move a programme to the trash (paused or draft)",
)
def programme_delete(request: HttpRequest, programme_id: Id) -> Status[None]:
    services.programme_delete(programme=_programme(request, programme_id), actor=actor(request))
    return Status(204, None)


@router.post(
    "/marketing/programmes/{programme_id}/steps",
    response={201: ProgrammeStepOut, **ERRORS},
    summary="Add a step",
)
def step_add(request: HttpRequest, programme_id: Id, payload: ProgrammeStepIn) -> Status[Step]:
    programme = _programme(request, programme_id)
    step = services.step_add(programme=programme, actor=actor(request), data=_step_input(payload))
    return Status(201, selectors.step_get(programme=programme, pk=step.pk))


@router.put(
    "/marketing/programmes/{programme_id}/steps/{step_id}",
    response={200: ProgrammeStepOut, **ERRORS},
    summary="Replace a step",
)
def step_update(request: HttpRequest, programme_id: Id, step_id: Id, payload: ProgrammeStepIn) -> Step:
    programme = _programme(request, programme_id)
    step = services.step_update(
        step=_step(programme, step_id), actor=actor(request), data=_step_input(payload)
    )
    return selectors.step_get(programme=programme, pk=step.pk)


@router.delete(
    "/marketing/programmes/{programme_id}/steps/{step_id}",
    response={204: None, **ERRORS},
    summary="Remove a step",
)
def step_delete(request: HttpRequest, programme_id: Id, step_id: Id) -> Status[None]:
    programme = _programme(request, programme_id)
    services.step_delete(step=_step(programme, step_id), actor=actor(request))
    return Status(204, None)


@router.post(
    "/marketing/programmes/{programme_id}/start",
    response={200: ProgrammeOut, **ERRORS},
    summary="Start or resume a programme",
)
def programme_start(request: HttpRequest, programme_id: Id) -> Programme:
    return services.programme_start(programme=_programme(request, programme_id), actor=actor(request))


@router.post(
    "/marketing/programmes/{programme_id}/pause",
    response={200: ProgrammeOut, **ERRORS},
    summary="Pause a programme",
)
def programme_pause(request: HttpRequest, programme_id: Id) -> Programme:
    return services.programme_pause(programme=_programme(request, programme_id), actor=actor(request))


@router.post(
    "/marketing/programmes/{programme_id}/enrol",
    response={200: ProgrammeEnrolOut, **ERRORS},
    summary="Enrol customers (chosen, or a list's)",
)
def programme_enrol(request: HttpRequest, programme_id: Id, payload: ProgrammeEnrolIn) -> Any:
    user = actor(request)
    programme = _programme(request, programme_id)
    segment = _segment(user, payload.segment_id, "segment_id")
    return services.programme_enrol(
        programme=programme, actor=user, party_ids=payload.party_ids, segment=segment
    )


@router.get(
    "/marketing/programmes/{programme_id}/stats",
    response={200: ProgrammeStatsOut, **ERRORS},
    summary="Enrolments and the figures of each step",
)
def programme_stats(request: HttpRequest, programme_id: Id) -> dict[str, Any]:
    programme = _programme(request, programme_id)
    totals = selectors.programme_totals(programme=programme)
    return {
        "enrolled": totals.enrolled,
        "active": totals.active,
        "done": totals.done,
        "exited": totals.exited,
        "steps": [
            {
                "step_id": row.step.pk,
                "position": row.step.position,
                "kind": row.step.kind,
                "entered": row.entered,
                "sent": row.sent,
                "skipped": row.skipped,
                "opened": row.opened,
                "clicked": row.clicked,
                "converted": row.converted,
                "exited": row.exited,
            }
            for row in selectors.step_stats(programme=programme)
        ],
    }


@router.get(
    "/marketing/programmes/{programme_id}/enrolments",
    response={200: PageOut[EnrolmentOut], **ERRORS},
    summary="A programme's enrolments",
)
def enrolment_list(request: HttpRequest, programme_id: Id, filters: Query[EnrolmentQuery]) -> dict[str, Any]:
    programme = _programme(request, programme_id)
    page = selectors.enrolment_list(
        user=actor(request),
        programme=programme,
        filters={"state": filters.state, "step": str(filters.step) if filters.step else None},
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.get(
    "/marketing/programmes/{programme_id}/enrolments/{enrolment_id}",
    response={200: EnrolmentDetailOut, **ERRORS},
    summary="An enrolment and its path",
)
def enrolment_get(request: HttpRequest, programme_id: Id, enrolment_id: Id) -> Enrolment:
    programme = _programme(request, programme_id)
    return selectors.enrolment_get(user=actor(request), programme=programme, pk=enrolment_id)
