"""The analytics engine at scale: a full analysis run (snapshot refresh, RFM, the BG/NBD and
Gamma-Gamma fits, scoring every customer, writing the results back, the dashboard's figures),
beside the raw DuckDB group-by over the same data as the baseline, measured in one process;
then an incremental refresh after 1,000 new orders, and the dashboard served from the
precomputed results.

    .venv/bin/python -m bench.analytics_bench                      # 100k customers, 1M order lines
    BENCH_CUSTOMERS=1000000 BENCH_LINES=10000000 .venv/bin/python -m bench.analytics_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_analytics .venv/bin/python -m bench.analytics_bench

The data: customers who arrive over two years and buy as BG/NBD and Gamma-Gamma say
(r=0.6, α=8, a=0.6, b=3; p=6, q=4, γ=15 in units of 100,000 rial), each order of 1 to 4
lines, written with the database's bulk path into a fresh SQLite file under bench/data/analytics
(or the PostgreSQL database named, dropped and created again).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "bench" / "data" / "analytics"
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
LINES = int(os.environ.get("BENCH_LINES", "1000000"))
NEW_ORDERS = 1000
TODAY = dt.date(2025, 6, 30)


def say(message: str) -> None:
    print(message, flush=True)


def setup_django() -> None:
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    os.environ["PEYVAND_DATA_DIR"] = str(FOLDER)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{FOLDER / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "peyvand.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages render without collectstatic's manifest (the bench measures the server's work).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)


def insert(model: Any, columns: list[str], rows: list[tuple], *, written: dt.datetime | None = None) -> None:
    """Rows straight into ``model``'s table (executemany on SQLite, COPY on PostgreSQL), the
    other columns taking their defaults as the model declares them; created and updated at
    ``written`` (by default yesterday: the history was there before the snapshot)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.column not in columns and not f.primary_key]
    moment = written or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    now = moment if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(moment)
    extra = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            extra.append(now)
        elif f.has_default():
            value = f.get_default()
            if isinstance(value, bool):
                value = int(value)
            elif hasattr(value, "quantize"):
                value = str(value)
            elif isinstance(value, dict | list):  # a JSON column (the custom fields' values)
                value = json.dumps(value)
            extra.append(value)
        else:
            extra.append(None if f.null else "")
    names = [*columns, *(f.column for f in fields)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *extra))
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", [(*r, *extra) for r in rows]
            )


def generate() -> dict[str, int]:
    import numpy as np
    from django.db import connection, transaction

    from peyvand.analytics import btyd
    from peyvand.core.models import User
    from peyvand.customers.models import Party
    from peyvand.sales.models import Order, OrderLine

    rng = np.random.default_rng(1404)
    owners = [User.objects.create(username=f"seller{i}", role="sales").pk for i in range(20)]
    ops = connection.ops
    with transaction.atomic():
        insert(
            Party,
            ["id", "kind", "display_name", "sort_key", "owner_id"],
            [(i + 1, "person", f"مشتری {i}", f"{i:07d}", owners[i % len(owners)]) for i in range(CUSTOMERS)],
        )
    weeks = 104.0
    who, week, value = btyd.simulate(
        rng, CUSTOMERS, btyd.BgNbd(0.6, 8.0, 0.6, 3.0), btyd.GammaGamma(6.0, 4.0, 15.0), weeks=weeks
    )
    arrival = rng.uniform(0, weeks, CUSTOMERS)
    day = ((arrival[who] + week) * 7).astype(int)
    start = TODAY - dt.timedelta(weeks=weeks)
    keep = day <= (TODAY - start).days
    who, day, value = who[keep], day[keep], value[keep]
    orders = len(who)
    # 1 to 2k - 1 lines an order, k lines on average: about LINES in all.
    per_order = max(1.0, LINES / max(orders, 1))
    lines = rng.integers(1, max(2, round(2 * per_order)), orders)
    say(f"  {orders:,} orders, {int(lines.sum()):,} lines")
    amounts = np.maximum(1, (value * 100_000).astype(np.int64))
    with transaction.atomic():
        insert(
            Order,
            ["id", "number", "party_id", "owner_id", "ordered_on", "currency", "subtotal", "total"],
            [
                (
                    i + 1,
                    f"B-{i + 1}",
                    int(who[i]) + 1,
                    owners[int(who[i]) % len(owners)],
                    ops.adapt_datefield_value(start + dt.timedelta(days=int(day[i]))),
                    "IRR",
                    int(amounts[i]),
                    int(amounts[i]),
                )
                for i in range(orders)
            ],
        )
        insert(
            OrderLine,
            ["order_id", "description", "quantity", "unit_price", "net", "total", "position"],
            [
                (i + 1, "کالا", 1, share, share, share, k)
                for i in range(orders)
                for share in [int(amounts[i]) // int(lines[i])]
                for k in range(int(lines[i]))
            ],
        )
        # Each order last changed on its day, each customer when they first bought: the
        # watermarks of an incremental refresh then fall where they would in a real shop.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("UPDATE sales_order SET updated_at = ordered_on + time '12:00'")
                cursor.execute(
                    "UPDATE customers_party SET updated_at = now() - (id % 700) * interval '1 day'"
                )
            else:
                cursor.execute("UPDATE sales_order SET updated_at = ordered_on || ' 12:00:00'")
                cursor.execute(
                    "UPDATE customers_party SET updated_at = datetime('now', '-' || (1 + id % 700) || ' days')"
                )
    return {"customers": CUSTOMERS, "orders": orders, "lines": int(lines.sum())}


def main() -> None:
    say("# Analytics: a full run at scale")
    say("")
    began = time.perf_counter()
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    say(
        f"Run on {dt.date.today().isoformat()} - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor}."
    )
    sizes = generate()
    say(f"Generated in {time.perf_counter() - began:.1f} s: {sizes}")
    say("")

    from django.db import transaction

    from peyvand.analytics.engine import snapshot
    from peyvand.analytics.models import Run
    from peyvand.analytics.services import runs
    from peyvand.core.models import User
    from peyvand.sales.models import Order, OrderLine

    admin = User.objects.create(username="boss", role="admin")
    began = time.perf_counter()
    with transaction.atomic():
        run = runs.run_request(actor=admin, data=runs.RunInput(refresh="full"), as_of=TODAY)
    run = Run.objects.get(pk=run.pk)
    if run.status != "done":
        run = runs.run_execute(run.pk)
    total = time.perf_counter() - began
    assert run is not None and run.status == "done", run and run.error
    say("| step | seconds |")
    say("|---|---:|")
    for step, seconds in run.timings.items():
        say(f"| {step} | {seconds:.2f} |")
    say(f"| **the whole run** | **{total:.2f}** |")
    say(f"Customers written back: {run.customers:,}; rows read: {run.rows}")
    fit = run.scored_with
    if fit is not None:
        say(
            f"Fit: r={fit.r:.3f} α={fit.alpha:.3f} a={fit.a:.3f} b={fit.b:.3f} (true 0.6, 8, 0.6, 3); "
            f"p={fit.p:.2f} q={fit.q:.2f} γ={fit.gamma / 100_000:.2f}e5 (true 6, 4, 15e5)"
        )

    # The baseline: the raw engine's group-by over the same orders, in the same process.
    with snapshot.connect() as con:
        began = time.perf_counter()
        rows = con.execute(
            "SELECT party_id, count(DISTINCT day), max(day), sum(subtotal - discount) FROM orders "
            "WHERE NOT deleted AND status <> 'cancelled' GROUP BY party_id"
        ).fetchall()
        baseline = time.perf_counter() - began
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute("SELECT id, party_id, ordered_on, subtotal, discount_total FROM sales_order")
        count = len(cursor.fetchall())
        cursor.execute("SELECT id, order_id, product_id, quantity, net FROM sales_orderline")
        count += len(cursor.fetchall())
        raw_read = time.perf_counter() - began
    say("")
    say(
        f"Baseline, raw DuckDB group-by (customer: purchase days, last day, spend) over the snapshot's "
        f"orders: {baseline:.2f} s for {len(rows):,} customers."
    )
    say(
        f"Baseline, the database driver reading orders and lines raw (fetchall): {raw_read:.2f} s for {count:,} rows; "
        f"the snapshot's full refresh: {run.timings['refresh']:.2f} s."
    )

    # 1,000 new orders, then an incremental refresh.
    last = Order.objects.order_by("-id").values_list("id", flat=True).first() or 0

    today = connection.ops.adapt_datefield_value(TODAY)
    insert(
        Order,
        ["id", "number", "party_id", "ordered_on", "currency", "subtotal", "total"],
        [
            (last + i + 1, f"N-{i}", i % CUSTOMERS + 1, today, "IRR", 1_000_000, 1_000_000)
            for i in range(NEW_ORDERS)
        ],
        written=dt.datetime.now(dt.UTC),
    )
    insert(
        OrderLine,
        ["order_id", "description", "quantity", "unit_price", "net", "total", "position"],
        [(last + i + 1, "کالا", 1, 1_000_000, 1_000_000, 1_000_000, 0) for i in range(NEW_ORDERS)],
    )
    with snapshot.connect() as con:
        began = time.perf_counter()
        result = snapshot.refresh(con, full=False)
        incremental = time.perf_counter() - began
    say(
        f"Incremental refresh after {NEW_ORDERS:,} new orders: {incremental:.2f} s (rows read: {result.rows})."
    )
    with snapshot.connect() as con:
        began = time.perf_counter()
        con.execute("SELECT count(*) FROM orders WHERE id > ?", [last]).fetchall()
        con.execute(
            "SELECT party_id, count(DISTINCT day), max(day), sum(subtotal - discount) FROM orders "
            f"WHERE party_id IN (SELECT party_id FROM orders WHERE id > {last}) GROUP BY party_id"
        ).fetchall()
        touched = time.perf_counter() - began
    say(f"  beside the raw DuckDB group-by of the customers those orders touch: {touched:.3f} s.")

    # The dashboard, served from the precomputed results.
    client = Client()
    client.force_login(admin)
    client.get("/analytics/")
    timings = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get("/analytics/")
            timings.append(time.perf_counter() - began)
        assert response.status_code == 200
    timings.sort()
    say(
        f"The dashboard as an administrator: median {timings[5] * 1000:.0f} ms, worst {timings[-1] * 1000:.0f} ms "
        f"server-side (test client, {len(queries)} queries)."
    )


if __name__ == "__main__":
    main()
