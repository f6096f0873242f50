"""Automation rules over the API: the list, writing a rule, switching it, a dry run on a
record, and its run log.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef

from ..models import Rule, Run
from ..selectors import rules as selectors
from ..services import engine
from ..services import rules as services

router = Router(tags=["automation"])

RecordTypeValue = Literal["lead", "deal", "person", "organisation", "ticket"]
TriggerValue = Literal[
    "created", "changed", "field_changed", "stage_entered", "after_date", "before_date", "no_activity"
]
RunStatusValue = Literal["done", "partly", "failed", "not_met", "blocked"]
ShortText = Annotated[str, Field(max_length=200), NoNul]


class AutomationConditionIO(Schema):
    field: Annotated[str, Field(max_length=40), NoNul]
    op: Literal["equals", "not_equals", "contains", "empty", "not_empty", "greater", "less"]
    value: ShortText = ""


class AutomationRuleOut(Schema):
    id: int
    name: str
    description: str
    record_type: str
    trigger: str
    trigger_field: str
    trigger_value: str
    days: int
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    active: bool
    activated_at: Any
    created_by: UserRef | None
    updated_at: Any


class AutomationRuleIn(InputSchema):
    name: Annotated[str, Field(max_length=services.NAME_MAX_LENGTH), NoNul]
    description: Annotated[str, Field(max_length=services.TEXT_MAX_LENGTH), NoNul] = ""
    record_type: RecordTypeValue
    trigger: TriggerValue
    trigger_field: Annotated[str, Field(max_length=40), NoNul] = ""
    trigger_value: ShortText = ""
    days: Annotated[int, Field(ge=0, le=services.MAX_DAYS)] = 0
    conditions: Annotated[list[AutomationConditionIO], Field(max_length=services.MAX_CONDITIONS)] = []
    actions: Annotated[
        list[dict[str, Any]],
        Field(
            max_length=services.MAX_ACTIONS,
            description=(
                'Each {"type": ...} with its settings: set_field (field, value), assign (mode: user, '
                "round_robin or least_loaded; user or team), add_tag (tag), create_activity (kind: "
                "task or call, title, days), send_email / send_sms (template), notify (to: owner or a "
                "user id, text), webhook (webhook: an outgoing webhook's id)."
            ),
        ),
    ]


class AutomationSwitchIn(InputSchema):
    active: bool


class AutomationTemplateIn(InputSchema):
    template: Literal["greet_new_leads"]


class AutomationTestIn(InputSchema):
    record_id: BodyId


class AutomationRunOut(Schema):
    id: int | None
    at: Any
    record_type: str
    object_id: int
    object_repr: str
    trigger: str
    moment: Any
    status: str
    met: bool
    checks: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    note: str


class AutomationRuleQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    record_type: RecordTypeValue | None = None
    active: bool | None = None
    sort: Literal["name", "-name", "updated", "-updated"] = "name"


class AutomationRunQuery(PageQuery):
    status: RunStatusValue | None = None
    record_id: Id | None = None
    sort: Literal["at", "-at"] = "-at"


def _input(payload: AutomationRuleIn) -> services.RuleInput:
    values = payload.model_dump()
    return services.RuleInput(**values)


@router.get(
    "/automation/rules", response={200: PageOut[AutomationRuleOut], **ERRORS}, summary="Automation rules"
)
def rule_list(request: HttpRequest, filters: Query[AutomationRuleQuery]) -> dict[str, Any]:
    active = None if filters.active is None else ("on" if filters.active else "off")
    page = selectors.rule_list(
        user=actor(request),
        filters={"q": filters.q, "record_type": filters.record_type, "active": active},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post(
    "/automation/rules",
    response={201: AutomationRuleOut, **ERRORS},
    summary="Write a rule (made switched off)",
)
def rule_create(request: HttpRequest, payload: AutomationRuleIn) -> Status[Rule]:
    return Status(201, services.rule_create(actor=actor(request), data=_input(payload)))


@router.post(
    "/automation/rules/from-template",
    response={201: AutomationRuleOut, **ERRORS},
    summary="A ready-made rule (switched off)",
)
def rule_from_template(request: HttpRequest, payload: AutomationTemplateIn) -> Status[Rule]:
    return Status(201, services.rule_from_template(actor=actor(request), key=payload.template))


@router.get("/automation/rules/{rule_id}", response={200: AutomationRuleOut, **ERRORS}, summary="A rule")
def rule_get(request: HttpRequest, rule_id: Id) -> Rule:
    return selectors.rule_get(user=actor(request), pk=rule_id)


@router.put(
    "/automation/rules/{rule_id}", response={200: AutomationRuleOut, **ERRORS}, summary="Rewrite a rule"
)
def rule_update(request: HttpRequest, rule_id: Id, payload: AutomationRuleIn) -> Rule:
    user = actor(request)
    rule = selectors.rule_get(user=user, pk=rule_id)
    return services.rule_update(rule=rule, actor=user, data=_input(payload))


@router.delete("/automation/rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete a rule")
def rule_delete(request: HttpRequest, rule_id: Id) -> Status[None]:
    user = actor(request)
    services.rule_delete(rule=selectors.rule_get(user=user, pk=rule_id), actor=user)
    return Status(204, None)


@router.post(
    "/automation/rules/{rule_id}/switch",
    response={200: AutomationRuleOut, **ERRORS},
    summary="Switch a rule on or off",
)
def rule_switch(request: HttpRequest, rule_id: Id, payload: AutomationSwitchIn) -> Rule:
    user = actor(request)
    rule = selectors.rule_get(user=user, pk=rule_id)
    return services.rule_switch(rule=rule, actor=user, active=payload.active)


@router.post(
    "/automation/rules/{rule_id}/test",
    response={200: AutomationRunOut, **ERRORS},
    summary="Test a rule on a record (a dry run: nothing is written)",
)
def rule_test(request: HttpRequest, rule_id: Id, payload: AutomationTestIn) -> Run:
    user = actor(request)
    rule = selectors.rule_get(user=user, pk=rule_id)
    record = selectors.record_get(user=user, rule=rule, pk=payload.record_id)
    return engine.rule_test(rule=rule, record=record, actor=user)


@router.get(
    "/automation/rules/{rule_id}/runs",
    response={200: PageOut[AutomationRunOut], **ERRORS},
    summary="A rule's run log",
)
def run_list(request: HttpRequest, rule_id: Id, filters: Query[AutomationRunQuery]) -> dict[str, Any]:
    user = actor(request)
    rule = selectors.rule_get(user=user, pk=rule_id)
    page = selectors.run_list(
        user=user,
        rule=rule,
        filters={"status": filters.status, "record": filters.record_id},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)
