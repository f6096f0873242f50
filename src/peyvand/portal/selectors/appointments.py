"""Free time to book, and a customer's appointments.

A team's free slots: each day from today to ``days_ahead`` days on, its working windows (the
team's business calendar, else Iran's usual week) unless the day is a holiday, cut into
meetings of ``length_minutes`` from each window's start; a slot is free when it starts at
least ``notice_hours`` from now and at least one member who takes bookings has nothing then.
A member is busy during their open activities: from the due time to the end, or for
``UNTIMED_MINUTES`` when a call, meeting or visit has no end; a task without an end is a
to-do, not time taken. Two queries whatever the range: the members, and their activities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peyvand.activities.models import Activity, Kind, Status
from peyvand.core.models import User
from peyvand.service import calendar as engine
from peyvand.service.services.sla import business_calendar

from ..models import Appointment, AppointmentStatus, BookingTeam, PortalAccount
from ..refs import pk_from
from .records import owned

UNTIMED_MINUTES = 30


@dataclass
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    members: list[int]  # the ids of the members free then, in the booking's order


@dataclass
class Day:
    date: dt.date
    slots: list[Slot] = field(default_factory=list)


def open_bookings() -> QuerySet[BookingTeam]:
    return BookingTeam.objects.filter(active=True).select_related("team").order_by("team__name", "pk")


def booking_calendar(booking: BookingTeam) -> engine.BusinessCalendar:
    if booking.calendar_id is not None and booking.calendar is not None:
        return business_calendar(booking.calendar)
    return _DEFAULT


_DEFAULT = engine.BusinessCalendar()


def bookable_members(booking: BookingTeam) -> list[User]:
    """The members who take bookings and still may: active, and still in the team."""
    return list(booking.members.filter(is_active=True, team_id=booking.team_id).order_by("pk"))


def busy_times(
    member_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Each member's busy intervals that overlap [start, end), from their open activities."""
    untimed = dt.timedelta(minutes=UNTIMED_MINUTES)
    rows = (
        Activity.objects.filter(
            assignee_id__in=member_ids, status=Status.OPEN, deleted_at__isnull=True, due_at__lt=end
        )
        .filter(Q(ends_at__gt=start) | Q(ends_at__isnull=True, due_at__gt=start - untimed))
        .exclude(kind=Kind.TASK, ends_at__isnull=True)
        .values_list("assignee_id", "due_at", "ends_at")
    )
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {pk: [] for pk in member_ids}
    for assignee, due, ends in rows:
        busy[assignee].append((due, ends or due + untimed))
    return busy


def _windows(calendar: engine.BusinessCalendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    if calendar.is_holiday(day):
        return []
    midnight = dt.datetime(day.year, day.month, day.day)
    return [
        (
            (midnight + dt.timedelta(minutes=start)).replace(tzinfo=calendar.zone),
            (midnight + dt.timedelta(minutes=end)).replace(tzinfo=calendar.zone),
        )
        for start, end in calendar.week[day.weekday()]
    ]


def _overlaps(intervals: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime) -> bool:
    return any(low < end and start < high for low, high in intervals)


def free_slots(
    booking: BookingTeam,
    *,
    now: dt.datetime | None = None,
    only_day: dt.date | None = None,
    members: list[User] | None = None,
) -> list[Day]:
    """The days with free slots (days without any are left out), earliest first."""
    now = now or timezone.now()
    calendar = booking_calendar(booking)
    members = bookable_members(booking) if members is None else members
    if not members:
        return []
    ids = [member.pk for member in members]
    today = now.astimezone(calendar.zone).date()
    last = today + dt.timedelta(days=booking.days_ahead)
    days = [today + dt.timedelta(days=n) for n in range((last - today).days + 1)]
    if only_day is not None:
        days = [day for day in days if day == only_day]
    if not days:
        return []
    earliest = now + dt.timedelta(hours=booking.notice_hours)
    length = dt.timedelta(minutes=booking.length_minutes)
    windows = {day: _windows(calendar, day) for day in days}
    edges = [edge for spans in windows.values() for span in spans for edge in span]
    if not edges:
        return []
    busy = busy_times(ids, min(edges), max(edges))
    found: list[Day] = []
    for day in days:
        slots: list[Slot] = []
        for low, high in windows[day]:
            start = low
            while start + length <= high:
                end = start + length
                if start >= earliest:
                    free = [pk for pk in ids if not _overlaps(busy[pk], start, end)]
                    if free:
                        slots.append(Slot(start.astimezone(dt.UTC), end.astimezone(dt.UTC), free))
                start = end
        if slots:
            found.append(Day(day, slots))
    return found


def slot_at(
    booking: BookingTeam, starts_at: dt.datetime, *, now: dt.datetime, members: list[User]
) -> Slot | None:
    """The free slot starting at ``starts_at``, or None (not a slot, too soon, too far, taken)."""
    calendar = booking_calendar(booking)
    day = starts_at.astimezone(calendar.zone).date()
    for found in free_slots(booking, now=now, only_day=day, members=members):
        for slot in found.slots:
            if slot.starts_at == starts_at:
                return slot
    return None


# --- a customer's appointments ------------------------------------------------------------


def upcoming_appointments(*, account: PortalAccount, now: dt.datetime | None = None) -> list[Appointment]:
    now = now or timezone.now()
    return list(
        owned(account, Appointment.objects.all())
        .filter(status=AppointmentStatus.BOOKED, ends_at__gt=now)
        .select_related("member", "booking__team")
        .order_by("starts_at", "pk")[:50]
    )


def appointment_get(*, account: PortalAccount, ref: object) -> Appointment:
    pk = pk_from("appointment", ref)
    found = owned(account, Appointment.objects.all()).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found
