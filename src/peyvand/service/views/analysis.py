"""The service analysis page: each module of the desk analysed, a chart and a table for
each, and every table as CSV (``?export=<chart key>``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from peyvand.core import policy
from peyvand.core.exports import csv_response
from peyvand.core.http import request_user
from peyvand.core.models import Scope, User

from ..forms import AnalysisFilterForm
from ..selectors import analysis as selectors


@login_required
def ticket_analysis(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if policy.scope(user, "ticket", "view") == Scope.NONE:
        raise PermissionDenied
    form = AnalysisFilterForm(request.GET or None)
    filters = form.filters()
    if key := request.GET.get("export"):
        return _export(user, key, filters)
    if not form.is_bound:
        form = AnalysisFilterForm(initial={"date_from": filters.start, "date_to": filters.end})
    found = selectors.analysis(user=user, filters=filters)
    return render(
        request,
        "service/analysis.html",
        {"nav": "service-analysis", "form": form, "analysis": found, "charts": found.charts},
    )


def _export(user: User, key: str, filters: selectors.AnalysisFilters) -> StreamingHttpResponse:
    """One chart's table as CSV, counted alone (the other sections are not)."""
    chart = selectors.analysis_chart(user=user, filters=filters, key=key)
    if chart is None:
        raise Http404
    name = f"tickets-{chart.key}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return csv_response(*chart.csv_rows(), name)
