"""Reading culture surveys: the questionnaire with the points saved so far, the results (the
mean points per culture type now and preferred, their gap, per dimension too), the radar
chart with its table, and a plain-language reading of what dominates and what the gap means
for a CRM project.

The scores (pure, see ``culture_scores``): a respondent's score for a culture type is the mean
of the points they gave its statements over the six dimensions (so a respondent's four scores
add up to 100); the survey's score is the mean over the respondents who submitted. The gap is
preferred minus now; Cameron and Quinn read a gap of 10 points or more as a call to change.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core.charts import Chart, Series, format_value

from ..models import Assessment, CultureAnswer, CultureType, Factor, Respondent
from .assessments import model_factors

GAP_NOTABLE = 10.0
TYPES: tuple[str, ...] = tuple(CultureType.values)

# What each culture is, and what it means when it dominates a CRM project.
GUIDANCE = {
    CultureType.CLAN: gettext_lazy(
        "A clan culture is a friendly, close-knit place that values loyalty, teamwork and "
        "people's growth. For a CRM project this is fertile ground for sharing customer knowledge: "
        "involve users early, present the CRM as a way for colleagues to serve customers together, "
        "and expect some reluctance to measure individual performance."
    ),
    CultureType.ADHOCRACY: gettext_lazy(
        "An adhocracy is an entrepreneurial, creative place that values new ideas and taking "
        "risks. People will try the new system eagerly, but standard processes and careful data "
        "entry may suffer: prototype and pilot, then agree on the few rules everyone keeps."
    ),
    CultureType.MARKET: gettext_lazy(
        "A market culture is results-driven and competitive, focused on customers, targets and "
        "winning. CRM fits its goals, yet it risks being seen only as a tool for tracking sales: "
        "tie it to measurable objectives and show each team what it gains."
    ),
    CultureType.HIERARCHY: gettext_lazy(
        "A hierarchy is a formal, structured place that values stability, rules and efficiency. "
        "Process discipline and data quality come naturally, but the CRM can turn into paperwork "
        "and change is slow: map the processes, train formally, and give the project clear "
        "governance and sponsorship."
    ),
}
MORE = {
    CultureType.CLAN: gettext_lazy("more collaboration, involvement and care for colleagues"),
    CultureType.ADHOCRACY: gettext_lazy("more innovation, initiative and room to experiment"),
    CultureType.MARKET: gettext_lazy("more focus on customers, results and competition"),
    CultureType.HIERARCHY: gettext_lazy("more structure, clear procedures and control"),
}


@dataclass(frozen=True)
class TypeScore:
    culture: str
    now: float | None
    preferred: float | None

    @property
    def label(self) -> str:
        return str(CultureType(self.culture).label)

    @property
    def gap(self) -> float | None:
        if self.now is None or self.preferred is None:
            return None
        return self.preferred - self.now

    @property
    def notable(self) -> bool:
        return self.gap is not None and abs(self.gap) >= GAP_NOTABLE


@dataclass(frozen=True)
class DimensionScores:
    key: str
    name: str
    types: tuple[TypeScore, ...]


@dataclass(frozen=True)
class CultureResults:
    respondents: int
    types: tuple[TypeScore, ...]
    dimensions: tuple[DimensionScores, ...]

    @property
    def dominant_now(self) -> TypeScore | None:
        scored = [t for t in self.types if t.now is not None]
        return max(scored, key=lambda t: t.now or 0.0) if scored else None

    @property
    def dominant_preferred(self) -> TypeScore | None:
        scored = [t for t in self.types if t.preferred is not None]
        return max(scored, key=lambda t: t.preferred or 0.0) if scored else None

    def type(self, culture: str) -> TypeScore:
        return next(t for t in self.types if t.culture == culture)


@dataclass(frozen=True)
class Dimension:
    """A dimension's statements by culture type (statement id per type)."""

    key: str
    name: str
    statements: Mapping[str, int]


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def culture_scores(
    dimensions: Sequence[Dimension], answers: Mapping[int, Mapping[int, tuple[int, int]]]
) -> CultureResults:
    """``answers``: respondent -> statement id -> (now, preferred). Pure: no database."""
    per_type: dict[str, list[tuple[float, float]]] = defaultdict(list)  # respondent means
    per_dimension: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    counted = 0
    for points in answers.values():
        sums: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for dimension in dimensions:
            for culture, statement_id in dimension.statements.items():
                if statement_id in points:
                    sums[culture].append(points[statement_id])
                    per_dimension[(dimension.key, culture)].append(points[statement_id])
        if not sums:
            continue
        counted += 1
        for culture, pairs in sums.items():
            per_type[culture].append(
                (math.fsum(p[0] for p in pairs) / len(pairs), math.fsum(p[1] for p in pairs) / len(pairs))
            )

    def score(pairs: Sequence[tuple[float, float]], culture: str) -> TypeScore:
        return TypeScore(culture, _mean([p[0] for p in pairs]), _mean([p[1] for p in pairs]))

    return CultureResults(
        respondents=counted,
        types=tuple(score(per_type[c], c) for c in TYPES),
        dimensions=tuple(
            DimensionScores(
                d.key,
                d.name,
                tuple(score([(float(a), float(b)) for a, b in per_dimension[(d.key, c)]], c) for c in TYPES),
            )
            for d in dimensions
        ),
    )


def dimensions_of(factors: Sequence[Factor]) -> list[Dimension]:
    return [
        Dimension(f.key, f.name, {s.culture: s.pk for s in f.statements.all() if s.culture}) for f in factors
    ]


def culture_results(assessment: Assessment) -> CultureResults:
    """The scores from the submitted questionnaires only."""
    answers: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    rows = CultureAnswer.objects.filter(
        respondent__assessment=assessment, respondent__submitted_at__isnull=False
    ).values_list("respondent_id", "statement_id", "now", "preferred")
    for respondent_id, statement_id, now, preferred in rows:
        answers[respondent_id][statement_id] = (now, preferred)
    return culture_scores(dimensions_of(model_factors(assessment.model)), answers)


@dataclass(frozen=True)
class CultureSection:
    factor: Factor
    statements: list[Any]  # Statement, each with ``.now`` and ``.preferred`` (saved points or None)
    answered: bool


def culture_questionnaire(respondent: Respondent) -> list[CultureSection]:
    saved = {
        statement_id: (now, preferred)
        for statement_id, now, preferred in CultureAnswer.objects.filter(respondent=respondent).values_list(
            "statement_id", "now", "preferred"
        )
    }
    sections = []
    for factor in model_factors(respondent.assessment.model):
        statements = list(factor.statements.all())
        for statement in statements:
            now, preferred = saved.get(statement.pk, (None, None))
            statement.now, statement.preferred = now, preferred  # type: ignore[attr-defined]
        sections.append(CultureSection(factor, statements, all(s.pk in saved for s in statements)))
    return sections


def culture_chart(results: CultureResults) -> Chart:
    return Chart(
        key="culture",
        title=_("Culture profile: now and preferred (mean points of 100)"),
        kind="line",  # drawn as a radar: see culture_payload
        labels=tuple(t.label for t in results.types),
        series=(
            Series(_("Now"), tuple(t.now for t in results.types), format="decimal"),
            Series(_("Preferred"), tuple(t.preferred for t in results.types), format="decimal"),
            Series(_("Gap"), tuple(t.gap for t in results.types), format="decimal", in_chart=False),
        ),
        label_heading=_("Culture type"),
        note=_(
            "Each respondent divided 100 points in each of the six dimensions; "
            "the gap is preferred minus now."
        ),
    )


def culture_payload(chart: Chart) -> dict[str, Any]:
    """Drawn as a radar whose axes end at the next ten above the highest score."""
    highest = max((v for s in chart.series if s.in_chart for v in s.values if v is not None), default=0.0)
    return {**chart.payload(), "kind": "radar", "max": max(40, math.ceil(highest / 10.0) * 10)}


def culture_reading(results: CultureResults) -> list[str]:
    """Plain-language paragraphs: which culture dominates now and preferred, what that means
    for a CRM project, and what each notable gap asks for."""
    now, preferred = results.dominant_now, results.dominant_preferred
    if now is None or preferred is None:
        return []

    def fmt(value: float | None) -> str:
        return format_value(value, "decimal", decimals=1)

    paragraphs = [
        _("Today the %(culture)s culture dominates (%(points)s of 100 points on average).")
        % {"culture": now.label, "points": fmt(now.now)},
        str(GUIDANCE[CultureType(now.culture)]),
    ]
    if preferred.culture == now.culture:
        paragraphs.append(
            _(
                "Respondents would keep %(culture)s as the dominant culture: the CRM project "
                "should work with it, not against it."
            )
            % {"culture": now.label}
        )
    else:
        paragraphs.append(
            _(
                "Respondents would prefer a %(culture)s culture to dominate (%(points)s points): "
                "the CRM project is part of that change."
            )
            % {"culture": preferred.label, "points": fmt(preferred.preferred)}
        )
    for score in sorted(results.types, key=lambda t: -abs(t.gap or 0.0)):
        if not score.notable or score.gap is None:
            continue
        if score.gap > 0:
            paragraphs.append(
                _(
                    "%(culture)s: %(gap)s points more wanted, that is %(more)s. Plan for it in "
                    "the change management of the project."
                )
                % {"culture": score.label, "gap": fmt(score.gap), "more": MORE[CultureType(score.culture)]}
            )
        else:
            paragraphs.append(
                _(
                    "%(culture)s: %(gap)s points less wanted. Do not build the CRM around it; "
                    "expect people to resist processes that lean on it."
                )
                % {"culture": score.label, "gap": fmt(-score.gap)}
            )
    if not any(t.notable for t in results.types):
        paragraphs.append(
            _("No gap reaches %(points)s points: people are broadly content with the culture as it is.")
            % {"points": fmt(GAP_NOTABLE)}
        )
    return paragraphs
