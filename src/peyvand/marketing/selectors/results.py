"""What a control group and an A/B test show: the campaign's lift over the customers held
out, and each variant's figures.

Lift compares everyone the campaign meant to reach (queued, delivered or not) with the
control group, over the same period (the attribution window from the campaign's start):
- bought: placed an order (not cancelled) dated in the window;
- replied or bought: that, or wrote on the campaign's channel in the window (clicks are left
  out: the control group had nothing to click);
- revenue per customer: their orders in the window, in the base currency at the rate of the
  day the campaign started, divided by the group's size.
The difference of two rates comes with its 95 % confidence interval (the normal
approximation: d ± 1.96 · √(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂)); the campaign made a measurable
difference when the interval of "bought" lies wholly above zero.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from peyvand.core import charts
from peyvand.interactions.models import Direction, Interaction, OutboundMessage
from peyvand.sales.services.common import rate_on

from ..models import Campaign, Channel, Criterion, Recipient
from .campaigns import _orders, _replies, _window

State = Recipient.State
Z95 = 1.959964


# --- A/B test -----------------------------------------------------------------------------


@dataclass
class VariantFigures:
    variant: str
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0

    def count(self, criterion: str) -> int:
        if criterion == Criterion.OPENS:
            return self.opened
        return self.clicked if criterion == Criterion.CLICKS else self.replied

    def rate(self, criterion: str) -> float | None:
        return 100.0 * self.count(criterion) / self.sent if self.sent else None


def ab_figures(*, campaign: Campaign) -> dict[str, VariantFigures]:
    """Each variant's sample: sent (queued), delivered, opened, clicked, replied; one query."""
    found = {variant: VariantFigures(variant) for variant in ("a", "b")}
    window = _window(campaign)
    end = window[1] if window else timezone.now()
    rows = (
        Recipient.objects.filter(campaign=campaign, in_test=True, state=State.QUEUED)
        .values("variant")
        .annotate(
            sent=Count("id"),
            delivered=Count("id", filter=Q(delivery=OutboundMessage.Status.SENT)),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            clicked=Count("id", filter=Q(clicked_at__isnull=False)),
            replied=Count("id", filter=Q(Exists(_replies(campaign, end)))),
        )
        .order_by()
    )
    for row in rows:
        variant = row["variant"]
        if variant in found:
            found[variant] = VariantFigures(
                variant, row["sent"], row["delivered"], row["opened"], row["clicked"], row["replied"]
            )
    return found


def winner_of(figures: dict[str, VariantFigures], criterion: str) -> str:
    """B when its rate is strictly higher than A's; A otherwise (a tie included)."""
    a, b = figures["a"], figures["b"]
    if not b.sent:
        return "a"
    if not a.sent:
        return "b" if b.count(criterion) else "a"
    return "b" if b.count(criterion) * a.sent > a.count(criterion) * b.sent else "a"


def criteria_for(channel: str, *, track_opens: bool, track_links: bool) -> list[str]:
    """The criteria a campaign can measure: opens only with the pixel of an email, clicks only
    with tracked links; replies always."""
    found = []
    if channel == Channel.EMAIL and track_opens:
        found.append(Criterion.OPENS.value)
    if track_links:
        found.append(Criterion.CLICKS.value)
    found.append(Criterion.REPLIES.value)
    return found


def ab_chart(*, campaign: Campaign, figures: dict[str, VariantFigures]) -> charts.Chart:
    """A's and B's rates side by side, a bar per measure."""
    measures = [
        *(
            [(Criterion.OPENS, pgettext("an email", "Opened"))]
            if Criterion.OPENS
            in criteria_for(campaign.channel, track_opens=campaign.track_opens, track_links=True)
            else []
        ),
        (Criterion.CLICKS, _("Clicked")),
        (Criterion.REPLIES, _("Replied")),
    ]
    return charts.Chart(
        key="abtest",
        title=_("A/B test: share of each sample"),
        kind="bar",
        labels=tuple(str(label) for _c, label in measures),
        series=tuple(
            charts.Series(
                str(name),
                tuple(figures[variant].rate(criterion) for criterion, _l in measures),
                format="percent",
            )
            for variant, name in (("a", _("Variant A")), ("b", _("Variant B")))
        ),
        label_heading=_("Measure"),
        unit="%",
    )


# --- control group and lift ---------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """Two rates (percent), their difference and its 95 % interval (percentage points)."""

    first: float
    second: float
    difference: float
    low: float
    high: float


def proportion_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> Difference | None:
    """x₁/n₁ − x₂/n₂ with its confidence interval (normal approximation); None without both."""
    if not n1 or not n2:
        return None
    p1, p2 = x1 / n1, x2 / n2
    spread = z * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    d = p1 - p2
    return Difference(100 * p1, 100 * p2, 100 * d, 100 * (d - spread), 100 * (d + spread))


@dataclass
class Group:
    size: int = 0
    bought: int = 0
    responded: int = 0
    revenue: Decimal = Decimal(0)

    @property
    def revenue_each(self) -> Decimal | None:
        return (self.revenue / self.size).quantize(Decimal("0.01")) if self.size else None


@dataclass
class Lift:
    sent: Group
    control: Group
    window_start: dt.date
    window_end: dt.date
    unconverted: list[str] = field(default_factory=list)

    @property
    def bought(self) -> Difference | None:
        return proportion_difference(self.sent.bought, self.sent.size, self.control.bought, self.control.size)

    @property
    def responded(self) -> Difference | None:
        return proportion_difference(
            self.sent.responded, self.sent.size, self.control.responded, self.control.size
        )

    @property
    def revenue_difference(self) -> Decimal | None:
        if self.sent.revenue_each is None or self.control.revenue_each is None:
            return None
        return self.sent.revenue_each - self.control.revenue_each

    @property
    def verdict(self) -> str:
        """ "better", "worse" (the interval of "bought" above or below zero) or "unclear"."""
        found = self.bought
        if found is None:
            return "unclear"
        if found.low > 0:
            return "better"
        if found.high < 0:
            return "worse"
        return "unclear"

    @property
    def verdict_text(self) -> str:
        if self.verdict == "better":
            return _(
                "The campaign made a measurable difference: more of those who got it bought than of "
                "the control group, beyond what chance explains (95 per cent confidence)."
            )
        if self.verdict == "worse":
            return _(
                "The control group bought measurably more than those who got the campaign (95 per "
                "cent confidence): the message may have put customers off."
            )
        return _(
            "Not measurable yet: the difference could be chance. More customers, a larger control "
            "group or a longer window may show it."
        )


def campaign_lift(*, campaign: Campaign) -> Lift | None:
    """The sent group against the control group, three queries whatever their size; None when
    the campaign held nobody out or has not started."""
    window = _window(campaign)
    if window is None:
        return None
    start, end = window
    first_day, last_day = timezone.localdate(start), timezone.localdate(end)
    ordered = _orders(campaign, first_day, last_day).filter(party_id=OuterRef("party_id"))
    replies = Interaction.objects.filter(
        party_id=OuterRef("party_id"),
        direction=Direction.INBOUND,
        channel=campaign.channel,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    members = Recipient.objects.filter(campaign=campaign, state__in=(State.QUEUED, State.HELD_OUT))
    rows = (
        members.values("state")
        .annotate(
            n=Count("id"),
            bought=Count("id", filter=Q(Exists(ordered))),
            responded=Count("id", filter=Q(Exists(ordered)) | Q(Exists(replies))),
        )
        .order_by()
    )
    groups: dict[str, Group] = {State.QUEUED: Group(), State.HELD_OUT: Group()}
    for row in rows:
        groups[row["state"]] = Group(size=row["n"], bought=row["bought"], responded=row["responded"])
    if not groups[State.HELD_OUT].size:
        return None
    lift = Lift(groups[State.QUEUED], groups[State.HELD_OUT], first_day, last_day)
    group_of = Recipient.objects.filter(campaign=campaign, party_id=OuterRef("party_id")).values("state")[:1]
    sums = (
        _orders(campaign, first_day, last_day)
        .filter(party_id__in=members.values("party_id"))
        .annotate(group=Subquery(group_of))
        .values_list("group", "currency")
        .annotate(total=Sum("total"))
        .order_by("group", "currency")
    )
    for group, currency, total in sums:
        try:
            groups[group].revenue += total * rate_on(currency, first_day)
        except ValidationError:
            if currency not in lift.unconverted:
                lift.unconverted.append(currency)
    return lift


def lift_chart(lift: Lift) -> charts.Chart:
    measures: list[tuple[str, Any]] = [(_("Bought"), "bought"), (_("Replied or bought"), "responded")]
    return charts.Chart(
        key="lift",
        title=_("Sent group against the control group"),
        kind="bar",
        labels=tuple(label for label, _n in measures),
        series=tuple(
            charts.Series(
                name,
                tuple(
                    100.0 * getattr(group, attr) / group.size if group.size else None for _l, attr in measures
                ),
                format="percent",
            )
            for name, group in ((_("Sent group"), lift.sent), (_("Control group"), lift.control))
        ),
        label_heading=_("Measure"),
        unit="%",
    )
