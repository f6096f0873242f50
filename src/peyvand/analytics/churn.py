"""Churn: which active customers are likely to stop buying, and why.

A customer is **active** at a cut-off day when they bought in the year before it, and has
**churned** when they then make no purchase in the ``horizon`` days after it. The model is a
logistic regression (scikit-learn) on features of each active customer's history at the
cut-off (``FEATURES``, built by ``expressions.churn_features``), each on a log scale and
standardised. It is checked on a time-based holdout, as it will be used: trained at the
cut-off ``2 × horizon`` before the run's day (labels from the horizon after it) and tested at
``horizon`` before the run's day (labels up to the run's day), beside a baseline measured the
same way that ranks customers by recency alone. The model that scores today's customers is
then trained again at the later cut-off, the most recent whose outcome is known.

A customer's **reasons** are the features that push their risk up most: the coefficient times
the customer's standardised value, largest first.

Pure NumPy and scikit-learn on arrays: nothing here reads or writes the database.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The features, in the order of the arrays: (key, what a high value means, what a low one does).
FEATURES: tuple[tuple[str, Promise, Promise], ...] = (
    ("recency", _("Long since the last purchase"), _("Bought very recently")),
    ("tenure", _("A customer for a long time"), _("A customer for a short time")),
    ("frequency", _("Buys often"), _("Few purchases in the last year")),
    ("monetary", _("Spent much in the last year"), _("Spent little in the last year")),
    ("recent_purchases", _("Bought in the last 90 days"), _("No purchase in the last 90 days")),
    ("contacts", _("Many contacts in the last 90 days"), _("Few contacts in the last 90 days")),
    ("inbound", _("Often got in touch in the last 90 days"), _("Seldom got in touch in the last 90 days")),
    ("silence", _("Long since the last contact"), _("Contacted recently")),
    ("payments", _("Many payments in the last year"), _("Few payments in the last year")),
)
FEATURE_KEYS = tuple(key for key, _high, _low in FEATURES)
REASONS = 3
# Fewer customers, or fewer of either outcome, than this in a training or test set: no model.
MIN_CUSTOMERS = 30
MIN_OF_EACH = 5
TOP_SHARE = 0.1  # the lift is measured on the riskiest tenth


class ChurnError(ValueError):
    """Too little history to train or test the model."""


@dataclass(frozen=True)
class ChurnModel:
    """Coefficients on the standardised log features, and the scaling learnt in training."""

    intercept: float
    coefficients: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]

    def _standardised(self, features: np.ndarray) -> np.ndarray:
        return (transform(features) - np.asarray(self.means)) / np.asarray(self.scales)

    def risk(self, features: np.ndarray) -> np.ndarray:
        """The probability that each customer (a row of ``features``) churns."""
        if len(features) == 0:
            return np.zeros(0)
        z = self._standardised(features) @ np.asarray(self.coefficients) + self.intercept
        return 1 / (1 + np.exp(-z))

    def reasons(self, features: np.ndarray, count: int = REASONS) -> list[list[str]]:
        """Each customer's top reasons, as ``feature:high`` or ``feature:low``: the features
        whose contribution raises their risk most (none when nothing raises it)."""
        if len(features) == 0:
            return []
        scaled = self._standardised(features)
        contributions = scaled * np.asarray(self.coefficients)
        order = np.argsort(-contributions, axis=1)[:, :count]
        found = []
        for row, columns in enumerate(order):
            found.append(
                [
                    f"{FEATURE_KEYS[c]}:{'high' if scaled[row, c] > 0 else 'low'}"
                    for c in columns
                    if contributions[row, c] > 0
                ]
            )
        return found


@dataclass(frozen=True)
class Evaluation:
    customers: int
    churned: int
    auc: float
    baseline_auc: float
    lift: float
    baseline_lift: float


def _sklearn(name: str) -> ModuleType:
    """A scikit-learn module, loaded when a model is fitted or judged: importing it takes
    seconds, and every page or command that names a churn reason needs none of it."""
    return importlib.import_module(name)


def transform(features: np.ndarray) -> np.ndarray:
    """Counts, days and money are skewed: the model reads them on a log scale."""
    return np.log1p(np.clip(np.asarray(features, dtype=float), 0, None))


def train(features: np.ndarray, churned: np.ndarray) -> ChurnModel:
    _check(features, churned)
    logs = transform(features)
    means = logs.mean(axis=0)
    scales = logs.std(axis=0)
    scales[scales == 0] = 1.0
    regression = _sklearn("sklearn.linear_model").LogisticRegression(max_iter=1000)
    fitted = regression.fit((logs - means) / scales, churned.astype(int))
    return ChurnModel(
        intercept=float(fitted.intercept_[0]),
        coefficients=tuple(float(c) for c in fitted.coef_[0]),
        means=tuple(float(m) for m in means),
        scales=tuple(float(s) for s in scales),
    )


def evaluate(model: ChurnModel, features: np.ndarray, churned: np.ndarray) -> Evaluation:
    """AUC and lift of the model on customers it was not trained on, beside the same measures
    of ranking by recency alone (the longer since the last purchase, the riskier)."""
    _check(features, churned)
    risk = model.risk(features)
    recency = np.asarray(features, dtype=float)[:, FEATURE_KEYS.index("recency")]
    return Evaluation(
        customers=len(churned),
        churned=int(churned.sum()),
        auc=float(_sklearn("sklearn.metrics").roc_auc_score(churned, risk)),
        baseline_auc=float(_sklearn("sklearn.metrics").roc_auc_score(churned, recency)),
        lift=lift(churned, risk),
        baseline_lift=lift(churned, recency),
    )


def lift(churned: np.ndarray, score: np.ndarray, share: float = TOP_SHARE) -> float:
    """How many times the churn rate of the riskiest ``share`` of customers is the overall rate
    (ties at the edge broken by order, as a list cut at that length would be)."""
    count = max(1, round(len(score) * share))
    top = np.argsort(-score, kind="stable")[:count]
    overall = churned.mean()
    return float(churned[top].mean() / overall) if overall > 0 else 0.0


def reason_label(reason: str) -> str:
    key, _sep, side = reason.partition(":")
    for name, high, low in FEATURES:
        if name == key:
            return str(high if side == "high" else low)
    return reason


def _check(features: np.ndarray, churned: np.ndarray) -> None:
    churned = np.asarray(churned)
    if len(churned) < MIN_CUSTOMERS or min(int(churned.sum()), int((1 - churned).sum())) < MIN_OF_EACH:
        raise ChurnError("too little history")
