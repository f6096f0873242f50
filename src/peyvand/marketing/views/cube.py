"""The strategy cube (issue 11): which offer on which channel works for which segment.

A filter form (the period, typed in Jalali in Persian; the segments to compare; the channel;
the figure that colours the heat), the heat table segments × offers, the bar chart of revenue
by segment per channel with its table, and the whole cube as CSV.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
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
from peyvand.core.models import Scope, User

from ..models import Segment
from ..selectors import cube as selectors

# The figures that may colour the heat table.
HEATS = {
    "revenue": gettext_lazy("Revenue"),
    "buyers": gettext_lazy("Customers who bought the offer"),
    "conversion": gettext_lazy("Bought the offer, of those contacted (%)"),
}
MAX_DAYS = 3653  # ten years


class CubeFilterForm(BootstrapMixin, forms.Form):
    date_from = LocalDateField(label=gettext_lazy("From"), required=False)
    date_to = LocalDateField(label=gettext_lazy("To"), required=False)
    segments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Segments to compare"),
        queryset=Segment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("Up to ten; the first five when none is chosen."),
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    heat = forms.ChoiceField(label=gettext_lazy("Colour by"), required=False, choices=list(HEATS.items()))

    def __init__(self, *args: Any, segments: QuerySet[Segment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = segments  # type: ignore[attr-defined]
        self.fields["channel"].choices = selectors.channel_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the range comes before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_from", _("Choose a range of at most ten years."))
        if len(data.get("segments") or []) > selectors.MAX_SEGMENTS:
            self.add_error("segments", _("Choose at most ten segments."))
        return data

    def _data(self) -> dict[str, Any]:
        """The fields that are valid (an invalid one is left out, and takes its default)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def choice(self, name: str, default: str) -> str:
        return str(self._data().get(name) or default)

    def filters(self, segments: QuerySet[Segment], *, today: dt.date | None = None) -> selectors.CubeFilters:
        """What was asked for; what is missing or invalid takes the default (the last twelve
        months, the first five segments)."""
        today = today or timezone.localdate()
        default = selectors.default_filters(today=today)
        data = self._data()
        dates_ok = "date_from" not in self.errors and "date_to" not in self.errors
        start = data.get("date_from") if dates_ok else None
        end = data.get("date_to") if dates_ok else None
        if start and not end:
            end = max(start, today)
        elif end and not start:
            start = charts.months_back(end, 11)
        chosen = list(data.get("segments") or [])
        ids = tuple(s.pk for s in chosen) or tuple(
            segments.values_list("pk", flat=True)[: selectors.DEFAULT_SEGMENTS]
        )
        return selectors.CubeFilters(start=start or default.start, end=end or default.end, segment_ids=ids)


def _require(user: User) -> None:
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        raise PermissionDenied


def _alpha(value: float, top: float) -> str:
    """The heat of a cell, 0 to 0.85, as CSS reads it (a dot, whatever the language)."""
    return f"{0.85 * value / top:.2f}" if top > 0 and value > 0 else "0"


def _heat_value(cell: selectors.Cell, heat: str) -> float:
    if heat == "buyers":
        return float(cell.buyers)
    if heat == "conversion":
        return cell.conversion or 0.0
    return float(cell.revenue)


def _table(cube: selectors.Cube, channel: str, heat: str) -> list[dict[str, Any]]:
    """The heat table's rows: a segment with its reach on the channel, and a cell per offer."""
    grid = [
        (segment, [cube.cell(segment.pk, offer.key, channel) for offer in cube.offers])
        for segment in cube.segments
    ]
    top = max((_heat_value(c, heat) for _segment, cells in grid for c in cells), default=0.0)
    rows = []
    for segment, cells in grid:
        first = cells[0] if cells else selectors.Cell()
        rows.append(
            {
                "segment": segment,
                "contacts": first.contacts,
                "responders": first.responders,
                "cells": [
                    {
                        "revenue": charts.format_value(float(c.revenue), "count"),
                        "buyers": charts.format_value(c.buyers, "count"),
                        "conversion": charts.format_value(c.conversion, "percent"),
                        "alpha": _alpha(_heat_value(c, heat), top),
                    }
                    for c in cells
                ],
            }
        )
    return rows


@login_required
@require_GET
def strategy_cube(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    _require(user)
    segments = selectors.cube_segments(user=user)
    form = CubeFilterForm(request.GET or None, segments=segments)
    filters = form.filters(segments)
    channel = form.choice("channel", selectors.ALL)
    heat = form.choice("heat", "revenue")
    cube = selectors.strategy_cube(user=user, filters=filters)
    chart = selectors.revenue_chart(cube)
    if key := request.GET.get("export"):
        if key == "cube":
            rows = [[*row[:-1], Decimal(row[-1]).quantize(Decimal("0.01"))] for row in cube.rows()]
            return csv_response(cube.header(), rows, "strategy-cube.csv")
        if key == chart.key:
            return csv_response(*chart.csv_rows(), "strategy-cube-revenue.csv")
        raise Http404
    if not form.is_bound:
        form = CubeFilterForm(
            initial={
                "date_from": filters.start,
                "date_to": filters.end,
                "segments": list(filters.segment_ids),
                "channel": channel,
                "heat": heat,
            },
            segments=segments,
        )
    labels = dict(cube.channels)
    return render(
        request,
        "marketing/strategy_cube.html",
        {
            "nav": "strategy_cube",
            "form": form,
            "cube": cube,
            "channel_label": labels.get(channel, ""),
            "heat_label": HEATS.get(heat, HEATS["revenue"]),
            "rows": _table(cube, channel, heat),
            "chart": chart,
        },
    )
