"""Service contracts: the list, a new one (from a customer's page or the list), changing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.selectors import parties as customer_selectors

from ..forms import ContractFilterForm, ContractForm
from ..models import ServiceContract, WorkOrder
from ..selectors import field as selectors
from ..services import contracts as services

SORT_LABELS = {"ends": gettext_lazy("Ends")}


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sort = request.GET.get("sort") or "-ends"
    sort = sort if sort in selectors.CONTRACT_SORTS else "-ends"
    form = ContractFilterForm(request.GET or None)
    try:
        page = selectors.contract_list(
            user=user,
            filters=form.filters() if request.GET else {},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("service:contract_list")
    return render(
        request,
        "service/contract_list.html",
        {
            "nav": "field",
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, ServiceContract),
        },
    )


@login_required
def contract_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    contract = selectors.contract_get(user=user, pk=pk) if pk is not None else None
    if contract is None:
        policy.require_create(user, ServiceContract)
    can_change = contract is None or policy.can_change(user, contract)
    party = None
    wanted = request.POST.get("party") or request.GET.get("party")
    if contract is None and choice_id(wanted):
        party = customer_selectors.party_get(user=user, pk=wanted)
    initial: dict[str, Any] = {"party": party.pk if party else None}
    if contract is not None:
        initial.update(
            {name: getattr(contract, name) for name in services.CONTRACT_FIELDS if name != "party"}
        )
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if contract is not None:
            policy.require_change(user, contract)
        if form.is_valid():
            try:
                saved = services.contract_save(actor=user, data=form.contract_input(party), contract=contract)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The contract was saved."))
                return redirect("service:contract_edit", saved.pk)
    visits = (
        list(policy.visible(user, WorkOrder.objects.filter(contract=contract)).order_by("-created_at")[:20])
        if contract
        else []
    )
    return render(
        request,
        "service/contract_form.html",
        {
            "nav": "field",
            "form": form,
            "contract": contract,
            "party": party,
            "can_change": can_change,
            "visits": visits,
            "used": services.hours_used(contract) if contract else None,
        },
    )


@login_required
@require_POST
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    contract = selectors.contract_get(user=user, pk=pk)
    services.contract_delete(actor=user, contract=contract)
    messages.success(request, _("The contract was moved to the trash."))
    return redirect("service:contract_list")
