"""The live figures an objective is measured on, computed from the company's own data.

Each metric is worked out over a period (first and last day, in the installation's time zone)
and, where it makes sense, for one team (the team of the record's owner). A *cumulative*
metric adds up over its period (leads, revenue): an objective's progress is how much of the
target the period has made so far. A *level* (a share, an average) is compared with its
baseline: progress is how far it has moved from the baseline towards the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import CustomerInsight, Party
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Deal, Lead, Order, Outcome
from peyvand.service.models import Kind, SlaEvent, Ticket

Format = Literal["count", "money", "percent", "decimal"]


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # a lazy translation
    format: Format
    cumulative: bool
    compute: Callable[[dt.date, dt.date, int | None], float | None]
    lower_is_better: bool = False


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    return low, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def _in(queryset: QuerySet[Any], field: str, start: dt.date, end: dt.date) -> QuerySet[Any]:
    low, high = _window(start, end)
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})


def _team(queryset: QuerySet[Any], path: str, team: int | None) -> QuerySet[Any]:
    return queryset if team is None else queryset.filter(**{path: team})


def _new_leads(start: dt.date, end: dt.date, team: int | None) -> float:
    return _team(_in(Lead.objects.all(), "created_at", start, end), "team_id", team).count()


def _converted_leads(start: dt.date, end: dt.date, team: int | None) -> float:
    return _team(_in(Lead.objects.all(), "converted_at", start, end), "team_id", team).count()


def _won(start: dt.date, end: dt.date, team: int | None) -> QuerySet[Deal]:
    won = _in(Deal.objects.filter(status=Outcome.WON), "closed_at", start, end)
    return _team(won, "owner__team_id", team)


def _won_revenue(start: dt.date, end: dt.date, team: int | None) -> float:
    return float(_won(start, end, team).aggregate(total=Sum("amount_base"))["total"] or 0)


def _deals_won(start: dt.date, end: dt.date, team: int | None) -> float:
    return _won(start, end, team).count()


def _new_customers(start: dt.date, end: dt.date, team: int | None) -> float:
    return _team(_in(Party.objects.all(), "created_at", start, end), "owner__team_id", team).count()


def _tickets(start: dt.date, end: dt.date, team: int | None, field: str = "created_at") -> QuerySet[Ticket]:
    return _team(_in(Ticket.objects.filter(merged_into__isnull=True), field, start, end), "team_id", team)


def _within_sla(start: dt.date, end: dt.date, team: int | None) -> float | None:
    """The share of tickets resolved in the period whose resolution was not late."""
    resolved = _tickets(start, end, team, "resolved_at").filter(resolution_due__isnull=False)
    counts = resolved.aggregate(
        all=Count("id"),
        late=Count(
            "id",
            filter=Q(sla_events__metric=SlaEvent.Metric.RESOLUTION, sla_events__kind=SlaEvent.Kind.BREACH),
            distinct=True,
        ),
    )
    return None if not counts["all"] else 100.0 * (counts["all"] - counts["late"]) / counts["all"]


def _first_response_hours(start: dt.date, end: dt.date, team: int | None) -> float | None:
    answered = _tickets(start, end, team).filter(first_responded_at__isnull=False)
    wait = ExpressionWrapper(F("first_responded_at") - F("created_at"), output_field=DurationField())
    average = answered.aggregate(wait=Avg(wait))["wait"]
    return None if average is None else average.total_seconds() / 3600


def _complaints(start: dt.date, end: dt.date, team: int | None) -> float:
    return _tickets(start, end, team).filter(kind=Kind.COMPLAINT).count()


def _interactions(start: dt.date, end: dt.date, team: int | None) -> float:
    logged = _in(Interaction.objects.all(), "occurred_at", start, end)
    return _team(logged, "handled_by__team_id", team).count()


def _retention(start: dt.date, end: dt.date, team: int | None) -> float | None:
    """Of the customers who ordered in the year before the period, the share who ordered in it."""
    orders = _team(Order.objects.exclude(status="cancelled"), "party__owner__team_id", team)
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


def _average_clv(_start: dt.date, _end: dt.date, team: int | None) -> float | None:
    """Today's predicted lifetime value, on average over the customers who have one."""
    insights = _team(
        CustomerInsight.objects.filter(predicted_clv__isnull=False), "party__owner__team_id", team
    )
    value = insights.aggregate(value=Avg("predicted_clv"))["value"]
    return None if value is None else float(value)


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric("new_leads", _("New leads"), "count", True, _new_leads),
        Metric("converted_leads", _("Leads converted"), "count", True, _converted_leads),
        Metric("deals_won", _("Deals won"), "count", True, _deals_won),
        Metric("won_revenue", _("Revenue won"), "money", True, _won_revenue),
        Metric("new_customers", _("New customers"), "count", True, _new_customers),
        Metric("interactions", _("Interactions logged"), "count", True, _interactions),
        Metric("retention", _("Customers retained (%)"), "percent", False, _retention),
        Metric("average_clv", _("Average predicted lifetime value"), "money", False, _average_clv),
        Metric("within_sla", _("Tickets resolved within the SLA (%)"), "percent", False, _within_sla),
        Metric(
            "first_response_hours",
            _("Average first response (hours)"),
            "decimal",
            False,
            _first_response_hours,
            lower_is_better=True,
        ),
        Metric("complaints", _("Complaints"), "count", True, _complaints, lower_is_better=True),
    )
}


def choices() -> list[tuple[str, Any]]:
    return [(metric.key, metric.label) for metric in METRICS.values()]
