"""Reading vendor selections: the list, one selection with its criteria, vendors and
evaluators, an evaluator's own scores, and the results.

The results, for each vendor: each evaluator's score per capability group is the weighted mean
of their scores on the group's criteria (weights normalised to sum to 1 over the criteria they
scored; a criterion of weight 0 counts for nothing), and their overall score the weighted mean
over every criterion; the vendor's score is the mean over the evaluators who scored it, and
the spread the standard deviation of the evaluators' overall scores (the population's: with
one evaluator it is 0). Vendors rank by their overall score, ties sharing a rank. Four queries
whatever the size."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import CapabilityGroup, Criterion, Evaluator, Selection, Vendor, VendorScore

SORTS = {"created": ["created_at", "id"], "-created": ["-created_at", "-id"], "name": ["name", "id"]}
DEFAULT_SORT = "-created"
GROUPS: tuple[str, ...] = tuple(CapabilityGroup.values)


def selections_visible(user: User) -> QuerySet[Selection]:
    return policy.visible(user, Selection.objects.all())


def selection_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Selection]:
    queryset = (
        selections_visible(user)
        .select_related("chosen_vendor")
        .annotate(
            vendor_count=Count("vendors", distinct=True), evaluator_count=Count("evaluators", distinct=True)
        )
    )
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(name__icontains=term)
    if filters.get("status") in ("open", "decided"):
        queryset = queryset.filter(status=filters["status"])
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def selection_get(*, user: User, pk: Any) -> Selection:
    return policy.get_visible(user, Selection.objects.select_related("chosen_vendor"), pk)


def criteria(selection: Selection) -> list[Criterion]:
    return list(Criterion.objects.filter(selection=selection).order_by("order", "id"))


def vendors(selection: Selection) -> list[Vendor]:
    return list(Vendor.objects.filter(selection=selection).order_by("name", "id"))


def evaluators(selection: Selection) -> list[Evaluator]:
    return list(
        Evaluator.objects.filter(selection=selection)
        .select_related("user")
        .annotate(score_count=Count("scores"))
        .order_by("id")
    )


def _child(model: Any, selection: Selection, pk: Any) -> Any:
    found = model.objects.filter(selection=selection, pk=int(str(pk))).first() if is_id(pk) else None
    if found is None:
        raise Http404
    return found


def criterion_get(*, selection: Selection, pk: Any) -> Criterion:
    return _child(Criterion, selection, pk)


def vendor_get(*, selection: Selection, pk: Any) -> Vendor:
    return _child(Vendor, selection, pk)


def evaluator_get(*, selection: Selection, pk: Any) -> Evaluator:
    return _child(Evaluator, selection, pk)


def evaluator_of(*, selection: Selection, user: User) -> Evaluator | None:
    return Evaluator.objects.filter(selection=selection, user=user).first()


def my_scores(evaluator: Evaluator) -> dict[tuple[int, int], VendorScore]:
    """The evaluator's scores by (vendor id, criterion id)."""
    return {(s.vendor_id, s.criterion_id): s for s in VendorScore.objects.filter(evaluator=evaluator)}


@dataclass(frozen=True)
class VendorResult:
    vendor: Vendor
    groups: dict[str, float | None]  # capability group → mean weighted score 1–5
    overall: float | None
    spread: float | None  # the standard deviation of the evaluators' overall scores
    evaluators: int  # how many scored it
    rank: int | None


@dataclass(frozen=True)
class Results:
    vendors: list[VendorResult]  # ranked, the unscored last
    groups: list[tuple[str, str]]  # (value, label) of the groups with a weight
    evaluator_count: int
    complete: int  # evaluators who scored every vendor on every weighted criterion

    @property
    def leader(self) -> VendorResult | None:
        return self.vendors[0] if self.vendors and self.vendors[0].rank == 1 else None


def _weighted(pairs: list[tuple[int, int]]) -> float | None:
    """The mean of (weight, score) pairs with the weights normalised; None when they weigh nothing."""
    total = sum(weight for weight, _score in pairs)
    if not total:
        return None
    return sum(weight * score for weight, score in pairs) / total


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _spread(values: list[float]) -> float | None:
    if not values:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def results(selection: Selection) -> Results:
    crits = {c.pk: c for c in criteria(selection)}
    found_vendors = vendors(selection)
    evaluator_ids = list(Evaluator.objects.filter(selection=selection).values_list("pk", flat=True))
    rows = VendorScore.objects.filter(evaluator__selection=selection).values_list(
        "evaluator_id", "vendor_id", "criterion_id", "value"
    )
    # (vendor, evaluator) → [(criterion, score)]
    given: dict[tuple[int, int], list[tuple[Criterion, int]]] = defaultdict(list)
    for evaluator_id, vendor_id, criterion_id, value in rows:
        if criterion_id in crits:
            given[(vendor_id, evaluator_id)].append((crits[criterion_id], value))
    weighted = [c for c in crits.values() if c.weight > 0]
    complete = 0
    for evaluator_id in evaluator_ids:
        if (
            found_vendors
            and weighted
            and all(
                len([1 for c, _v in given.get((v.pk, evaluator_id), []) if c.weight > 0]) == len(weighted)
                for v in found_vendors
            )
        ):
            complete += 1
    out: list[VendorResult] = []
    for vendor in found_vendors:
        per_group: dict[str, list[float]] = defaultdict(list)
        overalls: list[float] = []
        for evaluator_id in evaluator_ids:
            pairs = given.get((vendor.pk, evaluator_id))
            if not pairs:
                continue
            overall = _weighted([(c.weight, v) for c, v in pairs])
            if overall is None:
                continue
            overalls.append(overall)
            for group in GROUPS:
                score = _weighted([(c.weight, v) for c, v in pairs if c.group == group])
                if score is not None:
                    per_group[group].append(score)
        out.append(
            VendorResult(
                vendor=vendor,
                groups={g: _mean(per_group[g]) for g in GROUPS},
                overall=_mean(overalls),
                spread=_spread(overalls),
                evaluators=len(overalls),
                rank=None,
            )
        )
    out.sort(key=lambda r: (r.overall is None, -(r.overall or 0), r.vendor.name, r.vendor.pk))
    ranked: list[VendorResult] = []
    for index, result in enumerate(out):
        rank = None
        if result.overall is not None:
            earlier = ranked[-1] if ranked else None
            same = (
                earlier is not None
                and earlier.overall is not None
                and math.isclose(earlier.overall, result.overall, abs_tol=1e-9)
            )
            rank = earlier.rank if same and earlier is not None else index + 1
        ranked.append(VendorResult(**{**result.__dict__, "rank": rank}))
    groups = [(g, str(label)) for g, label in CapabilityGroup.choices if any(c.group == g for c in weighted)]
    return Results(ranked, groups, len(evaluator_ids), complete)


def results_chart(selection: Selection, found: Results | None = None) -> Chart:
    """A grouped bar per vendor: its score in each capability group and overall (1–5)."""
    found = found or results(selection)
    labels = tuple(r.vendor.name for r in found.vendors)
    series = [
        Series(str(label), tuple(r.groups.get(group) for r in found.vendors), format="decimal", decimals=2)
        for group, label in found.groups
    ]
    series.append(Series(_("Overall"), tuple(r.overall for r in found.vendors), format="decimal", decimals=2))
    series.append(
        Series(
            _("Spread (standard deviation)"),
            tuple(r.spread for r in found.vendors),
            format="decimal",
            decimals=2,
            in_chart=False,
        )
    )
    return Chart(
        key="vendors",
        title=_("Weighted scores by capability group"),
        kind="bar",
        labels=labels,
        series=tuple(series),
        label_heading=_("Vendor"),
        unit=_("score (1–5)"),
        note=_(
            "Each evaluator's scores weighted by the criteria's weights, then averaged over the "
            "evaluators; the spread is the standard deviation between evaluators."
        ),
    )
