"""What the marketing services share: writing a query's customers into a table in one
statement, at the engine's speed, once each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from peyvand.customers.models import Party


def db_datetime(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def insert_parties(
    table: str, columns: Sequence[str], constants: Sequence[Any], parties: QuerySet[Party]
) -> int:
    """``INSERT INTO table (columns…, party_id) SELECT constants…, id FROM (parties)``, skipping
    rows a unique constraint already holds; returns how many were written.

    One statement, whatever the size: a million customers never pass through Python. (The
    ``WHERE true`` is SQLite's: an upsert after a SELECT needs a WHERE to parse.)
    """
    chosen = parties.order_by().annotate(chosen_id=F("pk")).values_list("chosen_id")
    sql, params = chosen.query.sql_with_params()
    marks = ", ".join(["%s"] * len(constants))
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}, party_id) "  # noqa: S608 - our own names
        f"SELECT {marks}, chosen.chosen_id FROM ({sql}) chosen WHERE true ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants, *params])
        return max(cursor.rowcount, 0)
