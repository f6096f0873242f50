"""Canned replies: the list with its search, writing one, and the reply form's picker, which
fills one in (htmx) in the ticket customer's language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import CannedFilterForm, CannedForm, ReplyForm
from ..selectors import canned as selectors
from ..selectors import tickets as ticket_selectors
from ..services import canned as services

SORT_LABELS = {"title": gettext_lazy("Title"), "updated": gettext_lazy("Updated")}


@login_required
def canned_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not services.may_keep(user):
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = CannedFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.canned_list(user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("service:canned_list")
    for reply in page:
        reply.can_change = services.may_change(user, reply)  # type: ignore[attr-defined]
    return render(
        request,
        "service/canned_list.html",
        {
            "nav": "tickets",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": bool(filters.get("q") or filters.get("shown") not in (None, "", "all")),
        },
    )


@login_required
def canned_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    reply = selectors.canned_get(user=user, pk=pk) if pk else None
    if (reply is None and not services.may_keep(user)) or (reply and not services.may_change(user, reply)):
        raise PermissionDenied
    initial = (
        {name: getattr(reply, name) for name in CannedForm.base_fields}
        if reply
        else {"team": user.team if not user.is_administrator else None}
    )
    form = CannedForm(request.POST or None, initial=initial)
    can_share = user.is_administrator or services.may_share(user, user.team)
    if not can_share:
        del form.fields["shared"], form.fields["team"]
    if request.method == "POST" and form.is_valid():
        try:
            services.canned_save(actor=user, data=form.canned_input(), reply=reply)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The canned reply was saved."))
            return redirect("service:canned_list")
    return render(
        request,
        "service/canned_form.html",
        {"nav": "tickets", "form": form, "reply": reply, "placeholders": services.PLACEHOLDERS},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    services.canned_delete(actor=user, reply=selectors.canned_get(user=user, pk=pk))
    messages.success(request, _("The canned reply was deleted."))
    return redirect("service:canned_list")


@login_required
@require_GET
def canned_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply box again (htmx swaps it in), with the chosen canned reply added to what was
    typed, in the ticket customer's language and with the ticket's values filled in."""
    user = request_user(request)
    ticket = ticket_selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    body = request.GET.get("body", "")[: services.BODY_MAX_LENGTH * 5]
    if request.GET.get("canned"):
        reply = selectors.canned_get(user=user, pk=request.GET["canned"])
        text = services.canned_render(reply=reply, ticket=ticket, agent=user)
        body = f"{body.rstrip()}\n\n{text}" if body.strip() else text
    form = ReplyForm(initial={"body": body}, addresses={})
    return HttpResponse(form["body"].as_widget())
