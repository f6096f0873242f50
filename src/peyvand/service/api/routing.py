"""The administrator's routing over the API: assignment rules and the agents' skills.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from collections.abc import Iterable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, SchemaName, UserRef
from peyvand.core.inputs import UNSET
from peyvand.core.models import Team, User
from peyvand.sales.models import Product

from ..models import AssignmentRule, Category, Skill
from ..selectors import routing as selectors
from ..services import routing as services
from .common import NamedRef, one_row
from .tickets import TicketKind

router = Router(tags=["ticket routing"])

RuleMethod = Annotated[AssignmentRule.Method, SchemaName("TicketAssignmentMethod")]
Order = Annotated[StrictInt, Field(ge=0, le=services.MAX_ORDER)]


class SkillOut(Schema):
    id: int
    name: str
    agents: list[UserRef]

    @staticmethod
    def resolve_agents(obj: Skill) -> list[User]:
        return list(obj.agents.all())


class SkillIn(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul]
    agent_ids: list[BodyId] = Field(default_factory=list, max_length=500)


class SkillPatch(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul] | None = None
    agent_ids: list[BodyId] | None = Field(None, max_length=500, description="Replaces the agents")


class RuleOut(Schema):
    id: int
    order: int
    team: NamedRef
    category: NamedRef | None
    product_id: int | None
    kind: str = Field(description="blank: any type")
    skill: NamedRef | None
    method: str
    last_user: UserRef | None = Field(description="Who got the rule's last ticket (the turn's place)")
    active: bool


class TicketRuleIn(InputSchema):
    team_id: BodyId
    order: Order = 10
    category_id: BodyId | None = Field(None, description="null: any category")
    product_id: BodyId | None = Field(None, description="null: any product")
    kind: TicketKind | None = Field(None, description="null: any type")
    skill_id: BodyId | None = Field(None, description="null: any agent of the team")
    method: RuleMethod = AssignmentRule.Method.ROUND_ROBIN
    active: StrictBool = True


class RulePatch(InputSchema):
    team_id: BodyId | None = None
    order: Order | None = None
    category_id: BodyId | None = None
    product_id: BodyId | None = None
    kind: TicketKind | None = None
    skill_id: BodyId | None = None
    method: RuleMethod | None = None
    active: StrictBool | None = None


def _agents(ids: list[int]) -> tuple[User, ...]:
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    if len(found) != len(set(ids)):
        raise ValidationError({"agent_ids": [_("Choose active users.")]})
    return tuple(found[pk] for pk in dict.fromkeys(ids))


def _rule_input(payload: TicketRuleIn | RulePatch, names: Iterable[str]) -> services.RuleInput:
    """The rule input of the fields ``names`` (a new rule's all, a change's those sent)."""
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(payload, name)
        if name == "team_id":
            values["team"] = one_row(Team, value, name) if value is not None else None
        elif name == "category_id":
            values["category"] = one_row(Category, value, name)
        elif name == "product_id":
            values["product"] = one_row(Product, value, name)
        elif name == "skill_id":
            values["skill"] = one_row(Skill, value, name)
        elif name == "kind":
            values["kind"] = value.value if value is not None else ""
        elif name == "method":
            values["method"] = value.value if value is not None else None
        else:
            values[name] = value
    return services.RuleInput(**values)


@router.get("/ticket-skills", response={200: list[SkillOut], **ERRORS}, summary="Agents' skills")
def skill_list(request: HttpRequest) -> list[Skill]:
    policy.require_admin(actor(request))
    return list(selectors.skills())


@router.post("/ticket-skills", response={201: SkillOut, **ERRORS}, summary="Add a skill")
def skill_add(request: HttpRequest, payload: SkillIn) -> Status[Skill]:
    user = actor(request)
    policy.require_admin(user)
    data = services.SkillInput(name=payload.name, agents=_agents(payload.agent_ids))
    return Status(201, services.skill_save(actor=user, data=data))


@router.patch("/ticket-skills/{skill_id}", response={200: SkillOut, **ERRORS}, summary="Change a skill")
def skill_update(request: HttpRequest, skill_id: Id, payload: SkillPatch) -> Skill:
    user = actor(request)
    policy.require_admin(user)
    skill = get_object_or_404(Skill, pk=skill_id)
    data = services.SkillInput(
        name=payload.name if payload.name is not None else UNSET,
        agents=_agents(payload.agent_ids) if payload.agent_ids is not None else UNSET,
    )
    return services.skill_save(actor=user, data=data, skill=skill)


@router.get(
    "/ticket-assignment-rules", response={200: list[RuleOut], **ERRORS}, summary="Ticket assignment rules"
)
def rule_list(request: HttpRequest) -> list[AssignmentRule]:
    policy.require_admin(actor(request))
    return list(selectors.rules())


@router.post(
    "/ticket-assignment-rules", response={201: RuleOut, **ERRORS}, summary="Add a ticket assignment rule"
)
def rule_add(request: HttpRequest, payload: TicketRuleIn) -> Status[AssignmentRule]:
    user = actor(request)
    policy.require_admin(user)
    data = _rule_input(payload, TicketRuleIn.model_fields)  # a new rule's defaults count too
    return Status(201, services.assignment_rule_save(actor=user, data=data))


@router.patch(
    "/ticket-assignment-rules/{rule_id}",
    response={200: RuleOut, **ERRORS},
    summary="Change a ticket assignment rule",
)
def rule_update(request: HttpRequest, rule_id: Id, payload: RulePatch) -> AssignmentRule:
    user = actor(request)
    policy.require_admin(user)
    rule = get_object_or_404(AssignmentRule, pk=rule_id)
    return services.assignment_rule_save(
        actor=user, data=_rule_input(payload, payload.model_fields_set), rule=rule
    )
