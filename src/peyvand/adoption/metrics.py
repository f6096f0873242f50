"""The live figures an objective is measured on, computed from the company's own data.

Each metric is worked out over a period (first and last day, in the installation's time zone)
and, where it makes sense, for one team (the team of the record's owner), the customers of one
marketing segment and one channel (``Scope``). A *cumulative*
metric adds up over its period (leads, revenue): an objective's progress is how much of the
target the period has made so far. A *level* (a share, an average) is compared with its
baseline: progress is how far it has moved from the baseline towards the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import CustomerInsight, Party, Source
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Deal, Lead, Order, Outcome
from peyvand.service.models import Channel as TicketChannel
from peyvand.service.models import Kind, SlaEvent, Ticket

Format = Literal["count", "money", "percent", "decimal"]
Narrow = Callable[[QuerySet[Any]], QuerySet[Any]]


@dataclass(frozen=True)
class Scope:
    """What an objective's figure is limited to: one team (the record owner's), the customers
    of one marketing segment (a condition on customers), one channel."""

    team: int | None = None
    segment: Q | None = None
    channel: str = ""


@dataclass(frozen=True)
class Paths:
    """Where, on the records a metric counts, the team, the customer and the channel are."""

    team: str
    party: str | None  # "" the record is the customer; None: no customer (a segment cannot apply)
    channel: str


# The channel each kind of record has: for leads and customers (and what they buy) the source
# they came through; for interactions and tickets the channel they came by.
SOURCE_CHANNELS: type[TextChoices] = Source
CONTACT_CHANNELS: type[TextChoices] = InteractionChannel
TICKET_CHANNELS: type[TextChoices] = TicketChannel


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # a lazy translation
    format: Format
    cumulative: bool
    compute: Callable[[dt.date, dt.date, Narrow], float | None]
    paths: Paths
    channels: type[TextChoices]
    lower_is_better: bool = False

    @property
    def takes_segment(self) -> bool:
        return self.paths.party is not None

    def value(self, start: dt.date, end: dt.date, scope: Scope | None = None) -> float | None:
        """The metric over the period, limited to ``scope``."""
        return self.compute(start, end, lambda queryset: narrow(queryset, self.paths, scope or Scope()))


def narrow(queryset: QuerySet[Any], paths: Paths, scope: Scope) -> QuerySet[Any]:
    if scope.team is not None:
        queryset = queryset.filter(**{paths.team: scope.team})
    if scope.segment is not None and paths.party is not None:
        if paths.party:
            members = Party.objects.filter(scope.segment).values("pk")
            queryset = queryset.filter(**{f"{paths.party}__in": members})
        else:
            queryset = queryset.filter(scope.segment)
    if scope.channel:
        queryset = queryset.filter(**{paths.channel: scope.channel})
    return queryset


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    return low, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def _in(queryset: QuerySet[Any], field: str, start: dt.date, end: dt.date) -> QuerySet[Any]:
    low, high = _window(start, end)
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})


def _new_leads(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return scope(_in(Lead.objects.all(), "created_at", start, end)).count()


def _converted_leads(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return scope(_in(Lead.objects.all(), "converted_at", start, end)).count()


def _conversion_rate(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    """Of the leads that came in the period, the share converted to customers (so far)."""
    counts = scope(_in(Lead.objects.all(), "created_at", start, end)).aggregate(
        all=Count("id"), converted=Count("id", filter=Q(converted_at__isnull=False))
    )
    return None if not counts["all"] else 100.0 * counts["converted"] / counts["all"]


def _won(start: dt.date, end: dt.date, scope: Narrow) -> QuerySet[Deal]:
    return scope(_in(Deal.objects.filter(status=Outcome.WON), "closed_at", start, end))


def _won_revenue(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return float(_won(start, end, scope).aggregate(total=Sum("amount_base"))["total"] or 0)


def _deals_won(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return _won(start, end, scope).count()


def _average_deal_won(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    value = _won(start, end, scope).aggregate(value=Avg("amount_base"))["value"]
    return None if value is None else float(value)


def _new_customers(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return scope(_in(Party.objects.all(), "created_at", start, end)).count()


def _tickets(start: dt.date, end: dt.date, scope: Narrow, field: str = "created_at") -> QuerySet[Ticket]:
    return scope(_in(Ticket.objects.filter(merged_into__isnull=True), field, start, end))


def _within_sla(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    """The share of tickets resolved in the period whose resolution was not late."""
    resolved = _tickets(start, end, scope, "resolved_at").filter(resolution_due__isnull=False)
    counts = resolved.aggregate(
        all=Count("id"),
        late=Count(
            "id",
            filter=Q(sla_events__metric=SlaEvent.Metric.RESOLUTION, sla_events__kind=SlaEvent.Kind.BREACH),
            distinct=True,
        ),
    )
    return None if not counts["all"] else 100.0 * (counts["all"] - counts["late"]) / counts["all"]


def _first_response_hours(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    answered = _tickets(start, end, scope).filter(first_responded_at__isnull=False)
    wait = ExpressionWrapper(F("first_responded_at") - F("created_at"), output_field=DurationField())
    average = answered.aggregate(wait=Avg(wait))["wait"]
    return None if average is None else average.total_seconds() / 3600


def _complaints(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return _tickets(start, end, scope).filter(kind=Kind.COMPLAINT).count()


def _interactions(start: dt.date, end: dt.date, scope: Narrow) -> float:
    return scope(_in(Interaction.objects.all(), "occurred_at", start, end)).count()


def _retention(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    """Of the customers who ordered in the year before the period, the share who ordered in it."""
    orders = scope(Order.objects.exclude(status="cancelled"))
    before = set(
        orders.filter(ordered_on__gte=start - dt.timedelta(days=365), ordered_on__lt=start).values_list(
            "party_id", flat=True
        )
    )
    if not before:
        return None
    again = set(
        orders.filter(ordered_on__gte=start, ordered_on__lte=end, party_id__in=before).values_list(
            "party_id", flat=True
        )
    )
    return 100.0 * len(again) / len(before)


def _churn(start: dt.date, end: dt.date, scope: Narrow) -> float | None:
    """The other side of retention: the share of last year's customers who did not order again."""
    kept = _retention(start, end, scope)
    return None if kept is None else 100.0 - kept


def _average_clv(_start: dt.date, _end: dt.date, scope: Narrow) -> float | None:
    """Today's predicted lifetime value, on average over the customers who have one."""
    insights = scope(CustomerInsight.objects.filter(predicted_clv__isnull=False))
    value = insights.aggregate(value=Avg("predicted_clv"))["value"]
    return None if value is None else float(value)


LEADS = Paths(team="team_id", party="party", channel="source")
DEALS = Paths(team="owner__team_id", party="party", channel="party__source")
CUSTOMERS = Paths(team="owner__team_id", party="", channel="source")
ORDERS = Paths(team="party__owner__team_id", party="party", channel="party__source")
INSIGHTS = Paths(team="party__owner__team_id", party="party", channel="party__source")
TICKETS = Paths(team="team_id", party="party", channel="channel")
INTERACTIONS = Paths(team="handled_by__team_id", party="party", channel="channel")

METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        # A lead is no customer yet: a segment counts only those converted into its customers.
        Metric("new_leads", _("New leads"), "count", True, _new_leads, LEADS, SOURCE_CHANNELS),
        Metric(
            "converted_leads", _("Leads converted"), "count", True, _converted_leads, LEADS, SOURCE_CHANNELS
        ),
        Metric(
            "lead_conversion",
            _("Lead conversion rate (%)"),
            "percent",
            False,
            _conversion_rate,
            LEADS,
            SOURCE_CHANNELS,
        ),
        Metric("deals_won", _("Deals won"), "count", True, _deals_won, DEALS, SOURCE_CHANNELS),
        Metric("won_revenue", _("Revenue won"), "money", True, _won_revenue, DEALS, SOURCE_CHANNELS),
        Metric(
            "average_deal_won",
            _("Average deal won"),
            "money",
            False,
            _average_deal_won,
            DEALS,
            SOURCE_CHANNELS,
        ),
        Metric(
            "new_customers", _("New customers"), "count", True, _new_customers, CUSTOMERS, SOURCE_CHANNELS
        ),
        Metric(
            "interactions",
            _("Interactions logged"),
            "count",
            True,
            _interactions,
            INTERACTIONS,
            CONTACT_CHANNELS,
        ),
        Metric(
            "retention", _("Customers retained (%)"), "percent", False, _retention, ORDERS, SOURCE_CHANNELS
        ),
        Metric(
            "churn",
            _("Customers lost (churn, %)"),
            "percent",
            False,
            _churn,
            ORDERS,
            SOURCE_CHANNELS,
            lower_is_better=True,
        ),
        Metric(
            "average_clv",
            _("Average predicted lifetime value"),
            "money",
            False,
            _average_clv,
            INSIGHTS,
            SOURCE_CHANNELS,
        ),
        Metric(
            "within_sla",
            _("Tickets resolved within the SLA (%)"),
            "percent",
            False,
            _within_sla,
            TICKETS,
            TICKET_CHANNELS,
        ),
        Metric(
            "first_response_hours",
            _("Average first response (hours)"),
            "decimal",
            False,
            _first_response_hours,
            TICKETS,
            TICKET_CHANNELS,
            lower_is_better=True,
        ),
        Metric(
            "complaints",
            _("Complaints"),
            "count",
            True,
            _complaints,
            TICKETS,
            TICKET_CHANNELS,
            lower_is_better=True,
        ),
    )
}


def choices() -> list[tuple[str, Any]]:
    return [(metric.key, metric.label) for metric in METRICS.values()]


def channel_choices() -> list[tuple[str, Any]]:
    """Every channel any metric can be limited to, each key once (its first label)."""
    seen: dict[str, Any] = {}
    for vocabulary in (SOURCE_CHANNELS, CONTACT_CHANNELS, TICKET_CHANNELS):
        for key, label in vocabulary.choices:
            seen.setdefault(key, label)
    return list(seen.items())


def last_months(months: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period of the last ``months`` months (30.4 days each) to ``today`` included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=round(months * 365 / 12) - 1), today


def measured_lately(key: str, months: int, today: dt.date | None = None) -> Decimal | None:
    """A metric over the whole company in the last ``months`` months, to the cent; None when
    the metric is unknown or there is nothing to measure."""
    metric = METRICS.get(key)
    value = None if metric is None else metric.value(*last_months(months, today))
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
