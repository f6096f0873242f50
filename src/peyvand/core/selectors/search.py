"""The top bar's search: every kind of record an app registers (``hooks.register_search``),
each asked for its best few matches the user may see, grouped by kind.

A query is normalised as stored search texts are (Persian and Arabic letters and digits are
one), and a query of fewer than two characters finds nothing: a single letter would match
half the database and say nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from peyvand.core import hooks, policy
from peyvand.core.text import search_key, search_terms

MIN_QUERY = 2
PER_KIND = 5
PER_KIND_PAGE = 20


@dataclass(frozen=True)
class SearchGroup:
    source: hooks.SearchSource
    hits: list[hooks.SearchHit]
    more_url: str = ""


def searchable(query: str) -> bool:
    return len(search_key(query).replace(" ", "")) >= MIN_QUERY


def search_everywhere(*, user: Any, query: str, per_kind: int = PER_KIND) -> list[SearchGroup]:
    """The kinds with matches, in their order, each with up to ``per_kind`` hits."""
    if not searchable(query):
        return []
    groups = []
    for source in hooks.search_sources():
        hits = source.find(user, query, per_kind)
        if hits:
            more = source.more(query) if source.more is not None else ""
            groups.append(SearchGroup(source, hits, more))
    return groups


def matching(queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
    """Records of a ``Searchable`` model whose search text holds every term of ``query``."""
    column = getattr(queryset.model, "SEARCH_COLUMN", "search_text")
    for term in search_terms(query):
        queryset = queryset.filter(**{f"{column}__contains": term})
    return queryset


def hits(
    user: Any,
    queryset: QuerySet[Any],
    limit: int,
    *,
    url: Callable[[Any], str],
    title: Callable[[Any], str] = str,
    detail: Callable[[Any], str] = lambda obj: "",
    order: tuple[str, ...] = ("-id",),
) -> list[hooks.SearchHit]:
    """The first ``limit`` records of ``queryset`` the user may see, as hits.

    A source that shows a related record (a ticket's customer) prefetches it rather than
    joining it: SQLite would otherwise walk the whole customers table to join the few hits."""
    found: list[Model] = list(policy.visible(user, queryset).order_by(*order)[:limit])
    return [hooks.SearchHit(title(obj), url(obj), detail(obj)) for obj in found]
