"""Scoring a readiness assessment: pure functions over plain numbers, no database.

- A rating r on the 1–5 Likert scale counts as r, or 6 − r for a reverse-scored statement.
- A respondent's score on a factor is the weighted mean of their counted ratings on its
  statements (Σ wᵢ·rᵢ / Σ wᵢ over the statements they rated), put on 0–100 as (m − 1) / 4 × 100.
- The factor's score is the mean of its respondents' scores; its spread, their sample
  standard deviation (n − 1), when at least two answered.
- The overall score is, per respondent, the weighted mean over every statement of the model
  (on 0–100), then the mean over respondents, with its standard deviation the same way.
- Cronbach's alpha of a factor, from the respondents who rated all its statements, unweighted:
  α = k / (k − 1) × (1 − Σ s²ᵢ / s²ₜ), with k statements, s²ᵢ each statement's sample
  variance and s²ₜ that of the respondents' totals. Only with k ≥ 2 and at least 3 such
  respondents; none when the totals do not vary.
- Strengths are the factors scoring at least ``STRONG_FROM``, highest first; weaknesses the
  factors below ``WEAK_BELOW``, lowest first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LIKERT_LOW, LIKERT_HIGH = 1, 5
WEAK_BELOW = 50.0
STRONG_FROM = 70.0
ALPHA_MIN_RESPONDENTS = 3
ALPHA_MIN_STATEMENTS = 2


@dataclass(frozen=True)
class Item:
    id: int
    weight: float
    reverse: bool = False


@dataclass(frozen=True)
class FactorItems:
    key: str
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class FactorScore:
    key: str
    name: str
    score: float | None  # 0–100, None when nobody rated it
    sd: float | None
    respondents: int
    alpha: float | None
    alpha_reason: str = ""  # "too-few" or "no-variance" when there is no alpha


@dataclass(frozen=True)
class Results:
    factors: tuple[FactorScore, ...]
    overall: float | None
    overall_sd: float | None
    respondents: int
    strengths: tuple[FactorScore, ...] = field(default=())
    weaknesses: tuple[FactorScore, ...] = field(default=())

    def factor(self, key: str) -> FactorScore | None:
        return next((f for f in self.factors if f.key == key), None)


def counted(value: int, reverse: bool) -> int:
    """A rating as it counts: reversed statements count 6 − r."""
    return LIKERT_LOW + LIKERT_HIGH - value if reverse else value


def to_percent(mean: float) -> float:
    """A mean on the 1–5 scale on 0–100."""
    return (mean - LIKERT_LOW) / (LIKERT_HIGH - LIKERT_LOW) * 100.0


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Σ w·x / Σ w over (x, w) pairs; None for none."""
    total = sum(w for _x, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(x * w for x, w in pairs) / total


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sample_variance(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    centre = sum(values) / len(values)
    return sum((v - centre) ** 2 for v in values) / (len(values) - 1)


def sample_sd(values: Sequence[float]) -> float | None:
    variance = sample_variance(values)
    return None if variance is None else math.sqrt(variance)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> tuple[float | None, str]:
    """Alpha of a respondents × statements table of counted ratings, or (None, why)."""
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if k < ALPHA_MIN_STATEMENTS or n < ALPHA_MIN_RESPONDENTS:
        return None, "too-few"
    item_variances = [sample_variance([row[i] for row in rows]) or 0.0 for i in range(k)]
    total_variance = sample_variance([sum(row) for row in rows]) or 0.0
    if total_variance == 0:
        return None, "no-variance"
    return k / (k - 1) * (1 - sum(item_variances) / total_variance), ""


def _respondent_score(items: Sequence[Item], ratings: Mapping[int, int]) -> float | None:
    pairs = [(float(counted(ratings[i.id], i.reverse)), i.weight) for i in items if i.id in ratings]
    found = weighted_mean(pairs)
    return None if found is None else to_percent(found)


def score(factors: Sequence[FactorItems], answers: Mapping[int, Mapping[int, int]]) -> Results:
    """Score ``answers`` (respondent -> statement id -> rating 1–5) on ``factors``."""
    scored: list[FactorScore] = []
    for factor in factors:
        per_respondent = [
            s for ratings in answers.values() if (s := _respondent_score(factor.items, ratings)) is not None
        ]
        complete = [
            [float(counted(ratings[i.id], i.reverse)) for i in factor.items]
            for ratings in answers.values()
            if all(i.id in ratings for i in factor.items)
        ]
        alpha, reason = cronbach_alpha(complete)
        scored.append(
            FactorScore(
                key=factor.key,
                name=factor.name,
                score=mean(per_respondent),
                sd=sample_sd(per_respondent),
                respondents=len(per_respondent),
                alpha=alpha,
                alpha_reason=reason,
            )
        )
    every_item = [item for factor in factors for item in factor.items]
    overall = [s for ratings in answers.values() if (s := _respondent_score(every_item, ratings)) is not None]
    rated = [f for f in scored if f.score is not None]
    strengths = sorted(
        (f for f in rated if f.score is not None and f.score >= STRONG_FROM), key=_by_score_desc
    )
    weaknesses = sorted((f for f in rated if f.score is not None and f.score < WEAK_BELOW), key=_by_score)
    return Results(
        factors=tuple(scored),
        overall=mean(overall),
        overall_sd=sample_sd(overall),
        respondents=len(overall),
        strengths=tuple(strengths),
        weaknesses=tuple(weaknesses),
    )


def _by_score(f: FactorScore) -> tuple[float, str]:
    return (f.score if f.score is not None else 0.0, f.key)


def _by_score_desc(f: FactorScore) -> tuple[float, str]:
    return (-(f.score if f.score is not None else 0.0), f.key)


@dataclass(frozen=True)
class Delta:
    key: str
    name: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare(before: Results, after: Results) -> tuple[Delta, ...]:
    """Factor by factor, ``after`` minus ``before`` (matched by factor key, ``after``'s order)."""
    rows = []
    for factor in after.factors:
        earlier = before.factor(factor.key)
        rows.append(Delta(factor.key, factor.name, earlier.score if earlier else None, factor.score))
    return tuple(rows)
