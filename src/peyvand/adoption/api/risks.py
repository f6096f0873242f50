"""The risk register over the API: the list (filtered, sorted, paged), adding and changing a risk.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef

from ..models import Risk, RiskGroup
from ..selectors import risks as selectors
from ..services import risks as services

router = Router(tags=["adoption"])

RiskTitle = Annotated[str, Field(max_length=services.TITLE_MAX), NoNul]
Mitigation = Annotated[str, Field(max_length=services.MITIGATION_MAX), NoNul]
Rating = Annotated[int, Field(ge=1, le=5)]
StatusValue = Literal["identified", "mitigating", "monitored", "closed"]


class GroupOut(Schema):
    id: int
    key: str
    name_fa: str
    name_en: str


class RiskOut(Schema):
    id: int
    group: GroupOut
    title_fa: str
    title_en: str
    likelihood: int
    impact: int
    score: int
    owner: UserRef | None
    mitigation: str
    status: str
    updated_at: Any


class RiskIn(InputSchema):
    group_id: BodyId
    title_fa: RiskTitle = ""
    title_en: RiskTitle = ""
    likelihood: Rating = 3
    impact: Rating = 3
    owner_id: BodyId | None = None
    mitigation: Mitigation = ""
    status: StatusValue = "identified"


class RiskPatch(InputSchema):
    group_id: BodyId | None = None
    title_fa: RiskTitle | None = None
    title_en: RiskTitle | None = None
    likelihood: Rating | None = None
    impact: Rating | None = None
    owner_id: BodyId | None = None
    mitigation: Mitigation | None = None
    status: StatusValue | None = None


class RiskQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    group_id: Id | None = None
    status: StatusValue | None = None
    owner_id: Id | None = None
    min_score: Annotated[int, Field(ge=1, le=25)] | None = None
    sort: Literal[
        "score", "-score", "likelihood", "-likelihood", "impact", "-impact", "updated", "-updated"
    ] = "-score"


def _input(values: dict[str, Any]) -> services.RiskInput:
    group = RiskGroup.objects.filter(pk=values.pop("group_id")).first()
    if group is None:
        raise field_error("group_id", _("Choose a valid value."))
    values["owner"] = resolve_user(values.pop("owner_id", None), "owner_id")
    return services.RiskInput(group=group, **values)


@router.get("/adoption/risks", response={200: PageOut[RiskOut], **ERRORS}, summary="The risk register")
def risk_list(request: HttpRequest, filters: Query[RiskQuery]) -> dict[str, Any]:
    page = selectors.risk_list(
        user=actor(request),
        filters={
            "q": filters.q,
            "group": filters.group_id,
            "status": filters.status,
            "owner": filters.owner_id,
            "min_score": filters.min_score,
        },
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/adoption/risks", response={201: RiskOut, **ERRORS}, summary="Add a risk")
def risk_create(request: HttpRequest, payload: RiskIn) -> Status[Risk]:
    user = actor(request)
    policy.require_create(user, Risk)
    return Status(201, services.risk_save(actor=user, data=_input(payload.model_dump())))


@router.get("/adoption/risks/{risk_id}", response={200: RiskOut, **ERRORS}, summary="A risk")
def risk_get(request: HttpRequest, risk_id: Id) -> Risk:
    return selectors.risk_get(user=actor(request), pk=risk_id)


@router.patch("/adoption/risks/{risk_id}", response={200: RiskOut, **ERRORS}, summary="Change a risk")
def risk_update(request: HttpRequest, risk_id: Id, payload: RiskPatch) -> Risk:
    user = actor(request)
    risk = selectors.risk_get(user=user, pk=risk_id)
    policy.require_change(user, risk)
    values: dict[str, Any] = {
        "group_id": risk.group_id,
        "title_fa": risk.title_fa,
        "title_en": risk.title_en,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "owner_id": risk.owner_id,
        "mitigation": risk.mitigation,
        "status": risk.status,
    }
    values.update({k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    if "owner_id" in payload.model_fields_set:
        values["owner_id"] = payload.owner_id
    return services.risk_save(actor=user, data=_input(values), risk=risk)
