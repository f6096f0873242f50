"""The canned replies a user is offered: their own, and those shared with their team or with
every team (an administrator sees every shared one). Nobody sees another's personal replies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import Scope, User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import CannedReply

SORTS = {"title": ["title", "id"], "-updated": ["-updated_at", "-id"]}
DEFAULT_SORT = "title"
SHOWN = ("all", "mine", "shared")


def canned_visible(user: User) -> QuerySet[CannedReply]:
    if policy.scope(user, "ticket", "view") == Scope.NONE:
        return CannedReply.objects.none()
    shared = Q(shared=True) if user.is_administrator else Q(shared=True, team__isnull=True)
    if not user.is_administrator and user.team_id is not None:
        shared |= Q(shared=True, team_id=user.team_id)
    return CannedReply.objects.filter(Q(owner=user, shared=False) | shared)


def canned_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[CannedReply]:
    queryset = canned_visible(user)
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("shown") == "mine":
        queryset = queryset.filter(shared=False)
    elif filters.get("shown") == "shared":
        queryset = queryset.filter(shared=True)
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return keyset_page(queryset.select_related("team", "owner"), order=order, cursor=cursor, limit=limit)


def canned_get(*, user: User, pk: Any) -> CannedReply:
    return _found_or_404(canned_visible(user), pk)


def canned_choices(*, user: User) -> list[CannedReply]:
    """The picker's options, by title (a desk keeps tens of them, not thousands)."""
    return list(canned_visible(user).order_by("title", "id")[:500])


def _found_or_404(queryset: QuerySet[CannedReply], pk: Any) -> CannedReply:
    found = queryset.filter(pk=int(str(pk))).first() if is_id(pk) else None
    if found is None:
        raise Http404
    return found
