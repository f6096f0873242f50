"""Reading the stakeholder map: the list (filtered by quadrant and text, sorted, paged by
keyset), the map itself (a 5 × 5 grid of rational × emotional buy-in with who stands where),
one stakeholder with the history of their placements and their action plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import Placement, Quadrant, Stakeholder, StakeholderAction, quadrant_of
from ..models.stakeholders import BUYIN_MAX, BUYIN_MIN

SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "rational": ["rational", "id"],
    "-rational": ["-rational", "-id"],
    "emotional": ["emotional", "id"],
    "-emotional": ["-emotional", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "name"
NAMES_PER_CELL = 4
MAP_LIMIT = 2000


def stakeholders_visible(user: User) -> QuerySet[Stakeholder]:
    return policy.visible(user, Stakeholder.objects.all())


def _filtered(user: User, filters: Mapping[str, Any]) -> QuerySet[Stakeholder]:
    queryset = stakeholders_visible(user)
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(role__icontains=term) | Q(department__icontains=term)
        )
    if filters.get("quadrant") in Quadrant.values:
        queryset = queryset.filter(quadrant=filters["quadrant"])
    if filters.get("department"):
        queryset = queryset.filter(department__iexact=filters["department"])
    return queryset


def stakeholder_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Stakeholder]:
    queryset = _filtered(user, filters).select_related("user")
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def stakeholder_get(*, user: User, pk: Any) -> Stakeholder:
    return policy.get_visible(user, Stakeholder.objects.select_related("user"), pk)


@dataclass
class MapCell:
    rational: int
    emotional: int
    names: list[tuple[int, str]] = field(default_factory=list)  # (id, name), the first few
    count: int = 0

    @property
    def quadrant(self) -> str:
        return quadrant_of(self.rational, self.emotional)

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass(frozen=True)
class StakeholderMap:
    rows: list[list[MapCell]]  # emotional from 5 (top) down to 1; rational 1 to 5 in each row
    counts: dict[str, int]  # per quadrant
    total: int


def stakeholder_map(*, user: User, filters: Mapping[str, Any] | None = None) -> StakeholderMap:
    """Who stands where: one query, names by cell (the first few by name) and the counts."""
    cells: dict[tuple[int, int], MapCell] = {
        (r, e): MapCell(r, e)
        for r in range(BUYIN_MIN, BUYIN_MAX + 1)
        for e in range(BUYIN_MIN, BUYIN_MAX + 1)
    }
    counts: Counter[str] = Counter()
    rows = (
        _filtered(user, filters or {})
        .order_by("name", "id")
        .values_list("pk", "name", "rational", "emotional")
    )
    for pk, name, rational, emotional in rows[:MAP_LIMIT]:
        cell = cells[(rational, emotional)]
        cell.count += 1
        counts[quadrant_of(rational, emotional)] += 1
        if len(cell.names) < NAMES_PER_CELL:
            cell.names.append((pk, name))
    grid = [
        [cells[(r, e)] for r in range(BUYIN_MIN, BUYIN_MAX + 1)] for e in range(BUYIN_MAX, BUYIN_MIN - 1, -1)
    ]
    return StakeholderMap(grid, {q: counts.get(q, 0) for q in Quadrant.values}, sum(counts.values()))


def placements(stakeholder: Stakeholder) -> list[Placement]:
    """Newest first."""
    return list(
        Placement.objects.filter(stakeholder=stakeholder)
        .select_related("placed_by")
        .order_by("-placed_at", "-id")
    )


def actions(stakeholder: Stakeholder) -> list[StakeholderAction]:
    return list(
        StakeholderAction.objects.filter(stakeholder=stakeholder, deleted_at__isnull=True)
        .select_related("owner")
        .order_by("done", "due_on", "id")
    )


def action_get(*, stakeholder: Stakeholder, pk: Any) -> StakeholderAction:
    found = (
        StakeholderAction.objects.filter(
            stakeholder=stakeholder, pk=int(str(pk)), deleted_at__isnull=True
        ).first()
        if is_id(pk)
        else None
    )
    if found is None:
        raise Http404
    return found
