"""Reading the risk register: the list (filtered, sorted, paged by keyset), one risk, and the
heat map of likelihood × impact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import Risk, RiskGroup, RiskStatus
from ..models.risks import RATING_MAX, RATING_MIN

SORTS = {
    "score": ["score", "id"],
    "-score": ["-score", "-id"],
    "likelihood": ["likelihood", "id"],
    "-likelihood": ["-likelihood", "-id"],
    "impact": ["impact", "id"],
    "-impact": ["-impact", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "-score"


def risk_groups() -> list[RiskGroup]:
    return list(RiskGroup.objects.order_by("order", "id"))


def risks_visible(user: User) -> QuerySet[Risk]:
    return policy.visible(user, Risk.objects.all())


def _filtered(user: User, filters: Mapping[str, Any]) -> QuerySet[Risk]:
    queryset = risks_visible(user)
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(
            Q(title_fa__icontains=term) | Q(title_en__icontains=term) | Q(mitigation__icontains=term)
        )
    if filters.get("group"):
        queryset = queryset.filter(group=filters["group"])
    if filters.get("status") in RiskStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("owner"):
        queryset = queryset.filter(owner=filters["owner"])
    if filters.get("min_score"):
        queryset = queryset.filter(score__gte=filters["min_score"])
    return queryset


def risk_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Risk]:
    queryset = _filtered(user, filters).select_related("group", "owner")
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def risk_get(*, user: User, pk: Any) -> Risk:
    return policy.get_visible(user, Risk.objects.select_related("group", "owner"), pk)


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        """low (1–4), medium (5–9), high (10–16), critical (17–25)."""
        if self.score >= 17:
            return "critical"
        if self.score >= 10:
            return "high"
        if self.score >= 5:
            return "medium"
        return "low"


def heat_map(*, user: User, filters: Mapping[str, Any] | None = None) -> list[list[HeatCell]]:
    """Rows of likelihood from 5 down to 1, each with impact 1 to 5: how many open risks."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in _filtered(user, filters or {})
        .exclude(status=RiskStatus.CLOSED)
        .values("likelihood", "impact")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [
        [
            HeatCell(likelihood, impact, counts.get((likelihood, impact), 0))
            for impact in range(RATING_MIN, RATING_MAX + 1)
        ]
        for likelihood in range(RATING_MAX, RATING_MIN - 1, -1)
    ]
