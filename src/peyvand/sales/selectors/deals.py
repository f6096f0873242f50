from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.custom_fields import Entity
from peyvand.core.models import User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.policy import get_visible
from peyvand.core.selectors.custom_fields import CustomFilter, custom_list
from peyvand.core.text import search_terms

from ..models import Deal, DealLine, DealStageChange, Outcome, Pipeline, Stage

SORTS = {
    "close": ["expected_close", "id"],
    "-close": ["-expected_close", "-id"],
    "amount": ["amount_base", "id"],
    "-amount": ["-amount_base", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "close"
CARDS_PER_STAGE = 50


def pipelines() -> list[Pipeline]:
    return list(Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id"))


def pipeline_stages(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(active=True).order_by("order", "id"))


def all_stages() -> QuerySet[Stage]:
    return Stage.objects.filter(active=True, pipeline__active=True).select_related("pipeline")


def deal_queryset(*, user: User, filters: Mapping[str, Any]) -> QuerySet[Deal]:
    queryset = policy.visible(user, Deal.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if (pipeline_id := choice_id(filters.get("pipeline"))) is not None:
        queryset = queryset.filter(pipeline_id=pipeline_id)
    if (stage_id := choice_id(filters.get("stage"))) is not None:
        queryset = queryset.filter(stage_id=stage_id)
    if filters.get("status") in Outcome.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("owner") == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif (owner_id := choice_id(filters.get("owner"))) is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    if isinstance(filters.get("close_from"), dt.date):
        queryset = queryset.filter(expected_close__gte=filters["close_from"])
    if isinstance(filters.get("close_to"), dt.date):
        queryset = queryset.filter(expected_close__lte=filters["close_to"])
    return queryset


def deal_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str,
    cursor: str | None,
    limit: int = 50,
    custom: Sequence[CustomFilter] = (),
) -> Page[Deal]:
    """The deals ``user`` may see, filtered (custom fields' filters too) and sorted by one of
    SORTS or a filterable custom field's ``cf_<key>``."""
    queryset, custom_order = custom_list(deal_queryset(user=user, filters=filters), Entity.DEAL, custom, sort)
    page = keyset_page(
        queryset.select_related("party", "stage", "owner", "pipeline"),
        order=custom_order or SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


@dataclass
class Column:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal(0)


def deal_board(*, user: User, pipeline: Pipeline, filters: Mapping[str, Any]) -> list[Column]:
    """The kanban: each stage's largest deals and its count and sum, in three queries."""
    columns = {stage.pk: Column(stage) for stage in pipeline_stages(pipeline)}
    queryset = deal_queryset(user=user, filters={**filters, "pipeline": pipeline.pk, "stage": None})
    for row in queryset.order_by().values("stage_id").annotate(n=Count("id"), total=Sum("amount_base")):
        if row["stage_id"] in columns:
            columns[row["stage_id"]].count, columns[row["stage_id"]].total = (
                row["n"],
                row["total"] or Decimal(0),
            )
    ranked = queryset.annotate(
        rank=Window(
            RowNumber(), partition_by=[F("stage_id")], order_by=[F("amount_base").desc(), F("id").desc()]
        )
    ).filter(rank__lte=CARDS_PER_STAGE)
    for deal in ranked.select_related("party", "owner").order_by("stage_id", "-amount_base", "-id"):
        if deal.stage_id in columns:
            columns[deal.stage_id].deals.append(deal)
    return list(columns.values())


def deal_get(*, user: User, pk: Any) -> Deal:
    return get_visible(
        user, Deal.objects.select_related("party", "contact", "pipeline", "stage", "owner"), pk
    )


def deal_lines(*, deal: Deal) -> list[DealLine]:
    return list(deal.lines.select_related("product").order_by("position", "id"))


@dataclass
class StageStay:
    stage: Stage
    entered: dt.datetime
    left: dt.datetime | None
    actor: Any

    @property
    def duration(self) -> dt.timedelta:
        return (self.left or timezone.now()) - self.entered


def deal_history(*, deal: Deal) -> list[StageStay]:
    """Every stage the deal has been in, with how long it stayed there."""
    changes = (
        DealStageChange.objects.filter(deal=deal).select_related("to_stage", "actor").order_by("at", "id")
    )
    return [StageStay(c.to_stage, c.at, c.left_at, c.actor) for c in changes]
