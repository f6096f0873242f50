"""Finding customers by any part of a name, phone, email or ID, in any script, at a million rows.

Each term of a query is normalised like the stored search text (text.search_key). Terms of
three characters or more go through the trigram index (FTS5 on SQLite, pg_trgm on
PostgreSQL), which answers substrings without reading the table. A query of only shorter
terms matches names that start with it, through the name index: never a full scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from peyvand.core.text import collation_key, search_terms

from .models import Party

TRIGRAM = 3
# Relevance: names that start with the query first, then every other match.
RANK = "search_rank"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# How many of a query's matches, in name order, a first page is taken from on PostgreSQL.
CANDIDATES = 1000
NAME_ORDERS: dict[tuple[str, ...], str] = {("sort_key", "id"): "ASC", ("-sort_key", "-id"): "DESC"}


def takes_candidates(query: str, order: list[str]) -> bool:
    """Whether the first page of this search in this order may be taken from its first
    matches in name order (``first_matches``): PostgreSQL, by name, with trigram terms."""
    return (
        connection.vendor == "postgresql"
        and tuple(order) in NAME_ORDERS
        and any(len(t) >= TRIGRAM for t in search_terms(query))
    )


def _indexed_ids(terms: list[str], among: list[int] | None = None) -> RawSQL:
    """The ids of customers whose search text contains every term (each ≥ 3 characters),
    or, given ``among`` (from ``first_matches``), those ids."""
    if among is not None:
        return RawSQL("SELECT unnest(%s::bigint[])", [among])
    if connection.vendor == "sqlite":
        return RawSQL(
            "SELECT rowid FROM customers_party_fts WHERE customers_party_fts MATCH %s",
            [" AND ".join(_fts_phrase(t) for t in terms)],
        )
    # Only placeholders are joined into the SQL; every term travels as a parameter. The
    # matches are gathered first (an ARRAY), as SQLite does: left to itself the planner may
    # walk the name index instead, which is quick for a name spread over the list and takes
    # seconds for one bunched in it (a first name, at a million rows).
    where, params = _search_table_where(terms)
    sql = f"SELECT unnest(ARRAY(SELECT party_id FROM customers_party_search WHERE {where}))"  # noqa: S608 - only placeholders
    return RawSQL(sql, params)  # noqa: S611 - only placeholders


def _search_table_where(terms: list[str]) -> tuple[str, list[Any]]:
    return " AND ".join(["doc LIKE %s"] * len(terms)), [_like(t) for t in terms]


def first_matches(query: str, count: int, order: list[str]) -> list[int]:
    """PostgreSQL: the ids of the first ``count`` customers matching ``query`` in ``order``
    (see ``takes_candidates``). The search table's own copy of the sort key orders them:
    no lookup of each match in the customers table (tens of thousands for a first name)."""
    direction = NAME_ORDERS[tuple(order)]
    where, params = _search_table_where([t for t in search_terms(query) if len(t) >= TRIGRAM])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT party_id FROM customers_party_search WHERE {where} "  # noqa: S608 - only placeholders
            f"ORDER BY sort_key {direction}, party_id {direction} LIMIT %s",
            [*params, count],
        )
        return [row[0] for row in cursor.fetchall()]


def name_prefix_range(query: str) -> tuple[str, str] | None:
    """The sort-key range of names starting with ``query``: an index range, not a scan."""
    key = collation_key(query)
    if not key:
        return None
    return key, key + "~"  # "~" sorts after every hex digit


def filter_matching(
    queryset: QuerySet[Party], query: str, *, among: list[int] | None = None
) -> QuerySet[Party]:
    """Customers matching every term of ``query``; with ``among`` (``first_matches``), only
    those of them, which a caller must not take for all the matches unless they were fewer
    than it asked for."""
    terms = search_terms(query)
    if not terms:
        return queryset
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        queryset = queryset.filter(id__in=_indexed_ids(long_terms, among))
        for term in terms:
            if len(term) < TRIGRAM:
                queryset = queryset.filter(search_text__contains=term)
        return queryset
    bounds = name_prefix_range(" ".join(terms))
    if bounds is None:
        return queryset.none()
    return queryset.filter(sort_key__gte=bounds[0], sort_key__lt=bounds[1])


def with_rank(queryset: QuerySet[Party], query: str) -> QuerySet[Party]:
    """Annotate ``search_rank``: 0 when the name starts with the query, else 1."""
    bounds = name_prefix_range(" ".join(search_terms(query)))
    if bounds is None:
        return queryset.annotate(**{RANK: Value(1, output_field=IntegerField())})
    starts = Q(sort_key__gte=bounds[0], sort_key__lt=bounds[1])
    return queryset.annotate(
        **{RANK: Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())}
    )


def index_rows(first_id: int, last_id: int, *, import_job_id: int) -> int:
    """Put an import's rows with ids in [first_id, last_id] into the search index.

    Idempotent: the range is removed first, so a run cut short and repeated leaves each
    row indexed once.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "DELETE FROM customers_party_fts WHERE rowid BETWEEN %s AND %s", [first_id, last_id]
            )
            cursor.execute(
                "INSERT INTO customers_party_fts(rowid, doc) SELECT id, search_text FROM customers_party "
                "WHERE id BETWEEN %s AND %s AND import_job_id = %s",
                [first_id, last_id, import_job_id],
            )
        else:
            cursor.execute(
                "INSERT INTO customers_party_search (party_id, doc, sort_key) "
                "SELECT id, search_text, sort_key FROM customers_party "
                "WHERE id BETWEEN %s AND %s AND import_job_id = %s "
                "ON CONFLICT (party_id) DO UPDATE SET doc = EXCLUDED.doc, sort_key = EXCLUDED.sort_key",
                [first_id, last_id, import_job_id],
            )
        return cursor.rowcount


SQLITE_INSERT_TRIGGER = "customers_party_fts_insert"


@contextmanager
def imported_rows_untracked() -> Iterator[None]:
    """Within the caller's transaction, insert customers without the insert trigger.

    An import's rows skip the trigger anyway (its WHEN leaves them to ``index_rows``), but
    SQLite still pays for a trigger on every inserted row: about a third of the insert's
    time. Dropping it and putting it back inside the transaction costs no reader anything:
    no other connection ever sees the table without it.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("imported_rows_untracked() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [SQLITE_INSERT_TRIGGER]
        )
        found = cursor.fetchone()
        if found:
            cursor.execute(f"DROP TRIGGER {SQLITE_INSERT_TRIGGER}")
        try:
            yield
        finally:
            if found:
                cursor.execute(found[0])
