"""Reading the knowledge base through the permission policy: the list with its search (the
same Persian normalisation as customers), an article and its versions, the articles that
helped resolve tickets, and suggestions for a ticket's reply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import choice_id, is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import Article, ArticleVersion, Status, Ticket, Visibility

SORTS = {"-updated": ["-updated_at", "-id"], "-helped": ["-helped", "-id"]}
DEFAULT_SORT = "-updated"
RESOLVED = (Status.RESOLVED, Status.CLOSED)
SUGGESTIONS = 5
MIN_TERM = 3  # shorter words ("از", "به", "is") match nearly everything


def with_helped(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Each article's ``helped``: the resolved tickets whose replies linked to it."""
    resolved = Q(uses__ticket__status__in=RESOLVED, uses__ticket__resolved_at__isnull=False)
    return queryset.annotate(helped=Count("uses__ticket", filter=resolved, distinct=True))


def article_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Article]:
    queryset = policy.visible(user, Article.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if (category := choice_id(filters.get("category"))) is not None:
        queryset = queryset.filter(category_id=category)
    if filters.get("visibility") in Visibility.values:
        queryset = queryset.filter(visibility=filters["visibility"])
    if filters.get("published") in ("yes", "no"):
        queryset = queryset.filter(published=filters["published"] == "yes")
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return keyset_page(
        with_helped(queryset.select_related("category")), order=order, cursor=cursor, limit=limit
    )


def article_get(*, user: User, pk: Any) -> Article:
    return policy.get_visible(user, with_helped(Article.objects.select_related("category")), pk)


def article_versions(*, article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author").order_by("-number"))


def article_version(*, article: Article, number: Any) -> ArticleVersion:
    found = article.versions.filter(number=int(str(number))).first() if is_id(number) else None
    if found is None:
        raise Http404
    return found


def article_public(*, pk: Any) -> Article | None:
    """A published public article, for anyone; None for anything else."""
    if not is_id(pk):
        return None
    return Article.objects.filter(pk=int(str(pk)), visibility=Visibility.PUBLIC, published=True).first()


def article_public_search(*, query: str | None, limit: int = 20) -> list[Article]:
    """Published public articles whose text has every word of ``query`` (all of them, newest
    first, without one), for customers: the portal's knowledge base."""
    queryset = Article.objects.filter(visibility=Visibility.PUBLIC, published=True)
    for term in search_terms(query):
        queryset = queryset.filter(search_text__contains=term)
    return list(queryset.select_related("category").order_by("-updated_at", "-id")[:limit])


def article_suggestions(*, user: User, ticket: Ticket, text: str = "") -> list[Article]:
    """Published articles for ``ticket``'s reply: those sharing the most words with its
    subject (and what the agent typed so far), those of its category first among equals."""
    terms = list(
        dict.fromkeys(t for t in search_terms(f"{ticket.subject} {text[:2000]}") if len(t) >= MIN_TERM)
    )
    terms = sorted(terms, key=len, reverse=True)[:12]
    matches = Q()
    for term in terms:
        matches |= Q(search_text__contains=term)
    if ticket.category_id is not None:
        matches |= Q(category_id=ticket.category_id)
    if not matches:
        return []
    candidates = list(
        policy.visible(user, Article.objects.filter(published=True))
        .filter(matches)
        .select_related("category")
        .order_by("-updated_at", "-id")[:200]
    )

    def score(article: Article) -> tuple[int, int]:
        hits = sum(term in article.search_text for term in terms)
        return hits * 2 + (ticket.category_id is not None and article.category_id == ticket.category_id), hits

    ranked = sorted(candidates, key=score, reverse=True)
    return [a for a in ranked if score(a)[0] > 0][:SUGGESTIONS]
