"""Segments and static lists: CRUD, the capped count of a segment or of a rule not yet saved,
the members page by page, adding and removing members, freezing a segment into a list.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef
from peyvand.customers.api.schemas import PartyRef

from .. import rules
from ..selectors import segments as selectors
from ..services import segments as services

router = Router(tags=["marketing"])

Name = Annotated[str, Field(max_length=100), NoNul]
Description = Annotated[str, Field(max_length=2000), NoNul]
RULE_HELP = (
    'AND/OR groups of conditions: {"match": "all", "groups": [{"match": "any", "conditions": '
    '[{"field": "city", "op": "in", "value": ["تهران"]}, {"field": "order_count", "op": "gte", '
    '"value": 2, "period": {"days": 365}}]}]}. Fields: ' + ", ".join(sorted(rules.FIELDS))
)


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str = Field(description="dynamic (a rule evaluated when used) or static (a list)")
    rule: dict[str, Any]
    owner: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentCreate(InputSchema):
    name: Name
    description: Description = ""
    kind: Literal["dynamic", "static"] = "dynamic"
    rule: dict[str, Any] | None = Field(None, description=RULE_HELP)


class SegmentUpdate(InputSchema):
    name: Name | None = None
    description: Description | None = None
    rule: dict[str, Any] | None = Field(None, description=RULE_HELP)


class SegmentRuleIn(InputSchema):
    rule: dict[str, Any] = Field(description=RULE_HELP)


class CountOut(Schema):
    count: int = Field(description="Customers, counted up to a cap")
    more: bool = Field(description="There are more than the count")


class SegmentQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    kind: Literal["dynamic", "static"] | None = None
    sort: Literal["name", "-name", "created", "-created"] = "name"


class MembersIn(InputSchema):
    party_ids: list[BodyId] = Field(max_length=10_000)


class ListChangeOut(Schema):
    added: int
    already: int
    skipped: int = Field(description="Not found, or not yours to see")


class RemovedOut(Schema):
    removed: int


class FreezeIn(InputSchema):
    name: Name = ""


def _input(payload: Any) -> services.SegmentInput:
    """What was sent, as the service takes it (null: a description emptied, a name or rule kept)."""
    values: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "description" in values and values["description"] is None:
        values["description"] = ""
    return services.SegmentInput(**{k: v for k, v in values.items() if v is not None})


@router.get(
    "/marketing/segments", response={200: PageOut[SegmentOut], **ERRORS}, summary="Segments and lists"
)
def segment_list(request: HttpRequest, filters: Query[SegmentQuery]) -> dict[str, Any]:
    page = selectors.segment_list(
        user=actor(request),
        filters=filters.model_dump(include={"q", "kind"}),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post(
    "/marketing/segments", response={201: SegmentOut, **ERRORS}, summary="Create a segment or a list"
)
def segment_create(request: HttpRequest, payload: SegmentCreate) -> Status[Any]:
    return Status(201, services.segment_create(actor=actor(request), data=_input(payload)))


@router.post("/marketing/segments/count", response={200: CountOut, **ERRORS}, summary="Count a rule")
def rule_count(request: HttpRequest, payload: SegmentRuleIn) -> dict[str, Any]:
    """How many customers you may see a rule (not saved) holds: what the builder shows."""
    count, more = selectors.rule_count(user=actor(request), rule=selectors.rule_parse(payload.rule))
    return {"count": count, "more": more}


@router.get("/marketing/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Get a segment")
def segment_get(request: HttpRequest, segment_id: Id) -> Any:
    return selectors.segment_get(user=actor(request), pk=segment_id)


@router.patch(
    "/marketing/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Change a segment"
)
def segment_update(request: HttpRequest, segment_id: Id, payload: SegmentUpdate) -> Any:
    user = actor(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    return services.segment_update(segment=segment, actor=user, data=_input(payload))


@router.delete(
    "/marketing/segments/{segment_id}", response={204: None, **ERRORS}, summary="Move a segment to the trash"
)
def segment_delete(request: HttpRequest, segment_id: Id) -> Status[None]:
    user = actor(request)
    services.segment_delete(segment=selectors.segment_get(user=user, pk=segment_id), actor=user)
    return Status(204, None)


@router.get(
    "/marketing/segments/{segment_id}/count", response={200: CountOut, **ERRORS}, summary="Count a segment"
)
def segment_count(request: HttpRequest, segment_id: Id) -> dict[str, Any]:
    user = actor(request)
    count, more = selectors.segment_count(user=user, segment=selectors.segment_get(user=user, pk=segment_id))
    return {"count": count, "more": more}


@router.get(
    "/marketing/segments/{segment_id}/members",
    response={200: PageOut[PartyRef], **ERRORS},
    summary="A segment's customers, by name",
)
def segment_members(request: HttpRequest, segment_id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    user = actor(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    return page_out(
        selectors.segment_members(user=user, segment=segment, cursor=page.cursor, limit=page.limit)
    )


@router.post(
    "/marketing/segments/{segment_id}/members",
    response={200: ListChangeOut, **ERRORS},
    summary="Put customers on a list",
)
def list_add(request: HttpRequest, segment_id: Id, payload: MembersIn) -> Any:
    user = actor(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    return services.list_add(segment=segment, actor=user, party_ids=payload.party_ids)


@router.post(
    "/marketing/segments/{segment_id}/members/remove",
    response={200: RemovedOut, **ERRORS},
    summary="Take customers off a list",
)
def list_remove(request: HttpRequest, segment_id: Id, payload: MembersIn) -> dict[str, int]:
    user = actor(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    return {"removed": services.list_remove(segment=segment, actor=user, party_ids=payload.party_ids)}


@router.post(
    "/marketing/segments/{segment_id}/freeze",
    response={201: SegmentOut, **ERRORS},
    summary="Save a segment's customers now as a static list",
)
def segment_freeze(request: HttpRequest, segment_id: Id, payload: FreezeIn) -> Status[Any]:
    user = actor(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    return Status(201, services.segment_freeze(segment=segment, actor=user, name=payload.name))
