"""The innovation model's feedback loop (seed [000]): the figures a period is judged on,
measured from Peyvand itself, the periods and their trend.

Operational results (adoption of the CRM), over the period's days in the installation's
time zone:
- staff accounts: the active staff accounts at measuring time;
- active users: the staff who changed anything in the period (the audit log's actors);
- records created: the records created in the period (the audit log's "created" events),
  and per active user;
- activities logged: the tasks, calls and meetings and the customer interactions created in
  the period;
- data completeness: over the live customers created up to the period's end, the share of
  three checks met — a phone or email, an owner, a source other than "other";
- duplicate rate: the share of those customers whose phone or email another live customer
  also has.
Developmental results (the project's own progress), at measuring time: the share of the
roadmaps' items done, and the share of started objectives on track or achieved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from peyvand.activities.models import Activity
from peyvand.core import jalali, policy
from peyvand.core.charts import Chart, Series
from peyvand.core.models import AuditEvent, User
from peyvand.core.pagination import Page, keyset_page
from peyvand.customers.models import Party, Source
from peyvand.interactions.models import Interaction

from ..metrics import _window
from ..models import FeedbackPeriod, ItemStatus, Objective, RoadmapItem
from .objectives import standing

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Figures:
    users: int
    active_users: int
    records_created: int
    records_per_user: Decimal
    activities_logged: int
    completeness: Decimal | None
    duplicate_rate: Decimal | None
    roadmap_progress: Decimal | None
    objectives_on_track: Decimal | None


def _share(part: int | float, whole: int | float) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(str(part)) / Decimal(str(whole)) * HUNDRED).quantize(CENT, ROUND_HALF_UP)


def _customers(end: dt.date) -> QuerySet[Party]:
    _low, high = _window(end, end)
    return Party.objects.filter(created_at__lt=high, merged_into__isnull=True)


def completeness(end: dt.date) -> Decimal | None:
    found = _customers(end).aggregate(
        total=Count("id"),
        reachable=Count("id", filter=~Q(primary_phone="") | ~Q(primary_email="")),
        owned=Count("id", filter=Q(owner__isnull=False)),
        sourced=Count("id", filter=~Q(source=Source.OTHER)),
    )
    return _share(found["reachable"] + found["owned"] + found["sourced"], 3 * found["total"])


def duplicate_rate(end: dt.date) -> Decimal | None:
    customers = _customers(end)
    phones = (
        customers.exclude(primary_phone="")
        .values("primary_phone")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("primary_phone")
    )
    emails = (
        customers.exclude(primary_email="")
        .values("primary_email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("primary_email")
    )
    doubled = customers.filter(Q(primary_phone__in=phones) | Q(primary_email__in=emails)).count()
    return _share(doubled, customers.count())


def roadmap_progress() -> Decimal | None:
    found = RoadmapItem.objects.filter(roadmap__deleted_at__isnull=True).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=ItemStatus.DONE))
    )
    return _share(found["done"], found["total"])


def objectives_on_track(today: dt.date | None = None) -> Decimal | None:
    states = [standing(o, today=today).state for o in Objective.objects.all()]
    judged = [s for s in states if s not in ("not_started", "no_data")]
    return _share(sum(1 for s in judged if s in ("on_track", "achieved")), len(judged))


def figures(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Figures:
    low, high = _window(start, end)
    events = AuditEvent.objects.filter(at__gte=low, at__lt=high)
    active = events.filter(actor__isnull=False).values("actor").distinct().count()
    created = events.filter(kind=AuditEvent.Kind.CREATE).count()
    logged = (
        Activity.objects.filter(created_at__gte=low, created_at__lt=high).count()
        + Interaction.objects.filter(created_at__gte=low, created_at__lt=high).count()
    )
    per_user = (Decimal(created) / Decimal(active)).quantize(CENT, ROUND_HALF_UP) if active else Decimal(0)
    return Figures(
        users=User.objects.filter(is_active=True).count(),
        active_users=active,
        records_created=created,
        records_per_user=per_user,
        activities_logged=logged,
        completeness=completeness(end),
        duplicate_rate=duplicate_rate(end),
        roadmap_progress=roadmap_progress(),
        objectives_on_track=objectives_on_track(today),
    )


def periods_visible(user: User) -> QuerySet[FeedbackPeriod]:
    return policy.visible(user, FeedbackPeriod.objects.all())


def period_list(*, user: User, cursor: str | None = None, limit: int = 25) -> Page[FeedbackPeriod]:
    queryset = periods_visible(user).select_related("decided_by")
    return keyset_page(queryset, order=["-start", "-id"], cursor=cursor, limit=limit)


def period_get(*, user: User, pk: Any) -> FeedbackPeriod:
    return policy.get_visible(user, FeedbackPeriod.objects.select_related("decided_by"), pk)


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def trend_chart(user: User, *, limit: int = 24) -> Chart:
    """The last periods' results, oldest first: the shares (%) as lines, the records created
    per active user as bars on the second axis."""
    rows = list(periods_visible(user).order_by("-start", "-id")[:limit])[::-1]
    labels = tuple(f"{jalali.format_date(p.start)} – {jalali.format_date(p.end)}" for p in rows)
    return Chart(
        key="feedback",
        title=_("Results period by period"),
        kind="line",
        labels=labels,
        series=(
            Series(
                _("Data completeness (%)"), tuple(_number(p.completeness) for p in rows), format="percent"
            ),
            Series(_("Duplicate rate (%)"), tuple(_number(p.duplicate_rate) for p in rows), format="percent"),
            Series(_("Roadmap done (%)"), tuple(_number(p.roadmap_progress) for p in rows), format="percent"),
            Series(
                _("Objectives on track (%)"),
                tuple(_number(p.objectives_on_track) for p in rows),
                format="percent",
            ),
            Series(
                _("Records created per active user"),
                tuple(_number(p.records_per_user) for p in rows),
                format="decimal",
                kind="bar",
                axis=1,
            ),
            Series(_("Active users"), tuple(float(p.active_users) for p in rows), in_chart=False),
            Series(_("Activities logged"), tuple(float(p.activities_logged) for p in rows), in_chart=False),
        ),
        label_heading=_("Period"),
        note=_("Shares are percentages of 0–100; records per active user on the second axis."),
    )
