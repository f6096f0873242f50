"""Pipelines, deals, their lines and stage moves (the kanban's drag and drop lands here)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import SortChoice, custom_filters
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.schemas import (
    CUSTOM_IN,
    CUSTOM_OUT,
    ERRORS,
    ApiDate,
    BodyId,
    CustomValuesIn,
    CustomValuesOut,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.policy import get_visible
from peyvand.customers.models import Kind

from ..models import Deal, DealLine, Outcome, Pipeline, Product, Stage
from ..selectors import deals as selectors
from ..services import deals as services
from .common import Amount, Currency, MoneyOut, PartyRef, QuantityOut, Reason, Text, one_of, visible_party

router = Router(tags=["deals"])
# Named apart from the interactions' Outcome, which would overwrite it in the schema.
DealOutcome = Annotated[Outcome, SchemaName("DealOutcome")]


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int
    outcome: str


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[Stage]:
        return [s for s in obj.stages.all() if s.active]


class DealLineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: QuantityOut
    unit_price: MoneyOut
    discount_percent: QuantityOut
    tax_rate: QuantityOut


class DealOut(Schema):
    id: int
    title: str
    party: PartyRef
    contact: PartyRef | None
    pipeline_id: int
    stage: StageOut
    status: str
    amount: MoneyOut
    currency: str
    amount_base: MoneyOut = Field(description="The amount in the base currency, for reports")
    expected_close: dt.date
    owner: UserRef | None
    lost_reason: str
    closed_at: dt.datetime | None
    stage_entered_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    custom: CustomValuesOut = Field(description=CUSTOM_OUT)


class DealDetailOut(DealOut):
    lines: list[DealLineOut]

    @staticmethod
    def resolve_lines(obj: Deal) -> list[DealLine]:
        return selectors.deal_lines(deal=obj)


class DealFields(InputSchema):
    title: Text | None = None
    party_id: BodyId | None = Field(None, description="The customer: a person or an organisation")
    contact_id: BodyId | None = Field(None, description="The person to talk to at an organisation")
    amount: Amount | None = Field(
        None, description="Ignored when the deal has lines: their sum is the amount"
    )
    currency: Currency | None = None
    expected_close: ApiDate | None = Field(None, description="ISO 8601 or Jalali")
    owner: BodyId | None = None
    pipeline_id: BodyId | None = None
    stage_id: BodyId | None = None
    lost_reason: Reason | None = None
    custom: CustomValuesIn | None = Field(None, description=CUSTOM_IN)


class MoveIn(InputSchema):
    stage_id: BodyId
    lost_reason: Reason = Field("", description="Required when the stage means lost")


class LineIn(InputSchema):
    product_id: BodyId | None = None
    description: Annotated[str, Field(max_length=300), NoNul] = ""
    quantity: Amount
    unit_price: Amount | None = Field(
        None, description="Defaults to the product's price in the deal's currency"
    )
    discount_percent: Amount = Decimal(0)
    tax_rate: Amount | None = Field(None, description="Defaults to the product's tax rate")


class LinePatch(InputSchema):
    description: Annotated[str, Field(max_length=300), NoNul] | None = None
    quantity: Amount | None = None
    unit_price: Amount | None = None
    discount_percent: Amount | None = None
    tax_rate: Amount | None = None


class StayOut(Schema):
    stage: StageOut
    entered: dt.datetime
    left: dt.datetime | None
    seconds: int


class DealQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    pipeline: Id | None = None
    stage: Id | None = None
    status: DealOutcome | None = None
    owner: Annotated[str, Field(max_length=20)] | None = Field(None, description="A user's id, or `none`")
    party: Id | None = None
    close_from: ApiDate | None = None
    close_to: ApiDate | None = None
    sort: Annotated[str, SortChoice("close", "-close", "amount", "-amount", "created", "-created")] = "close"


def _resolve(user: Any, payload: DealFields) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if "party_id" in data:
        data["party"] = visible_party(user, data.pop("party_id"), "party_id")
    if "contact_id" in data:
        data["contact"] = visible_party(user, data.pop("contact_id"), "contact_id", Kind.PERSON)
    if "owner" in data:
        data["owner"] = resolve_user(data["owner"], "owner")
    if "pipeline_id" in data:
        data["pipeline"] = one_of(
            Pipeline.objects.filter(active=True),
            data.pop("pipeline_id"),
            "pipeline_id",
            _("Choose an active pipeline."),
        )
    if "stage_id" in data:
        data["stage"] = one_of(
            Stage.objects.select_related("pipeline"),
            data.pop("stage_id"),
            "stage_id",
            _("Choose a valid stage."),
        )
    for name in ("title", "currency", "lost_reason", "amount", "expected_close"):
        if name in data and data[name] is None:
            data.pop(name)
    return data


@router.get("/pipelines", response={200: list[PipelineOut], **ERRORS}, summary="Pipelines and their stages")
def pipeline_list(request: HttpRequest) -> list[Pipeline]:
    return list(
        Pipeline.objects.filter(active=True).prefetch_related("stages").order_by("-is_default", "order", "id")
    )


@router.get("/deals", response={200: PageOut[DealOut], **ERRORS}, summary="Deals you may see")
def deal_list(request: HttpRequest, filters: Query[DealQuery]) -> dict[str, Any]:
    page = selectors.deal_list(
        user=actor(request),
        filters=filters.model_dump(),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
        custom=custom_filters(request, Entity.DEAL, filters.sort),
    )
    return page_out(page)


@router.post("/deals", response={201: DealDetailOut, **ERRORS}, summary="Create a deal")
def deal_create(request: HttpRequest, payload: DealFields) -> Status[Deal]:
    user = actor(request)
    # A new deal's required custom fields are checked, given or not.
    data = {"custom": None, **_resolve(user, payload)}
    return Status(201, services.deal_create(actor=user, data=data))


@router.get("/deals/{deal_id}", response={200: DealDetailOut, **ERRORS}, summary="One deal with its lines")
def deal_get(request: HttpRequest, deal_id: Id) -> Deal:
    return selectors.deal_get(user=actor(request), pk=deal_id)


@router.patch("/deals/{deal_id}", response={200: DealDetailOut, **ERRORS}, summary="Change a deal")
def deal_update(request: HttpRequest, deal_id: Id, payload: DealFields) -> Deal:
    user = actor(request)
    deal = selectors.deal_get(user=user, pk=deal_id)
    return services.deal_update(deal=deal, actor=user, data=_resolve(user, payload))


@router.post("/deals/{deal_id}/move", response={200: DealOut, **ERRORS}, summary="Move to a stage (kanban)")
def deal_move(request: HttpRequest, deal_id: Id, payload: MoveIn) -> Deal:
    user = actor(request)
    deal = selectors.deal_get(user=user, pk=deal_id)
    stage = one_of(
        Stage.objects.select_related("pipeline"), payload.stage_id, "stage_id", _("Choose a valid stage.")
    )
    return services.deal_move_stage(deal=deal, stage=stage, actor=user, lost_reason=payload.lost_reason)


@router.delete("/deals/{deal_id}", response={204: None, **ERRORS}, summary="Move a deal to the trash")
def deal_delete(request: HttpRequest, deal_id: Id) -> Status[None]:
    user = actor(request)
    services.deal_delete(deal=selectors.deal_get(user=user, pk=deal_id), actor=user)
    return Status(204, None)


@router.get(
    "/deals/{deal_id}/history", response={200: list[StayOut], **ERRORS}, summary="Stages and time in each"
)
def deal_history(request: HttpRequest, deal_id: Id) -> list[dict[str, Any]]:
    deal = selectors.deal_get(user=actor(request), pk=deal_id)
    return [
        {"stage": s.stage, "entered": s.entered, "left": s.left, "seconds": int(s.duration.total_seconds())}
        for s in selectors.deal_history(deal=deal)
    ]


@router.post("/deals/{deal_id}/lines", response={201: DealLineOut, **ERRORS}, summary="Add a product line")
def line_add(request: HttpRequest, deal_id: Id, payload: LineIn) -> Status[DealLine]:
    user = actor(request)
    deal = selectors.deal_get(user=user, pk=deal_id)
    data = payload.model_dump(exclude_none=True)
    if "product_id" in data:
        data["product"] = one_of(
            Product.objects.filter(active=True),
            data.pop("product_id"),
            "product_id",
            _("Choose an active product."),
        )
    return Status(201, services.deal_line_add(deal=deal, actor=user, data=data))


@router.patch("/deal-lines/{line_id}", response={200: DealLineOut, **ERRORS}, summary="Change a line")
def line_update(request: HttpRequest, line_id: Id, payload: LinePatch) -> DealLine:
    user = actor(request)
    line = get_visible(user, DealLine.objects.select_related("deal", "product"), line_id)
    return services.deal_line_update(line=line, actor=user, data=payload.model_dump(exclude_none=True))


@router.delete("/deal-lines/{line_id}", response={204: None, **ERRORS}, summary="Remove a line")
def line_remove(request: HttpRequest, line_id: Id) -> Status[None]:
    user = actor(request)
    services.deal_line_remove(
        line=get_visible(user, DealLine.objects.select_related("deal"), line_id), actor=user
    )
    return Status(204, None)
