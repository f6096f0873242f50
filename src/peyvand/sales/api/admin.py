"""The administrator's sales configuration over the API: pipelines, lead scoring and
assignment rules, web forms. No ``from __future__ import annotations``: ninja reads them."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import resolve_user
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, SchemaName
from peyvand.core.models import Team
from peyvand.customers.models import Source

from ..models import AssignmentRule, Outcome, Pipeline, ScoreRule, WebForm
from ..services import leads, pipelines, webforms
from .common import one_of
from .deals import DealOutcome, PipelineOut
from .deals import router as deals_router

router = Router(tags=["sales settings"])
Name = Annotated[str, Field(max_length=200), NoNul]


class PipelineStageIn(InputSchema):
    id: BodyId | None = Field(None, description="An existing stage to keep (renamed or moved)")
    name: Annotated[str, Field(max_length=100), NoNul]
    probability: Annotated[StrictInt, Field(ge=0, le=100)]
    outcome: DealOutcome = Outcome.OPEN


class PipelineIn(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul]
    is_default: StrictBool = False
    stages: list[PipelineStageIn] = Field(max_length=50, description="In order; a stage left out is retired")


class ScoreRuleIO(Schema):
    id: int | None = None
    kind: Annotated[ScoreRule.Kind, SchemaName("ScoreRuleKind")]
    value: Annotated[str, Field(max_length=100), NoNul] = ""
    points: Annotated[StrictInt, Field(ge=-100, le=100)]
    active: bool = True


class ScoreRulePatch(InputSchema):
    kind: Annotated[ScoreRule.Kind, SchemaName("ScoreRuleKind")] | None = None
    value: Annotated[str, Field(max_length=100), NoNul] | None = None
    points: Annotated[StrictInt, Field(ge=-100, le=100)] | None = None
    active: StrictBool | None = None


class AssignmentRuleOut(Schema):
    id: int
    order: int
    kind: str
    value: str
    team_id: int | None
    user_id: int | None
    active: bool


class AssignmentRuleIn(InputSchema):
    order: Annotated[StrictInt, Field(ge=0, le=10000)] = 10
    kind: Annotated[AssignmentRule.Kind, SchemaName("AssignmentRuleKind")]
    value: Annotated[str, Field(max_length=100), NoNul] = ""
    team_id: BodyId | None = None
    user_id: BodyId | None = Field(None, description="Leave out to take turns within the team")


class AssignmentRulePatch(InputSchema):
    order: Annotated[StrictInt, Field(ge=0, le=10000)] | None = None
    kind: Annotated[AssignmentRule.Kind, SchemaName("AssignmentRuleKind")] | None = None
    value: Annotated[str, Field(max_length=100), NoNul] | None = None
    team_id: BodyId | None = Field(None, description="null: no team")
    user_id: BodyId | None = Field(None, description="null: take turns within the team")
    active: StrictBool | None = None


class WebFormOut(Schema):
    id: int
    key: str = Field(description="The hosted page is /f/{key}/")
    name: str
    title: str
    intro: str
    fields: list[str]
    required: list[str]
    email_consent_label: str
    sms_consent_label: str
    source: str
    language: str
    thank_you: str
    active: bool


class WebFormIn(InputSchema):
    name: Name | None = None
    title: Name | None = None
    intro: Annotated[str, Field(max_length=2000), NoNul] | None = None
    fields: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=20)
    required: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=20)
    email_consent_label: Annotated[str, Field(max_length=300), NoNul] | None = None
    sms_consent_label: Annotated[str, Field(max_length=300), NoNul] | None = None
    source: Source | None = None
    language: Literal["fa", "en"] | None = None
    thank_you: Annotated[str, Field(max_length=300), NoNul] | None = None
    active: StrictBool | None = None


def _pipeline_out(pipeline: Pipeline) -> Pipeline:
    return Pipeline.objects.prefetch_related("stages").get(pk=pipeline.pk)


# The same router as GET /pipelines: django-ninja serves one path from one router.
@deals_router.post(
    "/pipelines", response={201: PipelineOut, **ERRORS}, summary="Create a pipeline (administrators)"
)
def pipeline_create(request: HttpRequest, payload: PipelineIn) -> Status[Pipeline]:
    stages = [s.model_dump() for s in payload.stages]
    pipeline = pipelines.pipeline_save(
        actor=actor(request), name=payload.name, stages=stages, is_default=payload.is_default
    )
    return Status(201, _pipeline_out(pipeline))


@deals_router.put(
    "/pipelines/{pipeline_id}", response={200: PipelineOut, **ERRORS}, summary="Rename, reorder stages"
)
def pipeline_update(request: HttpRequest, pipeline_id: Id, payload: PipelineIn) -> Pipeline:
    user = actor(request)
    policy.require_admin(user)
    pipeline = Pipeline.objects.get(pk=pipeline_id)
    stages = [s.model_dump() for s in payload.stages]
    saved = pipelines.pipeline_save(
        actor=user, name=payload.name, stages=stages, pipeline=pipeline, is_default=payload.is_default
    )
    return _pipeline_out(saved)


@router.get("/lead-score-rules", response={200: list[ScoreRuleIO], **ERRORS}, summary="Lead scoring rules")
def score_rules(request: HttpRequest) -> list[ScoreRule]:
    policy.require_admin(actor(request))
    return list(ScoreRule.objects.order_by("kind", "value", "id"))


@router.post("/lead-score-rules", response={201: ScoreRuleIO, **ERRORS}, summary="Add a scoring rule")
def score_rule_add(request: HttpRequest, payload: ScoreRuleIO) -> Status[ScoreRule]:
    data = payload.model_dump(exclude={"id"})
    return Status(201, leads.score_rule_save(actor=actor(request), data=data))


@router.patch(
    "/lead-score-rules/{rule_id}", response={200: ScoreRuleIO, **ERRORS}, summary="Change a scoring rule"
)
def score_rule_update(request: HttpRequest, rule_id: Id, payload: ScoreRulePatch) -> ScoreRule:
    user = actor(request)
    policy.require_admin(user)
    rule = ScoreRule.objects.get(pk=rule_id)
    return leads.score_rule_save(actor=user, data=payload.model_dump(exclude_none=True), rule=rule)


@router.post(
    "/lead-score-rules/{rule_id}/retire",
    response={200: ScoreRuleIO, **ERRORS},
    summary="Retire a scoring rule",
)
def score_rule_retire(request: HttpRequest, rule_id: Id) -> ScoreRule:
    """It stops counting and is kept, so the scores it gave still explain themselves."""
    user = actor(request)
    policy.require_admin(user)
    return leads.score_rule_retire(actor=user, rule=ScoreRule.objects.get(pk=rule_id))


@router.get(
    "/lead-assignment-rules", response={200: list[AssignmentRuleOut], **ERRORS}, summary="Assignment rules"
)
def assignment_rules(request: HttpRequest) -> list[AssignmentRule]:
    policy.require_admin(actor(request))
    return list(AssignmentRule.objects.order_by("order", "id"))


@router.post("/lead-assignment-rules", response={201: AssignmentRuleOut, **ERRORS}, summary="Add a rule")
def assignment_rule_add(request: HttpRequest, payload: AssignmentRuleIn) -> Status[AssignmentRule]:
    data: dict[str, Any] = payload.model_dump(exclude={"team_id", "user_id"})
    data["team"] = one_of(Team.objects.all(), payload.team_id, "team_id", _("Choose a team."))
    data["user"] = resolve_user(payload.user_id, "user_id")
    data["active"] = True
    return Status(201, leads.assignment_rule_save(actor=actor(request), data=data))


@router.patch(
    "/lead-assignment-rules/{rule_id}",
    response={200: AssignmentRuleOut, **ERRORS},
    summary="Change an assignment rule",
)
def assignment_rule_update(request: HttpRequest, rule_id: Id, payload: AssignmentRulePatch) -> AssignmentRule:
    user = actor(request)
    policy.require_admin(user)
    rule = AssignmentRule.objects.get(pk=rule_id)
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"team_id", "user_id"})
    data = {k: v for k, v in data.items() if v is not None}
    if "team_id" in payload.model_fields_set:
        data["team"] = one_of(Team.objects.all(), payload.team_id, "team_id", _("Choose a team."))
    if "user_id" in payload.model_fields_set:
        data["user"] = resolve_user(payload.user_id, "user_id")
    return leads.assignment_rule_save(actor=user, data=data, rule=rule)


@router.post(
    "/lead-assignment-rules/{rule_id}/retire",
    response={200: AssignmentRuleOut, **ERRORS},
    summary="Retire an assignment rule",
)
def assignment_rule_retire(request: HttpRequest, rule_id: Id) -> AssignmentRule:
    user = actor(request)
    policy.require_admin(user)
    return leads.assignment_rule_retire(actor=user, rule=AssignmentRule.objects.get(pk=rule_id))


@router.get("/web-forms", response={200: list[WebFormOut], **ERRORS}, summary="Web-to-lead forms")
def web_form_list(request: HttpRequest) -> list[WebForm]:
    policy.require_admin(actor(request))
    return list(WebForm.objects.order_by("name", "id"))


@router.post("/web-forms", response={201: WebFormOut, **ERRORS}, summary="Design a web-to-lead form")
def web_form_create(request: HttpRequest, payload: WebFormIn) -> Status[WebForm]:
    data = payload.model_dump(exclude_none=True)
    return Status(201, webforms.webform_save(actor=actor(request), data=data))


@router.patch("/web-forms/{form_id}", response={200: WebFormOut, **ERRORS}, summary="Change a web form")
def web_form_update(request: HttpRequest, form_id: Id, payload: WebFormIn) -> WebForm:
    user = actor(request)
    policy.require_admin(user)
    form = WebForm.objects.get(pk=form_id)
    return webforms.webform_save(actor=user, data=payload.model_dump(exclude_none=True), form=form)
