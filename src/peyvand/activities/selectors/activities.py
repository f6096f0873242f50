"""Activities: My day, lists with filters, the calendar, the customer page's next steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peyvand.core import jalali, policy
from peyvand.core.converters import is_id
from peyvand.core.models import Action, Scope, User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.text import search_terms
from peyvand.customers.models import Party

from ..models import Activity, CalendarFeed, Kind, Priority, Status

ME, TEAM, EVERYONE = "me", "team", "all"

SECTION_LIMIT = 50
UPCOMING_DAYS = 7


def who_choices(user: User) -> list[str]:
    """Whose activities the user may look at, by the policy's reach."""
    reach = policy.scope(user, "activity", Action.VIEW)
    if reach == Scope.ALL:
        return [ME, TEAM, EVERYONE]
    if reach == Scope.TEAM:
        return [ME, TEAM]
    return [ME]


def _for(user: User, who: str | int | None) -> QuerySet[Activity]:
    """The activities ``user`` may see, narrowed to ``who`` (me, my team, everyone, a user id)."""
    queryset = policy.visible(user, Activity.objects.all())
    if isinstance(who, int) or (isinstance(who, str) and is_id(who)):
        return queryset.filter(assignee_id=int(who))
    if who == EVERYONE and EVERYONE in who_choices(user):
        return queryset
    if who == TEAM and TEAM in who_choices(user):
        return queryset.filter(assignee_id__in=sorted(policy.team_member_ids(user)))
    return queryset.filter(assignee=user)


def _local_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(timezone.localtime(now).date(), dt.time.min))
    return start, start + dt.timedelta(days=1)


@dataclass
class Section:
    items: list[Activity] = field(default_factory=list)
    more: bool = False


@dataclass
class MyDay:
    overdue: Section
    today: Section
    upcoming: Section
    who: str
    who_choices: list[str]
    done_today: int

    @property
    def show_assignee(self) -> bool:
        return self.who != ME


def my_day(*, user: User, who: str = ME, now: dt.datetime | None = None) -> MyDay:
    """Open activities that are overdue, due today and due in the coming week; four queries."""
    now = now or timezone.now()
    start, end = _local_day(now)
    mine = _for(user, who).select_related("party", "assignee")
    open_ = mine.filter(status=Status.OPEN)

    def section(queryset: QuerySet[Activity]) -> Section:
        rows = list(queryset.order_by("due_at", "id")[: SECTION_LIMIT + 1])
        return Section(rows[:SECTION_LIMIT], len(rows) > SECTION_LIMIT)

    return MyDay(
        overdue=section(open_.filter(due_at__lt=now)),
        today=section(open_.filter(due_at__gte=now, due_at__lt=end)),
        upcoming=section(open_.filter(due_at__gte=end, due_at__lt=end + dt.timedelta(days=UPCOMING_DAYS))),
        who=who if who in who_choices(user) else ME,
        who_choices=who_choices(user),
        done_today=_for(user, who)
        .filter(status=Status.DONE, completed_at__gte=start, completed_at__lt=end)
        .count(),
    )


# "priority" is the most urgent first and "created" the newest first; each has its reverse,
# which a list's column asks for when clicked again.
SORTS = {
    "due": ["due_at", "id"],
    "-due": ["-due_at", "-id"],
    "priority": ["-priority", "due_at", "id"],
    "-priority": ["priority", "-due_at", "-id"],
    "created": ["-created_at", "-id"],
    "-created": ["created_at", "id"],
}


@dataclass
class ActivityFilters:
    q: str = ""
    who: str = ME
    status: str = Status.OPEN
    kind: str = ""
    priority: int | None = None
    party: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    overdue: bool = False


def activity_queryset(*, user: User, filters: ActivityFilters) -> QuerySet[Activity]:
    queryset = _for(user, filters.who)
    for term in search_terms(filters.q):
        queryset = queryset.filter(Q(title_search__contains=term) | Q(party__search_text__contains=term))
    if filters.status in Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.kind in Kind.values:
        queryset = queryset.filter(kind=filters.kind)
    if filters.priority in Priority.values:
        queryset = queryset.filter(priority=filters.priority)
    if filters.party:
        queryset = queryset.filter(party_id=filters.party)
    zone = timezone.get_current_timezone()
    if filters.due_from:
        queryset = queryset.filter(due_at__gte=dt.datetime.combine(filters.due_from, dt.time.min, zone))
    if filters.due_to:
        queryset = queryset.filter(
            due_at__lt=dt.datetime.combine(filters.due_to + dt.timedelta(days=1), dt.time.min, zone)
        )
    if filters.overdue:
        queryset = queryset.filter(status=Status.OPEN, due_at__lt=timezone.now())
    return queryset


def activity_list(
    *, user: User, filters: ActivityFilters, sort: str = "due", cursor: str | None = None, limit: int = 50
) -> Page[Activity]:
    queryset = activity_queryset(user=user, filters=filters)
    page = keyset_page(
        queryset.select_related("party", "assignee", "deal"),
        order=SORTS.get(sort, SORTS["due"]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def activity_get(*, user: User, pk: Any) -> Activity:
    if not is_id(pk):
        raise Http404
    activity = (
        policy.visible(
            user, Activity.objects.select_related("party", "deal", "assignee", "created_by", "follows")
        )
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def calendar_items(
    *, user: User, start: dt.datetime, end: dt.datetime, who: str | int = ME
) -> list[Activity]:
    """Activities (open and closed) that start in [start, end), for the calendar; one query."""
    queryset = _for(user, who).filter(due_at__gte=start, due_at__lt=end).exclude(status=Status.CANCELLED)
    return list(queryset.select_related("party", "assignee").order_by("due_at", "id")[:2000])


def party_next_steps(*, user: User, party: Party, limit: int = 5) -> tuple[list[Activity], int]:
    """A customer's open activities the user may see, soonest first, and how many there are."""
    queryset = policy.visible(user, Activity.objects.filter(party=party, status=Status.OPEN))
    rows = list(queryset.select_related("assignee").order_by("due_at", "id")[: limit + 1])
    total = len(rows) if len(rows) <= limit else capped_count(queryset)[0]
    return rows[:limit], total


def feed_items(*, user: User, now: dt.datetime | None = None) -> list[Activity]:
    """The user's own activities for their phone's calendar: the last 60 days and what is ahead."""
    now = now or timezone.now()
    queryset = policy.visible(
        user, Activity.objects.filter(assignee=user, due_at__gte=now - dt.timedelta(days=60))
    )
    return list(
        queryset.select_related("party").prefetch_related("reminders").order_by("due_at", "id")[:5000]
    )


def calendar_feed_active(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def filters_from(params: Mapping[str, str]) -> ActivityFilters:
    """List filters from a query string; anything invalid is ignored, never an error."""

    def day(name: str) -> dt.date | None:
        try:
            return jalali.parse_date(params[name]) if params.get(name) else None
        except ValueError:
            return None

    priority = params.get("priority", "")
    party = params.get("party", "")
    return ActivityFilters(
        q=params.get("q", "")[:200],
        who=params.get("who", ME) or ME,
        status=params.get("status", Status.OPEN) if "status" in params else Status.OPEN,
        kind=params.get("kind", ""),
        priority=int(priority) if priority.isdigit() and len(priority) < 3 else None,
        party=int(party) if is_id(party) else None,
        due_from=day("due_from"),
        due_to=day("due_to"),
        overdue=params.get("overdue") == "1",
    )
