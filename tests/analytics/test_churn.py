"""Churn: the model on histories where the answer is known, its measures worked by hand, and a
run that trains it on a time-based holdout, scores the active customers and says why."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import translation

from peyvand.analytics import churn
from peyvand.analytics.models import ChurnFit, Figure, FigureKind, RunStatus
from peyvand.analytics.selectors import dashboard
from peyvand.customers.models import CustomerInsight

from .conftest import TODAY
from .test_runs import simulated_shop

RECENCY = churn.FEATURE_KEYS.index("recency")
CONTACTS = churn.FEATURE_KEYS.index("contacts")


def customers(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Features of ``count`` customers, and whether each churned: the longer since their last
    purchase and the fewer the contacts, the likelier (a logistic in the log features)."""
    features = np.column_stack(
        [rng.integers(0, 365, count) if key == "recency" else rng.integers(0, 30, count)
         for key in churn.FEATURE_KEYS]
    ).astype(float)  # fmt: skip
    pull = 1.6 * (np.log1p(features[:, RECENCY]) - 4.5) - 0.8 * (np.log1p(features[:, CONTACTS]) - 2.5)
    churned = rng.random(count) < 1 / (1 + np.exp(-pull))
    return features, churned.astype(int)


def test_the_model_finds_what_drives_churn_and_beats_recency_alone(english):
    rng = np.random.default_rng(3)
    train_x, train_y = customers(rng, 3000)
    test_x, test_y = customers(rng, 3000)
    model = churn.train(train_x, train_y)
    weights = dict(zip(churn.FEATURE_KEYS, model.coefficients, strict=True))
    assert weights["recency"] > 1.0 and weights["contacts"] < -0.4
    assert max(abs(weights[k]) for k in churn.FEATURE_KEYS if k not in ("recency", "contacts")) < 0.15
    checked = churn.evaluate(model, test_x, test_y)
    assert checked.customers == 3000 and checked.churned == int(test_y.sum())
    assert checked.auc > checked.baseline_auc > 0.6
    assert checked.lift > checked.baseline_lift > 1.2  # at most 1 / 64%, the churn rate here
    # Someone silent for a year and hardly contacted: those are their first two reasons.
    silent = np.full((1, len(churn.FEATURE_KEYS)), 15.0)
    silent[0, RECENCY], silent[0, CONTACTS] = 360, 0
    assert set(model.reasons(silent)[0][:2]) == {"recency:high", "contacts:low"}
    assert churn.reason_label("recency:high") == "Long since the last purchase"
    assert churn.reason_label("contacts:low") == "Few contacts in the last 90 days"
    # Someone who bought yesterday and is in touch: nothing pushes their risk up much.
    engaged = np.full((1, len(churn.FEATURE_KEYS)), 15.0)
    engaged[0, RECENCY], engaged[0, CONTACTS] = 1, 29
    assert model.risk(engaged)[0] < 0.1 < 0.9 < model.risk(silent)[0]


def test_lift_by_hand():
    churned = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    # The riskiest tenth is one customer; 2 of 10 churned overall (20%).
    assert churn.lift(churned, np.arange(10.0)) == pytest.approx(5.0)  # the last, who churned
    assert churn.lift(churned, -np.arange(10.0)) == pytest.approx(5.0)  # the first, who churned
    assert churn.lift(churned, np.array([0, 9, 1, 2, 3, 4, 5, 6, 7, 8.0])) == 0.0
    assert churn.lift(churned, np.arange(10.0), share=0.5) == pytest.approx((1 / 5) / 0.2)


def test_too_little_history_is_refused():
    with pytest.raises(churn.ChurnError):
        churn.train(np.ones((10, len(churn.FEATURE_KEYS))), np.array([0, 1] * 5))
    with pytest.raises(churn.ChurnError):  # hardly anyone churned
        churn.train(np.ones((100, len(churn.FEATURE_KEYS))), np.array([1] * 3 + [0] * 97))


@pytest.mark.django_db
def test_a_run_trains_on_the_holdout_and_scores_the_active_customers(users, analyse, api_as, english):
    simulated_shop([users["sales"], users["outsider"]])
    run = analyse(actor=users["manager"])
    assert run.status == RunStatus.DONE, run.error
    fit = ChurnFit.objects.get(run=run)
    assert fit.error == "" and fit.fitted_at is not None
    assert fit.trained_on == TODAY - dt.timedelta(days=180)
    assert fit.tested_on == TODAY - dt.timedelta(days=90)
    assert fit.test_customers > 30 and 0 < fit.test_churned < fit.test_customers
    assert 0.5 < fit.auc <= 1 and 0 < fit.baseline_auc <= 1
    assert set(fit.coefficients) == set(churn.FEATURE_KEYS)

    insights = CustomerInsight.objects.all()
    scored = insights.filter(churn_risk__isnull=False)
    # Exactly the customers who bought in the year to the run's day are scored.
    active = insights.filter(last_purchase_on__gt=TODAY - dt.timedelta(days=365))
    assert set(scored.values_list("pk", flat=True)) == set(active.values_list("pk", flat=True))
    assert all(0 <= r <= 1 for r in scored.values_list("churn_risk", flat=True))
    reasons = [r for rs in scored.values_list("churn_reasons", flat=True) for r in rs]
    assert reasons and all(r.partition(":")[0] in churn.FEATURE_KEYS for r in reasons)
    assert not insights.filter(churn_risk__isnull=True).exclude(churn_reasons=[]).exists()
    counted = Figure.objects.filter(kind=FigureKind.CHURN)
    assert sum(f.count for f in counted) == scored.count()

    board = dashboard.dashboard(user=users["admin"])
    assert sum(board.charts["churn"].series[0].values) == scored.count()
    assert board.churn is not None and board.churn.pk == fit.pk
    quality = dashboard.churn_chart(fit)
    assert quality.series[0].values == (pytest.approx(fit.auc), pytest.approx(fit.baseline_auc))
    # A salesperson's chart counts their own customers only.
    mine = scored.filter(party__owner=users["sales"]).count()
    assert 0 < mine < scored.count()
    assert sum(dashboard.dashboard(user=users["sales"]).charts["churn"].series[0].values) == mine

    served = api_as("manager").get("/analytics/churn/model").json()
    assert (served["id"], served["auc"], served["error"]) == (fit.pk, pytest.approx(fit.auc), "")
    assert api_as("sales").get("/analytics/churn/model").status_code == 403
    risky = scored.exclude(churn_reasons=[]).filter(party__owner=users["sales"]).first()
    insight = api_as("sales").get(f"/analytics/customers/{risky.party_id}/insight").json()
    assert insight["churn_risk"] == pytest.approx(risky.churn_risk)
    assert [r["code"] for r in insight["churn_reasons"]] == risky.churn_reasons
    labels = set()
    for language in ("fa", "en"):
        with translation.override(language):
            labels.add(churn.reason_label(risky.churn_reasons[0]))
    assert insight["churn_reasons"][0]["label"] in labels  # in words, in the request's language


@pytest.mark.django_db
def test_without_enough_history_the_run_says_so_and_scores_no_churn(
    users, make_person, buy, analyse, english
):
    buy(make_person(), TODAY - dt.timedelta(days=3), 1000)
    run = analyse(actor=users["manager"])
    assert run.status == RunStatus.DONE, run.error
    fit = ChurnFit.objects.get(run=run)
    assert "Too little purchase history" in fit.error_message and fit.auc is None
    with translation.override("fa"):  # stored once, read in each reader's language
        assert "سابقه خرید" in fit.error_message and "۹۰" in fit.error_message
    assert not CustomerInsight.objects.filter(churn_risk__isnull=False).exists()
