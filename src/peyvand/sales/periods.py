"""Sales months in the installation's fiscal calendar (Jalali by default), whatever language
a page is read in: a target for Azar is the same target in Persian and in English."""

from __future__ import annotations

import datetime as dt

import jdatetime
from django.utils.translation import ngettext

from peyvand.core.jalali import JALALI_MONTHS, local_digits
from peyvand.core.text import to_ascii_digits

from . import conf

JALALI_MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip


def month_start(day: dt.date) -> dt.date:
    if conf.fiscal_calendar() == "gregorian":
        return day.replace(day=1)
    j = jdatetime.date.fromgregorian(date=day)
    return jdatetime.date(j.year, j.month, 1).togregorian()


def next_month(start: dt.date) -> dt.date:
    return month_start(start + dt.timedelta(days=32))


def months_from(start: dt.date, count: int) -> list[dt.date]:
    months = [month_start(start)]
    while len(months) < count:
        months.append(next_month(months[-1]))
    return months


def month_label(start: dt.date, language: str) -> str:
    if conf.fiscal_calendar() == "gregorian":
        return start.strftime("%B %Y") if language.startswith("en") else local_digits(f"{start:%Y/%m}")
    j = jdatetime.date.fromgregorian(date=start)
    if language.startswith("fa"):
        return local_digits(f"{JALALI_MONTHS[j.month - 1]} {j.year}")
    return f"{JALALI_MONTHS_EN[j.month - 1]} {j.year}"


def parse_month(text: str) -> dt.date:
    """ "1405/09" or "2026-11" (any digits) to the month's first day; ValueError otherwise."""

    parts = to_ascii_digits(text or "").replace("-", "/").strip().split("/")
    if len(parts) < 2 or not all(p.strip().isdigit() for p in parts[:2]):
        raise ValueError(text)
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(text)
    if year < 1700:
        return (
            jdatetime.date(year, month, 1).togregorian()
            if conf.fiscal_calendar() == "jalali"
            else month_start(jdatetime.date(year, month, 1).togregorian())
        )
    return (
        month_start(dt.date(year, month, 1))
        if conf.fiscal_calendar() == "gregorian"
        else month_start(dt.date(year, month, 15))
    )


def duration_words(delta: dt.timedelta) -> str:
    """How long, as people say it: “3 days”, “5 hours”, in the interface's language and digits."""

    if delta.days:
        text = ngettext("%(count)d day", "%(count)d days", delta.days) % {"count": delta.days}
    else:
        hours = delta.seconds // 3600
        text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return local_digits(text)


def input_month(start: dt.date, language: str) -> str:
    """A month as typed back into a month field: 1405/09 (Jalali calendar) or 2026-11."""
    if conf.fiscal_calendar() == "gregorian":
        return f"{start:%Y-%m}"
    j = jdatetime.date.fromgregorian(date=start)
    text = f"{j.year}/{j.month:02d}"
    return local_digits(text) if language.startswith("fa") else text
