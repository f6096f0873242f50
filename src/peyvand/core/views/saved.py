"""Saved views of lists: a list keeps them with ``keeps_views``; these pages save, delete and
make them the default."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..http import request_user
from ..services.saved_views import LISTS, SavedViewInput


def keeps_views(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A list whose filters and sort can be saved as views; opened without any, it opens the
    user's default view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and not request.GET and request.user.is_authenticated:
            default = selectors.saved_views.default_view(user=request_user(request), page=request.path)
            request.saved_default_view = default  # type: ignore[attr-defined]  # read once a request
            if default is not None and default.query:
                return HttpResponseRedirect(f"{request.path}?{default.query}")
        return view(request, *args, **kwargs)

    LISTS.add(wrapped)
    return wrapped


def _back(page: str, query: str = "") -> HttpResponse:
    if not page.startswith("/") or not url_has_allowed_host_and_scheme(page, allowed_hosts=None):
        return redirect("home")
    return HttpResponseRedirect(f"{page}?{query}" if query else f"{page}?plain=1")


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    data = SavedViewInput(
        page=page,
        name=request.POST.get("name", ""),
        query=request.POST.get("query", ""),
        shared=request.POST.get("shared") == "on",
    )
    try:
        view = services.saved_views.saved_view_save(actor=request_user(request), data=data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(page, services.saved_views.clean_query(data.query))
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return _back(view.page, view.query)


def _seen(request: HttpRequest, pk: int) -> Any:
    view = selectors.saved_views.saved_view_seen(user=request_user(request), pk=pk)
    if view is None:
        raise Http404
    return view


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = _seen(request, pk)
    services.saved_views.saved_view_delete(actor=request_user(request), view=view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return _back(view.page)


@login_required
@require_POST
def saved_view_default(request: HttpRequest, pk: int) -> HttpResponse:
    view = _seen(request, pk)
    services.saved_views.saved_view_make_default(actor=request_user(request), view=view, page=view.page)
    messages.success(request, _("The list now opens with “%(name)s”.") % {"name": view.name})
    return _back(view.page, view.query)


@login_required
@require_POST
def saved_view_no_default(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    try:
        services.saved_views.saved_view_make_default(actor=request_user(request), view=None, page=page)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(page)


@login_required
@require_POST
def list_columns_choose(request: HttpRequest) -> HttpResponse:
    """The column picker: show the ticked columns in the order given, on this page (and so in
    a view saved from it) or as the user's own default for the list; or go back to the list's."""
    page = request.POST.get("page", "")
    query = services.saved_views.clean_query(request.POST.get("query", ""))
    columns = request.POST.getlist("columns")
    plain = "&".join(p for p in query.split("&") if p and not p.startswith("columns="))
    try:
        if request.POST.get("as") == "default":
            services.saved_views.list_columns_save(actor=request_user(request), page=page, columns=columns)
            messages.success(request, _("The list shows these columns whenever you open it."))
            return _back(page, plain)
        if request.POST.get("as") == "reset":
            services.saved_views.list_columns_save(actor=request_user(request), page=page, columns=[])
            return _back(page, plain)
        query = services.saved_views.list_columns_query(page=page, query=query, columns=columns)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(page, query)
    return _back(page, query)
