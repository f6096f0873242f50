"""Readiness models and assessments over the API: the models, opening an assessment, inviting
respondents, a colleague's own answers, and the scores.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import json
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool, model_validator

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import ERRORS, ApiDate, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery
from peyvand.core.models import Action, Scope

from ..models import Assessment, ReadinessModel, Respondent
from ..selectors import assessments as selectors
from ..selectors import scoring
from ..services import assessments as services
from ..services import catalogue

router = Router(tags=["adoption"])

Title = Annotated[str, Field(max_length=services.TITLE_MAX), NoNul]
Department = Annotated[str, Field(max_length=services.DEPARTMENT_MAX), NoNul]


class StatementOut(Schema):
    id: int
    text_fa: str
    text_en: str
    weight: float
    reverse: bool
    culture: str = Field(description="In a culture model: clan, adhocracy, market or hierarchy")


class FactorOut(Schema):
    key: str
    name_fa: str
    name_en: str
    guidance_fa: str
    guidance_en: str
    statements: list[StatementOut]

    @staticmethod
    def resolve_statements(obj: Any) -> list[Any]:
        return list(obj.statements.all())


class ModelOut(Schema):
    id: int
    key: str
    name_fa: str
    name_en: str
    source: str
    description_fa: str
    description_en: str
    builtin: bool
    kind: str = Field(description="readiness, or culture (a culture survey's model)")


class ModelDetailOut(ModelOut):
    factors: list[FactorOut]


class ModelImportIn(InputSchema):
    model: dict[str, Any] = Field(description="A readiness model in the format of the built-in files")


def _require_see(request: HttpRequest) -> None:
    if policy.scope(actor(request), "adoption", Action.VIEW) == Scope.NONE:
        raise PermissionDenied(_("You do not have permission to see this record."))


@router.get("/adoption/models", response={200: list[ModelOut], **ERRORS}, summary="Readiness models")
def model_list(request: HttpRequest) -> list[ReadinessModel]:
    _require_see(request)
    return selectors.readiness_models()


@router.get(
    "/adoption/models/{model_id}",
    response={200: ModelDetailOut, **ERRORS},
    summary="A readiness model in full",
)
def model_get(request: HttpRequest, model_id: Id) -> dict[str, Any]:
    _require_see(request)
    model = selectors.readiness_model_get(model_id)
    return {**ModelOut.from_orm(model).model_dump(), "factors": selectors.model_factors(model)}


@router.post(
    "/adoption/models",
    response={201: ModelOut, **ERRORS},
    summary="Import a readiness model (administrators)",
)
def model_import(request: HttpRequest, payload: ModelImportIn) -> Status[ReadinessModel]:
    content = json.dumps(payload.model, ensure_ascii=False).encode()
    return Status(
        201, catalogue.readiness_model_import(actor=actor(request), content=content, filename="api.json")
    )


class AssessmentOut(Schema):
    id: int
    model_id: int
    title: str
    department: str
    starts_on: Any
    ends_on: Any
    status: str
    created_at: Any


class AssessmentIn(InputSchema):
    model_id: BodyId
    title: Title
    department: Department = ""
    starts_on: ApiDate | None = None
    ends_on: ApiDate | None = None


class AssessmentQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    model_id: Id | None = None
    status: Literal["open", "closed"] | None = None
    kind: Literal["readiness", "culture"] | None = None
    sort: Literal["created", "-created", "title", "-title"] = "-created"


@router.get("/adoption/assessments", response={200: PageOut[AssessmentOut], **ERRORS}, summary="Assessments")
def assessment_list(request: HttpRequest, filters: Query[AssessmentQuery]) -> dict[str, Any]:
    page = selectors.assessment_list(
        user=actor(request),
        filters={"q": filters.q, "model": filters.model_id, "status": filters.status, "kind": filters.kind},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/adoption/assessments", response={201: AssessmentOut, **ERRORS}, summary="Open an assessment")
def assessment_create(request: HttpRequest, payload: AssessmentIn) -> Status[Assessment]:
    user = actor(request)
    policy.require_create(user, Assessment)
    model = ReadinessModel.objects.filter(pk=payload.model_id).first()
    if model is None:
        raise field_error("model_id", _("Choose a valid value."))
    data = services.AssessmentInput(
        model=model,
        title=payload.title,
        department=payload.department,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, services.assessment_create(actor=user, data=data))


@router.get(
    "/adoption/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS}, summary="An assessment"
)
def assessment_get(request: HttpRequest, assessment_id: Id) -> Assessment:
    return selectors.assessment_get(user=actor(request), pk=assessment_id)


class InviteIn(InputSchema):
    user_id: BodyId | None = Field(None, description="A colleague; or name (and email) for a one-time link")
    name: Annotated[str, Field(max_length=200), NoNul] = ""
    email: Annotated[str, Field(max_length=254), NoNul] = ""
    days: int = Field(services.LINK_DAYS_DEFAULT, ge=1, le=services.LINK_DAYS_MAX)

    @model_validator(mode="after")
    def one_way(self) -> "InviteIn":
        if (self.user_id is None) == (not self.name):
            raise ValueError(_("Give either user_id or name."))
        return self


class RespondentOut(Schema):
    id: int
    user_id: int | None
    name: str
    submitted_at: Any
    expires_at: Any
    link: str | None = Field(None, description="The one-time link, returned only when it is made")


@router.post(
    "/adoption/assessments/{assessment_id}/respondents",
    response={201: RespondentOut, **ERRORS},
    summary="Invite a respondent",
)
def respondent_invite(request: HttpRequest, assessment_id: Id, payload: InviteIn) -> Status[dict[str, Any]]:
    user = actor(request)
    assessment = selectors.assessment_get(user=user, pk=assessment_id)
    link = None
    if payload.user_id is not None:
        colleague = resolve_user(payload.user_id, "user_id")
        assert colleague is not None
        respondent = services.respondent_invite_user(actor=user, assessment=assessment, user=colleague)
    else:
        respondent, token = services.respondent_invite_link(
            actor=user, assessment=assessment, name=payload.name, email=payload.email, days=payload.days
        )
        link = services.respond_url(token)
    return Status(201, {**RespondentOut.from_orm(respondent).model_dump(), "link": link})


class AnswerIn(Schema):
    statement_id: BodyId
    value: int = Field(ge=1, le=5)


class AnswersIn(InputSchema):
    answers: list[AnswerIn] = Field(max_length=1000)
    submit: StrictBool = False


@router.put(
    "/adoption/respondents/{respondent_id}/answers",
    response={200: RespondentOut, **ERRORS},
    summary="Save (and submit) your own answers",
)
def answers_save(request: HttpRequest, respondent_id: Id, payload: AnswersIn) -> Respondent:
    user = actor(request)
    respondent = selectors.respondent_get(user=user, pk=respondent_id)
    ratings = {a.statement_id: a.value for a in payload.answers}
    return services.answers_save(respondent=respondent, answers=ratings, submit=payload.submit, user=user)


class FactorScoreOut(Schema):
    key: str
    name: str
    score: float | None
    sd: float | None
    respondents: int
    alpha: float | None
    alpha_note: str = Field(description='Why there is no alpha: "too-few" answers or "no-variance"')
    weak: bool
    strong: bool


class ResultsOut(Schema):
    assessment_id: int
    respondents: int
    overall: float | None
    overall_sd: float | None
    factors: list[FactorScoreOut]
    weak_below: float
    strong_from: float


@router.get(
    "/adoption/assessments/{assessment_id}/results",
    response={200: ResultsOut, **ERRORS},
    summary="Scores by factor and overall",
)
def assessment_results(request: HttpRequest, assessment_id: Id) -> dict[str, Any]:
    assessment = selectors.assessment_get(user=actor(request), pk=assessment_id)
    results = selectors.assessment_results(assessment)
    weak = {f.key for f in results.weaknesses}
    strong = {f.key for f in results.strengths}
    return {
        "assessment_id": assessment.pk,
        "respondents": results.respondents,
        "overall": results.overall,
        "overall_sd": results.overall_sd,
        "weak_below": scoring.WEAK_BELOW,
        "strong_from": scoring.STRONG_FROM,
        "factors": [
            {
                "key": f.key,
                "name": f.name,
                "score": f.score,
                "sd": f.sd,
                "respondents": f.respondents,
                "alpha": f.alpha,
                "alpha_note": f.alpha_reason,
                "weak": f.key in weak,
                "strong": f.key in strong,
            }
            for f in results.factors
        ],
    }
