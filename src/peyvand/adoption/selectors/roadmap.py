"""Reading a roadmap: the roadmaps, one roadmap's items (filtered by phase, status and owner),
their progress per phase and overall, and the timeline's bars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from peyvand.core import policy
from peyvand.core.models import User

from ..models import ItemStatus, Roadmap, RoadmapItem


def roadmaps_visible(user: User) -> QuerySet[Roadmap]:
    return policy.visible(user, Roadmap.objects.all())


def roadmap_list(*, user: User) -> list[Roadmap]:
    return list(
        roadmaps_visible(user)
        .annotate(
            item_count=Count("items"), done_count=Count("items", filter=Q(items__status=ItemStatus.DONE))
        )
        .order_by("-created_at", "-id")
    )


def roadmap_get(*, user: User, pk: Any) -> Roadmap:
    return policy.get_visible(user, Roadmap.objects.all(), pk)


def items(roadmap: Roadmap, filters: Mapping[str, Any] | None = None) -> list[RoadmapItem]:
    filters = filters or {}
    queryset = roadmap.items.select_related("owner")
    if filters.get("phase"):
        queryset = queryset.filter(phase_key=filters["phase"])
    if filters.get("status") in ItemStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("owner"):
        queryset = queryset.filter(owner=filters["owner"])
    return list(queryset.order_by("phase_order", "order", "id"))


def item_get(*, user: User, pk: Any) -> RoadmapItem:
    """An item of a roadmap the user sees, or 404."""
    return get_object_or_404(
        RoadmapItem.objects.filter(roadmap__in=roadmaps_visible(user)).select_related("owner", "roadmap"),
        pk=pk,
    )


@dataclass(frozen=True)
class Progress:
    key: str
    name: str
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(rows: Sequence[RoadmapItem]) -> tuple[list[Progress], Progress]:
    """Done items out of all, per phase in order and overall."""
    phases: dict[str, list[RoadmapItem]] = {}
    for row in rows:
        phases.setdefault(row.phase_key, []).append(row)
    per_phase = [
        Progress(key, found[0].phase, len(found), sum(1 for r in found if r.status == ItemStatus.DONE))
        for key, found in phases.items()
    ]
    overall = Progress("all", "", len(rows), sum(1 for r in rows if r.status == ItemStatus.DONE))
    return per_phase, overall


@dataclass(frozen=True)
class Bar:
    item: RoadmapItem
    offset: float  # percent of the timeline before the bar
    width: float  # percent of the timeline the bar covers


def timeline(rows: Sequence[RoadmapItem]) -> tuple[dt.date | None, dt.date | None, list[Bar]]:
    """The span of the items and each item's bar in percent of it (the Gantt's rows)."""
    if not rows:
        return None, None, []
    first = min(r.starts_on for r in rows)
    last = max(r.ends_on for r in rows)
    days = (last - first).days + 1
    bars = [
        Bar(
            row,
            round(100 * (row.starts_on - first).days / days, 2),
            max(round(100 * ((row.ends_on - row.starts_on).days + 1) / days, 2), 0.5),
        )
        for row in rows
    ]
    return first, last, bars


def today_offset(first: dt.date | None, last: dt.date | None, today: dt.date) -> float | None:
    """Where today falls on the timeline, in percent of its span; None outside it."""
    if first is None or last is None or not first <= today <= last:
        return None
    return round(100 * (today - first).days / ((last - first).days + 1), 2)
