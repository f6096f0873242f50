"""The stakeholder map over the API: stakeholders (filtered by quadrant, sorted, paged), placing
one anew (each placement kept as history), and their action plans.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
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

from ..models import Placement, Stakeholder, StakeholderAction
from ..selectors import stakeholders as selectors
from ..services import stakeholders as services

router = Router(tags=["adoption"])

Name = Annotated[str, Field(max_length=services.NAME_MAX), NoNul]
Role = Annotated[str, Field(max_length=services.ROLE_MAX), NoNul]
Department = Annotated[str, Field(max_length=services.DEPARTMENT_MAX), NoNul]
Notes = Annotated[str, Field(max_length=services.NOTES_MAX), NoNul]
Note = Annotated[str, Field(max_length=services.NOTE_MAX), NoNul]
Buyin = Annotated[int, Field(ge=1, le=5)]
QuadrantValue = Literal["champion", "bystander", "loose_cannon", "blocker"]


class StakeholderOut(Schema):
    id: int
    name: str
    role: str
    department: str
    user: UserRef | None
    notes: str
    rational: int
    emotional: int
    quadrant: str = Field(description="champion, bystander, loose_cannon or blocker (4–5 counts as high)")
    updated_at: Any


class StakeholderIn(InputSchema):
    name: Name
    role: Role = ""
    department: Department = ""
    user_id: BodyId | None = None
    notes: Notes = ""
    rational: Buyin = Field(3, description="Rational buy-in, 1–5: the first placement")
    emotional: Buyin = Field(3, description="Emotional buy-in, 1–5: the first placement")


class StakeholderPatch(InputSchema):
    name: Name | None = None
    role: Role | None = None
    department: Department | None = None
    user_id: BodyId | None = None
    notes: Notes | None = None


class StakeholderQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    quadrant: QuadrantValue | None = None
    sort: Literal[
        "name", "-name", "rational", "-rational", "emotional", "-emotional", "updated", "-updated"
    ] = "name"


class PlacementIn(InputSchema):
    rational: Buyin
    emotional: Buyin
    note: Note = ""


class PlacementOut(Schema):
    id: int
    rational: int
    emotional: int
    quadrant: str
    note: str
    placed_at: Any
    placed_by: UserRef | None


class ActionIn(InputSchema):
    description: Annotated[str, Field(max_length=services.ACTION_MAX), NoNul]
    owner_id: BodyId | None = None
    due_on: ApiDate | None = None
    done: bool = False


class ActionPatch(InputSchema):
    description: Annotated[str, Field(max_length=services.ACTION_MAX), NoNul] | None = None
    owner_id: BodyId | None = None
    due_on: ApiDate | None = None
    done: bool | None = None


class ActionOut(Schema):
    id: int
    description: str
    owner: UserRef | None
    due_on: Any
    done: bool


@router.get(
    "/adoption/stakeholders", response={200: PageOut[StakeholderOut], **ERRORS}, summary="The stakeholder map"
)
def stakeholder_list(request: HttpRequest, filters: Query[StakeholderQuery]) -> dict[str, Any]:
    page = selectors.stakeholder_list(
        user=actor(request),
        filters={"q": filters.q, "quadrant": filters.quadrant},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/adoption/stakeholders", response={201: StakeholderOut, **ERRORS}, summary="Add a stakeholder")
def stakeholder_create(request: HttpRequest, payload: StakeholderIn) -> Status[Stakeholder]:
    user = actor(request)
    policy.require_create(user, Stakeholder)
    data = services.StakeholderInput(
        name=payload.name,
        role=payload.role,
        department=payload.department,
        user=resolve_user(payload.user_id, "user_id"),
        notes=payload.notes,
    )
    placement = services.PlacementInput(rational=payload.rational, emotional=payload.emotional)
    return Status(201, services.stakeholder_create(actor=user, data=data, placement=placement))


@router.get(
    "/adoption/stakeholders/{stakeholder_id}",
    response={200: StakeholderOut, **ERRORS},
    summary="A stakeholder",
)
def stakeholder_get(request: HttpRequest, stakeholder_id: Id) -> Stakeholder:
    return selectors.stakeholder_get(user=actor(request), pk=stakeholder_id)


@router.patch(
    "/adoption/stakeholders/{stakeholder_id}",
    response={200: StakeholderOut, **ERRORS},
    summary="Change a stakeholder (not their place: post a placement)",
)
def stakeholder_update(request: HttpRequest, stakeholder_id: Id, payload: StakeholderPatch) -> Stakeholder:
    user = actor(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=stakeholder_id)
    policy.require_change(user, stakeholder)
    given = payload.model_dump(exclude_unset=True)
    owner = (
        resolve_user(payload.user_id, "user_id")
        if "user_id" in payload.model_fields_set
        else stakeholder.user
    )
    data = services.StakeholderInput(
        name=given.get("name") or stakeholder.name,
        role=stakeholder.role if given.get("role") is None else given["role"],
        department=stakeholder.department if given.get("department") is None else given["department"],
        user=owner,
        notes=stakeholder.notes if given.get("notes") is None else given["notes"],
    )
    return services.stakeholder_update(actor=user, stakeholder=stakeholder, data=data)


@router.get(
    "/adoption/stakeholders/{stakeholder_id}/placements",
    response={200: list[PlacementOut], **ERRORS},
    summary="A stakeholder's history on the map, newest first",
)
def placement_list(request: HttpRequest, stakeholder_id: Id) -> list[Placement]:
    return selectors.placements(selectors.stakeholder_get(user=actor(request), pk=stakeholder_id))


@router.post(
    "/adoption/stakeholders/{stakeholder_id}/placements",
    response={201: PlacementOut, **ERRORS},
    summary="Place a stakeholder anew on the buy-in matrix",
)
def placement_add(request: HttpRequest, stakeholder_id: Id, payload: PlacementIn) -> Status[Placement]:
    user = actor(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=stakeholder_id)
    data = services.PlacementInput(rational=payload.rational, emotional=payload.emotional, note=payload.note)
    return Status(201, services.stakeholder_place(actor=user, stakeholder=stakeholder, data=data))


@router.get(
    "/adoption/stakeholders/{stakeholder_id}/actions",
    response={200: list[ActionOut], **ERRORS},
    summary="A stakeholder's action plan",
)
def action_list(request: HttpRequest, stakeholder_id: Id) -> list[StakeholderAction]:
    return selectors.actions(selectors.stakeholder_get(user=actor(request), pk=stakeholder_id))


@router.post(
    "/adoption/stakeholders/{stakeholder_id}/actions",
    response={201: ActionOut, **ERRORS},
    summary="Add a step to a stakeholder's action plan",
)
def action_add(request: HttpRequest, stakeholder_id: Id, payload: ActionIn) -> Status[StakeholderAction]:
    user = actor(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=stakeholder_id)
    data = services.ActionInput(
        description=payload.description,
        owner=resolve_user(payload.owner_id, "owner_id"),
        due_on=payload.due_on,
        done=payload.done,
    )
    return Status(201, services.stakeholder_action_save(actor=user, stakeholder=stakeholder, data=data))


@router.patch(
    "/adoption/stakeholders/{stakeholder_id}/actions/{action_id}",
    response={200: ActionOut, **ERRORS},
    summary="Change a step of the action plan (mark it done, say)",
)
def action_update(
    request: HttpRequest, stakeholder_id: Id, action_id: Id, payload: ActionPatch
) -> StakeholderAction:
    user = actor(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=stakeholder_id)
    action = selectors.action_get(stakeholder=stakeholder, pk=action_id)
    fields = payload.model_fields_set
    data = services.ActionInput(
        description=payload.description if payload.description is not None else action.description,
        owner=resolve_user(payload.owner_id, "owner_id") if "owner_id" in fields else action.owner,
        due_on=payload.due_on if "due_on" in fields else action.due_on,
        done=payload.done if payload.done is not None else action.done,
    )
    return services.stakeholder_action_save(actor=user, stakeholder=stakeholder, action=action, data=data)
