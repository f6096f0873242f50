"""The next occurrence of a repeating activity, in the Jalali or the Gregorian calendar.

"Every month on the 31st" keeps the 31st where a month has one and falls back to the
month's last day elsewhere (31 Shahrivar, then 30 Mehr, then 30 Aban…; 31 January, then
29 February, then 31 March): the series remembers the day it aims for, so it never drifts.
"""

from __future__ import annotations

import datetime as dt

import jdatetime
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .models import Repeat

JALALI, GREGORIAN = "jalali", "gregorian"
_MAX_STEPS = 50_000


def day_of_month(moment: dt.datetime, calendar: str) -> int:
    local = timezone.localtime(moment).date()
    return jdatetime.date.fromgregorian(date=local).day if calendar == JALALI else local.day


def _jalali_add_months(day: dt.date, months: int, wanted_day: int) -> dt.date:
    jday = jdatetime.date.fromgregorian(date=day)
    year, month = divmod(jday.year * 12 + (jday.month - 1) + months, 12)
    month += 1
    last = 31 if month <= 6 else 30
    if month == 12:
        last = 30 if jdatetime.date(year, 1, 1).isleap() else 29
    return jdatetime.date(year, month, min(wanted_day, last)).togregorian()


def _step(day: dt.date, repeat: str, every: int, calendar: str, wanted_day: int) -> dt.date:
    if repeat == Repeat.DAILY:
        return day + dt.timedelta(days=every)
    if repeat == Repeat.WEEKLY:
        return day + dt.timedelta(weeks=every)
    months = every * (12 if repeat == Repeat.YEARLY else 1)
    if calendar == JALALI:
        return _jalali_add_months(day, months, wanted_day)
    return day + relativedelta(months=months, day=wanted_day)  # clamped to the month's end


def next_due(
    *,
    due_at: dt.datetime,
    repeat: str,
    every: int,
    calendar: str,
    until: dt.date | None,
    after: dt.datetime,
    wanted_day: int | None = None,
) -> dt.datetime | None:
    """The first occurrence later than ``after``, at the same local time of day; None when
    the series ends first. A series completed late skips the occurrences already past, so
    "call every month" does not pile up overdue calls."""
    if repeat not in (Repeat.DAILY, Repeat.WEEKLY, Repeat.MONTHLY, Repeat.YEARLY) or every < 1:
        return None
    local = timezone.localtime(due_at)
    wanted_day = wanted_day or day_of_month(due_at, calendar)
    day = local.date()
    for _ in range(_MAX_STEPS):
        day = _step(day, repeat, every, calendar, wanted_day)
        if until is not None and day > until:
            return None
        moment = timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))
        if moment > after:
            return moment
    return None
