"""The home page's tickets card: the open tickets a support agent holds (a manager: their
team's; an administrator: all they see) by status and priority, and those whose service
level is breached or due soon. Three queries however many tickets there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import charts, policy
from peyvand.core.models import Role, Scope, User

from ..models import OPEN_STATUSES, Priority, Status, Ticket

MINE, TEAM, EVERYONE = "mine", "team", "all"
_REACH: dict[str, str] = {Role.SUPPORT: MINE, Role.MANAGER: TEAM, Role.ADMIN: EVERYONE}
DUE_SOON = dt.timedelta(hours=4)
SHOWN = 6


def reach(user: User) -> str | None:
    if policy.scope(user, "ticket", "view") == Scope.NONE:
        return None
    return _REACH.get(user.role)


def _tickets(user: User, whose: str) -> QuerySet[Ticket]:
    tickets = policy.visible(user, Ticket.objects.filter(merged_into__isnull=True, status__in=OPEN_STATUSES))
    if whose == MINE:
        return tickets.filter(assignee_id=user.pk)
    if whose == TEAM and user.team_id is not None:
        return tickets.filter(
            Q(team_id=user.team_id) | Q(assignee_id__in=sorted(policy.team_member_ids(user)))
        )
    return tickets


def breached(now: dt.datetime) -> Q:
    """A response or the resolution is late (the tickets list's "overdue" queue)."""
    return (
        Q(first_response_due__lt=now, first_responded_at__isnull=True)
        | Q(next_response_due__lt=now)
        | Q(resolution_due__lt=now, sla_running_since__isnull=False)
    )


def due_soon(now: dt.datetime, within: dt.timedelta = DUE_SOON) -> Q:
    """Not late yet, but a response or the resolution falls due within ``within``."""
    until = now + within
    return (
        Q(first_response_due__gte=now, first_response_due__lt=until, first_responded_at__isnull=True)
        | Q(next_response_due__gte=now, next_response_due__lt=until)
        | Q(resolution_due__gte=now, resolution_due__lt=until, sla_running_since__isnull=False)
    ) & ~breached(now)


@dataclass(frozen=True)
class TicketsCard:
    whose: str
    total: int
    breached: int
    due_soon: int
    urgent: list[Ticket]  # breached first, then due soon; most urgent priority first
    chart: charts.Chart


def tickets_card(*, user: User, now: dt.datetime | None = None) -> TicketsCard | None:
    whose = reach(user)
    if whose is None:
        return None
    now = now or timezone.now()
    tickets = _tickets(user, whose)
    cells = {
        (row["status"], row["priority"]): row["count"]
        for row in tickets.order_by().values("status", "priority").annotate(count=Count("id"))
    }
    sla = tickets.aggregate(
        breached=Count("id", filter=breached(now)), due_soon=Count("id", filter=due_soon(now))
    )
    urgent = list(
        tickets.filter(breached(now) | due_soon(now))
        .select_related("party")
        .order_by("-priority", "resolution_due", "id")[:SHOWN]
    )
    statuses = [status for status in Status if status.value in OPEN_STATUSES]
    priorities = sorted(Priority, key=lambda p: -p.value)
    chart = charts.Chart(
        key="home-tickets",
        title=_("Open tickets by status and priority"),
        kind="stacked",
        labels=tuple(str(status.label) for status in statuses),
        series=tuple(
            charts.Series(
                str(priority.label),
                tuple(float(cells.get((status.value, priority.value), 0)) for status in statuses),
            )
            for priority in priorities
        ),
        label_heading=_("Status"),
    )
    return TicketsCard(whose, sum(cells.values()), sla["breached"], sla["due_soon"], urgent, chart)
