"""A run from end to end on purchase histories simulated from known BG/NBD and Gamma-Gamma
parameters: every customer's insight written in bulk, the fit and its holdout check stored,
the figures counted, the cells' movement recorded; what a run refuses, and its failures."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from huey.contrib.djhuey import HUEY

from peyvand.analytics import btyd
from peyvand.analytics.models import CellCount, ClvFit, Figure, FigureKind, Run, RunStatus
from peyvand.analytics.services import runs
from peyvand.analytics.services.insights import COLUMNS, insights_write
from peyvand.analytics.tasks import analytics_nightly
from peyvand.customers.models import CustomerInsight, Kind, Party
from peyvand.sales.models import Order

from .conftest import TODAY

pytestmark = pytest.mark.django_db

WEEKS = 78
CUSTOMERS = 240
_numbers = itertools.count(1)


def simulated_shop(owners, customers=CUSTOMERS, seed=7):
    """Customers who came over the first year and bought as BG/NBD and Gamma-Gamma say,
    up to TODAY; their orders as the sales app keeps them (amounts in rials)."""
    rng = np.random.default_rng(seed)
    parties = Party.objects.bulk_create(
        [
            Party(
                kind=Kind.PERSON,
                display_name=f"مشتری {i}",
                sort_key=f"{i:05d}",
                owner=owners[i % len(owners)],
            )
            for i in range(customers)
        ]
    )
    who, week, value = btyd.simulate(
        rng, customers, btyd.BgNbd(0.5, 6.0, 0.7, 3.0), btyd.GammaGamma(6.0, 4.0, 15.0), weeks=WEEKS
    )
    joined = rng.uniform(0, 52, customers)  # the week each customer first bought
    start = TODAY - dt.timedelta(weeks=WEEKS)
    orders = []
    for index, weeks, amount in zip(who, week, value, strict=True):
        day = start + dt.timedelta(days=int((joined[index] + weeks) * 7))
        if day > TODAY:
            continue
        total = Decimal(int(amount * 100_000))
        party = parties[index]
        orders.append(
            Order(
                number=f"S-{next(_numbers)}",
                party=party,
                owner=party.owner,
                ordered_on=day,
                currency="IRR",
                subtotal=total,
                total=total,
            )
        )
    Order.objects.bulk_create(orders)
    return parties


def test_a_run_scores_and_values_every_customer(users, analyse, make_person):
    parties = simulated_shop([users["sales"], users["outsider"], None])
    prospect = make_person(first_name="بی‌خرید")
    run = analyse(actor=users["manager"])
    assert run.status == RunStatus.DONE, run.error
    assert run.customers == CUSTOMERS + 1
    assert set(run.timings) == {"refresh", "rfm", "fit", "score", "churn", "profit", "write", "figures"}
    insights = {i.party_id: i for i in CustomerInsight.objects.all()}
    assert set(insights) == {p.pk for p in parties} | {prospect.pk}
    assert insights[prospect.pk].rfm_cell == "" and insights[prospect.pk].predicted_clv is None
    bought = [i for i in insights.values() if i.purchases > 0]
    assert bought and all(i.predicted_clv is not None and i.predicted_clv >= 0 for i in bought)
    assert all(0 < i.probability_alive <= 1 and i.expected_purchases >= 0 for i in bought)
    assert all(i.rfm_cell for i in bought)
    # Fitted without being asked (there was no model), on all but the last 13 weeks.
    fit = ClvFit.objects.get()
    assert run.scored_with_id == fit.pk and fit.fitted_at is not None
    assert fit.calibration_end == TODAY - dt.timedelta(weeks=13) and fit.holdout_end == TODAY
    assert all(np.isfinite(v) and v > 0 for v in (fit.r, fit.alpha, fit.a, fit.b, fit.p, fit.q, fit.gamma))
    assert fit.bgnbd_log_likelihood < 0
    assert sum(g["customers"] for g in fit.holdout) == fit.customers
    assert [g["x"] for g in fit.holdout] == sorted(g["x"] for g in fit.holdout)
    predicted, actual = (sum(g[k] for g in fit.holdout) for k in ("predicted", "actual"))
    assert predicted == pytest.approx(actual, rel=0.5)  # the holdout roughly right on 240 customers
    # Figures add up to the customers and orders they count.
    cells = CellCount.objects.filter(run=run)
    assert sum(c.customers for c in cells) == len(bought)
    assert {c.owner_id for c in cells} == {users["sales"].pk, users["outsider"].pk, None}
    recent = Order.objects.filter(ordered_on__gt=TODAY - dt.timedelta(days=runs.REVENUE_DAYS))
    revenue = Figure.objects.filter(kind=FigureKind.REVENUE)
    assert sum(f.count for f in revenue) == recent.count()
    assert sum(f.amount for f in revenue) == sum(o.total for o in recent)
    assert sum(f.count for f in Figure.objects.filter(kind=FigureKind.CLV)) == len(bought)
    assert sum(f.count for f in Figure.objects.filter(kind=FigureKind.ALIVE)) == len(bought)
    assert run.clv_edges == sorted(run.clv_edges)


def test_the_next_run_knows_each_customers_previous_cell(users, analyse):
    simulated_shop([users["sales"]], customers=80, seed=11)
    first = analyse()
    cells = dict(CustomerInsight.objects.values_list("party_id", "rfm_cell"))
    second = analyse(as_of=TODAY + dt.timedelta(days=120), refresh="full")
    assert second.status == RunStatus.DONE, second.error
    for party_id, previous in CustomerInsight.objects.values_list("party_id", "rfm_previous_cell"):
        assert previous == cells[party_id]
    moved = {f.key: f.count for f in Figure.objects.filter(kind=FigureKind.RFM_MOVE)}
    assert sum(moved.values()) == sum(1 for cell in cells.values() if cell)
    assert any(key.split(">")[0] != key.split(">")[1] for key in moved)  # four months on, some moved
    assert CellCount.objects.filter(run=first).exists() and CellCount.objects.filter(run=second).exists()
    # The second run scored with the first fit: no new one was asked for.
    assert ClvFit.objects.count() == 1 and second.scored_with_id == first.scored_with_id


def test_a_fit_asked_for_uses_its_settings(users, analyse):
    simulated_shop([users["sales"]], customers=120, seed=5)
    fit = runs.FitInput(
        calibration_end=TODAY - dt.timedelta(weeks=26), horizon_months=6, monthly_discount=0, margin=0.5
    )
    run = analyse(actor=users["manager"], fit=fit)
    stored = run.fit
    assert (stored.calibration_end, stored.horizon_months, stored.margin) == (
        TODAY - dt.timedelta(weeks=26),
        6,
        0.5,
    )
    assert run.scored_with_id == stored.pk
    insight = CustomerInsight.objects.filter(purchases__gt=1).first()
    # No discount: value = expected purchases over the horizon × expected spend × margin.
    assert float(insight.predicted_clv) == pytest.approx(
        insight.expected_purchases * float(insight.expected_spend) * 0.5, rel=1e-3
    )


@pytest.mark.parametrize(
    ("fit", "field"),
    [
        (runs.FitInput(calibration_end=TODAY), "calibration_end"),
        (runs.FitInput(horizon_months=0), "horizon_months"),
        (runs.FitInput(monthly_discount=1.5), "monthly_discount"),
        (runs.FitInput(margin=0), "margin"),
    ],
)
def test_a_fit_with_impossible_settings_is_refused(users, fit, field):
    with pytest.raises(ValidationError) as refused:
        runs.run_request(actor=users["manager"], data=runs.RunInput(fit=fit), as_of=TODAY)
    assert field in refused.value.message_dict
    assert not Run.objects.exists()


def test_a_bad_window_is_refused(users):
    with pytest.raises(ValidationError) as refused:
        runs.run_request(actor=users["admin"], data=runs.RunInput(window_days=0), as_of=TODAY)
    assert "window_days" in refused.value.message_dict


@pytest.mark.parametrize("role", ["sales", "support", "marketing", "readonly"])
def test_only_those_allowed_start_a_run(users, role):
    with pytest.raises(PermissionDenied):
        runs.run_request(actor=users[role], data=runs.RunInput(), as_of=TODAY)
    assert not Run.objects.exists()


def test_a_run_done_is_not_run_again_and_a_failure_is_recorded(users, analyse, settings, tmp_path):
    run = analyse()
    assert runs.run_execute(run.pk).finished_at == run.finished_at
    (tmp_path / "not-a-file").mkdir()
    settings.PEYVAND_ANALYTICS_DB = tmp_path / "not-a-file"
    failed = analyse()
    assert failed.status == RunStatus.FAILED and failed.error


def test_an_unknown_engine_fails_the_run_and_says_which_it_is(users, analyse, settings):
    settings.PEYVAND_ANALYTICS_ENGINE = "oracle"
    failed = analyse()
    assert failed.status == RunStatus.FAILED
    assert "PEYVAND_ANALYTICS_ENGINE" in failed.error and "'oracle'" in failed.error


def test_insights_are_upserted_in_bulk(make_person):
    ali, sara = make_person(first_name="علی"), make_person(first_name="سارا")
    from django.db import connection
    from django.utils import timezone

    stamp = connection.ops.adapt_datetimefield_value(timezone.now())

    def row(party, cell, clv):
        values = dict.fromkeys(COLUMNS)
        values.update(
            party_id=party.pk,
            rfm_cell=cell,
            rfm_previous_cell="",
            purchases=1,
            lifecycle_stage="",
            churn_reasons="[]",
            predicted_clv=clv,
            computed_at=stamp,
        )
        return tuple(values[c] for c in COLUMNS)

    assert insights_write([row(ali, "new", 10.5), row(sara, "lost", None)]) == 2
    assert insights_write([row(ali, "loyal", 20.25)]) == 1
    found = dict(CustomerInsight.objects.values_list("party_id", "rfm_cell"))
    assert found == {ali.pk: "loyal", sara.pk: "lost"}
    assert CustomerInsight.objects.get(party=ali).predicted_clv == Decimal("20.25")


def test_the_nightly_run_is_due_at_three_in_the_morning_on_the_installations_clock():
    # Huey reads crontabs in UTC unless told otherwise: 03:07 would be 06:37 in Tehran.
    assert HUEY.utc is False
    assert analytics_nightly.s().validate_datetime(dt.datetime(2026, 12, 7, 3, 7))
    assert not analytics_nightly.s().validate_datetime(dt.datetime(2026, 12, 7, 6, 37))
