"""Analysis runs: asked for by a manager, the API or the nightly schedule, carried out by the
worker.

A run refreshes the snapshot, scores RFM over its window, fits the lifetime-value models when
asked (or when there is no fit yet), scores every customer's lifetime value with the current
fit, trains the churn model and scores every active customer's churn risk, works out each
customer's profit and lifecycle stage, writes the results back onto each customer and leaves
the dashboard's figures. Each step is recorded on the run (step, stage, seconds), so the page
shows its progress. A run is idempotent: run twice, it computes the same results and writes
them over the first ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peyvand.core import jobs
from peyvand.core.models import User
from peyvand.sales import conf as sales_conf

from .. import btyd, churn, conf
from .. import expressions as ex
from ..engine import engines, snapshot
from ..models import CellCount, ChurnFit, ClvFit, Figure, FigureKind, RefreshMode, Run, RunStatus
from ..selectors.dashboard import current_fit, may_run
from ..tasks import RUN_JOB
from .insights import insights_write

logger = logging.getLogger(__name__)

MAX_HORIZON_MONTHS = 120
MAX_WINDOW_DAYS = 10 * 366
# The holdout check's frequency groups: 0, 1, …, 6 and 7 or more repeat purchases.
HOLDOUT_GROUPS = 7
# Revenue by day is kept for the last two years; cohorts for the last twelve months.
REVENUE_DAYS = 2 * 366
COHORT_MONTHS = 12
ALIVE_EDGES = tuple(i / 10 for i in range(1, 10))
STAGES = (
    gettext_noop("Refreshing the snapshot"),
    gettext_noop("Scoring RFM"),
    gettext_noop("Fitting the lifetime-value model"),
    gettext_noop("Scoring lifetime value"),
    gettext_noop("Predicting churn"),
    gettext_noop("Working out profit and the lifecycle"),
    gettext_noop("Writing the results onto customers"),
    gettext_noop("Counting the dashboard's figures"),
)


@dataclass(frozen=True)
class FitInput:
    """A lifetime-value fit: the calibration period ends on ``calibration_end`` (None: the
    default holdout before the run's day); the value is over ``horizon_months``, discounted
    by ``monthly_discount`` a month (0.02 is 2%), at ``margin`` of revenue (0.3 is 30%)."""

    calibration_end: dt.date | None = None
    horizon_months: int | None = None
    monthly_discount: float | None = None
    margin: float | None = None


@dataclass(frozen=True)
class RunInput:
    refresh: str = RefreshMode.INCREMENTAL
    window_days: int | None = None
    fit: FitInput | None = None


def run_request(*, actor: User | None, data: RunInput, as_of: dt.date | None = None) -> Run:
    """Queue a run (``actor`` None: the schedule). Checks what it is given; the worker starts
    it once this transaction commits."""
    if actor is not None and not may_run(actor):
        raise PermissionDenied(_("You do not have permission to start an analysis."))
    today = as_of or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.refresh not in RefreshMode.values:
        errors["refresh"] = [_("Choose a full or an incremental refresh.")]
    window = data.window_days if data.window_days is not None else conf.rfm_window_days()
    if not 1 <= window <= MAX_WINDOW_DAYS:
        errors["window_days"] = [_("Enter a window of 1 to %(most)s days.") % {"most": MAX_WINDOW_DAYS}]
    fit = _check_fit(data.fit, today, errors) if data.fit is not None else None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        run = Run.objects.create(
            refresh=data.refresh, as_of=today, window_days=window, steps=len(STAGES), created_by=actor
        )
        if fit is not None:
            ClvFit.objects.create(run=run, **fit)
        transaction.on_commit(lambda: jobs.enqueue(RUN_JOB, run.pk))
    return run


def _check_fit(data: FitInput, today: dt.date, errors: dict[str, list[str]]) -> dict[str, Any]:
    end = data.calibration_end or today - dt.timedelta(weeks=conf.clv_holdout_weeks())
    if end >= today:
        errors["calibration_end"] = [_("End the calibration period before today.")]
    horizon = data.horizon_months if data.horizon_months is not None else conf.clv_horizon_months()
    if not 1 <= horizon <= MAX_HORIZON_MONTHS:
        errors["horizon_months"] = [
            _("Enter a horizon of 1 to %(most)s months.") % {"most": MAX_HORIZON_MONTHS}
        ]
    discount = data.monthly_discount if data.monthly_discount is not None else conf.clv_monthly_discount()
    if not 0 <= discount < 1 or not np.isfinite(discount):
        errors["monthly_discount"] = [_("Enter a monthly discount rate from 0% to under 100%.")]
    margin = data.margin if data.margin is not None else conf.clv_margin()
    if not 0 < margin <= 1 or not np.isfinite(margin):
        errors["margin"] = [_("Enter a margin above 0% and up to 100%.")]
    return {
        "calibration_end": end,
        "holdout_end": today,
        "horizon_months": horizon,
        "monthly_discount": discount,
        "margin": margin,
    }


# --- the worker's side ----------------------------------------------------------------------


def run_execute(run_id: int) -> Run | None:
    """Carry out a queued run (the job). One run at a time holds the snapshot; a run already
    done or failed is left as it is."""
    with _snapshot_lock():
        run = Run.objects.filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run
        Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now(), step=0)
        try:
            _carry_out(run)
        except Exception as exc:
            logger.exception("analysis run %s failed", run.pk)
            Run.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
        else:
            Run.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, finished_at=timezone.now(), step=run.steps
            )
        run.refresh_from_db()
        return run


@contextlib.contextmanager
def _snapshot_lock() -> Iterator[None]:
    """DuckDB lets one process write the file: runs in several workers wait their turn."""
    path = conf.snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Steps:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, index: int, name: str) -> Iterator[None]:
        Run.objects.filter(pk=self.run.pk).update(step=index, stage=STAGES[index])
        began = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - began, 3)
        Run.objects.filter(pk=self.run.pk).update(timings=self.timings)


def _carry_out(run: Run) -> None:
    steps = _Steps(run)
    end = snapshot.day_number(run.as_of)
    with snapshot.connect() as con:
        with steps.step(0, "refresh"):
            result = snapshot.refresh(con, full=run.refresh == RefreshMode.FULL)
            first = con.execute("SELECT min(day) FROM orders").fetchall()[0][0]
            first_day = snapshot.from_day_number(first) if first is not None else run.as_of
            snapshot.write_calendar(con, min(first_day, run.as_of) - dt.timedelta(days=400), run.as_of)
            Run.objects.filter(pk=run.pk).update(rows=result.rows, refresh=result.mode)
            engine = engines.open_engine(con)  # DuckDB, or Spark (the tables handed over)
        try:
            _analyse(run, steps, con, engine, end)
        finally:
            if isinstance(engine, engines.SparkEngine):
                engine.close()


def _analyse(run: Run, steps: _Steps, con: Any, engine: engines.Engine, end: int) -> None:
    bought = ex.purchases(
        engine.table("orders"), engine.table("rates"), base_currency=sales_conf.base_currency()
    )
    days = engine.keep("purchase_days", ex.purchase_days(bought))
    customers = engine.table("customers")
    with steps.step(1, "rfm"):
        rows = ex.customer_rows(customers, days, start=end - run.window_days, end=end).to_pyarrow()
    fit = getattr(run, "fit", None)
    with steps.step(2, "fit"):
        if fit is None and current_fit() is None:
            fit = ClvFit.objects.create(run=run, **_check_fit(FitInput(), run.as_of, {}))
        if fit is not None:
            _fit(fit, days)
    with steps.step(3, "score"):
        model = current_fit()
        scores = _score(rows, model, end)
    with steps.step(4, "churn"):
        risks = _churn(run, engine, days, end)
    _results(con, rows, scores, risks)
    engine.publish("results")
    with steps.step(5, "profit"):
        results = _profit_and_lifecycle(con, engine, bought, start=end - run.window_days, end=end)
    with steps.step(6, "write"):
        computed_at = timezone.now()
        written = insights_write(_insight_rows(results, computed_at))
    with steps.step(7, "figures"):
        edges = _clv_edges(scores["clv"])
        profit_edges = _profit_edges(results["profit"].to_numpy(zero_copy_only=False))
        _figures(run, engine, bought, days, customers, edges, profit_edges, end)
    Run.objects.filter(pk=run.pk).update(
        customers=written,
        clv_edges=list(edges),
        profit_edges=list(profit_edges),
        valuable_clv=_valuable(scores["clv"]),
        scored_with=model,
    )


# --- lifetime value ---------------------------------------------------------------------------


def _fit(fit: ClvFit, days: Any) -> None:
    """Fit BG/NBD and Gamma-Gamma on the calibration period; check them on the holdout."""
    end = snapshot.day_number(fit.calibration_end)
    summary = ex.history(days, until=end)
    # In a fixed order: the engine's grouping order varies between runs, and the optimiser's
    # path (so a borderline fit's success) should not.
    groups = ex.fitting_groups(summary).order_by(["x", "t_x", "T"]).to_pyarrow()
    x = groups["x"].to_numpy().astype(float)
    weights = groups["customers"].to_numpy().astype(float)
    t_x = groups["t_x"].to_numpy().astype(float) / 7
    T = groups["T"].to_numpy().astype(float) / 7
    fit.customers = int(weights.sum())
    try:
        purchases = btyd.fit_bgnbd(x, t_x, T, weights)
        repeaters = (
            summary.filter(summary.x > 0, summary.m > 0).order_by("party_id").select("x", "m").to_pyarrow()
        )
        spend = btyd.fit_gamma_gamma(repeaters["x"].to_numpy().astype(float), repeaters["m"].to_numpy())
    except btyd.FitError:
        fit.error = _("Too little purchase history to fit the model: it needs customers who bought again.")
        fit.save()
        return
    if not (purchases.usable and spend.usable):
        fit.error = _(
            "The model could not be fitted to this purchase history; try a longer calibration period."
        )
        fit.save()
        return
    fit.repeat_customers = len(repeaters)
    fit.r, fit.alpha, fit.a, fit.b = purchases.r, purchases.alpha, purchases.a, purchases.b
    fit.bgnbd_log_likelihood = purchases.log_likelihood
    fit.p, fit.q, fit.gamma = spend.p, spend.q, spend.gamma
    fit.gamma_gamma_log_likelihood = spend.log_likelihood
    if fit.holdout_end and fit.holdout_end > fit.calibration_end:
        fit.holdout = _holdout(purchases, summary, days, end, snapshot.day_number(fit.holdout_end))
    fit.fitted_at = timezone.now()
    fit.error = ""
    fit.save()


def _holdout(
    model: btyd.BgNbd, summary: Any, days: Any, end: int, holdout_end: int
) -> list[dict[str, float]]:
    """Per frequency group of the calibration period: customers, and their actual and
    predicted purchases in the holdout period (FHL 2005, figure 3)."""
    actual = ex.purchases_between(days, after=end, until=holdout_end)
    joined = summary.left_join(actual, summary.party_id == actual.party_id)
    table = joined.select(joined.x, joined.t_x, joined.T, actual=joined.actual.fill_null(0)).to_pyarrow()
    x = table["x"].to_numpy().astype(float)
    predicted = model.expected_purchases(
        (holdout_end - end) / 7, x, table["t_x"].to_numpy() / 7, table["T"].to_numpy() / 7
    )
    group = np.minimum(x, HOLDOUT_GROUPS).astype(int)
    observed = table["actual"].to_numpy().astype(float)
    found = []
    for index in range(HOLDOUT_GROUPS + 1):
        inside = group == index
        if inside.any():
            found.append(
                {
                    "x": index,
                    "customers": int(inside.sum()),
                    "actual": round(float(observed[inside].sum()), 3),
                    "predicted": round(float(predicted[inside].sum()), 3),
                }
            )
    return found


def models_of(fit: ClvFit) -> tuple[btyd.BgNbd, btyd.GammaGamma]:
    assert fit.r is not None and fit.alpha is not None and fit.a is not None and fit.b is not None
    assert fit.p is not None and fit.q is not None and fit.gamma is not None
    return btyd.BgNbd(fit.r, fit.alpha, fit.a, fit.b), btyd.GammaGamma(fit.p, fit.q, fit.gamma)


def _score(rows: pa.Table, fit: ClvFit | None, end: int) -> dict[str, np.ndarray]:
    """Expected purchases over the horizon, probability alive, expected spend and lifetime
    value of every customer who has bought (NaN for the others, and without a fit)."""
    count = rows.num_rows
    blank = {key: np.full(count, np.nan) for key in ("expected", "alive", "spend", "clv")}
    if fit is None or count == 0:
        return blank
    bought = rows["purchases"].to_numpy(zero_copy_only=False) > 0
    x = np.nan_to_num(rows["x"].to_numpy(zero_copy_only=False).astype(float))[bought]
    t_x = np.nan_to_num(rows["t_x"].to_numpy(zero_copy_only=False).astype(float))[bought] / 7
    T = np.nan_to_num(rows["T"].to_numpy(zero_copy_only=False).astype(float))[bought] / 7
    m = np.nan_to_num(rows["m"].to_numpy(zero_copy_only=False).astype(float))[bought]
    purchases, spend = models_of(fit)
    horizon = fit.horizon_months
    scored = {
        "expected": purchases.expected_purchases(horizon * btyd.WEEKS_PER_MONTH, x, t_x, T),
        "alive": purchases.probability_alive(x, t_x, T),
        "spend": spend.expected_spend(x, m),
        "clv": btyd.lifetime_value(
            purchases,
            spend,
            x,
            t_x,
            T,
            m,
            months=horizon,
            monthly_discount=fit.monthly_discount,
            margin=fit.margin,
        ),
    }
    for key, values in scored.items():
        blank[key][bought] = values
    return blank


# --- churn ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Risks:
    """The churn risk and reasons of each active customer (``party_ids``)."""

    party_ids: np.ndarray
    risk: np.ndarray
    reasons: list[list[str]]


def _features(table: pa.Table) -> np.ndarray:
    if table.num_rows == 0:
        return np.zeros((0, len(churn.FEATURE_KEYS)))
    return np.column_stack(
        [table[key].to_numpy(zero_copy_only=False).astype(float) for key in churn.FEATURE_KEYS]
    )


def _churn(run: Run, engine: Any, days: Any, end: int) -> Risks | None:
    """Train the churn model on the time-based holdout (``analytics.churn``), record how it
    did, and score every customer active today; None when there is too little history."""
    horizon = conf.churn_horizon_days()
    interactions, payments = engine.table("interactions"), engine.table("payments")

    def known(cutoff: int) -> tuple[np.ndarray, np.ndarray]:
        features = ex.churn_features(days, interactions, payments, cutoff=cutoff)
        table = ex.churned_after(features, days, after=cutoff, until=cutoff + horizon).to_pyarrow()
        return _features(table), table["churned"].to_numpy(zero_copy_only=False).astype(int)

    record = ChurnFit(
        run=run,
        horizon_days=horizon,
        trained_on=snapshot.from_day_number(end - 2 * horizon),
        tested_on=snapshot.from_day_number(end - horizon),
    )
    try:
        early, early_churned = known(end - 2 * horizon)
        late, late_churned = known(end - horizon)
        checked = churn.evaluate(churn.train(early, early_churned), late, late_churned)
        model = churn.train(late, late_churned)
    except churn.ChurnError:
        record.error = ChurnFit.TOO_LITTLE_HISTORY  # said in the reader's language (error_message)
        record.save()
        return None
    record.train_customers = len(late_churned)
    record.test_customers, record.test_churned = checked.customers, checked.churned
    record.auc, record.baseline_auc = checked.auc, checked.baseline_auc
    record.lift, record.baseline_lift = checked.lift, checked.baseline_lift
    record.coefficients = dict(zip(churn.FEATURE_KEYS, model.coefficients, strict=True))
    record.intercept, record.means, record.scales = model.intercept, list(model.means), list(model.scales)
    record.fitted_at = timezone.now()
    record.save()
    today = ex.churn_features(days, interactions, payments, cutoff=end).to_pyarrow()
    features = _features(today)
    return Risks(
        party_ids=today["party_id"].to_numpy(zero_copy_only=False),
        risk=model.risk(features),
        reasons=model.reasons(features),
    )


def _aligned(rows: pa.Table, risks: Risks | None) -> tuple[pa.Array, pa.Array]:
    """Each row's churn risk and reasons (JSON), null for a customer not scored."""
    count = rows.num_rows
    risk = np.full(count, np.nan)
    reasons: list[str | None] = [None] * count
    if risks is not None and len(risks.party_ids):
        where = {int(pk): i for i, pk in enumerate(rows["party_id"].to_numpy(zero_copy_only=False))}
        for pk, value, why in zip(risks.party_ids, risks.risk, risks.reasons, strict=True):
            index = where.get(int(pk))
            if index is not None:
                risk[index] = value
                reasons[index] = json.dumps(why)
    return pa.array(risk, from_pandas=True), pa.array(reasons, pa.string())


def _results(con: Any, rows: pa.Table, scores: dict[str, np.ndarray], risks: Risks | None) -> pa.Table:
    """The per-customer results, with each customer's cell of the previous run, kept in the
    snapshot (``results``) for the figures and the next run's cell movement."""
    table = rows.append_column("expected", pa.array(scores["expected"], from_pandas=True))
    for key in ("alive", "spend", "clv"):
        table = table.append_column(key, pa.array(scores[key], from_pandas=True))
    risk, reasons = _aligned(rows, risks)
    table = table.append_column("churn", risk).append_column("reasons", reasons)
    con.register("results_new", table)
    try:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'results'"
        ).fetchall()[0][0]
        previous = "COALESCE(old.cell, '')" if exists else "''"
        joined = "LEFT JOIN results old USING (party_id)" if exists else ""
        con.execute(
            f"CREATE OR REPLACE TABLE results_next AS SELECT new.*, {previous} AS previous_cell "  # noqa: S608 - fixed SQL fragments
            f"FROM results_new new {joined}"
        )
        con.execute("DROP TABLE IF EXISTS results")
        con.execute("ALTER TABLE results_next RENAME TO results")
    finally:
        con.unregister("results_new")
    return con.sql("SELECT * FROM results").to_arrow_table()


def _profit_and_lifecycle(con: Any, engine: engines.Engine, bought: Any, *, start: int, end: int) -> pa.Table:
    """Each customer's profit over the window and lifecycle stage, added to the results."""
    profit = ex.profitability(
        bought,
        engine.table("order_lines"),
        engine.table("products"),
        engine.table("interactions"),
        start=start,
        end=end,
        unit_costs=conf.cost_to_serve(sales_conf.base_currency()),
    )
    final = ex.with_profit_and_lifecycle(
        engine.table("results"), profit, end=end, new_days=conf.lifecycle_new_days()
    )
    engine.write("results", final)
    return con.sql("SELECT * FROM results").to_arrow_table()


def _insight_rows(results: pa.Table, computed_at: dt.datetime) -> Iterator[tuple[Any, ...]]:
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(computed_at)
    columns = {name: results[name].to_pylist() for name in results.column_names}

    def number(value: Any, places: int = 2) -> float | None:
        if value is None or not np.isfinite(value):
            return None
        return round(float(value), places)

    def day(value: Any) -> Any:
        return None if value is None else ops.adapt_datefield_value(snapshot.from_day_number(value))

    for i in range(results.num_rows):
        yield (
            columns["party_id"][i],
            columns["recency"][i],
            columns["frequency"][i],
            number(columns["monetary"][i]),
            columns["r_score"][i],
            columns["f_score"][i],
            columns["m_score"][i],
            columns["cell"][i] or "",
            columns["previous_cell"][i] or "",
            columns["purchases"][i] or 0,
            day(columns["first"][i]),
            day(columns["last"][i]),
            number(columns["expected"][i], 4),
            number(columns["alive"][i], 4),
            number(columns["spend"][i]),
            number(columns["clv"][i]),
            number(columns["churn"][i], 4),
            columns["reasons"][i] or "[]",
            number(columns["profit"][i]),
            columns["stage"][i] or "",
            stamp,
        )


def _valuable(values: np.ndarray) -> float | None:
    """The 75th percentile of the lifetime values worked out (None: nobody valued)."""
    valued = values[np.isfinite(values)]
    return round(float(np.percentile(valued, 75)), 2) if valued.size else None


def _profit_edges(values: np.ndarray) -> tuple[float, ...]:
    """The profit bands' upper edges: the losses' 1-2-5 steps (negated), 0, the profits'."""
    values = values.astype(float)
    losses = _clv_edges(-values[np.isfinite(values) & (values < 0)])
    gains = _clv_edges(values[np.isfinite(values) & (values > 0)])
    return (*(-edge for edge in reversed(losses)), 0.0, *gains)


def _clv_edges(values: np.ndarray) -> tuple[float, ...]:
    """The histogram's upper bucket edges: 1-2-5 steps from about the 5th to the 99th
    percentile of the positive values, so the buckets follow the spread of the money."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return ()
    low, high = np.percentile(positive, [5, 99])
    edges: list[float] = []
    power = 10.0 ** np.floor(np.log10(max(low, 1e-9)))
    while not edges or edges[-1] < high:
        for step in (1, 2, 5):
            edge = step * power
            if edge > low and (not edges or edge > edges[-1]):
                edges.append(float(edge))
            if edges and edges[-1] >= high:
                break
        power *= 10
    return tuple(edges[:20])


# --- the figures ------------------------------------------------------------------------------


def _figures(
    run: Run,
    engine: Any,
    bought: Any,
    days: Any,
    customers: Any,
    edges: tuple[float, ...],
    profit_edges: tuple[float, ...],
    end: int,
) -> None:
    results = engine.table("results")
    analysed = results.filter(results.purchases > 0)
    cells = ex.counts_by(results.filter(results.cell != ""), ["cell"]).to_pyarrow().to_pylist()
    moves = (
        ex.counts_by(
            results.filter((results.cell != "") | (results.previous_cell != "")), ["previous_cell", "cell"]
        )
        .to_pyarrow()
        .to_pylist()
    )
    scored = analysed.filter(analysed.clv.notnull())
    clv = (
        ex.counts_by(scored.mutate(bucket=ex.bucket(scored.clv, edges)), ["bucket"]).to_pyarrow().to_pylist()
    )
    alive = (
        ex.counts_by(scored.mutate(bucket=ex.bucket(scored.alive, ALIVE_EDGES)), ["bucket"])
        .to_pyarrow()
        .to_pylist()
    )
    profited = results.filter(results.profit.notnull())
    profits = (
        profited.mutate(bucket=ex.bucket(profited.profit, profit_edges))
        .group_by(["owner_id", "bucket"])
        .aggregate(count=profited.party_id.count(), amount=profited.profit.sum())
        .to_pyarrow()
        .to_pylist()
    )
    stages = ex.counts_by(results.filter(results.stage != ""), ["stage"]).to_pyarrow().to_pylist()
    risky = results.filter(results.churn.notnull())
    risk = (
        ex.counts_by(risky.mutate(bucket=ex.bucket(risky.churn, ALIVE_EDGES)), ["bucket"])
        .to_pyarrow()
        .to_pylist()
    )
    revenue = ex.revenue_by_day(bought, customers, since=end - REVENUE_DAYS).to_pyarrow().to_pylist()
    calendar = engine.table("calendar")
    month_of = {
        name: calendar.filter(calendar.day == end).select(name).to_pyarrow()[name][0].as_py()
        for name in ("jalali_month", "gregorian_month")
    }
    cohorts = {
        kind: ex.cohorts(
            days,
            customers,
            calendar,
            month=name,
            first_month=month_of[name] - COHORT_MONTHS + 1,
            months=COHORT_MONTHS,
        )
        .to_pyarrow()
        .to_pylist()
        for kind, name in (
            (FigureKind.COHORT_JALALI, "jalali_month"),
            (FigureKind.COHORT_GREGORIAN, "gregorian_month"),
        )
    }
    figures: list[Figure] = []
    figures += [
        Figure(
            kind=FigureKind.REVENUE,
            owner_id=r["owner_id"],
            day=snapshot.from_day_number(r["day"]),
            count=r["count"],
            amount=_money(r["amount"]),
        )
        for r in revenue
    ]
    figures += [
        Figure(
            kind=FigureKind.RFM_MOVE,
            owner_id=r["owner_id"],
            key=f"{r['previous_cell']}>{r['cell']}",
            count=r["count"],
        )
        for r in moves
    ]
    for kind, rows, key in (
        (FigureKind.CLV, clv, "bucket"),
        (FigureKind.ALIVE, alive, "bucket"),
        (FigureKind.PROFIT, profits, "bucket"),
        (FigureKind.LIFECYCLE, stages, "stage"),
        (FigureKind.CHURN, risk, "bucket"),
    ):
        figures += _counted(kind, rows, key)
    for kind, found in cohorts.items():
        figures += [
            Figure(
                kind=kind,
                owner_id=r["owner_id"],
                day=snapshot.from_day_number(r["cohort_start"]),
                key=str(r["offset"]),
                count=r["count"],
            )
            for r in found
        ]
    with transaction.atomic():
        Figure.objects.all().delete()
        Figure.objects.bulk_create(figures, batch_size=2000)
        CellCount.objects.bulk_create(
            [CellCount(run=run, owner_id=r["owner_id"], cell=r["cell"], customers=r["count"]) for r in cells],
            batch_size=2000,
        )


def _counted(kind: str, rows: list[dict[str, Any]], key: str) -> list[Figure]:
    """Customers and their amount per owner and ``key`` (a bucket, a stage) as figures."""
    return [
        Figure(
            kind=kind, owner_id=r["owner_id"], key=str(r[key]), count=r["count"], amount=_money(r["amount"])
        )
        for r in rows
    ]


def _money(value: Any) -> Any:
    if value is None or not np.isfinite(value):
        return 0
    return round(float(value), 2)


def schedule(*, full: bool = False) -> Run:
    """The nightly run (and the weekly full refresh), queued as the schedule's."""
    return run_request(
        actor=None, data=RunInput(refresh=RefreshMode.FULL if full else RefreshMode.INCREMENTAL)
    )
