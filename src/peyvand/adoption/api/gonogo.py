"""The go/no-go evaluation that ends a selection, and the innovation model's feedback periods,
over the API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
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

from ..models import FeedbackPeriod, GoCriterion
from ..selectors import feedback as feedback_selectors
from ..selectors import gonogo as selectors
from ..selectors import selection as selection_selectors
from ..selectors.assessments import may_see
from ..services import feedback as feedback_services
from ..services import gonogo as services

router = Router(tags=["adoption"])

CriterionValue = Literal["goal", "usefulness", "resources", "risk"]
Reason = Annotated[str, Field(min_length=1, max_length=services.TEXT_MAX), NoNul]
Note = Annotated[str, Field(max_length=services.NOTE_MAX), NoNul]


class GoCriterionOut(Schema):
    criterion: str
    label: str
    value: int | None
    note: str


class GroupRiskOut(Schema):
    key: str
    name: str
    score: float | None = Field(description="The risk questionnaire's score in the group, 0–100")
    risk: float | None = Field(description="100 minus the score")
    level: Literal["high", "medium", "low"] | None


class GoNoGoOut(Schema):
    decision: Literal["pending", "go", "no_go"]
    recommendation: Literal["go", "no_go"] | None
    mean: float | None
    reason: str
    decided_by: int | None
    decided_at: dt.datetime | None
    risk_assessment_id: int | None
    suggested_risk_score: int | None
    criteria: list[GoCriterionOut]
    risk_groups: list[GroupRiskOut]


class GoScoreIn(InputSchema):
    criterion: CriterionValue
    value: Annotated[int, Field(ge=1, le=5)] | None = None
    note: Note = ""


class GoNoGoIn(InputSchema):
    risk_assessment_id: BodyId | None = None
    scores: Annotated[list[GoScoreIn], Field(max_length=len(GoCriterion.values))] = []


class GoDecisionIn(InputSchema):
    decision: Literal["go", "no_go"]
    reason: Reason


def _out(selection: Any) -> dict[str, Any]:
    return selectors.payload(selectors.evaluation(selection))


@router.get(
    "/adoption/selections/{selection_id}/go-no-go",
    response={200: GoNoGoOut, **ERRORS},
    summary="A selection's go/no-go evaluation",
)
def go_no_go_get(request: HttpRequest, selection_id: Id) -> dict[str, Any]:
    return _out(selection_selectors.selection_get(user=actor(request), pk=selection_id))


@router.put(
    "/adoption/selections/{selection_id}/go-no-go",
    response={200: GoNoGoOut, **ERRORS},
    summary="Score the go/no-go criteria",
)
def go_no_go_save(request: HttpRequest, selection_id: Id, payload: GoNoGoIn) -> dict[str, Any]:
    user = actor(request)
    selection = selection_selectors.selection_get(user=user, pk=selection_id)
    policy.require_change(user, selection)
    risk_assessment = None
    if payload.risk_assessment_id is not None:
        risk_assessment = selectors.risk_assessments(user).filter(pk=payload.risk_assessment_id).first()
        if risk_assessment is None:
            raise field_error("risk_assessment_id", _("Choose an assessment of the risk questionnaire."))
    scores = [
        services.GoScoreInput(criterion=s.criterion, value="" if s.value is None else s.value, note=s.note)
        for s in payload.scores
    ]
    services.go_no_go_save(actor=user, selection=selection, scores=scores, risk_assessment=risk_assessment)
    return _out(selection)


@router.post(
    "/adoption/selections/{selection_id}/go-no-go/decision",
    response={200: GoNoGoOut, **ERRORS},
    summary="Record the go/no-go decision",
)
def go_no_go_decide(request: HttpRequest, selection_id: Id, payload: GoDecisionIn) -> dict[str, Any]:
    user = actor(request)
    selection = selection_selectors.selection_get(user=user, pk=selection_id)
    services.go_no_go_decide(
        actor=user, selection=selection, decision=payload.decision, reason=payload.reason
    )
    return _out(selection)


@router.post(
    "/adoption/selections/{selection_id}/go-no-go/reopen",
    response={200: GoNoGoOut, **ERRORS},
    summary="Reopen the go/no-go evaluation",
)
def go_no_go_reopen(request: HttpRequest, selection_id: Id) -> dict[str, Any]:
    user = actor(request)
    selection = selection_selectors.selection_get(user=user, pk=selection_id)
    services.go_no_go_reopen(actor=user, selection=selection)
    return _out(selection)


# --- the feedback loop ----------------------------------------------------------------------


class FeedbackPeriodOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    users: int
    active_users: int
    records_created: int
    records_per_user: Decimal
    activities_logged: int
    completeness: Decimal | None
    duplicate_rate: Decimal | None
    roadmap_progress: Decimal | None
    objectives_on_track: Decimal | None
    measured_at: dt.datetime | None
    notes: str
    decision: Literal["expand", "continue", "reduce", "stop", ""]
    decision_reason: str
    decided_by: UserRef | None
    decided_at: dt.datetime | None


class FeedbackPeriodIn(InputSchema):
    start: ApiDate
    end: ApiDate


class SupportDecisionIn(InputSchema):
    decision: Literal["expand", "continue", "reduce", "stop"]
    reason: Reason
    notes: Annotated[str, Field(max_length=feedback_services.TEXT_MAX), NoNul] = ""


@router.get(
    "/adoption/feedback-periods",
    response={200: PageOut[FeedbackPeriodOut], **ERRORS},
    summary="The feedback loop's periods",
)
def period_list(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    if not may_see(actor(request)):
        raise PermissionDenied
    return page_out(
        feedback_selectors.period_list(user=actor(request), cursor=filters.cursor, limit=filters.limit)
    )


@router.post(
    "/adoption/feedback-periods",
    response={201: FeedbackPeriodOut, **ERRORS},
    summary="Open a feedback period (measured at once)",
)
def period_create(request: HttpRequest, payload: FeedbackPeriodIn) -> Status[FeedbackPeriod]:
    user = actor(request)
    policy.require_create(user, FeedbackPeriod)
    data = feedback_services.PeriodInput(start=payload.start, end=payload.end)
    return Status(201, feedback_services.feedback_period_create(actor=user, data=data))


@router.get(
    "/adoption/feedback-periods/{period_id}",
    response={200: FeedbackPeriodOut, **ERRORS},
    summary="A feedback period",
)
def period_get(request: HttpRequest, period_id: Id) -> FeedbackPeriod:
    return feedback_selectors.period_get(user=actor(request), pk=period_id)


@router.post(
    "/adoption/feedback-periods/{period_id}/measure",
    response={200: FeedbackPeriodOut, **ERRORS},
    summary="Measure a feedback period again",
)
def period_measure(request: HttpRequest, period_id: Id) -> FeedbackPeriod:
    user = actor(request)
    period = feedback_selectors.period_get(user=user, pk=period_id)
    return feedback_services.feedback_period_measure(actor=user, period=period)


@router.post(
    "/adoption/feedback-periods/{period_id}/decision",
    response={200: FeedbackPeriodOut, **ERRORS},
    summary="Record a period's support decision",
)
def period_decide(request: HttpRequest, period_id: Id, payload: SupportDecisionIn) -> FeedbackPeriod:
    user = actor(request)
    period = feedback_selectors.period_get(user=user, pk=period_id)
    data = feedback_services.DecisionInput(
        decision=payload.decision, reason=payload.reason, notes=payload.notes
    )
    return feedback_services.feedback_period_decide(actor=user, period=period, data=data)
