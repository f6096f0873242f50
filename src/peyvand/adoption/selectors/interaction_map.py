"""The customer interaction map of the situation analysis (seed [004]): the touchpoints
actually logged, counted per lifecycle stage and channel over a date range.

The stage is either the one people set on the customer (suspect, prospect, customer, former
customer) or the lifecycle stage the analytics work out from purchases (not bought yet, new,
developing, established, slipping away, lapsed; "not analysed" where no run has placed the
customer yet). Only the interactions the reader may see are counted, and not deleted ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series
from peyvand.core.models import User
from peyvand.customers.models import LifecycleStage, Stage
from peyvand.interactions.models import Channel, Interaction

from ..metrics import _window

By = Literal["stage", "lifecycle"]
BYS: tuple[str, ...] = ("stage", "lifecycle")
UNPLACED = ""


@dataclass(frozen=True)
class InteractionMap:
    start: dt.date
    end: dt.date
    by: str
    stages: tuple[tuple[str, str], ...]  # (value, label), in the lifecycle's order
    channels: tuple[tuple[str, str], ...]  # the channels with at least one touchpoint
    counts: dict[tuple[str, str], int]

    def count(self, stage: str, channel: str) -> int:
        return self.counts.get((stage, channel), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def top(self) -> int:
        return max(self.counts.values(), default=0)

    def stage_total(self, stage: str) -> int:
        return sum(n for (s, _c), n in self.counts.items() if s == stage)

    def channel_total(self, channel: str) -> int:
        return sum(n for (_s, c), n in self.counts.items() if c == channel)


def _stages(by: str) -> tuple[tuple[str, str], ...]:
    if by == "lifecycle":
        return (*((str(v), str(label)) for v, label in LifecycleStage.choices), (UNPLACED, _("Not analysed")))
    return tuple((str(v), str(label)) for v, label in Stage.choices)


def interaction_map(*, user: User, start: dt.date, end: dt.date, by: str = "stage") -> InteractionMap:
    by = by if by in BYS else "stage"
    field = "party__insight__lifecycle_stage" if by == "lifecycle" else "party__stage"
    low, high = _window(start, end)
    rows = (
        policy.visible(user, Interaction.objects.filter(occurred_at__gte=low, occurred_at__lt=high))
        .values(field, "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row[field] or UNPLACED, row["channel"])
        counts[key] = counts.get(key, 0) + row["n"]
    used = {channel for _stage, channel in counts}
    channels = tuple((str(v), str(label)) for v, label in Channel.choices if v in used)
    return InteractionMap(start, end, by, _stages(by), channels, counts)


def interaction_chart(found: InteractionMap) -> Chart:
    """Touchpoints per stage, stacked by channel, with the same figures as a table."""
    return Chart(
        key="touchpoints",
        title=_("Touchpoints by stage and channel"),
        kind="stacked",
        labels=tuple(label for _value, label in found.stages),
        series=tuple(
            Series(name=label, values=tuple(float(found.count(stage, channel)) for stage, _l in found.stages))
            for channel, label in found.channels
        ),
        label_heading=_("Stage"),
        unit=_("touchpoints"),
        note=_("Interactions logged in the period, by the customer's stage and the channel."),
    )
