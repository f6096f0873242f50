"""Filtering customers by a custom field at 100,000 rows: Peyvand's query beside the same
query written by hand for the engine, with and without the index a filterable field gets.

    .venv/bin/python -m bench.custom_fields                       # SQLite, 100,000 rows
    BENCH_ROWS=20000 .venv/bin/python -m bench.custom_fields
    BENCH_PG=postgres://postgres@127.0.0.1:5432/fields .venv/bin/python -m bench.custom_fields

Peyvand's query is the one the list's selector builds (``core.selectors.custom_fields``:
the value's expression with its key as a literal, the customers' own conditions, the first
page in name order), compiled by Django and run on a table of the customers' shape; the
index is the one ``services.custom_fields.index_sync`` makes (the same SQL). The raw query
is the textbook one: ``json_extract(custom, '$.size') = 'large'`` on SQLite, ``custom ->>
'size' = 'large'`` on PostgreSQL. Each is timed warm (p50 and p99 of 200 runs); the plan
says whether the index is used.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django

django.setup()

from django.db import connections  # noqa: E402

from peyvand.core.custom_fields import Choice, Definition, FieldType  # noqa: E402 - Django set up first
from peyvand.core.selectors.custom_fields import CustomFilter, custom_filter  # noqa: E402
from peyvand.core.services.custom_fields import index_sql  # noqa: E402
from peyvand.customers.models import Party  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
RUNS = 200
SIZES = [f"s{i:02d}" for i in range(20)]  # a choice of 20 options: 5% of the rows each
DEFINITION = Definition(
    "size", FieldType.CHOICE, "اندازه", "Size", filterable=True, choices=tuple(Choice(s, s, s) for s in SIZES)
)
BUDGET = Definition("budget", FieldType.MONEY, "بودجه", "Budget", filterable=True)


def say(message: str) -> None:
    print(message, flush=True)


def peyvand_sql(wanted: CustomFilter, definition: Definition, using: str) -> tuple[str, list[Any]]:
    """The list selector's query, compiled for the database ``using`` names."""
    queryset = custom_filter(Party.objects.filter(kind="person"), [definition], [wanted])
    query = queryset.order_by("sort_key", "id").values_list("id")[:50].query
    sql, params = query.get_compiler(using=using).as_sql()
    return sql, list(params)


def add_postgres(url: str) -> str:
    """A Django connection to the benchmark's PostgreSQL database, to compile queries for it."""
    parts = urlsplit(url)
    connections.settings["bench_pg"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "postgres",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        "OPTIONS": {},
    }
    return "bench_pg"


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    result = run()
    spent = []
    for _ in range(RUNS):
        began = time.perf_counter_ns()
        run()
        spent.append(time.perf_counter_ns() - began)
    centiles = statistics.quantiles(spent, n=100, method="inclusive")
    return centiles[49] / 1e6, centiles[98] / 1e6, result


def rows() -> list[tuple[Any, ...]]:
    rng = random.Random(1404)
    found = []
    for i in range(1, ROWS + 1):
        custom = {"size": rng.choice(SIZES), "budget": str(rng.randrange(1, 10**9))}
        found.append(
            (i, "person" if i % 5 else "organisation", None, f"name {rng.random():.12f}", json.dumps(custom))
        )
    return found


def sqlite_case() -> None:
    path = tempfile.mktemp(suffix=".sqlite3")
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE customers_party (id integer primary key, kind varchar(12) not null, "
        "deleted_at datetime null, sort_key varchar(200) not null, custom text not null)"
    )
    db.execute(
        "CREATE INDEX party_kind_sort ON customers_party (kind, sort_key, id) WHERE deleted_at IS NULL"
    )
    db.executemany("INSERT INTO customers_party VALUES (?, ?, ?, ?, ?)", rows())
    db.commit()
    db.execute("ANALYZE")
    report(
        "SQLite",
        lambda sql, params: db.execute(sql.replace("%s", "?"), params).fetchall(),
        lambda sql: " / ".join(
            r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), PLAN_PARAMS)
        ),
        lambda sql: (db.execute(sql), db.execute("ANALYZE"), db.commit()),
        "sqlite",
        raw_choice="SELECT id FROM customers_party WHERE kind = 'person' AND deleted_at IS NULL "
        "AND json_extract(custom, '$.size') = ? ORDER BY sort_key, id LIMIT 50",
    )
    db.close()
    os.unlink(path)


PLAN_PARAMS: list[Any] = []


def postgres_case(url: str) -> None:
    import psycopg

    db = psycopg.connect(url, autocommit=True)
    db.execute("DROP TABLE IF EXISTS bench_custom_party")
    db.execute(
        "CREATE TABLE bench_custom_party (id bigint primary key, kind varchar(12) not null, "
        "deleted_at timestamptz null, sort_key varchar(200) not null, custom jsonb not null)"
    )
    db.execute("CREATE INDEX ON bench_custom_party (kind, sort_key, id) WHERE deleted_at IS NULL")
    with db.cursor() as cursor, cursor.copy("COPY bench_custom_party FROM STDIN") as copy:
        for row in rows():
            copy.write_row(row)
    db.execute("ANALYZE bench_custom_party")

    def run(sql: str, params: list[Any]) -> Any:
        return db.execute(sql.replace("customers_party", "bench_custom_party"), params).fetchall()

    def plan(sql: str) -> str:
        lines = db.execute(
            "EXPLAIN " + sql.replace("customers_party", "bench_custom_party"), PLAN_PARAMS
        ).fetchall()
        return " / ".join(line[0].strip() for line in lines if "Index" in line[0] or "Seq Scan" in line[0])

    def make(sql: str) -> None:
        db.execute(sql.replace("customers_party", "bench_custom_party"))
        db.execute("ANALYZE bench_custom_party")

    report(
        "PostgreSQL",
        run,
        plan,
        make,
        "postgresql",
        raw_choice="SELECT id FROM bench_custom_party WHERE kind = 'person' AND deleted_at IS NULL "
        "AND custom ->> 'size' = %s ORDER BY sort_key, id LIMIT 50",
        using=add_postgres(url),
    )
    db.execute("DROP TABLE bench_custom_party")
    db.close()


def report(
    engine: str,
    run: Callable[[str, list[Any]], Any],
    plan: Callable[[str], str],
    make: Callable[[str], Any],
    vendor: str,
    *,
    raw_choice: str,
    using: str = "default",
) -> None:
    choice_sql, choice_params = peyvand_sql(CustomFilter("size", value="s07"), DEFINITION, using)
    range_sql, range_params = peyvand_sql(
        CustomFilter("budget", low="100000000", high="110000000"), BUDGET, using
    )
    cases = [
        ("a choice equals one option (5%)", choice_sql, choice_params, raw_choice, ["s07"]),
        ("money between two amounts (1%)", range_sql, range_params, None, None),
    ]
    say(f"## {engine}, {ROWS:,} customers")
    say("")
    say("| query | index | Peyvand p50 ms | p99 ms | raw p50 ms | p99 ms | Peyvand's plan |")
    say("|---|---|---:|---:|---:|---:|---|")
    for indexed in (False, True):
        if indexed:
            for definition in (DEFINITION, BUDGET):
                make(index_sql("person", definition.key, definition.type, vendor))
        for label, sql, params, raw, raw_params in cases:
            ours = timed(lambda s=sql, p=params: run(s, p))
            global PLAN_PARAMS
            PLAN_PARAMS = params
            if raw is not None:
                base = timed(lambda r=raw, p=raw_params: run(r, p))
                assert sorted(base[2]) == sorted(ours[2]), "the two queries disagree"
                raw_cells = f"{base[0]:.2f} | {base[1]:.2f}"
            else:
                raw_cells = "— | —"
            say(
                f"| {label} | {'yes' if indexed else 'no'} | {ours[0]:.2f} | {ours[1]:.2f} | {raw_cells} | "
                f"{plan(sql)} |"
            )
    say("")


def main() -> None:
    say("# Filtering by a custom field")
    say("")
    say(
        f"Run on {time.strftime('%Y-%m-%d')} - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}. "
        f"{RUNS} warm runs per cell; the first page (50) in name order."
    )
    say("")
    sqlite_case()
    if os.environ.get("BENCH_PG"):
        postgres_case(os.environ["BENCH_PG"])


if __name__ == "__main__":
    main()
