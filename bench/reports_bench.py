"""The report builder: a two-dimension report (the value of won deals by owner × Jalali
quarter of the closing date) over many deals, as the page runs it (the selector through the
permission policy, for an administrator and for a manager who sees one team), p50 and p99,
beside two baselines measured in the same process: the very SQL statements the selector ran,
executed raw and fetched (what the engine alone costs for the same answer), and the plain
group-by a programmer would write by hand (owner × Gregorian quarter, no policy).

    .venv/bin/python -m bench.reports_bench                                  # 100,000 deals, SQLite
    BENCH_DEALS=1000000 .venv/bin/python -m bench.reports_bench              # a million
    BENCH_ENGINE=postgresql BENCH_DEALS=1000000 .venv/bin/python -m bench.reports_bench
    BENCH_SAMPLES=20 ...                                                     # runs timed per line

It builds its own database (SQLite in a temporary folder, or the PostgreSQL database
``peyvand_bench_reports``, dropped and made again) and writes, with the engine's bulk path:
60 salespeople in 6 teams, one customer per ten deals, and deals closed over three years,
half of them won.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

DEALS = int(os.environ.get("BENCH_DEALS", "100000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "10"))
ENGINE = os.environ.get("BENCH_ENGINE", "sqlite")
PG_BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "peyvand_bench_reports"
CHUNK = 20_000
TEAMS, PEOPLE_PER_TEAM = 6, 10
SPEC = {
    "entity": "deal",
    "measure": "sum",
    "measure_field": "amount_base",
    "rows": "owner",
    "columns": "closed_at:quarter",
    "calendar": "jalali",
    "filters": [{"dimension": "status", "values": ["won"]}],
}


def say(message: str) -> None:
    print(message, flush=True)


def prepare_database() -> str:
    if ENGINE == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
        os.environ.setdefault("PEYVAND_DATA_DIR", tempfile.mkdtemp(prefix="peyvand-bench-"))
        return "PostgreSQL"
    os.environ["PEYVAND_DATA_DIR"] = tempfile.mkdtemp(prefix="peyvand-bench-")
    os.environ.pop("DATABASE_URL", None)
    return "SQLite"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Table:
    """Rows for one model's table; a column a row leaves out takes the field's default."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model, self.connection = model, connection
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {
            f.column: None if f.null else f.get_db_prep_save(f.get_default(), connection) for f in self.fields
        }

    def write(self, rows: list[dict[str, Any]]) -> None:
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {self.model._meta.db_table} ({', '.join(self.columns)}) VALUES ({marks})"
        values = [tuple(row.get(c, self.defaults[c]) for c in self.columns) for row in rows]
        with self.connection.cursor() as cursor:
            for start in range(0, len(values), CHUNK):
                cursor.executemany(sql, values[start : start + CHUNK])


def generate() -> dict[str, Any]:
    from django.db import connection, transaction

    from peyvand.core.models import Role, Team, User
    from peyvand.core.text import search_key
    from peyvand.customers.models import Party
    from peyvand.sales.models import Deal
    from peyvand.sales.services import pipelines

    rng = random.Random(1404)
    adapt = connection.ops.adapt_datetimefield_value
    decimal = connection.ops.adapt_decimalfield_value
    admin = User.objects.create_user("admin", password="x", role=Role.ADMIN)
    teams = [Team.objects.create(name=f"تیم {n + 1}") for n in range(TEAMS)]
    people = [
        User.objects.create_user(f"sales{t}_{n}", password="x", role=Role.SALES, team=team)
        for t, team in enumerate(teams)
        for n in range(PEOPLE_PER_TEAM)
    ]
    manager = User.objects.create_user("manager", password="x", role=Role.MANAGER, team=teams[0])
    pipeline = pipelines.pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    now = dt.datetime.now(dt.UTC)
    stamp = adapt(now)
    customers = max(1, DEALS // 10)
    parties = [
        {"id": n, "created_at": stamp, "updated_at": stamp, "kind": "organisation", "name": f"شرکت {n}",
         "display_name": f"شرکت {n}", "sort_key": search_key(f"شرکت {n}"), "search_text": search_key(f"شرکت {n}"),
         "source": "website", "stage": "customer", "owner_id": people[n % len(people)].pk}
        for n in range(1, customers + 1)
    ]  # fmt: skip
    with transaction.atomic():
        Table(Party).write(parties)
    table = Table(Deal)
    span = 3 * 365 * 24 * 3600
    rows = []
    for n in range(1, DEALS + 1):
        closed = now - dt.timedelta(seconds=rng.random() * span)
        status = rng.choice(("won", "won", "lost", "open"))
        stage = stages[-2] if status == "won" else stages[-1] if status == "lost" else stages[1]
        amount = Decimal(rng.randrange(1, 5000) * 100_000)
        party = rng.randint(1, customers)
        rows.append(
            {"id": n, "created_at": adapt(closed), "updated_at": stamp, "title": f"فرصت {n}",
             "party_id": party, "pipeline_id": pipeline.pk, "stage_id": stage.pk, "status": status,
             "currency": "IRR", "amount": decimal(amount, 18, 2), "amount_base": decimal(amount, 18, 2),
             "expected_close": closed.date(), "owner_id": people[party % len(people)].pk,
             "closed_at": adapt(closed) if status != "open" else None, "stage_entered_at": adapt(closed),
             "search_text": f"فرصت {n}"}
        )  # fmt: skip
        if len(rows) >= 50_000 or n == DEALS:
            with transaction.atomic():
                table.write(rows)
            rows = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"admin": admin, "manager": manager}


def timed(work: Callable[[], Any], samples: int) -> tuple[float, float]:
    work()  # warm
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def main() -> None:
    engine = prepare_database()
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from peyvand.analytics.reporting import ReportSpec
    from peyvand.analytics.selectors import reports

    start = time.perf_counter()
    who = generate()
    say(f"{DEALS:,} deals written in {time.perf_counter() - start:.1f} s ({engine})")
    spec = ReportSpec.model_validate(SPEC)
    lines = []
    translation.activate("fa")
    for name in ("admin", "manager"):
        user = who[name]

        def page(user: Any = user) -> Any:
            # A user object as a request has it: the policy's caches are per request.
            fresh = type(user).objects.get(pk=user.pk)
            return reports.run(user=fresh, spec=spec)

        with CaptureQueriesContext(connection) as captured:
            pivot = page()
        statements = [
            q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"] or "MIN(" in q["sql"]
        ]
        p50, p99 = timed(page, SAMPLES)
        lines.append(
            (f"Peyvand report as {name}", p50, p99, f"{len(pivot.rows)} rows × {len(pivot.columns)} columns")
        )

        def raw(statements: list[str] = statements) -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        p50, p99 = timed(raw, SAMPLES)
        lines.append((f"baseline: the same SQL raw ({name})", p50, p99, f"{len(statements)} statements"))
    if connection.vendor == "postgresql":
        plain = (
            "SELECT owner_id, date_trunc('quarter', closed_at), SUM(amount_base) FROM sales_deal "
            "WHERE status = 'won' AND deleted_at IS NULL GROUP BY 1, 2"
        )
    else:
        plain = (
            "SELECT owner_id, strftime('%Y', closed_at) || ((CAST(strftime('%m', closed_at) AS INTEGER) + 2) / 3), "
            "SUM(amount_base) FROM sales_deal WHERE status = 'won' AND deleted_at IS NULL GROUP BY 1, 2"
        )

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(plain)
            cursor.fetchall()

    p50, p99 = timed(hand, SAMPLES)
    lines.append(("baseline: a hand-written group-by (Gregorian quarter, no policy)", p50, p99, ""))
    version = connection.cursor().connection.server_version if engine == "PostgreSQL" else ""
    say(f"\n## Report builder, {DEALS:,} deals, {engine} {version}".rstrip())
    say(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    say("| | p50 ms | p99 ms | note |")
    say("|---|---:|---:|---|")
    for label, p50, p99, note in lines:
        say(f"| {label} | {p50:.1f} | {p99:.1f} | {note} |")


if __name__ == "__main__":
    main()
