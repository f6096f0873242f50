"""The calendar's grid: Jalali months and Saturday-first weeks in Persian, Gregorian months
and Monday-first weeks in English. Pure date arithmetic; the activities are placed by the
view from one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import jdatetime
from django.utils import timezone

from peyvand.core.jalali import JALALI_MONTHS, local_digits

from .models import Activity

PERSIAN_WEEKDAYS = ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه")
ENGLISH_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIRST_HOUR, LAST_HOUR = 7, 21  # the week view's hour rows; earlier and later share a row


@dataclass
class Day:
    date: dt.date
    label: str
    in_period: bool
    today: bool
    weekend: bool
    name: str = ""  # the weekday's name
    items: list[Activity] = field(default_factory=list)
    hours: dict[int | None, list[Activity]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Grid:
    view: str  # "month" or "week"
    title: str
    anchor: dt.date
    start: dt.date
    end: dt.date  # exclusive
    weeks: list[list[Day]]
    weekdays: list[str]
    previous: dt.date
    next: dt.date
    hours: list[int]

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week]

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, zone),
            dt.datetime.combine(self.end, dt.time.min, zone),
        )

    def place(self, activities: Iterable[Activity]) -> None:
        by_date = {day.date: day for day in self.days}
        for activity in activities:
            local = timezone.localtime(activity.due_at)
            day = by_date.get(local.date())
            if day is None:
                continue
            day.items.append(activity)
            hour = local.hour if FIRST_HOUR <= local.hour <= LAST_HOUR else None
            day.hours[hour].append(activity)


def _week_start(jalali: bool) -> int:
    return 5 if jalali else 0  # Saturday in Iran, Monday (ISO) elsewhere


def _month_bounds(anchor: dt.date, jalali: bool) -> tuple[dt.date, dt.date, str]:
    if jalali:
        j = jdatetime.date.fromgregorian(date=anchor)
        first = jdatetime.date(j.year, j.month, 1)
        following = jdatetime.date(j.year + (j.month == 12), j.month % 12 + 1, 1)
        title = local_digits(f"{JALALI_MONTHS[j.month - 1]} {j.year}")
        return first.togregorian(), following.togregorian(), title
    first = anchor.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following, first.strftime("%B %Y")


def _label(day: dt.date, jalali: bool) -> str:
    return local_digits(jdatetime.date.fromgregorian(date=day).day) if jalali else str(day.day)


def month_grid(anchor: dt.date, *, jalali: bool, today: dt.date, weekend: Iterable[int]) -> Grid:
    first, following, title = _month_bounds(anchor, jalali)
    start_day = _week_start(jalali)
    start = first - dt.timedelta(days=(first.weekday() - start_day) % 7)
    end = following + dt.timedelta(days=(start_day - following.weekday()) % 7)
    return _grid("month", title, anchor, start, end, first, following, jalali, today, weekend)


def week_grid(anchor: dt.date, *, jalali: bool, today: dt.date, weekend: Iterable[int]) -> Grid:
    start = anchor - dt.timedelta(days=(anchor.weekday() - _week_start(jalali)) % 7)
    end = start + dt.timedelta(days=7)
    last = end - dt.timedelta(days=1)
    if jalali:
        a, b = jdatetime.date.fromgregorian(date=start), jdatetime.date.fromgregorian(date=last)
        title = local_digits(
            f"{a.day} {JALALI_MONTHS[a.month - 1]} – {b.day} {JALALI_MONTHS[b.month - 1]} {b.year}"
        )
    else:
        title = f"{start:%-d %b} – {last:%-d %b %Y}"
    return _grid("week", title, anchor, start, end, start, end, jalali, today, weekend)


def _grid(
    view: str,
    title: str,
    anchor: dt.date,
    start: dt.date,
    end: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    jalali: bool,
    today: dt.date,
    weekend: Iterable[int],
) -> Grid:
    off = set(weekend)
    weekdays = list(PERSIAN_WEEKDAYS if jalali else ENGLISH_WEEKDAYS)  # each from its week's first day
    days: list[Day] = []
    day = start
    while day < end:
        in_period = period_start <= day < period_end
        name = weekdays[len(days) % 7]
        days.append(Day(day, _label(day, jalali), in_period, day == today, day.weekday() in off, name))
        day += dt.timedelta(days=1)
    if view == "month":
        previous = period_start - dt.timedelta(days=1)
        following = period_end
    else:
        previous, following = anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)
    return Grid(
        view=view,
        title=title,
        anchor=anchor,
        start=start,
        end=end,
        weeks=[days[i : i + 7] for i in range(0, len(days), 7)],
        weekdays=weekdays,
        previous=previous,
        next=following,
        hours=list(range(FIRST_HOUR, LAST_HOUR + 1)),
    )
