"""The business case: the list, writing a case, its page with the figures (NPV, IRR, payback),
the cash-flow and tornado charts with their tables, and adding, changing or removing its lines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import jalali, policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import AssumptionForm, BusinessCaseFilterForm, BusinessCaseForm, CaseLineForm
from ..models import BusinessCase
from ..selectors import assessments as assessment_selectors
from ..selectors import business as selectors
from ..services import business as services

SORT_LABELS = {"title": gettext_lazy("Title"), "updated": gettext_lazy("Updated")}


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = BusinessCaseFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.case_list(user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:case_list")
    return render(
        request,
        "adoption/case_list.html",
        {
            "nav": "adoption",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "currency")),
            "can_create": policy.can_create(user, BusinessCase),
        },
    )


@login_required
def case_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk) if pk else None
    if case is None:
        policy.require_create(user, BusinessCase)
        initial = {}
    else:
        policy.require_change(user, case)
        initial = {
            "title": case.title,
            "currency": case.currency,
            "horizon_years": str(case.horizon_years),
            "discount_rate": format(case.discount_rate.normalize(), "f"),
            "sensitivity": format(case.sensitivity.normalize(), "f"),
            "notes": case.notes,
        }
    form = BusinessCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_save(actor=user, data=form.case_input(), case=case)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The business case was saved."))
            return redirect("adoption:case_detail", case.pk)
    return render(
        request,
        "adoption/case_form.html",
        {"nav": "adoption", "form": form, "case": case},
        status=422 if form.errors else 200,
    )


def _detail(
    request: HttpRequest,
    case: BusinessCase,
    line_form: CaseLineForm,
    status: int = 200,
    assumption_form: AssumptionForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    lines = selectors.case_lines(case)
    found = selectors.figures(case, lines)
    persian = jalali.uses_jalali()
    chart = selectors.cash_chart(case, found)
    return render(
        request,
        "adoption/case_detail.html",
        {
            "nav": "adoption",
            "case": case,
            "lines": lines,
            "figures": found,
            "years": list(
                zip(chart.labels, found.benefits, found.costs, found.cash, found.cumulative, strict=True)
            ),
            "chart": chart,
            "chart_data": chart.payload(),
            "tornado": selectors.tornado_payload(
                case, found, rtl=persian, locale="fa-IR" if persian else "en-US"
            ),
            "tornado_rems": 6 + 2 * len(found.swings),
            "line_form": line_form,
            "assumptions": selectors.assumption_rows(case),
            "assumption_form": assumption_form or AssumptionForm(),
            "can_change": policy.can_change(user, case),
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request_user(request), pk=pk)
    return _detail(request, case, CaseLineForm(case=case))


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    form = CaseLineForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.line_save(actor=user, case=case, data=form.line_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The line was added."))
            return redirect("adoption:case_detail", case.pk)
    return _detail(request, case, form, status=422)


@login_required
def line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    line = get_object_or_404(case.lines, pk=line_pk)
    initial = {
        "kind": line.kind,
        "category": line.category,
        "label": line.label,
        "amount": format(line.amount.normalize(), "f"),
        "growth": format(line.growth.normalize(), "f"),
        "one_off": line.one_off,
        "assumption": line.assumption_id,
        "per_unit": "" if line.per_unit is None else format(line.per_unit.normalize(), "f"),
    }
    form = CaseLineForm(request.POST or None, initial=initial, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.line_save(actor=user, case=case, data=form.line_input(), line=line)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The line was saved."))
            return redirect("adoption:case_detail", case.pk)
    return render(
        request,
        "adoption/line_form.html",
        {"nav": "adoption", "form": form, "case": case, "line": line},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    services.line_delete(actor=user, line=get_object_or_404(case.lines, pk=line_pk))
    messages.success(request, _("The line was removed."))
    return redirect("adoption:case_detail", case.pk)


@login_required
@require_POST
def assumption_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    form = AssumptionForm(request.POST)
    if form.is_valid():
        try:
            services.assumption_save(actor=user, case=case, data=form.assumption_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assumption was added."))
            return redirect("adoption:case_detail", case.pk)
    return _detail(request, case, CaseLineForm(case=case), status=422, assumption_form=form)


@login_required
def assumption_edit(request: HttpRequest, pk: int, assumption_pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    assumption = get_object_or_404(case.assumptions, pk=assumption_pk)
    initial = {
        "label": assumption.label,
        "value": format(assumption.value.normalize(), "f"),
        "metric": assumption.metric,
        "months": str(assumption.months),
    }
    form = AssumptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assumption_save(
                actor=user, case=case, data=form.assumption_input(), assumption=assumption
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assumption was saved."))
            return redirect("adoption:case_detail", case.pk)
    return render(
        request,
        "adoption/assumption_form.html",
        {"nav": "adoption", "form": form, "case": case, "assumption": assumption},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def assumption_adopt(request: HttpRequest, pk: int, assumption_pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    try:
        services.assumption_adopt(
            actor=user, assumption=get_object_or_404(case.assumptions, pk=assumption_pk)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The measured value was adopted."))
    return redirect("adoption:case_detail", case.pk)


@login_required
@require_POST
def assumption_delete(request: HttpRequest, pk: int, assumption_pk: int) -> HttpResponse:
    user = request_user(request)
    case = selectors.case_get(user=user, pk=pk)
    policy.require_change(user, case)
    services.assumption_delete(actor=user, assumption=get_object_or_404(case.assumptions, pk=assumption_pk))
    messages.success(request, _("The assumption was removed."))
    return redirect("adoption:case_detail", case.pk)
