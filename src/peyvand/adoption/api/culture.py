"""Culture surveys over the API: a respondent's own points (now and preferred) and the results.

A culture survey is an assessment of a culture model (``kind`` "culture" in
``/adoption/models``): it is opened, its respondents invited and its status changed through
the assessments' endpoints.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field, StrictBool

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema

from ..models import POINTS_TOTAL, Respondent
from ..selectors import assessments as selectors
from ..selectors import culture as culture_selectors
from ..services import culture as services
from .assessments import RespondentOut

router = Router(tags=["adoption"])


class PointsIn(Schema):
    statement_id: BodyId
    now: int = Field(ge=0, le=POINTS_TOTAL, description="Points for the organisation as it is now")
    preferred: int = Field(ge=0, le=POINTS_TOTAL, description="Points for the organisation as preferred")


class CultureAnswersIn(InputSchema):
    answers: list[PointsIn] = Field(
        max_length=400,
        description="Whole dimensions: in each, the four statements' points add up to 100 per column",
    )
    submit: StrictBool = False


@router.put(
    "/adoption/respondents/{respondent_id}/culture-answers",
    response={200: RespondentOut, **ERRORS},
    summary="Save (and submit) your own points in a culture survey",
)
def culture_answers_save(request: HttpRequest, respondent_id: Id, payload: CultureAnswersIn) -> Respondent:
    user = actor(request)
    respondent = selectors.respondent_get(user=user, pk=respondent_id)
    points = {a.statement_id: (a.now, a.preferred) for a in payload.answers}
    if len(points) != len(payload.answers):
        raise ValidationError(_("Give each statement once."))
    return services.culture_answers_save(
        respondent=respondent, answers=points, submit=payload.submit, user=user
    )


class TypeScoreOut(Schema):
    culture: str
    label: str
    now: float | None
    preferred: float | None
    gap: float | None = Field(description="Preferred minus now")
    notable: bool = Field(description="The gap is at least 10 points either way")


class DimensionOut(Schema):
    key: str
    name: str
    types: list[TypeScoreOut]


class CultureResultsOut(Schema):
    assessment_id: int
    respondents: int
    dominant_now: str | None
    dominant_preferred: str | None
    types: list[TypeScoreOut]
    dimensions: list[DimensionOut]
    reading: list[str] = Field(description="The plain-language reading, in the request's language")


def _type(score: culture_selectors.TypeScore) -> dict[str, Any]:
    return {
        "culture": score.culture,
        "label": score.label,
        "now": score.now,
        "preferred": score.preferred,
        "gap": score.gap,
        "notable": score.notable,
    }


@router.get(
    "/adoption/assessments/{assessment_id}/culture-results",
    response={200: CultureResultsOut, **ERRORS},
    summary="A culture survey's profile: mean points per culture type now and preferred",
)
def culture_results(request: HttpRequest, assessment_id: Id) -> dict[str, Any]:
    assessment = selectors.assessment_get(user=actor(request), pk=assessment_id)
    if not assessment.is_culture:
        raise ValidationError(_("This assessment is not a culture survey."))
    results = culture_selectors.culture_results(assessment)
    now, preferred = results.dominant_now, results.dominant_preferred
    return {
        "assessment_id": assessment.pk,
        "respondents": results.respondents,
        "dominant_now": now.culture if now else None,
        "dominant_preferred": preferred.culture if preferred else None,
        "types": [_type(t) for t in results.types],
        "dimensions": [
            {"key": d.key, "name": d.name, "types": [_type(t) for t in d.types]} for d in results.dimensions
        ],
        "reading": culture_selectors.culture_reading(results),
    }
