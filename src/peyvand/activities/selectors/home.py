"""The home page's "My day" card: how many of the reader's open activities are overdue, due
today and due in the coming week, and the first of those to do. Two queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import charts, policy
from peyvand.core.models import Role, Scope, User

from ..models import Activity, Status
from .activities import UPCOMING_DAYS, _local_day

SHOWN = 6
# Whose home page has the card: those who plan their own follow-up.
ROLES = (Role.SALES, Role.ADMIN)


@dataclass(frozen=True)
class DayCard:
    overdue: int
    today: int
    upcoming: int
    first: list[Activity]
    chart: charts.Chart


def day_card(*, user: User, now: dt.datetime | None = None) -> DayCard | None:
    if user.role not in ROLES or policy.scope(user, "activity", "view") == Scope.NONE:
        return None
    now = now or timezone.now()
    _start, end = _local_day(now)
    mine = policy.visible(user, Activity.objects.filter(assignee=user, status=Status.OPEN))
    counts = mine.aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        today=Count("id", filter=Q(due_at__gte=now, due_at__lt=end)),
        upcoming=Count("id", filter=Q(due_at__gte=end, due_at__lt=end + dt.timedelta(days=UPCOMING_DAYS))),
    )
    first = list(mine.filter(due_at__lt=end).select_related("party").order_by("due_at", "id")[:SHOWN])
    chart = charts.Chart(
        key="home-day",
        title=_("My open activities"),
        kind="bar",
        labels=(_("Overdue"), _("Due today"), _("In the next 7 days")),
        series=(
            charts.Series(
                _("Activities"), (float(counts["overdue"]), float(counts["today"]), float(counts["upcoming"]))
            ),
        ),
        label_heading=_("When"),
    )
    return DayCard(counts["overdue"], counts["today"], counts["upcoming"], first, chart)
