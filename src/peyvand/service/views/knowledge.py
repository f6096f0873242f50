"""The knowledge base: its list and search, an article with its versions, writing one, the
public page of a public article, and the reply form's suggestions (htmx)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.models import Scope
from peyvand.core.pagination import InvalidCursor

from ..forms import ArticleFilterForm, ArticleForm, ReplyForm
from ..models import Article, Visibility
from ..selectors import knowledge as selectors
from ..selectors import tickets as ticket_selectors
from ..services import knowledge as services

SORT_LABELS = {"updated": gettext_lazy("Updated"), "helped": gettext_lazy("Helped resolve")}
EDITED = ("title_fa", "title_en", "body_fa", "body_en", "category", "visibility", "published")


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if policy.scope(user, "article", "view") == Scope.NONE:
        raise Http404
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = ArticleFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.article_list(user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("service:article_list")
    return render(
        request,
        "service/article_list.html",
        {
            "nav": "knowledge",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, Article),
            "filtered": any(v for k, v in filters.items() if k != "sort"),
        },
    )


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get(user=user, pk=pk)
    number = request.GET.get("version")
    shown = selectors.article_version(article=article, number=number) if number else None
    return render(
        request,
        "service/article_detail.html",
        {
            "nav": "knowledge",
            "article": article,
            "shown": shown or article,
            "old_version": shown if shown and shown.number != article.version else None,
            "versions": selectors.article_versions(article=article),
            "can_change": policy.can_change(user, article),
            "public_url": _public_url(article),
        },
    )


def _public_url(article: Article, language: str | None = None) -> str:
    if article.visibility != Visibility.PUBLIC:
        return ""
    url = settings.PEYVAND_BASE_URL + reverse("service:article_public", args=[article.pk])
    return f"{url}?lang={language}" if language else url


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get(user=user, pk=pk) if pk else None
    if article is None:
        policy.require_create(user, Article)
    else:
        policy.require_change(user, article)
    initial = {name: getattr(article, name) for name in EDITED} if article else None
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_save(actor=user, data=form.article_input(), article=article)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The article was saved."))
            return redirect("service:article_detail", article.pk)
    return render(
        request,
        "service/article_form.html",
        {"nav": "knowledge", "form": form, "article": article},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def article_restore(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    article = selectors.article_get(user=user, pk=pk)
    version = selectors.article_version(article=article, number=request.POST.get("version"))
    try:
        services.article_restore(actor=user, version=version)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Version %(number)s is back.") % {"number": version.number})
    return redirect("service:article_detail", article.pk)


@login_required
@require_POST
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    services.article_delete(actor=user, article=selectors.article_get(user=user, pk=pk))
    messages.success(request, _("The article was deleted."))
    return redirect("service:article_list")


def article_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A public article for anyone, in the language asked for (?lang=) or the visitor's."""
    article = selectors.article_public(pk=pk)
    if article is None:
        raise Http404
    asked = request.GET.get("lang") or translation.get_language() or settings.LANGUAGE_CODE
    language = article.language_of(asked)
    with translation.override(language):
        return render(
            request,
            "service/article_public.html",
            {"article": article, "title": article.title(language), "body": article.body(language)},
        )


# --- while an agent writes a reply --------------------------------------------------------------


@login_required
@require_GET
def article_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """Articles for the ticket's reply, by its subject, category and what is typed so far."""
    user = request_user(request)
    ticket = ticket_selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    if policy.scope(user, "article", "view") == Scope.NONE:
        return HttpResponse("")
    found = selectors.article_suggestions(user=user, ticket=ticket, text=request.GET.get("body", ""))
    for article in found:
        article.shown_title = article.title(ticket.language)  # type: ignore[attr-defined]
    return render(request, "service/_suggestions.html", {"ticket": ticket, "articles": found})


@login_required
@require_GET
def article_link(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    """The reply box again, a link to a public article added in the customer's language."""
    user = request_user(request)
    ticket = ticket_selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    found = selectors.article_get(user=user, pk=article)
    if found.visibility != Visibility.PUBLIC or not found.published:
        raise Http404  # an internal article is never sent to a customer
    body = request.GET.get("body", "")[:250_000]
    link = f"{found.title(ticket.language)}\n{_public_url(found, found.language_of(ticket.language))}"
    body = f"{body.rstrip()}\n\n{link}" if body.strip() else link
    form = ReplyForm(initial={"body": body}, addresses={})
    return HttpResponse(form["body"].as_widget())
