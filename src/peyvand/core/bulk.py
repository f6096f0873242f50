"""Writing many rows at the engine's speed: executemany on SQLite, COPY on PostgreSQL.

On PostgreSQL ``executemany`` sends each row as its own statement (pipelined, but each
parsed and planned), where COPY streams them: several times faster. An insert that must
also skip what is there, or an update of many rows, goes through ``staged``: the rows are
COPYed into a temporary table, and one set-based statement reads them from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: COPY ``rows`` into ``table`` on the driver's ``cursor``."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
        for row in rows:
            stream.write_row(row)


def write(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table``; returns how many."""
    if not rows:
        return 0
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            copy(cursor, table, columns, rows)
        return len(rows)
    placeholders = ", ".join("?" * len(columns))
    raw.cursor().executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608 - the models' own names
    return len(rows)


def staged(
    cursor: Any, name: str, *, like: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> str:
    """PostgreSQL, inside a transaction: ``rows`` COPYed into the temporary table ``name``
    (``like``'s ``columns``, emptied at commit), for one statement to read; returns ``name``.

    ``cursor`` is Django's; the table lasts as long as the connection and is created once.
    """
    names = ", ".join(columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "  # noqa: S608 - our own names
        f"SELECT {names} FROM {like} WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {name}")
    copy(cursor.cursor, name, columns, rows)
    return name
