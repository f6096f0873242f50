"""The implementation roadmap over the API: the roadmaps, opening one from the template, its
items (filtered by phase, status and owner, with the progress) and changing an item.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import resolve_user
from peyvand.core.apikit.schemas import ERRORS, ApiDate, BodyId, Id, InputSchema, NoNul, UserRef

from ..models import Roadmap, RoadmapItem
from ..selectors import roadmap as selectors
from ..selectors.assessments import may_see
from ..services import roadmap as services

router = Router(tags=["adoption"])

StatusValue = Literal["not_started", "in_progress", "done", "blocked"]
Deliverables = Annotated[str, Field(max_length=services.DELIVERABLES_MAX), NoNul]


class RoadmapOut(Schema):
    id: int
    title: str
    starts_on: Any


class RoadmapIn(InputSchema):
    title: Annotated[str, Field(max_length=services.TITLE_MAX), NoNul]
    starts_on: ApiDate


class ItemOut(Schema):
    id: int
    phase_key: str
    phase_fa: str
    phase_en: str
    stage: str
    key: str
    title_fa: str
    title_en: str
    owner: UserRef | None
    starts_on: Any
    ends_on: Any
    deliverables: str
    status: str


class PhaseProgressOut(Schema):
    key: str
    name: str
    total: int
    done: int
    percent: int


class ItemsOut(Schema):
    items: list[ItemOut]
    phases: list[PhaseProgressOut]
    percent_done: int


class ItemPatch(InputSchema):
    owner_id: BodyId | None = None
    starts_on: ApiDate | None = None
    ends_on: ApiDate | None = None
    deliverables: Deliverables | None = None
    status: StatusValue | None = None


class ItemQuery(Schema):
    phase: Annotated[str, Field(max_length=40), NoNul] = ""
    status: StatusValue | None = None
    owner_id: Id | None = None


@router.get("/adoption/roadmaps", response={200: list[RoadmapOut], **ERRORS}, summary="Roadmaps")
def roadmap_list(request: HttpRequest) -> list[Roadmap]:
    user = actor(request)
    if not may_see(user):
        raise PermissionDenied
    return selectors.roadmap_list(user=user)


@router.post("/adoption/roadmaps", response={201: RoadmapOut, **ERRORS}, summary="Open a roadmap")
def roadmap_create(request: HttpRequest, payload: RoadmapIn) -> Status[Roadmap]:
    user = actor(request)
    policy.require_create(user, Roadmap)
    data = services.RoadmapInput(title=payload.title, starts_on=payload.starts_on)
    return Status(201, services.roadmap_create(actor=user, data=data))


@router.get("/adoption/roadmaps/{roadmap_id}", response={200: RoadmapOut, **ERRORS}, summary="A roadmap")
def roadmap_get(request: HttpRequest, roadmap_id: Id) -> Roadmap:
    return selectors.roadmap_get(user=actor(request), pk=roadmap_id)


@router.get(
    "/adoption/roadmaps/{roadmap_id}/items", response={200: ItemsOut, **ERRORS}, summary="A roadmap's items"
)
def item_list(request: HttpRequest, roadmap_id: Id, filters: Query[ItemQuery]) -> dict[str, Any]:
    roadmap = selectors.roadmap_get(user=actor(request), pk=roadmap_id)
    every = selectors.items(roadmap)
    wanted = {"phase": filters.phase, "status": filters.status, "owner": filters.owner_id}
    per_phase, overall = selectors.progress(every)
    return {
        "items": selectors.items(roadmap, wanted) if any(wanted.values()) else every,
        "phases": [
            {"key": p.key, "name": p.name, "total": p.total, "done": p.done, "percent": p.percent}
            for p in per_phase
        ],
        "percent_done": overall.percent,
    }


@router.patch(
    "/adoption/roadmap-items/{item_id}", response={200: ItemOut, **ERRORS}, summary="Change a roadmap item"
)
def item_update(request: HttpRequest, item_id: Id, payload: ItemPatch) -> RoadmapItem:
    user = actor(request)
    item = selectors.item_get(user=user, pk=item_id)
    policy.require_change(user, item.roadmap)
    values: dict[str, Any] = {
        "owner": item.owner,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "deliverables": item.deliverables,
        "status": item.status,
    }
    given = payload.model_dump(exclude_unset=True)
    if "owner_id" in given:
        values["owner"] = resolve_user(given.pop("owner_id"), "owner_id")
    values.update({k: v for k, v in given.items() if v is not None})
    return services.item_save(actor=user, item=item, data=services.RoadmapItemInput(**values))
