"""Objectives over the API: the list, adding and changing one, measuring it now on the live
figures, and its progress history (one measurement a day).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDate,
    BodyId,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    UserRef,
)
from peyvand.core.models import Team, User
from peyvand.marketing.api.campaigns import SegmentRef
from peyvand.marketing.models import Segment

from ..metrics import METRICS, channel_choices
from ..models import Objective
from ..selectors import objectives as selectors
from ..selectors.assessments import may_see
from ..services import objectives as services

router = Router(tags=["adoption"])

MetricValue = Annotated[
    str, Field(max_length=40, description="A metric Peyvand computes: " + ", ".join(METRICS)), NoNul
]
ChannelValue = Annotated[
    str,
    Field(
        max_length=20,
        description="Limit the figure to one channel (blank: every channel): "
        + ", ".join(key for key, _label in channel_choices()),
    ),
    NoNul,
]
Title = Annotated[str, Field(min_length=1, max_length=200), NoNul]
Goal = Annotated[str, Field(max_length=300), NoNul]
Target = Annotated[Decimal, Field(max_digits=20, decimal_places=2)]


class TeamRef(Schema):
    id: int
    name: str


class ObjectiveOut(Schema):
    id: int
    title: str
    goal: str
    metric: str
    team: TeamRef | None
    segment: SegmentRef | None
    channel: str
    owner: UserRef | None
    baseline_start: dt.date
    baseline_end: dt.date
    starts_on: dt.date
    due_on: dt.date
    target: Decimal
    baseline_value: float | None
    current_value: float | None
    measured_at: dt.datetime | None
    state: str
    progress_percent: int
    expected_percent: int

    @staticmethod
    def resolve_state(obj: Objective) -> str:
        return selectors.standing(obj).state

    @staticmethod
    def resolve_progress_percent(obj: Objective) -> int:
        return selectors.standing(obj).percent

    @staticmethod
    def resolve_expected_percent(obj: Objective) -> int:
        return selectors.standing(obj).expected_percent


class ObjectiveIn(InputSchema):
    title: Title
    goal: Goal = ""
    metric: MetricValue
    team_id: BodyId | None = None
    segment_id: BodyId | None = None
    channel: ChannelValue = ""
    owner_id: BodyId | None = None
    baseline_start: ApiDate
    baseline_end: ApiDate
    starts_on: ApiDate
    due_on: ApiDate
    target: Target


class ObjectivePatch(InputSchema):
    title: Title | None = None
    goal: Goal | None = None
    metric: MetricValue | None = None
    team_id: BodyId | None = None
    segment_id: BodyId | None = None
    channel: ChannelValue | None = None
    owner_id: BodyId | None = None
    baseline_start: ApiDate | None = None
    baseline_end: ApiDate | None = None
    starts_on: ApiDate | None = None
    due_on: ApiDate | None = None
    target: Target | None = None


class ObjectiveQuery(PageQuery):
    metric: MetricValue | None = None


class MeasureOut(Schema):
    measured_on: dt.date
    value: float | None


def _input(user: User, values: dict[str, Any]) -> services.ObjectiveInput:
    team_id = values.pop("team_id", None)
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise field_error("team_id", _("Choose a valid value."))
    segment_id = values.pop("segment_id", None)
    segment = None
    if segment_id is not None:
        # A segment the user may not see is the same answer as one that does not exist.
        segment = policy.visible(user, Segment.objects.filter(pk=segment_id)).first()
        if segment is None:
            raise field_error("segment_id", _("Choose a segment you may see."))
    values["owner"] = resolve_user(values.pop("owner_id", None), "owner_id")
    return services.ObjectiveInput(team=team, segment=segment, **values)


@router.get("/adoption/objectives", response={200: PageOut[ObjectiveOut], **ERRORS}, summary="The objectives")
def objective_list(request: HttpRequest, filters: Query[ObjectiveQuery]) -> dict[str, Any]:
    user = actor(request)
    if not may_see(user):
        raise PermissionDenied
    page = selectors.objective_page(
        user=user, metric=filters.metric, cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.post("/adoption/objectives", response={201: ObjectiveOut, **ERRORS}, summary="Add an objective")
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> Status[Objective]:
    user = actor(request)
    policy.require_create(user, Objective)
    return Status(201, services.objective_save(actor=user, data=_input(user, payload.model_dump())))


@router.get(
    "/adoption/objectives/{objective_id}", response={200: ObjectiveOut, **ERRORS}, summary="An objective"
)
def objective_get(request: HttpRequest, objective_id: Id) -> Objective:
    return selectors.objective_get(user=actor(request), pk=objective_id)


@router.patch(
    "/adoption/objectives/{objective_id}",
    response={200: ObjectiveOut, **ERRORS},
    summary="Change an objective",
)
def objective_update(request: HttpRequest, objective_id: Id, payload: ObjectivePatch) -> Objective:
    user = actor(request)
    objective = selectors.objective_get(user=user, pk=objective_id)
    policy.require_change(user, objective)
    values: dict[str, Any] = {
        "title": objective.title,
        "goal": objective.goal,
        "metric": objective.metric,
        "team_id": objective.team_id,
        "segment_id": objective.segment_id,
        "channel": objective.channel,
        "owner_id": objective.owner_id,
        "baseline_start": objective.baseline_start,
        "baseline_end": objective.baseline_end,
        "starts_on": objective.starts_on,
        "due_on": objective.due_on,
        "target": objective.target,
    }
    values.update({k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    for name in ("team_id", "segment_id", "owner_id"):
        if name in payload.model_fields_set:
            values[name] = getattr(payload, name)
    return services.objective_save(actor=user, data=_input(user, values), objective=objective)


@router.post(
    "/adoption/objectives/{objective_id}/measure",
    response={200: ObjectiveOut, **ERRORS},
    summary="Measure an objective now",
)
def objective_measure(request: HttpRequest, objective_id: Id) -> Objective:
    user = actor(request)
    objective = selectors.objective_get(user=user, pk=objective_id)
    policy.require_change(user, objective)
    return services.objective_measure(objective)


@router.get(
    "/adoption/objectives/{objective_id}/measures",
    response={200: list[MeasureOut], **ERRORS},
    summary="An objective's progress history",
)
def objective_measures(request: HttpRequest, objective_id: Id) -> list[Any]:
    objective = selectors.objective_get(user=actor(request), pk=objective_id)
    return list(selectors.measures(objective)[:1000])
