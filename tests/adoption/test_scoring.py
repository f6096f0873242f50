"""The scoring maths against numbers worked out by hand (in the comments)."""

from __future__ import annotations

import math

import pytest

from peyvand.adoption.selectors import scoring
from peyvand.adoption.selectors.scoring import FactorItems, Item

# One factor, two statements: weight 2, and weight 1 reverse-scored.
CULTURE = FactorItems("culture", "Culture", (Item(1, 2.0), Item(2, 1.0, reverse=True)))
# A second factor with one statement (no alpha possible).
PLAN = FactorItems("planning", "Planning", (Item(3, 1.0),))
ANSWERS = {
    # culture: counted (5, 6−1=5) -> (2·5 + 1·5)/3 = 5 -> 100
    10: {1: 5, 2: 1, 3: 2},
    # culture: (3, 3) -> 3 -> 50
    11: {1: 3, 2: 3, 3: 2},
    # culture: (4, 6−4=2) -> (8 + 2)/3 = 3.333… -> 58.333…
    12: {1: 4, 2: 4, 3: 5},
}


def test_counting_and_the_0_to_100_scale():
    assert scoring.counted(1, reverse=True) == 5
    assert scoring.counted(4, reverse=False) == 4
    assert scoring.to_percent(1) == 0 and scoring.to_percent(5) == 100 and scoring.to_percent(3) == 50
    assert scoring.weighted_mean([(5, 2), (2, 1)]) == pytest.approx(4.0)
    assert scoring.weighted_mean([]) is None


def test_factor_means_and_the_spread_between_respondents():
    results = scoring.score([CULTURE, PLAN], ANSWERS)
    culture = results.factor("culture")
    assert culture is not None
    # mean of 100, 50, 58.333 = 69.444…
    assert culture.score == pytest.approx((100 + 50 + 175 / 3) / 3)
    assert culture.score == pytest.approx(69.4444, abs=1e-4)
    # deviations 30.556, −19.444, −11.111; squares sum to 1435.185; / 2 = 717.593; √ = 26.788
    assert culture.sd == pytest.approx(26.7879, abs=1e-4)
    assert culture.respondents == 3
    planning = results.factor("planning")
    assert planning is not None
    # ratings 2, 2, 5 -> 25, 25, 100 -> mean 50, sd √((25² + 25² + 50²)/2) = √1875 = 43.301
    assert planning.score == pytest.approx(50.0)
    assert planning.sd == pytest.approx(math.sqrt(1875))


def test_cronbachs_alpha_by_hand():
    # counted ratings (5,5), (3,3), (4,2): item variances 1 and 2.333…, totals 10, 6, 6 with
    # variance 5.333…; α = 2/1 × (1 − 3.333…/5.333…) = 0.75
    alpha, reason = scoring.cronbach_alpha([[5, 5], [3, 3], [4, 2]])
    assert alpha == pytest.approx(0.75) and reason == ""
    results = scoring.score([CULTURE, PLAN], ANSWERS)
    assert results.factor("culture").alpha == pytest.approx(0.75)  # type: ignore[union-attr]
    # One statement: no alpha; two respondents: no alpha; everyone alike: no alpha.
    assert results.factor("planning").alpha is None  # type: ignore[union-attr]
    assert results.factor("planning").alpha_reason == "too-few"  # type: ignore[union-attr]
    assert scoring.cronbach_alpha([[5, 5], [3, 3]]) == (None, "too-few")
    assert scoring.cronbach_alpha([[3, 3], [3, 3], [3, 3]]) == (None, "no-variance")


def test_overall_score_is_weighted_over_every_statement():
    results = scoring.score([CULTURE, PLAN], ANSWERS)
    # respondent 10: (2·5 + 1·5 + 1·2)/4 = 4.25 -> 81.25
    # respondent 11: (2·3 + 1·3 + 1·2)/4 = 2.75 -> 43.75
    # respondent 12: (2·4 + 1·2 + 1·5)/4 = 3.75 -> 68.75
    assert results.overall == pytest.approx((81.25 + 43.75 + 68.75) / 3)
    # mean 64.583; deviations 16.667, −20.833, 4.167; squares sum to 729.167; / 2 = 364.583; √ = 19.094
    assert results.overall_sd == pytest.approx(19.0941, abs=1e-4)
    assert results.respondents == 3


def test_strengths_and_weaknesses_by_threshold():
    results = scoring.score([CULTURE, PLAN], ANSWERS)
    assert [f.key for f in results.strengths] == []  # 69.4 is just under 70
    assert [f.key for f in results.weaknesses] == []  # 50 is not below 50
    low = scoring.score([CULTURE, PLAN], {1: {1: 1, 2: 5, 3: 5}})
    assert [f.key for f in low.weaknesses] == ["culture"] and [f.key for f in low.strengths] == ["planning"]


def test_partial_answers_and_no_answers():
    results = scoring.score([CULTURE, PLAN], {1: {1: 5}})  # only the first statement
    assert results.factor("culture").score == 100  # type: ignore[union-attr]
    assert results.factor("culture").sd is None  # type: ignore[union-attr]
    assert results.factor("planning").score is None  # type: ignore[union-attr]
    empty = scoring.score([CULTURE], {})
    assert empty.overall is None and empty.respondents == 0 and empty.factors[0].score is None


def test_comparison_is_factor_by_factor():
    before = scoring.score([CULTURE, PLAN], {1: {1: 3, 2: 3, 3: 3}})
    after = scoring.score([CULTURE, PLAN], {1: {1: 4, 2: 2, 3: 2}})
    deltas = {d.key: d.change for d in scoring.compare(before, after)}
    assert deltas == {"culture": pytest.approx(25.0), "planning": pytest.approx(-25.0)}
