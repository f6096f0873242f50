"""Reading rules and their run logs (filtered, sorted, paged by keyset), and finding a record
to test a rule on, through the permission policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms, to_ascii_digits

from ..models import Rule, Run
from ..services.rules import may_manage
from ..targets import RECORD_TYPES

SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "name"
RUN_SORTS = {"at": ["at", "id"], "-at": ["-at", "-id"]}
DEFAULT_RUN_SORT = "-at"
PAGE_SIZE = 25


def _require(user: User) -> None:
    if not may_manage(user):
        raise PermissionDenied


def rule_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Rule]:
    _require(user)
    queryset = policy.visible(user, Rule.objects.all()).select_related("created_by")
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
    if filters.get("record_type") in RECORD_TYPES:
        queryset = queryset.filter(record_type=filters["record_type"])
    if filters.get("active") in ("on", "off"):
        queryset = queryset.filter(active=filters["active"] == "on")
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def rule_get(*, user: User, pk: Any) -> Rule:
    _require(user)
    return policy.get_visible(user, Rule.objects.select_related("created_by"), pk)


def run_list(
    *,
    user: User,
    rule: Rule,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_RUN_SORT,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Run]:
    """A rule's run log; ``filters``: ``status``, ``record`` (a record's id)."""
    _require(user)
    queryset: QuerySet[Run] = Run.objects.filter(rule=rule)
    if filters.get("status") in Run.Status.values:
        queryset = queryset.filter(status=filters["status"])
    record = to_ascii_digits(str(filters.get("record") or "")).strip()
    if record.isdigit():
        queryset = queryset.filter(object_id=int(record))
    return keyset_page(
        queryset, order=RUN_SORTS.get(sort, RUN_SORTS[DEFAULT_RUN_SORT]), cursor=cursor, limit=limit
    )


def records_find(*, user: User, rule: Rule, query: str, limit: int = 10) -> list[Any]:
    """Records of the rule's kind the user may see, matching ``query`` (a name or an id)."""
    kind = RECORD_TYPES[rule.record_type]
    queryset = policy.visible(user, kind.queryset())
    text = to_ascii_digits(query or "").strip()
    if text.isdigit():
        return list(queryset.filter(pk=int(text))[:1])
    terms = search_terms(query)
    if not terms:
        return list(queryset.order_by("-created_at", "-id")[:limit])
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.order_by("-created_at", "-id")[:limit])


def record_get(*, user: User, rule: Rule, pk: Any) -> Any:
    kind = RECORD_TYPES[rule.record_type]
    return policy.get_visible(user, kind.queryset(), pk)
