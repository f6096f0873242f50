"""The columnar snapshot: the CRM's orders, order lines, products' costs, payments, customers
and interactions copied into a DuckDB file, for the analyses to read without touching the
operational database.

Only the worker opens the file (DuckDB lets one process write it); pages read the results the
analyses wrote back into the database.

- **Full refresh** reads every row of every source into a new table beside the old one and
  swaps them in one transaction, so a reader never sees half a table.
- **Incremental refresh** reads what changed since the last refresh: rows whose ``updated_at``
  is at or after the watermark less an overlap (a transaction still open at the last refresh
  may commit rows stamped a little earlier), or whose id is above the highest id seen (rows
  written without touching ``updated_at``). They replace the snapshot's rows with the same id,
  so reading a row twice does no harm. Order lines follow their order: the lines of every
  order read are replaced together. A row deleted outright (not soft-deleted) is noticed
  only by a full refresh, which the worker runs weekly.

Rows are read with the database's own cursor (a server-side one on PostgreSQL), a chunk at a
time, and handed to DuckDB as Arrow columns; money is read as floating point, which is what
the statistics need, and converted to the base currency by the analyses. Dates become day
numbers (days since 1970-01-01), so the analyses do arithmetic on integers that every engine
does alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import jdatetime
import pyarrow as pa
from django.db import connection, models
from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import Cast

from peyvand.customers.models import Party
from peyvand.interactions.models import Interaction
from peyvand.sales.models import CurrencyRate, Order, OrderLine, Payment, Product

from .. import conf

CHUNK_ROWS = 100_000
# How far before the watermark an incremental refresh reads again (see the module's note).
OVERLAP = dt.timedelta(minutes=10)
EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's type
    source: Any  # a field path or a Django expression


@dataclass(frozen=True)
class Source:
    """A table of the snapshot and where its rows come from."""

    table: str
    queryset: Callable[[], models.QuerySet[Any]]
    columns: tuple[Column, ...]
    # Watermarked by updated_at and id; otherwise (a small table) read whole every time.
    incremental: bool = True
    # A child table: its rows are those of the parent's rows read (parent, foreign key).
    parent: tuple[str, str] | None = None

    def create_sql(self, name: str) -> str:
        return f"CREATE OR REPLACE TABLE {name} ({', '.join(f'{c.name} {c.type}' for c in self.columns)})"


def _deleted() -> ExpressionWrapper:
    return ExpressionWrapper(Q(deleted_at__isnull=False), output_field=models.BooleanField())


def _float(path: str) -> Cast:
    return Cast(path, FloatField())


DATE = "DATE"
SOURCES: tuple[Source, ...] = (
    Source(
        "customers",
        lambda: Party.all_objects.all(),
        (
            Column("id", "BIGINT", "id"),
            Column("kind", "VARCHAR", "kind"),
            Column("owner_id", "BIGINT", "owner_id"),
            Column(
                "merged", "BOOLEAN", ExpressionWrapper(Q(merged_into__isnull=False), models.BooleanField())
            ),
            Column("deleted", "BOOLEAN", _deleted()),
            Column("created_at", "TIMESTAMP", "created_at"),
            Column("updated_at", "TIMESTAMP", "updated_at"),
        ),
    ),
    Source(
        "orders",
        lambda: Order.all_objects.all(),
        (
            Column("id", "BIGINT", "id"),
            Column("party_id", "BIGINT", "party_id"),
            Column("owner_id", "BIGINT", "owner_id"),
            Column("status", "VARCHAR", "status"),
            Column("ordered_on", DATE, "ordered_on"),
            Column("currency", "VARCHAR", "currency"),
            Column("subtotal", "DOUBLE", _float("subtotal")),
            Column("discount", "DOUBLE", _float("discount_total")),
            Column("total", "DOUBLE", _float("total")),
            Column("imported", "BOOLEAN", "imported"),
            Column("deleted", "BOOLEAN", _deleted()),
            Column("updated_at", "TIMESTAMP", "updated_at"),
        ),
    ),
    Source(
        "order_lines",
        lambda: OrderLine.objects.all(),
        (
            Column("id", "BIGINT", "id"),
            Column("order_id", "BIGINT", "order_id"),
            Column("product_id", "BIGINT", "product_id"),
            Column("quantity", "DOUBLE", _float("quantity")),
            Column("unit_price", "DOUBLE", _float("unit_price")),
            Column("discount_percent", "DOUBLE", _float("discount_percent")),
            Column("net", "DOUBLE", _float("net")),
        ),
        parent=("orders", "order"),
    ),
    Source(
        "payments",
        lambda: Payment.all_objects.all(),
        (
            Column("id", "BIGINT", "id"),
            Column("party_id", "BIGINT", "party_id"),
            Column("invoice_id", "BIGINT", "invoice_id"),
            Column("amount", "DOUBLE", _float("amount")),
            Column("currency", "VARCHAR", "currency"),
            Column("paid_on", DATE, "paid_on"),
            Column("deleted", "BOOLEAN", _deleted()),
            Column("updated_at", "TIMESTAMP", "updated_at"),
        ),
    ),
    Source(
        "interactions",
        lambda: Interaction.all_objects.all(),
        (
            Column("id", "BIGINT", "id"),
            Column("party_id", "BIGINT", "party_id"),
            Column("channel", "VARCHAR", "channel"),
            Column("direction", "VARCHAR", "direction"),
            Column("occurred_at", "TIMESTAMP", "occurred_at"),
            Column("deleted", "BOOLEAN", _deleted()),
            Column("updated_at", "TIMESTAMP", "updated_at"),
        ),
    ),
    Source(
        "products",
        lambda: Product.all_objects.all(),
        (Column("id", "BIGINT", "id"), Column("unit_cost", "DOUBLE", _float("unit_cost"))),
        incremental=False,
    ),
    Source(
        "rates",
        lambda: CurrencyRate.objects.all(),
        (
            Column("currency", "VARCHAR", "currency"),
            Column("valid_from", DATE, "valid_from"),
            Column("rate", "DOUBLE", _float("rate")),
        ),
        incremental=False,
    ),
)
BY_TABLE = {source.table: source for source in SOURCES}
# The day-number column added beside each date column.
DAY_COLUMNS = {
    "orders": ("ordered_on", "day"),
    "payments": ("paid_on", "day"),
    "rates": ("valid_from", "day"),
    "interactions": ("occurred_at", "day"),  # the day in UTC
}


@dataclass
class RefreshResult:
    mode: str
    rows: dict[str, int]


# --- the file ---------------------------------------------------------------------------------


@contextlib.contextmanager
def connect(path: Path | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The snapshot's DuckDB connection, in UTC, closed afterwards."""
    path = path or conf.snapshot_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def backend(con: duckdb.DuckDBPyConnection) -> Any:
    """Ibis on the same DuckDB connection."""
    return ibis.duckdb.from_connection(con)


def has_snapshot(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds every table, each with the columns this version reads (a
    snapshot written by an earlier version is refreshed in full)."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {"watermarks", *BY_TABLE} <= tables:
        return False
    return all(_columns_of(con, source.table) == expected_columns(source) for source in SOURCES)


def expected_columns(source: Source) -> list[str]:
    day = DAY_COLUMNS.get(source.table)
    return [c.name for c in source.columns] + ([day[1]] if day else [])


def _columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    found = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in found]


# --- refresh ----------------------------------------------------------------------------------


def refresh(
    con: duckdb.DuckDBPyConnection, *, full: bool, progress: Callable[[str], None] | None = None
) -> RefreshResult:
    """Bring the snapshot up to date: everything (``full``), or what changed since last time.
    An incremental refresh of a snapshot that is not there yet is a full one."""
    if not full and not has_snapshot(con):
        full = True
    rows: dict[str, int] = {}
    con.execute(
        "CREATE TABLE IF NOT EXISTS watermarks "
        "(source VARCHAR PRIMARY KEY, updated_at TIMESTAMP, max_id BIGINT)"
    )
    for source in SOURCES:
        if progress:
            progress(source.table)
        if full or not source.incremental:
            rows[source.table] = _load_full(con, source)
        else:
            rows[source.table] = _load_changes(con, source)
    _stamp_watermarks(con)
    return RefreshResult("full" if full else "incremental", rows)


def _load_full(con: duckdb.DuckDBPyConnection, source: Source) -> int:
    staging = f"{source.table}__load"
    count = _load(con, source, source.queryset(), staging)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DROP TABLE IF EXISTS {source.table}")
    con.execute(f"ALTER TABLE {staging} RENAME TO {source.table}")
    con.execute("COMMIT")
    return count


def _load_changes(con: duckdb.DuckDBPyConnection, source: Source) -> int:
    if source.parent is not None:
        parent, link = source.parent
        # The lines of every order read this time (the parent's delta, still beside it).
        since, max_id = _watermark(con, parent)
        changed = _changed(since, max_id, prefix=f"{link}__")
        key = f"{link}_id"
    else:
        since, max_id = _watermark(con, source.table)
        changed = _changed(since, max_id)
        key = "id"
    delta = f"{source.table}__delta"
    count = _load(con, source, source.queryset().filter(changed), delta)
    # The lines of an order read again are all replaced, so lines removed from it go too.
    # (Every name in these statements is the snapshot's own, never input.)
    replaced = f"{source.parent[0]}__delta" if source.parent else delta
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {source.table} WHERE {key} IN (SELECT id FROM {replaced})")  # noqa: S608 - snapshot names
    con.execute(f"INSERT INTO {source.table} SELECT * FROM {delta}")  # noqa: S608 - snapshot names
    con.execute("COMMIT")
    return count


def _changed(since: dt.datetime | None, max_id: int | None, prefix: str = "") -> Q:
    if since is None:
        return Q()
    condition = Q(**{f"{prefix}updated_at__gte": since - OVERLAP})
    if max_id is not None:
        condition |= Q(**{f"{prefix}id__gt": max_id})
    return condition


def _watermark(con: duckdb.DuckDBPyConnection, table: str) -> tuple[dt.datetime | None, int | None]:
    found = con.execute("SELECT updated_at, max_id FROM watermarks WHERE source = ?", [table]).fetchall()
    row = found[0] if found else None
    if row is None or row[0] is None:
        return None, None
    return row[0].replace(tzinfo=dt.UTC), row[1]


def _stamp_watermarks(con: duckdb.DuckDBPyConnection) -> None:
    """The newest change and the highest id of each watermarked table, as the snapshot holds
    them now; the delta tables have served and go."""
    for source in SOURCES:
        if source.incremental and source.parent is None:
            con.execute(
                "INSERT OR REPLACE INTO watermarks "  # noqa: S608 - table names are ours
                f"SELECT '{source.table}', max(updated_at), max(id) FROM {source.table}"
            )
    for source in SOURCES:
        con.execute(f"DROP TABLE IF EXISTS {source.table}__delta")


def _load(con: duckdb.DuckDBPyConnection, source: Source, queryset: models.QuerySet[Any], into: str) -> int:
    """Read ``queryset``'s rows a chunk at a time into the new table ``into``."""
    con.execute(source.create_sql(into))
    day = DAY_COLUMNS.get(source.table)
    if day is not None:
        con.execute(f"ALTER TABLE {into} ADD COLUMN {day[1]} INTEGER")
    names = [f"c{i}" for i in range(len(source.columns))]
    casts = ", ".join(f"CAST({n} AS {c.type})" for n, c in zip(names, source.columns, strict=True))
    if day is not None:
        position, dated = next((i, c) for i, c in enumerate(source.columns) if c.name == day[0])
        value = f"CAST(CAST(c{position} AS {dated.type}) AS DATE)"  # a timestamp's day, in UTC
        casts += f", CAST(date_diff('day', DATE '1970-01-01', {value}) AS INTEGER)"
    count = 0
    for chunk in _read(queryset, source.columns):
        con.register("chunk", pa.table(dict(zip(names, chunk, strict=True))))
        try:
            con.execute(f"INSERT INTO {into} SELECT {casts} FROM chunk")  # noqa: S608 - our own names
        finally:
            con.unregister("chunk")
        count += len(chunk[0])
    return count


def _expression(column: Column) -> Any:
    source = F(column.source) if isinstance(column.source, str) else column.source
    if connection.vendor == "sqlite" and column.type in (DATE, "TIMESTAMP"):
        # SQLite keeps dates as text; read as text, the driver skips parsing each one into a
        # Python date (a third of the read), and DuckDB casts the text itself.
        return Cast(source, models.TextField())
    return source


def _read(queryset: models.QuerySet[Any], columns: Sequence[Column]) -> Iterator[list[pa.Array]]:
    """The rows of ``queryset`` as Arrow columns, ``CHUNK_ROWS`` at a time, straight off the
    driver's cursor (no model instances; a server-side cursor on PostgreSQL)."""
    expressions = {f"c{i}": _expression(c) for i, c in enumerate(columns)}
    sql, params = (
        queryset.order_by().annotate(**expressions).values_list(*expressions).query.sql_with_params()
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK_ROWS):
            yield [pa.array(values) for values in zip(*batch, strict=True)]


# --- the calendar -----------------------------------------------------------------------------


def write_calendar(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> None:
    """The ``calendar`` table: every day from ``first`` to ``last`` with its month in both
    calendars (as year × 12 + month − 1), so the analyses count by Jalali or Gregorian month
    with a join that every engine runs alike."""
    days, gregorian, jalali, gregorian_start, jalali_start = [], [], [], [], []
    day = first
    while day <= last:
        jday = jdatetime.date.fromgregorian(date=day)
        days.append(day_number(day))
        gregorian.append(day.year * 12 + day.month - 1)
        jalali.append(jday.year * 12 + jday.month - 1)
        gregorian_start.append(day_number(day.replace(day=1)))
        jalali_start.append(day_number(jdatetime.date(jday.year, jday.month, 1).togregorian()))
        day += dt.timedelta(days=1)
    table = pa.table(
        {
            "day": pa.array(days, pa.int32()),
            "gregorian_month": pa.array(gregorian, pa.int32()),
            "jalali_month": pa.array(jalali, pa.int32()),
            "gregorian_month_start": pa.array(gregorian_start, pa.int32()),
            "jalali_month_start": pa.array(jalali_start, pa.int32()),
        }
    )
    con.register("calendar_chunk", table)
    try:
        con.execute("CREATE OR REPLACE TABLE calendar AS SELECT * FROM calendar_chunk")
    finally:
        con.unregister("calendar_chunk")
