"""Dates in two calendars: stored as Gregorian (UTC for instants), shown and typed as Jalali
in Persian and as Gregorian in English.

Parsing accepts either calendar wherever a date is typed: a year from 1700 on is
Gregorian, an earlier one is Jalali (Jalali years are about 621 smaller, so the two
ranges never meet for any date a CRM records).
"""

from __future__ import annotations

import datetime as dt
import re

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .text import to_ascii_digits, to_persian_digits

GREGORIAN_YEAR_FROM = 1700
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2})(?:\s*[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)

JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


def uses_jalali(language: str | None = None) -> bool:
    return (language or get_language() or "fa").startswith("fa")


def local_digits(value: object) -> str:
    """Persian digits in the Persian interface, the text unchanged otherwise."""
    text = "" if value is None else str(value)
    return to_persian_digits(text) if uses_jalali() else text


_LATIN_WORD = re.compile(r"\S*[A-Za-z]\S*")


def local_numbers(text: str) -> str:
    """The numbers in a sentence (a message, an error) in the interface's digits.

    Unlike ``local_digits`` it leaves alone any word with Latin letters in it, such as an
    email address, a web address or a code quoted back to the user.
    """
    if not uses_jalali() or not any(ch.isdigit() for ch in text):
        return text
    pieces = []
    last = 0
    for word in _LATIN_WORD.finditer(text):
        pieces.append(to_persian_digits(text[last : word.start()]))
        pieces.append(word.group())
        last = word.end()
    pieces.append(to_persian_digits(text[last:]))
    return "".join(pieces)


def parse_date(value: str) -> dt.date:
    """A Jalali or Gregorian date typed as Y/M/D, in any digits; ValueError when invalid."""
    match = _DATE.match(to_ascii_digits(value or ""))
    if not match:
        raise ValueError(_("Enter a date as year/month/day, for example 1403/05/12 or 2024-08-02."))
    year, month, day = (int(part) for part in match.groups())
    try:
        if year >= GREGORIAN_YEAR_FROM:
            return dt.date(year, month, day)
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise ValueError(_("There is no such day in the calendar.")) from None


def parse_datetime(value: str) -> dt.datetime:
    """A date with an optional time (HH:MM), read in the current time zone."""
    match = _DATETIME.match(to_ascii_digits(value or ""))
    if not match:
        raise ValueError(
            _("Enter a date and time as year/month/day hour:minute, for example 1403/05/12 14:30.")
        )
    date = parse_date(match.group(1))
    hour, minute, second = (int(part or 0) for part in match.groups()[1:])
    try:
        naive = dt.datetime.combine(date, dt.time(hour, minute, second))
    except ValueError:
        raise ValueError(_("Enter a valid time of day.")) from None
    return timezone.make_aware(naive, timezone.get_current_timezone())


def format_date(value: dt.date | None, language: str | None = None, *, long: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not uses_jalali(language):
        return value.strftime("%-d %B %Y") if long else value.isoformat()
    jdate = jdatetime.date.fromgregorian(date=value)
    if long:
        text = f"{jdate.day} {JALALI_MONTHS[jdate.month - 1]} {jdate.year}"
    else:
        text = f"{jdate.year:04d}/{jdate.month:02d}/{jdate.day:02d}"
    return to_persian_digits(text)


def format_datetime(value: dt.datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = f"{format_date(local.date(), language)} {local:%H:%M}"
    return to_persian_digits(text) if uses_jalali(language) else text


def input_date(value: dt.date | None, language: str | None = None) -> str:
    """The text a date field holds for editing: Jalali Y/M/D in Persian, ISO in English.

    ASCII digits in both: the Jalali date picker reads the field's value and cannot parse
    Persian digits (it would open on an empty month); it draws its own calendar in Persian
    digits, and it writes ASCII digits back when a day is picked.
    """
    if value is None:
        return ""
    if not uses_jalali(language):
        return value.isoformat()
    jdate = jdatetime.date.fromgregorian(date=value)
    return f"{jdate.year:04d}/{jdate.month:02d}/{jdate.day:02d}"


def input_datetime(value: dt.datetime | None, language: str | None = None) -> str:
    """A date and time for editing, as ``input_date`` with the time: "1403/05/12 14:30"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if not uses_jalali(language):
        return f"{local:%Y-%m-%dT%H:%M}"
    return f"{input_date(local.date(), language)} {local:%H:%M}"
