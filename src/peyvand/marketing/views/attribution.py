"""The marketing analysis of attribution: campaigns and programmes side by side, each with
the leads, deals, orders and revenue owed to it as the first touch and as the last."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from peyvand.core import charts, policy
from peyvand.core.exports import csv_response
from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.http import request_user
from peyvand.core.models import Scope
from peyvand.sales import conf as sales_conf

from ..selectors import attribution as selectors

DEFAULT_DAYS = 90
MAX_DAYS = 3653
CHART_ROWS = 10


class AttributionFilterForm(BootstrapMixin, forms.Form):
    date_from = LocalDateField(label=gettext_lazy("From"), required=False)
    date_to = LocalDateField(label=gettext_lazy("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the range comes before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_from", _("Choose a range of at most ten years."))
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The days asked for; what is missing or invalid: the last 90 days."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("date_to") or today
        start = data.get("date_from") or end - dt.timedelta(days=DEFAULT_DAYS)
        return start, end


def _moment(day: dt.date, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    return timezone.make_aware(moment)


def _chart(rows: list[selectors.Row]) -> charts.Chart:
    top = rows[:CHART_ROWS]
    return charts.Chart(
        key="attribution",
        title=_("Revenue by first and last touch"),
        kind="bar",
        labels=tuple(row.name for row in top),
        series=(
            charts.Series(_("First touch"), tuple(float(row.attribution.first.revenue) for row in top)),
            charts.Series(_("Last touch"), tuple(float(row.attribution.last.revenue) for row in top)),
        ),
        label_heading=_("Campaign or programme"),
        unit=sales_conf.base_currency(),
    )


@login_required
@require_GET
def attribution(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        raise PermissionDenied
    form = AttributionFilterForm(request.GET or None)
    start, end = form.period(timezone.localdate())
    rows, unconverted = selectors.comparison(user=user, since=_moment(start), until=_moment(end, end=True))
    chart = _chart(rows)
    if key := request.GET.get("export"):
        if key != "table":
            raise Http404
        header = [
            _("Campaign or programme"),
            *(
                f"{side}: {what}"
                for side in (_("First touch"), _("Last touch"))
                for what in (_("Leads"), _("Deals"), _("Orders"), _("Revenue"))
            ),
        ]
        lines = [
            [
                row.name,
                *(
                    value
                    for credit in (row.attribution.first, row.attribution.last)
                    for value in (credit.leads, credit.deals, credit.orders, credit.revenue)
                ),
            ]
            for row in rows
        ]
        return csv_response(header, lines, "attribution.csv")
    if not form.is_bound:
        form = AttributionFilterForm(initial={"date_from": start, "date_to": end})
    return render(
        request,
        "marketing/attribution.html",
        {
            "nav": "attribution",
            "form": form,
            "rows": rows,
            "start": start,
            "end": end,
            "unconverted": unconverted,
            "chart": chart,
            "currency": sales_conf.base_currency(),
        },
    )
