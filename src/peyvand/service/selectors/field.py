"""Field service through the permission policy: the work order lists, the dispatch board
(technicians × days), a technician's day, a customer's visits and contracts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from peyvand.activities.models import Activity
from peyvand.activities.models import Status as ActivityStatus
from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.models import Role, User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.selectors.users import assignable
from peyvand.core.text import search_terms
from peyvand.customers.models import Party

from ..models import PENDING_WORK, BusinessCalendar, ServiceContract, Skill, WorkOrder, WorkStatus
from ..services.sla import business_calendar

SORTS = {
    "start": ["scheduled_start", "id"],
    "-start": ["-scheduled_start", "-id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "-created"
VIEWS = ("pending", "mine", "unscheduled", "done", "all")
DEFAULT_VIEW = "pending"
CONTRACT_SORTS = {"-ends": ["-ends_on", "-id"], "ends": ["ends_on", "id"], "-created": ["-created_at", "-id"]}
BOARD_DAYS = 7


def work_order_queryset(*, user: User, filters: Mapping[str, Any]) -> QuerySet[WorkOrder]:
    queryset = policy.visible(user, WorkOrder.objects.all())
    view = filters.get("view") or DEFAULT_VIEW
    if view == "pending":
        queryset = queryset.filter(status__in=PENDING_WORK)
    elif view == "mine":
        queryset = queryset.filter(technician=user, status__in=PENDING_WORK)
    elif view == "unscheduled":
        queryset = queryset.filter(status=WorkStatus.UNSCHEDULED)
    elif view == "done":
        queryset = queryset.filter(status=WorkStatus.DONE)
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("status") in WorkStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("technician") == "none":
        queryset = queryset.filter(technician__isnull=True)
    elif (technician_id := choice_id(filters.get("technician"))) is not None:
        queryset = queryset.filter(technician_id=technician_id)
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    if filters.get("billed") == "yes":
        queryset = queryset.filter(order__isnull=False)
    elif filters.get("billed") == "no":
        queryset = queryset.filter(order__isnull=True, status=WorkStatus.DONE)
    if isinstance(filters.get("date_from"), dt.date):
        queryset = queryset.filter(scheduled_start__date__gte=filters["date_from"])
    if isinstance(filters.get("date_to"), dt.date):
        queryset = queryset.filter(scheduled_start__date__lte=filters["date_to"])
    return queryset


def work_order_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[WorkOrder]:
    queryset = work_order_queryset(user=user, filters=filters)
    if sort in ("start", "-start"):
        queryset = queryset.filter(scheduled_start__isnull=False)
    page = keyset_page(
        queryset.select_related("party", "technician"),
        order=SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def work_order_get(*, user: User, pk: Any) -> WorkOrder:
    return policy.get_visible(
        user,
        WorkOrder.objects.select_related(
            "party", "ticket", "contract", "technician", "labour_product", "order", "created_by"
        ),
        pk,
    )


def technicians(*, user: User) -> list[User]:
    """Who ``user`` may send on a visit: support staff and anyone with a service skill."""
    skilled = set(Skill.agents.through.objects.values_list("user_id", flat=True))
    return [
        person
        for person in assignable(user=user, model=WorkOrder)
        if person.role == Role.SUPPORT or person.pk in skilled
    ]


@dataclass
class BoardCell:
    day: dt.date
    off: bool
    visits: list[WorkOrder]
    busy: list[Activity]


@dataclass
class BoardRow:
    technician: User
    skills: list[str]
    cells: list[BoardCell]


@dataclass
class Board:
    days: list[dt.date]
    off: list[bool]  # a weekend day or holiday of the default business calendar
    rows: list[BoardRow]
    unscheduled: list[WorkOrder]
    today: dt.date = field(default_factory=timezone.localdate)


def board(*, user: User, start: dt.date, days: int = BOARD_DAYS) -> Board:
    """The dispatch board from ``start``: a row per technician ``user`` may send, a column per
    day with their visits and open activities, and the visits still to schedule."""
    dates = [start + dt.timedelta(days=n) for n in range(days)]
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(dates[0], dt.time.min, zone)
    high = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time.min, zone)
    people = technicians(user=user)
    ids = [person.pk for person in people]
    visits = policy.visible(
        user,
        WorkOrder.objects.filter(
            technician_id__in=ids, scheduled_start__lt=high, scheduled_end__gt=low
        ).exclude(status=WorkStatus.CANCELLED),
    ).select_related("party")
    cells: dict[tuple[int, dt.date], list[WorkOrder]] = defaultdict(list)
    for visit in visits.order_by("scheduled_start", "id"):
        assert visit.technician_id is not None and visit.scheduled_start is not None
        cells[(visit.technician_id, timezone.localtime(visit.scheduled_start).date())].append(visit)
    busy: dict[tuple[int, dt.date], list[Activity]] = defaultdict(list)
    activities = (
        Activity.objects.filter(assignee_id__in=ids, status=ActivityStatus.OPEN, due_at__lt=high)
        .annotate(until=Coalesce("ends_at", F("due_at")))
        .filter(until__gte=low)
        .only("id", "title", "due_at", "ends_at", "assignee_id")
    )
    for activity in activities.order_by("due_at"):
        busy[(activity.assignee_id, timezone.localtime(activity.due_at).date())].append(activity)
    skills: dict[int, list[str]] = defaultdict(list)
    for person_id, name in User.objects.filter(pk__in=ids).values_list("pk", "service_skills__name"):
        if name:
            skills[person_id].append(name)
    off = _days_off(dates)
    rows = [
        BoardRow(
            person,
            sorted(skills[person.pk]),
            [
                BoardCell(day, closed, cells[(person.pk, day)], busy[(person.pk, day)])
                for day, closed in zip(dates, off, strict=True)
            ],
        )
        for person in people
    ]
    unscheduled = policy.visible(
        user, WorkOrder.objects.filter(status=WorkStatus.UNSCHEDULED)
    ).select_related("party")
    return Board(dates, off, rows, list(unscheduled.order_by("created_at", "id")[:100]))


def _days_off(dates: list[dt.date]) -> list[bool]:
    stored = BusinessCalendar.objects.filter(is_default=True).first() or BusinessCalendar.objects.first()
    if stored is None:
        return [False for _day in dates]
    calendar = business_calendar(stored)
    return [calendar.is_holiday(day) or not calendar.week[day.weekday()] for day in dates]


def technician_day(*, user: User, day: dt.date) -> list[WorkOrder]:
    """The visits booked for ``user`` on ``day``, and any they are still on from before."""
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(day, dt.time.min, zone)
    high = low + dt.timedelta(days=1)
    mine = WorkOrder.objects.filter(technician=user).filter(
        Q(scheduled_start__gte=low, scheduled_start__lt=high) | Q(status=WorkStatus.IN_PROGRESS)
    )
    return list(
        policy.visible(user, mine)
        .exclude(status=WorkStatus.CANCELLED)
        .select_related("party")
        .order_by("scheduled_start", "id")
    )


def party_work(*, user: User, party: Party, limit: int = 5) -> tuple[list[WorkOrder], list[ServiceContract]]:
    """A customer's latest visits and their contracts (newest first)."""
    visits = policy.visible(user, WorkOrder.objects.filter(party=party)).select_related("technician")
    contracts = policy.visible(user, ServiceContract.objects.filter(party=party))
    return (
        list(visits.order_by("-created_at", "-id")[:limit]),
        list(contracts.order_by("-ends_on", "-id")[:limit]),
    )


def contract_list(
    *, user: User, filters: Mapping[str, Any], sort: str = "-ends", cursor: str | None = None, limit: int = 50
) -> Page[ServiceContract]:
    queryset = policy.visible(user, ServiceContract.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    today = timezone.localdate()
    if filters.get("state") == "active":
        queryset = queryset.filter(starts_on__lte=today, ends_on__gte=today)
    elif filters.get("state") == "expired":
        queryset = queryset.filter(ends_on__lt=today)
    elif filters.get("state") == "future":
        queryset = queryset.filter(starts_on__gt=today)
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    page = keyset_page(
        queryset.select_related("party", "sla_policy"),
        order=CONTRACT_SORTS.get(sort, CONTRACT_SORTS["-ends"]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def contract_get(*, user: User, pk: Any) -> ServiceContract:
    return policy.get_visible(user, ServiceContract.objects.select_related("party", "sla_policy"), pk)
