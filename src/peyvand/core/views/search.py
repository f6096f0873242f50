"""The top bar's search: a drop-down of the best matches as one types, and a page of them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..http import request_user
from ..selectors import search

MAX_QUERY = 200


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "")[:MAX_QUERY].strip()


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    groups = search.search_everywhere(user=request_user(request), query=query, per_kind=search.PER_KIND_PAGE)
    context = {"query": query, "groups": groups, "too_short": bool(query) and not search.searchable(query)}
    return render(request, "core/search.html", context)


@login_required
def search_suggest(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    groups = search.search_everywhere(user=request_user(request), query=query)
    return render(request, "core/_search_suggest.html", {"query": query, "groups": groups})
