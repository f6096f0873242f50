from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import hooks, policy
from peyvand.core.converters import choice_id
from peyvand.core.custom_field_forms import (
    CustomFilterForm,
    column_heads,
    column_values,
    list_columns,
    shown_values,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import LocalDateField, add_service_errors
from peyvand.core.http import list_headers, request_user, show_errors
from peyvand.core.list_columns import Column, add_column
from peyvand.core.pagination import InvalidCursor
from peyvand.core.policy import get_visible
from peyvand.core.selectors.custom_fields import custom_sort_ok, definitions_for
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.selectors.users import assignable
from peyvand.core.views.saved import keeps_views
from peyvand.customers import selectors as customer_selectors

from .. import conf
from ..forms import DealForm, LineForm, MoveForm, QuoteForm
from ..models import Deal, DealLine, Outcome, Stage
from ..selectors import billing as billing_selectors
from ..selectors import deals as selectors
from ..services import billing, deals

SORT_LABELS = {
    "close": gettext_lazy("Expected close"),
    "amount": gettext_lazy("Amount"),
    "created": gettext_lazy("Created"),
}
LIST = "sales:deal_list"
# The deals list's columns, in their default order; "pipeline" is there to be chosen.
for _column in (
    Column("title", gettext_lazy("Title"), "sales/columns/deal_title.html"),
    Column("customer", gettext_lazy("Customer"), "sales/columns/deal_customer.html"),
    Column("pipeline", gettext_lazy("Pipeline"), "sales/columns/deal_pipeline.html", shown=False),
    Column("stage", gettext_lazy("Stage"), "sales/columns/deal_stage.html"),
    Column("owner", gettext_lazy("Owner"), "sales/columns/deal_owner.html"),
    Column("close", SORT_LABELS["close"], "sales/columns/deal_close.html", sort="close"),
    Column("amount", SORT_LABELS["amount"], "sales/columns/deal_amount.html", sort="amount"),
    Column("created", SORT_LABELS["created"], "sales/columns/deal_created.html", sort="created"),
):
    add_column(LIST, _column)


def _filters(request: HttpRequest) -> dict[str, Any]:
    filters: dict[str, Any] = {
        name: request.GET.get(name, "") for name in ("q", "pipeline", "stage", "status", "owner", "party")
    }
    for name in ("close_from", "close_to"):
        try:
            filters[name] = LocalDateField(required=False).clean(request.GET.get(name))
        except ValidationError:
            filters[name] = None
    return filters


@keeps_views
@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS or custom_sort_ok(Entity.DEAL, sort) else selectors.DEFAULT_SORT
    filters = _filters(request)
    custom_form = CustomFilterForm(request.GET, entity=Entity.DEAL)
    try:
        page = selectors.deal_list(
            user=user,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
            custom=custom_form.filters(),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:deal_list")
    shown = chosen_columns(user=user, list_name=LIST, page=request.path, requested=request.GET.get("columns"))
    custom_columns = list_columns(custom_form.custom_definitions)
    column_values(custom_columns, page.items)
    return render(
        request,
        "sales/deal_list.html",
        {
            "nav": "deals",
            "custom_form": custom_form,
            "custom_columns": column_heads(custom_columns, sort),
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "filters": {k: request.GET.get(k, "") for k in (*filters, "close_from", "close_to")},
            "columns": list_headers(shown, sort),
            "shown": shown,
            "pipelines": selectors.pipelines(),
            "stages": selectors.all_stages(),
            "statuses": Outcome.choices,
            "owners": assignable(user=user, model=Deal),
            "can_create": policy.can_create(user, Deal),
        },
    )


@login_required
def deal_board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    pipelines = selectors.pipelines()
    if not pipelines:
        messages.info(request, _("There is no pipeline yet; an administrator creates one first."))
        return redirect("sales:deal_list")
    chosen = choice_id(request.GET.get("pipeline"))
    pipeline = next((p for p in pipelines if p.pk == chosen), pipelines[0])
    filters = {"q": request.GET.get("q", ""), "owner": request.GET.get("owner", ""), "status": ""}
    columns = selectors.deal_board(user=user, pipeline=pipeline, filters=filters)
    for column in columns:
        for deal in column.deals:
            # A card the user may not move is not draggable: no drop that ends in a refusal.
            deal.movable = policy.can_change(user, deal)  # type: ignore[attr-defined]
    return render(
        request,
        "sales/deal_board.html",
        {
            "nav": "deals",
            "pipeline": pipeline,
            "pipelines": pipelines,
            "columns": columns,
            "filters": filters,
            "owners": assignable(user=user, model=Deal),
            "base": conf.base_currency(),
            "lost_ids": json.dumps([c.stage.pk for c in columns if c.stage.outcome == Outcome.LOST]),
        },
    )


def _deal_data(form: DealForm, user: Any) -> dict[str, Any]:
    data = {k: v for k, v in form.own_data().items() if k not in ("party",)} | {"custom": form.custom_data()}
    if form.cleaned_data.get("party"):
        try:
            data["party"] = customer_selectors.parties.party_get(user=user, pk=form.cleaned_data["party"])
        except Http404:
            raise ValidationError({"party": [_("Choose a customer you may see.")]}) from None
    if not data.get("amount"):
        data.pop("amount", None)
    for name in ("pipeline", "stage"):
        if data.get(name) is None:
            data.pop(name, None)
    if not data.get("lost_reason"):
        data.pop("lost_reason", None)
    return data


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Deal)
    owners = assignable(user=user, model=Deal)
    party = None
    if choice_id(request.GET.get("party")):
        party = customer_selectors.parties.party_get(user=user, pk=request.GET["party"])
    initial = {
        "owner": user if user in owners else None,
        "party": party.pk if party else None,
        "expected_close": timezone.localdate() + dt.timedelta(days=30),
        "title": _("%(customer)s: new deal") % {"customer": party.display_name} if party else "",
    }
    form = DealForm(
        request.POST or None, owners=owners, allow_nobody=policy.may_own(user, Deal, None), initial=initial
    )
    del form.fields["lost_reason"]
    if request.method == "POST" and form.is_valid():
        try:
            deal = deals.deal_create(actor=user, data=_deal_data(form, user))
        except ValidationError as exc:
            add_service_errors(form, exc, {"pipeline": "stage", **form.error_aliases()})
        else:
            messages.success(request, _("“%(title)s” was created.") % {"title": deal.title})
            return redirect("sales:deal_detail", deal.pk)
    if form.is_bound and form.data.get("party") and choice_id(form.data.get("party")):
        party = customer_selectors.parties.party_get(user=user, pk=form.data["party"])
    return render(
        request,
        "sales/deal_form.html",
        {"nav": "deals", "form": form, "party": party, "title": _("New deal")},
    )


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    policy.require_change(user, deal)
    initial = {name: getattr(deal, name) for name in DealForm.base_fields if name != "party"}
    initial["party"] = deal.party_id
    form = DealForm(
        request.POST or None,
        owners=assignable(user=user, model=Deal),
        allow_nobody=policy.may_own(user, Deal, None),
        initial=initial,
        custom_values=deal.custom,
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = _deal_data(form, user)
            if deal.lines.exists():
                data.pop("amount", None)
            deals.deal_update(deal=deal, actor=user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc, {"pipeline": "stage", **form.error_aliases()})
        else:
            return redirect("sales:deal_detail", deal.pk)
    title = _("Edit “%(title)s”") % {"title": deal.title}
    return render(
        request, "sales/deal_form.html", {"nav": "deals", "form": form, "party": deal.party, "title": title}
    )


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    return render(
        request,
        "sales/deal_detail.html",
        {
            "nav": "deals",
            "deal": deal,
            "lines": selectors.deal_lines(deal=deal),
            "custom_values": shown_values(definitions_for(Entity.DEAL), deal.custom),
            "history": selectors.deal_history(deal=deal),
            "quotes": billing_selectors.deal_quotes(user=user, deal=deal),
            "stages": selectors.pipeline_stages(deal.pipeline),
            "can_change": policy.can_change(user, deal),
            "line_form": LineForm(),
            "quote_form": QuoteForm(),
            "panels": hooks.panels(request, "deal", deal),
        },
    )


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """The form's way to move a deal: the same service the kanban's drag and drop calls."""
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid stage."))
        return redirect("sales:deal_detail", deal.pk)
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=form.cleaned_data["stage"])
    try:
        deals.deal_move_stage(
            deal=deal, stage=stage, actor=user, lost_reason=form.cleaned_data["lost_reason"]
        )
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("sales:deal_detail", deal.pk)


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            deals.deal_line_add(deal=deal, actor=user, data=form.data_for_service())
        except ValidationError as exc:
            show_errors(request, exc)
    else:
        messages.error(request, _("Check the line and try again."))
    return redirect("sales:deal_detail", deal.pk)


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    line = get_visible(user, DealLine.objects.select_related("deal"), pk)
    try:
        deals.deal_line_remove(line=line, actor=user)
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("sales:deal_detail", line.deal_id)


@login_required
@require_POST
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    form = QuoteForm(request.POST)
    if form.is_valid():
        try:
            quote = billing.quote_create(
                deal=deal,
                actor=user,
                valid_until=form.cleaned_data["valid_until"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            return redirect("sales:quote_detail", quote.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("sales:deal_detail", deal.pk)


@login_required
@require_POST
def deal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deal = selectors.deal_get(user=user, pk=pk)
    deals.deal_delete(deal=deal, actor=user)
    messages.success(request, _("“%(title)s” was moved to the trash.") % {"title": deal.title})
    return redirect("sales:deal_list")
