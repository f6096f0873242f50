"""The executive dashboard: every chart with its table, each table as CSV
(``?export=<chart key>``), the top customers by lifetime value, the current model and the
runs; a manager starts a run (and a fit) from here and watches its progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core.exports import csv_response
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import RunForm
from ..models import Run
from ..selectors import dashboard as selectors
from ..services import runs


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if not selectors.may_see(user):
        raise PermissionDenied
    if key := request.GET.get("export"):
        return _export(request, key)
    return _render(request, RunForm() if selectors.may_run(user) else None)


def _render(request: HttpRequest, form: RunForm | None, status: int = 200) -> HttpResponse:
    found = selectors.dashboard(user=request_user(request))
    return render(
        request,
        "analytics/dashboard.html",
        {"nav": "analytics", "dashboard": found, "charts": found.charts, "form": form},
        status=status,
    )


def _export(request: HttpRequest, key: str) -> StreamingHttpResponse:
    chart = selectors.dashboard_chart(user=request_user(request), key=key)
    if chart is None:
        raise Http404
    return csv_response(*chart.csv_rows(), f"analytics-{chart.key}-{timezone.localdate().isoformat()}.csv")


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if not selectors.may_run(user):
        raise PermissionDenied
    form = RunForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        runs.run_request(actor=user, data=form.to_input())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render(request, form, status=400)
    messages.success(request, _("The analysis has started; this page shows its progress."))
    return redirect("analytics:dashboard")


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's progress bar, polled by the page while the run goes on."""
    if not selectors.may_see(request_user(request)):
        raise PermissionDenied
    run = get_object_or_404(Run, pk=run_id)
    return render(request, "analytics/_run_progress.html", {"run": run})
