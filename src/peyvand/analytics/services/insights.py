"""Writing each customer's results back onto them (``customers.CustomerInsight``), in bulk.

One upsert per chunk of rows, not a save per customer: ``INSERT … ON CONFLICT (party_id) DO
UPDATE`` with executemany on SQLite; on PostgreSQL, COPY into a temporary table and one
``INSERT … SELECT … ON CONFLICT`` from it (COPY is several times faster than executemany).
Both engines read the statement alike. A customer who is no longer analysed (deleted or
merged away) keeps their last row, which the permission policy hides with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from peyvand.core import bulk
from peyvand.customers.models import CustomerInsight

TABLE = CustomerInsight._meta.db_table
COLUMNS: tuple[str, ...] = (
    "party_id",
    "recency_days",
    "frequency",
    "monetary",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_cell",
    "rfm_previous_cell",
    "purchases",
    "first_purchase_on",
    "last_purchase_on",
    "expected_purchases",
    "probability_alive",
    "expected_spend",
    "predicted_clv",
    "churn_risk",
    "churn_reasons",
    "profit",
    "lifecycle_stage",
    "computed_at",
)
CHUNK = 20_000


def insights_write(rows: Iterable[Sequence[Any]]) -> int:
    """Upsert ``rows`` (tuples in ``COLUMNS`` order); returns how many were written."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "party_id")
    written = 0
    chunk: list[Sequence[Any]] = []
    with transaction.atomic():
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                written += _write(chunk, updates)
                chunk = []
        written += _write(chunk, updates)
    return written


def _write(rows: list[Sequence[Any]], updates: str) -> int:
    if not rows:
        return 0
    names = ", ".join(COLUMNS)
    conflict = f"ON CONFLICT (party_id) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            load = bulk.staged(cursor, "insight_load", like=TABLE, columns=COLUMNS, rows=rows)
            cursor.execute(f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {load} {conflict}")  # noqa: S608 - the table's own columns
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {TABLE} ({names}) VALUES ({placeholders}) {conflict}", rows)  # noqa: S608 - the table's own columns
    return len(rows)
