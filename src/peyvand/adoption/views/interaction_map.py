"""The customer interaction map of the situation analysis: a date range (typed in Jalali in
Persian), the stage to group by, the heat table stages × channels, and the stacked bar chart
with its table (and CSV)."""

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

from peyvand.core import charts
from peyvand.core.exports import csv_response
from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.http import request_user

from ..selectors import assessments as assessment_selectors
from ..selectors import interaction_map as selectors

MAX_DAYS = 3653  # ten years
BY_CHOICES = [
    ("stage", gettext_lazy("The customer's stage")),
    ("lifecycle", gettext_lazy("The lifecycle stage (from purchases)")),
]


class MapFilterForm(BootstrapMixin, forms.Form):
    date_from = LocalDateField(label=gettext_lazy("From"), required=False)
    date_to = LocalDateField(label=gettext_lazy("To"), required=False)
    by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=BY_CHOICES, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the range comes before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_from", _("Choose a range of at most ten years."))
        return data

    def chosen(self, today: dt.date) -> tuple[dt.date, dt.date, str]:
        """The range and grouping asked for; what is missing or invalid takes its default
        (the last twelve months, by the customer's stage)."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = getattr(self, "cleaned_data", {})
        dates_ok = "date_from" not in self.errors and "date_to" not in self.errors
        start = data.get("date_from") if dates_ok else None
        end = data.get("date_to") if dates_ok else None
        if start and not end:
            end = max(start, today)
        end = end or today
        start = start or charts.months_back(end, 11)
        return start, end, str(data.get("by") or "stage")


def _alpha(value: int, top: int) -> str:
    return f"{0.85 * value / top:.2f}" if top > 0 and value > 0 else "0"


@login_required
@require_GET
def interaction_map(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    form = MapFilterForm(request.GET or None)
    start, end, by = form.chosen(timezone.localdate())
    found = selectors.interaction_map(user=user, start=start, end=end, by=by)
    chart = selectors.interaction_chart(found)
    if key := request.GET.get("export"):
        if key != chart.key:
            raise Http404
        return csv_response(*chart.csv_rows(), "interaction-map.csv")
    if not form.is_bound:
        form = MapFilterForm(initial={"date_from": start, "date_to": end, "by": by})
    rows = [
        {
            "value": stage,
            "label": label,
            "total": found.stage_total(stage),
            "cells": [
                {
                    "channel": channel,
                    "count": found.count(stage, channel),
                    "alpha": _alpha(found.count(stage, channel), found.top),
                }
                for channel, _label in found.channels
            ],
        }
        for stage, label in found.stages
    ]
    return render(
        request,
        "adoption/interaction_map.html",
        {
            "nav": "adoption",
            "form": form,
            "found": found,
            "rows": rows,
            "channel_totals": [found.channel_total(c) for c, _l in found.channels],
            "chart": chart,
        },
        status=422 if form.is_bound and form.errors else 200,
    )
