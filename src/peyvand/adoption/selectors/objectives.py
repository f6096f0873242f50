"""Objectives as the project team reads them: where each stands against its target and the
time gone, and its trend as a chart beside its table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy
from peyvand.core.charts import Chart, Series, format_value
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..metrics import METRICS, Metric
from ..models import Objective

# Behind by more than this share of the target, for the time gone: off track.
SLACK = 0.1


@dataclass(frozen=True)
class Standing:
    objective: Objective
    metric: Metric
    progress: float | None  # 0 at the start (or the baseline), 1 at the target
    expected: float  # the share of the time gone
    state: str  # not_started, on_track, off_track, achieved, missed, no_data

    @property
    def percent(self) -> int:
        return max(0, min(100, round((self.progress or 0) * 100)))

    @property
    def label(self) -> str:
        return str(STATES[self.state])

    @property
    def expected_percent(self) -> int:
        return round(self.expected * 100)

    def shown(self, value: float | None) -> str:
        return format_value(value, _format(self.metric), decimals=1) if value is not None else "—"

    @property
    def scope_label(self) -> str:
        """What the figure is limited to, beside the metric's name: team, segment, channel."""
        objective = self.objective
        parts = [str(objective.team)] if objective.team else []
        if objective.segment:
            parts.append(objective.segment.name)
        if objective.channel:
            parts.append(str(dict(self.metric.channels.choices).get(objective.channel, objective.channel)))
        return " · ".join(parts)

    @property
    def shown_baseline(self) -> str:
        return self.shown(self.objective.baseline_value)

    @property
    def shown_current(self) -> str:
        return self.shown(self.objective.current_value)

    @property
    def shown_target(self) -> str:
        return self.shown(float(self.objective.target))


def _format(metric: Metric) -> Any:
    return "count" if metric.format == "money" else metric.format  # Rial: whole numbers


STATES = {
    "not_started": _("Not started"),
    "on_track": _("On track"),
    "off_track": _("Off track"),
    "achieved": _("Achieved"),
    "missed": _("Missed"),
    "no_data": _("Nothing to measure yet"),
}


def standing(objective: Objective, *, today: dt.date | None = None) -> Standing:
    today = today or timezone.localdate()
    metric = METRICS[objective.metric]
    span = max((objective.due_on - objective.starts_on).days, 1)
    expected = min(max((today - objective.starts_on).days / span, 0.0), 1.0)
    target = float(objective.target)
    current, baseline = objective.current_value, objective.baseline_value
    progress: float | None
    if current is None:
        progress = None
    elif metric.cumulative:
        progress = current / target if target else (1.0 if current <= 0 else 0.0)
    elif baseline is None or target == baseline:
        better = current <= target if metric.lower_is_better else current >= target
        progress = 1.0 if better else 0.0
    else:
        progress = (current - baseline) / (target - baseline)
    if today < objective.starts_on:
        state = "not_started"
    elif progress is None:
        state = "no_data"
    elif progress >= 1 and not (metric.cumulative and metric.lower_is_better):
        state = "achieved"
    elif metric.cumulative and metric.lower_is_better:
        # Fewer is better (complaints): on track while what came so far stays under the
        # target's share for the time gone; missed once over it.
        state = "missed" if progress > 1 else ("off_track" if progress > expected + SLACK else "on_track")
        if today > objective.due_on and progress <= 1:
            state = "achieved"
    elif today > objective.due_on:
        state = "missed"
    else:
        state = "on_track" if progress >= expected - SLACK else "off_track"
    return Standing(objective, metric, progress, expected, state)


def objective_list(*, user: User) -> list[Standing]:
    objectives = policy.visible(user, Objective.objects.select_related("team", "owner", "segment"))
    return [standing(objective) for objective in objectives.order_by("due_on", "id")]


def objective_page(
    *, user: User, metric: str | None = None, cursor: str | None = None, limit: int = 25
) -> Page[Objective]:
    """The objectives by deadline, a page at a time (the API's list)."""
    objectives = policy.visible(user, Objective.objects.select_related("team", "owner", "segment"))
    if metric:
        objectives = objectives.filter(metric=metric)
    return keyset_page(objectives, order=["due_on", "id"], cursor=cursor, limit=limit)


def objective_get(*, user: User, pk: Any) -> Objective:
    return policy.get_visible(user, Objective.objects.select_related("team", "owner", "segment"), pk)


def measures(objective: Objective) -> QuerySet[Any]:
    return objective.measures.order_by("measured_on")


def trend_chart(objective: Objective) -> Chart:
    """The measurements so far, beside the target (and the baseline), day by day."""
    rows = list(measures(objective))
    metric = METRICS[objective.metric]
    labels = tuple(jalali.format_date(row.measured_on) for row in rows)
    series = [Series(str(metric.label), tuple(row.value for row in rows), format=_format(metric))]
    series.append(
        Series(_("Target"), tuple(float(objective.target) for _row in rows), format=_format(metric))
    )
    if objective.baseline_value is not None and not metric.cumulative:
        series.append(
            Series(_("Baseline"), tuple(objective.baseline_value for _row in rows), format=_format(metric))
        )
    return Chart(
        key="trend",
        title=_("How it went"),
        kind="line",
        labels=labels,
        series=tuple(series),
        label_heading=_("Day"),
        note=_("Measured every day by the worker, from the objective's start to the day measured."),
    )
