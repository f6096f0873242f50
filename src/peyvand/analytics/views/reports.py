"""The report builder's pages: the saved reports (filtered, sorted, paged), the builder with
its live preview (the form is drawn again by htmx on every change), a report's page with its
pivot and chart, and its exports (CSV through the formula-safe writer, XLSX with real
numbers, PDF with the chart through the invoices' WeasyPrint path)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import jalali, policy
from peyvand.core.exports import csv_response, write_xlsx
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..documents import report_pdf
from ..forms import ReportFilterForm, ReportForm
from ..models import SavedReport
from ..reporting import ENTITIES
from ..selectors import reports as selectors
from ..selectors.reports import Pivot
from ..services import reports as services

SORT_LABELS = {"name": gettext_lazy("Name"), "updated": gettext_lazy("Updated")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_use(request: HttpRequest) -> Any:
    user = request_user(request)
    if not selectors.may_use(user):
        raise PermissionDenied
    return user


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = _require_use(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = ReportFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.report_list(user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("analytics:report_list")
    return render(
        request,
        "analytics/report_list.html",
        {
            "nav": "reports",
            "form": form,
            "page": page,
            "entities": {key: entity.label for key, entity in ENTITIES.items()},
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "entity", "mine")),
        },
    )


def _defaults() -> dict[str, str]:
    return {
        "entity": "deal",
        "measure": "count",
        "rows": "owner",
        "calendar": "jalali" if jalali.uses_jalali() else "gregorian",
        "chart": "bar",
        "visibility": "private",
    }


def _builder(
    request: HttpRequest, form: ReportForm, report: SavedReport | None, status: int = 200
) -> HttpResponse:
    pivot = None
    if form.is_bound and form.is_valid():
        pivot = selectors.run(user=form.user, spec=form.spec, title=form.cleaned_data.get("name") or "")
    return render(
        request,
        "analytics/report_builder.html",
        {"nav": "reports", "form": form, "pivot": pivot, "report": report},
        status=status,
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    user = _require_use(request)
    policy.require_create(user, SavedReport)
    if request.method == "POST":
        return _save(request, ReportForm(request.POST, user=user), None)
    data = request.GET if request.GET.get("entity") else _defaults()
    return _builder(request, ReportForm(data, user=user), None)


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_use(request)
    report = selectors.report_get(user=user, pk=pk)
    policy.require_change(user, report)
    if request.method == "POST":
        return _save(request, ReportForm(request.POST, user=user), report)
    if request.GET.get("entity"):
        return _builder(request, ReportForm(request.GET, user=user), report)
    try:
        chosen = ReportForm.initial_for(selectors.report_spec(report))
    except ValidationError as exc:  # saved by an earlier Peyvand: start the choices over
        messages.warning(request, exc.messages[0])
        chosen = _defaults()
    data = {
        **chosen,
        "name": report.name,
        "visibility": report.visibility,
        "schedule": report.schedule,
    }
    return _builder(request, ReportForm(_as_data(data), user=user), report)


def _as_data(values: dict[str, Any]) -> Any:
    """Initial values as a form's submitted data (dates as typed, lists as lists)."""
    data: Any = {}
    for key, value in values.items():
        if value is None:
            continue
        data[key] = jalali.input_date(value) if hasattr(value, "isoformat") else value
    return data


def _save(request: HttpRequest, form: ReportForm, report: SavedReport | None) -> HttpResponse:
    if not form.is_valid():
        return _builder(request, form, report, status=400)
    try:
        saved = services.report_save(actor=form.user, data=form.report_input(), report=report)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _builder(request, form, report, status=400)
    messages.success(request, _("The report is saved."))
    return redirect("analytics:report_detail", saved.pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _require_use(request)
    report = selectors.report_get(user=user, pk=pk)
    context = {"nav": "reports", "report": report, "can_change": policy.can_change(user, report)}
    try:
        pivot = selectors.report_run(user=user, report=report)
    except ValidationError as exc:  # its settings no longer hold: say so, offer the builder
        return render(request, "analytics/report_detail.html", {**context, "problem": exc.messages[0]})
    wanted = request.GET.get("format") or request.GET.get("export")
    if wanted in ("csv", "report"):
        return _csv(report, pivot)
    if wanted == "xlsx":
        return _xlsx(report, pivot)
    if wanted == "pdf":
        return _pdf(report, pivot)
    return render(request, "analytics/report_detail.html", {**context, "pivot": pivot})


def _filename(report: SavedReport, extension: str) -> str:
    return f"report-{report.pk}-{timezone.localdate().isoformat()}.{extension}"


def _csv(report: SavedReport, pivot: Pivot) -> StreamingHttpResponse:
    return csv_response(*pivot.export(), _filename(report, "csv"))


def _xlsx(report: SavedReport, pivot: Pivot) -> FileResponse:
    header, rows = pivot.export()
    folder = tempfile.mkdtemp(prefix="peyvand-report-")
    path = Path(folder) / "report.xlsx"
    write_xlsx(path, header, rows, rtl=jalali.uses_jalali())
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the file until the response is sent
    Path(folder).rmdir()
    return FileResponse(handle, as_attachment=True, filename=_filename(report, "xlsx"), content_type=XLSX)


def _pdf(report: SavedReport, pivot: Pivot) -> HttpResponse:
    response = HttpResponse(report_pdf(report, pivot, get_language() or "fa"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "pdf")}"'
    return response


@login_required
@require_POST
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_use(request)
    report = selectors.report_get(user=user, pk=pk)
    services.report_delete(actor=user, report=report)
    messages.success(request, _("The report is removed."))
    return redirect("analytics:report_list")
