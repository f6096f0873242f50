""" "Schedule next contact" in one click: tomorrow, in three days, next week or next month,
on a working day, at the start of office hours."""

from __future__ import annotations

import datetime as dt

import jdatetime
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Repeat
from .recurrence import GREGORIAN, JALALI, _step

OFFICE_HOUR = dt.time(10, 0)
PRESETS = {
    "tomorrow": _("Tomorrow"),
    "in_3_days": _("In 3 days"),
    "next_week": _("Next week"),
    "next_month": _("Next month"),
}


def preset_due(name: str, *, now: dt.datetime | None = None, jalali: bool = True) -> dt.datetime:
    """When a preset falls, in the current time zone; KeyError for an unknown preset."""
    if name not in PRESETS:
        raise KeyError(name)
    today = timezone.localtime(now or timezone.now()).date()
    if name == "next_month":
        calendar = JALALI if jalali else GREGORIAN
        day = _step(today, Repeat.MONTHLY, 1, calendar, _day_of_month(today, calendar))
    else:
        day = today + dt.timedelta(days={"tomorrow": 1, "in_3_days": 3, "next_week": 7}[name])
    for _i in range(7):  # never on the weekend
        if day.weekday() not in settings.PEYVAND_WEEKEND:
            break
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, OFFICE_HOUR))


def _day_of_month(day: dt.date, calendar: str) -> int:
    return jdatetime.date.fromgregorian(date=day).day if calendar == JALALI else day.day
