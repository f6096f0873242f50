"""The analyses on Spark: every Ibis expression of ``analytics.expressions`` over one small
snapshot, run by Spark in local mode and by DuckDB, and compared row for row.

The snapshot is built with the snapshot's own table definitions (``engine.snapshot.SOURCES``,
their day columns and the calendar), filled with a seeded, varied company: several owners,
deleted and merged customers, cancelled orders, orders in a foreign currency with and without
a rate, products with and without a cost, interactions on every channel. Spark reads the
DuckDB tables as they are (Arrow), so both engines start from the same rows.

Then the nightly analysis itself, end to end (snapshot refresh, RFM, the BG/NBD and
Gamma-Gamma fits, scoring, churn, profit and lifecycle, the dashboard's figures) run once with
``PEYVAND_ANALYTICS_ENGINE=duckdb`` and once with ``spark`` on a small simulated shop: what
each stored (every customer's insight, the fits, the figures) must agree.

Skipped without pyspark (the optional extra ``peyvand[spark]``) or Java, unless
``PEYVAND_REQUIRE_SPARK=1`` (CI), where a missing engine fails instead. The module starts one
Spark session (starting one takes much of the time): one test checks every expression in
turn, the other reuses the session for the nightly run.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import random
import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import duckdb
import ibis
import jdatetime
import pyarrow as pa
import pytest

from peyvand.analytics import expressions as ex
from peyvand.analytics.engine import snapshot
from peyvand.analytics.models import CellCount, ChurnFit, ClvFit, Figure, RunStatus
from peyvand.analytics.services import runs
from peyvand.customers.models import CustomerInsight

from .test_runs import simulated_shop

try:
    from pyspark.sql import SparkSession
except ImportError:  # the optional extra is not installed
    SparkSession = None

# pandas' notices of what it will change, raised inside pyspark's and Ibis' conversions.
pytestmark = [
    pytest.mark.filterwarnings("ignore::Warning:pyspark.*"),
    pytest.mark.filterwarnings("ignore::Warning:ibis.*"),
]
REQUIRED = os.environ.get("PEYVAND_REQUIRE_SPARK") == "1"
# CI compares the engines once, on its SQLite run: nothing here depends on the database
# the rest of the suite runs on, and Spark's start and small jobs cost over a minute.
ELSEWHERE = os.environ.get("PEYVAND_SPARK_ELSEWHERE") == "1"
TODAY = dt.date(2025, 6, 30)
END = snapshot.day_number(TODAY)
WINDOW = 365
BASE = "IRR"
UNIT_COSTS = {"phone": 20_000.0, "email": 1_000.0, "meeting": 150_000.0}
CUSTOMERS = 60


def _missing() -> str:
    if SparkSession is None:
        return "pyspark is not installed (the optional extra peyvand[spark])"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (Spark runs on the JVM)"
    return ""


# --- the snapshot -----------------------------------------------------------------------------


def _company(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Rows of every snapshot table, by table (the day columns added as the snapshot adds them)."""
    stamp = dt.datetime(2025, 6, 1, 12, 0)
    rows: dict[str, list[dict[str, Any]]] = {source.table: [] for source in snapshot.SOURCES}
    for pk in range(1, CUSTOMERS + 1):
        rows["customers"].append(
            {
                "id": pk,
                "kind": "person" if pk % 4 else "organisation",
                "owner_id": [11, 12, 13, None][pk % 4],
                "merged": pk % 17 == 0,
                "deleted": pk % 19 == 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    rows["products"] = [
        {"id": pk, "unit_cost": cost} for pk, cost in enumerate([40_000.0, 0.0, None, 125_000.0], 1)
    ]
    first_rate = END - 600
    for currency, day, rate in (
        ("USD", first_rate, 500_000.0),
        ("USD", END - 300, 600_000.0),
        ("EUR", END - 200, 650_000.0),
    ):
        rows["rates"].append(
            {"currency": currency, "valid_from": snapshot.from_day_number(day), "rate": rate, "day": day}
        )
    line = payment = touch = 0
    order = 0
    for party in range(1, CUSTOMERS + 1):
        if party % 11 == 0:
            continue  # never bought: a prospect
        recent = party % 5 != 0  # one in five stopped buying over a year ago
        for _ in range(rng.randint(1, 9)):
            order += 1
            day = rng.randint(END - 720, END if recent else END - 400)
            if order % 7 == 0:
                day = rng.randint(END - 30, END)  # several on the same days
            currency = "USD" if order % 9 == 0 else ("EUR" if order % 23 == 0 else BASE)
            if currency == BASE:
                subtotal = float(rng.randint(1, 40) * 250_000)
                discount = float(rng.choice([0, 0, 50_000, 100_000]))
            else:
                subtotal, discount = float(rng.randint(1, 30) * 10), float(rng.choice([0, 5]))
            status = "cancelled" if order % 13 == 0 else rng.choice(["confirmed", "fulfilled", "draft"])
            rows["orders"].append(
                {
                    "id": order,
                    "party_id": party,
                    "owner_id": 11,
                    "status": status,
                    "ordered_on": snapshot.from_day_number(day),
                    "currency": currency,
                    "subtotal": subtotal,
                    "discount": discount,
                    "total": subtotal - discount,
                    "imported": False,
                    "deleted": order % 31 == 0,
                    "updated_at": stamp,
                    "day": day,
                }
            )
            for _ in range(rng.randint(1, 3)):
                line += 1
                quantity = float(rng.randint(1, 4))
                rows["order_lines"].append(
                    {
                        "id": line,
                        "order_id": order,
                        "product_id": rng.choice([1, 2, 3, 4, None]),
                        "quantity": quantity,
                        "unit_price": subtotal / quantity,
                        "discount_percent": 0.0,
                        "net": subtotal,
                    }
                )
            if rng.random() < 0.6:
                payment += 1
                rows["payments"].append(
                    {
                        "id": payment,
                        "party_id": party,
                        "invoice_id": None,
                        "amount": subtotal - discount,
                        "currency": currency,
                        "paid_on": snapshot.from_day_number(day + 3),
                        "deleted": payment % 29 == 0,
                        "updated_at": stamp,
                        "day": day + 3,
                    }
                )
    for party in range(1, CUSTOMERS + 1):
        for _ in range(rng.randint(0, 6)):
            touch += 1
            day = rng.randint(END - 500, END)
            rows["interactions"].append(
                {
                    "id": touch,
                    "party_id": party,
                    "channel": rng.choice(["phone", "email", "sms", "meeting", "visit"]),
                    "direction": rng.choice(["inbound", "outbound"]),
                    "occurred_at": dt.datetime.combine(snapshot.from_day_number(day), dt.time(10, 30)),
                    "deleted": touch % 23 == 0,
                    "updated_at": stamp,
                    "day": day,
                }
            )
    return rows


def _build_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    rows = _company(random.Random(16))
    for source in snapshot.SOURCES:
        con.execute(source.create_sql(source.table))
        day = snapshot.DAY_COLUMNS.get(source.table)
        if day:
            con.execute(f"ALTER TABLE {source.table} ADD COLUMN {day[1]} INTEGER")
        names = [c[0] for c in con.execute(f"DESCRIBE {source.table}").fetchall()]
        loaded = pa.Table.from_pylist(rows[source.table]) if rows[source.table] else None
        if loaded is None:
            continue
        con.register("loading", loaded)
        con.execute(f"INSERT INTO {source.table} SELECT {', '.join(names)} FROM loading")
        con.unregister("loading")
    snapshot.write_calendar(con, TODAY - dt.timedelta(days=800), TODAY)


@pytest.fixture(scope="module")
def engines() -> Iterator[tuple[Any, Any]]:
    """(DuckDB, Spark): the same snapshot in both."""
    if ELSEWHERE:
        pytest.skip("Spark is compared with DuckDB on another run of this suite (PEYVAND_SPARK_ELSEWHERE=1)")
    missing = _missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"PEYVAND_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    con = duckdb.connect()
    _build_snapshot(con)
    duck = ibis.duckdb.from_connection(con)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("peyvand-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Tiny data: compiling generated code for each query costs more than it saves.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its goodbyes outlive pytest's streams
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        session.createDataFrame(con.sql(f"SELECT * FROM {name}").to_arrow_table()).createOrReplaceTempView(
            name
        )
    spark = ibis.pyspark.connect(session)
    try:
        yield duck, spark
    finally:
        session.stop()
        con.close()


# --- comparing --------------------------------------------------------------------------------


def _key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, float):
        return (1, 0) if math.isnan(value) else (1, round(value, 6))
    return (1, value)


def _rows(expression: Any) -> list[dict[str, Any]]:
    found = expression.to_pyarrow().to_pylist()
    return sorted(found, key=lambda row: tuple(_key(row[name]) for name in sorted(row)))


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-6)
    return left == right


def assert_same_rows(build: Any, engines: tuple[Any, Any], *, at_least: int) -> list[dict[str, Any]]:
    """Run ``build(tables)`` on both engines; the rows, row for row, must agree."""
    duck, spark = engines
    on_duckdb = _rows(build(duck.table))
    on_spark = _rows(build(spark.table))
    assert len(on_duckdb) >= at_least  # a comparison of nothing proves nothing
    assert len(on_spark) == len(on_duckdb)
    for mine, theirs in zip(on_duckdb, on_spark, strict=True):
        assert set(mine) == set(theirs)
        different = {name: (mine[name], theirs[name]) for name in mine if not _same(mine[name], theirs[name])}
        assert not different, (mine, different)
    return on_duckdb


def _bought(table: Any) -> Any:
    return ex.purchases(table("orders"), table("rates"), base_currency=BASE)


def _days(table: Any) -> Any:
    return ex.purchase_days(_bought(table))


def _results(table: Any) -> Any:
    """The per-customer results as a run leaves them before the profit step: RFM rows with a
    probability of being alive and a lifetime value (made up here from the rows themselves)."""
    rows = ex.customer_rows(table("customers"), _days(table), start=END - WINDOW, end=END)
    return rows.mutate(
        alive=ibis.cases(
            (rows.purchases == 0, ibis.null("float64")),
            ((rows.party_id % 3) == 0, ibis.literal(0.3)),
            else_=ibis.literal(0.8),
        ),
        clv=rows.monetary.fill_null(0.0) * 1.5,
    )


# --- the analyses -----------------------------------------------------------------------------


def test_every_analysis_gives_the_same_rows_on_spark_and_duckdb(engines):
    """One test, so that one xdist worker starts one Spark session for all of them."""
    _check_purchases_valued_in_the_base_currency(engines)
    _check_purchase_days_and_history(engines)
    _check_rfm_scores_and_every_customers_row(engines)
    _check_churn_features_and_outcome(engines)
    _check_profitability_and_lifecycle(engines)
    _check_the_dashboards_figures(engines)


def _check_purchases_valued_in_the_base_currency(engines: tuple[Any, Any]) -> None:
    rows = assert_same_rows(_bought, engines, at_least=150)
    assert all(row["amount"] > 0 for row in rows)


def _check_purchase_days_and_history(engines: tuple[Any, Any]) -> None:
    assert_same_rows(_days, engines, at_least=150)
    history = assert_same_rows(lambda t: ex.history(_days(t), until=END), engines, at_least=40)
    assert any(row["x"] > 0 and row["m"] > 0 for row in history)
    assert_same_rows(lambda t: ex.fitting_groups(ex.history(_days(t), until=END)), engines, at_least=20)
    assert_same_rows(
        lambda t: ex.purchases_between(_days(t), after=END - 180, until=END), engines, at_least=20
    )


def _check_rfm_scores_and_every_customers_row(engines: tuple[Any, Any]) -> None:
    scores = assert_same_rows(
        lambda t: ex.rfm_scores(_days(t), start=END - WINDOW, end=END), engines, at_least=30
    )
    assert len({row["cell"] for row in scores}) >= 4
    rows = assert_same_rows(
        lambda t: ex.customer_rows(t("customers"), _days(t), start=END - WINDOW, end=END),
        engines,
        at_least=50,
    )
    assert {"lost", ""} <= {row["cell"] for row in rows}


def _check_churn_features_and_outcome(engines: tuple[Any, Any]) -> None:
    cutoff = END - 120

    def labelled(table: Any) -> Any:
        features = ex.churn_features(_days(table), table("interactions"), table("payments"), cutoff=cutoff)
        return ex.churned_after(features, _days(table), after=cutoff, until=END)

    rows = assert_same_rows(labelled, engines, at_least=30)
    assert {True, False} <= {row["churned"] for row in rows}


def _check_profitability_and_lifecycle(engines: tuple[Any, Any]) -> None:
    def profit(table: Any) -> Any:
        return ex.profitability(
            _bought(table),
            table("order_lines"),
            table("products"),
            table("interactions"),
            start=END - WINDOW,
            end=END,
            unit_costs=UNIT_COSTS,
        )

    profits = assert_same_rows(profit, engines, at_least=40)
    assert any(row["serve_cost"] > 0 for row in profits) and any(row["product_cost"] > 0 for row in profits)
    final = assert_same_rows(
        lambda t: ex.with_profit_and_lifecycle(_results(t), profit(t), end=END, new_days=90),
        engines,
        at_least=50,
    )
    assert len({row["stage"] for row in final}) >= 4


def _check_the_dashboards_figures(engines: tuple[Any, Any]) -> None:
    edges = (1_000_000.0, 5_000_000.0, 20_000_000.0)

    def cells(table: Any) -> Any:
        results = _results(table)
        return ex.counts_by(results.filter(results.cell != ""), ["cell"])

    def buckets(table: Any) -> Any:
        results = _results(table)
        return ex.counts_by(results.mutate(bucket=ex.bucket(results.clv, edges)), ["bucket"])

    assert_same_rows(cells, engines, at_least=10)
    assert_same_rows(buckets, engines, at_least=6)
    assert_same_rows(
        lambda t: ex.revenue_by_day(_bought(t), t("customers"), since=END - 120), engines, at_least=20
    )
    shamsi = jdatetime.date.fromgregorian(date=TODAY)
    for month, now in (
        ("jalali_month", shamsi.year * 12 + shamsi.month - 1),
        ("gregorian_month", TODAY.year * 12 + TODAY.month - 1),
    ):

        def cohort(table: Any, month: str = month, first: int = now - 11) -> Any:
            return ex.cohorts(
                _days(table), table("customers"), table("calendar"), month=month, first_month=first, months=12
            )

        assert_same_rows(cohort, engines, at_least=10)


# --- the nightly analysis, end to end ------------------------------------------------------------


def _stored(run: Any) -> dict[str, Any]:
    """What a run leaves in the database, without ids and times."""
    fits = {
        name: [
            {k: v for k, v in row.items() if k not in ("id", "run_id", "fitted_at", "created_at")}
            for row in model.objects.filter(run=run).values()
        ]
        for name, model in (("clv", ClvFit), ("churn", ChurnFit))
    }
    return {
        "run": {
            "customers": run.customers,
            "clv_edges": run.clv_edges,
            "profit_edges": run.profit_edges,
            "valuable_clv": run.valuable_clv,
        },
        **fits,
        "insights": [
            {k: v for k, v in row.items() if k not in ("id", "computed_at", "created_at", "updated_at")}
            for row in CustomerInsight.objects.order_by("party_id").values()
        ],
        "figures": sorted(
            Figure.objects.values_list("kind", "owner_id", "day", "key", "count", "amount"), key=str
        ),
        "cells": sorted(
            CellCount.objects.filter(run=run).values_list("owner_id", "cell", "customers"), key=str
        ),
    }


def _alike(left: Any, right: Any, where: str = "") -> None:
    """Equal, numbers within a rounding (float sums run in another order on Spark)."""
    if isinstance(left, dict) and isinstance(right, dict):
        assert set(left) == set(right), where
        for key in left:
            _alike(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        assert len(left) == len(right), where
        for i, (mine, theirs) in enumerate(zip(left, right, strict=True)):
            _alike(mine, theirs, f"{where}[{i}]")
    elif isinstance(left, (int, float, Decimal)) and isinstance(right, (int, float, Decimal)):
        assert math.isclose(float(left), float(right), rel_tol=1e-6, abs_tol=0.011), (where, left, right)
    else:
        assert left == right, (where, left, right)


@pytest.mark.django_db
def test_the_nightly_analysis_on_spark_stores_what_it_stores_on_duckdb(
    engines, users, analyse, settings, tmp_path
):
    simulated_shop([users["sales"], users["outsider"], None], customers=120, seed=16)
    stored = {}
    for engine in ("duckdb", "spark"):
        settings.PEYVAND_ANALYTICS_ENGINE = engine
        settings.PEYVAND_ANALYTICS_DB = tmp_path / engine / "snapshot.duckdb"  # each its own snapshot
        run = analyse(actor=users["manager"], refresh="full", fit=runs.FitInput())
        assert run.status == RunStatus.DONE, run.error
        stored[engine] = _stored(run)
    duckdb_run = stored["duckdb"]
    assert duckdb_run["run"]["customers"] == 120 and len(duckdb_run["insights"]) == 120
    assert duckdb_run["clv"][0]["r"] and duckdb_run["figures"] and duckdb_run["cells"]
    assert any(row["predicted_clv"] for row in duckdb_run["insights"])  # a comparison of something
    _alike(duckdb_run, stored["spark"])
    assert any((tmp_path / "spark" / "spark").glob("orders-*.parquet"))  # Spark read the snapshot's files
