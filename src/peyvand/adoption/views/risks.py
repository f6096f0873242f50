"""The risk register: the list with its filters and heat map, writing a risk, and adding the
checklist of seed [004]."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import RiskFilterForm, RiskForm
from ..models import Risk
from ..selectors import assessments as assessment_selectors
from ..selectors import risks as selectors
from ..services import risks as services

SORT_LABELS = {
    "score": gettext_lazy("Score"),
    "likelihood": gettext_lazy("Likelihood"),
    "impact": gettext_lazy("Impact"),
    "updated": gettext_lazy("Updated"),
}


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = RiskFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.risk_list(user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:risk_list")
    return render(
        request,
        "adoption/risk_list.html",
        {
            "nav": "adoption",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "group", "status", "owner", "min_score")),
            "heat": selectors.heat_map(user=user, filters=filters),
            "can_create": policy.can_create(user, Risk),
        },
    )


@login_required
def risk_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    risk = selectors.risk_get(user=user, pk=pk) if pk else None
    if risk is None:
        policy.require_create(user, Risk)
    else:
        policy.require_change(user, risk)
    initial = {name: getattr(risk, name) for name in RiskForm.base_fields} if risk else {}
    form = RiskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_save(actor=user, data=form.risk_input(), risk=risk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The risk was saved."))
            return redirect("adoption:risk_list")
    return render(
        request,
        "adoption/risk_form.html",
        {"nav": "adoption", "form": form, "risk": risk},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def risks_standard(request: HttpRequest) -> HttpResponse:
    added = services.risks_add_standard(actor=request_user(request))
    messages.success(
        request,
        ngettext(
            "%(count)d risk of the checklist was added.",
            "%(count)d risks of the checklist were added.",
            added,
        )
        % {"count": added},
    )
    return redirect("adoption:risk_list")
