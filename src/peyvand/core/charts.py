"""Charts with a table beside each: a typed, pure description built on the server.

A selector builds a ``Chart`` (what kind, a title, the category labels, one or more
``Series`` of raw numbers and how to format them); a page shows it with

    {% include "partials/chart.html" with chart=some_chart export=True %}

and loads the two scripts only where there are charts:

    {% block extra_scripts %}
    <script src="{% static 'vendor/echarts/echarts.min.js' %}"></script>
    <script src="{% static 'peyvand/charts.js' %}"></script>
    {% endblock %}

The partial renders a figure: the drawing's container, an accessible ``<table>`` with the
same figures in the reader's digits (formatted here, by ``Chart.table``), and the data for
the script as ``<script type="application/json">`` (``Chart.payload``: raw numbers and a
locale, so the axes and tooltips show Persian digits in Persian). ``charts.js`` draws it
with Apache ECharts, mirrored for right-to-left. With ``export=True`` the figure links to
``?export=<chart key>`` on the same page, which the page's view answers with
``Chart.csv_rows`` through ``core.exports``.

The time axis: ``periods(start, end)`` cuts a date range into weeks, months or years
(Jalali in Persian, Gregorian in English) with their labels, for a selector to count by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import jdatetime
from django.utils.translation import get_language

from . import jalali
from .text import to_persian_digits

ChartKind = Literal["bar", "stacked", "line", "pie", "pareto"]
SeriesKind = Literal["bar", "line"]
Format = Literal["count", "decimal", "percent"]
Grain = Literal["week", "month", "year"]

KINDS: tuple[str, ...] = ("bar", "stacked", "line", "pie", "pareto")
MISSING = "—"
# Persian separators, as Intl.NumberFormat("fa-IR") writes them in the browser.
PERSIAN_THOUSANDS, PERSIAN_DECIMAL, PERSIAN_PERCENT = "٬", "٫", "٪"
LEFT_TO_RIGHT_MINUS = "\u200e−"  # a left-to-right mark and U+2212, as Intl writes it
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Series:
    """One row of figures, a value per label (None where there is none).

    ``format`` and ``decimals`` say how its numbers read (a count, a decimal, a percentage);
    ``kind`` overrides the chart's for this series (a Pareto's line over its bars); ``axis``
    1 is the second value axis (a percentage beside counts); ``in_chart=False`` keeps a
    series to the table and the CSV (the counts behind a rate, say).
    """

    name: str
    values: tuple[float | None, ...]
    format: Format = "count"
    decimals: int = 1  # of a decimal or a percentage
    kind: SeriesKind | None = None
    axis: Literal[0, 1] = 0
    in_chart: bool = True


@dataclass(frozen=True)
class Table:
    """A chart's figures as text: the header and a row per label, in the reader's digits."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    key: str  # unique on its page: the element ids and ``?export=<key>``
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    label_heading: str = ""  # the table's first column: "Month", "Team"…
    unit: str = ""  # the value axis's name: "hours", "%"
    note: str = ""  # a line under the figure: how the figures were counted

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values for {len(self.labels)} labels"
                )

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(value in (None, 0) for series in self.series for value in series.values)

    def table(self, language: str | None = None) -> Table:
        """The figures as the reader reads them: Persian digits and separators in Persian."""
        language = language or get_language()
        header = (self.label_heading, *(s.name for s in self.series))
        rows = tuple(
            (
                label,
                *(format_value(s.values[i], s.format, language, decimals=s.decimals) for s in self.series),
            )
            for i, label in enumerate(self.labels)
        )
        return Table(header, rows)

    def payload(self, language: str | None = None) -> dict[str, Any]:
        """What charts.js draws: raw numbers, and the locale that formats them."""
        language = language or get_language()
        persian = jalali.uses_jalali(language)
        return {
            "kind": self.kind,
            "title": self.title,
            "labels": list(self.labels),
            "unit": self.unit,
            "locale": "fa-IR" if persian else "en-US",
            "rtl": persian,
            "series": [
                {
                    "name": s.name,
                    "values": [_raw(v) for v in s.values],
                    "format": s.format,
                    "decimals": 0 if s.format == "count" else s.decimals,
                    "kind": s.kind,
                    "axis": s.axis,
                }
                for s in self.series
                if s.in_chart
            ],
        }

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        """The header and rows of the CSV: labels as shown, numbers as numbers (Latin digits)."""
        header = [self.label_heading, *(s.name for s in self.series)]
        rows = [
            [label, *("" if s.values[i] is None else _raw(s.values[i]) for s in self.series)]
            for i, label in enumerate(self.labels)
        ]
        return header, rows


def _raw(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def format_value(value: float | None, fmt: Format, language: str | None = None, *, decimals: int = 1) -> str:
    """A figure for the table: "1,234", "12.5", "12.5%" in English; "۱٬۲۳۴", "۱۲٫۵", "۱۲٫۵٪" in
    Persian. Halves round away from zero, as Intl.NumberFormat rounds them in the chart."""
    if value is None:
        return MISSING
    places = 0 if fmt == "count" else decimals
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{places}f}"
    persian = jalali.uses_jalali(language or get_language())
    if persian:
        text = to_persian_digits(
            text.replace(",", "\0").replace(".", PERSIAN_DECIMAL).replace("\0", PERSIAN_THOUSANDS)
        )
        if text.startswith("-"):
            # A minus that stays on the left of the number in right-to-left text.
            text = LEFT_TO_RIGHT_MINUS + text[1:]
    if fmt == "percent":
        text += PERSIAN_PERCENT if persian else "%"
    return text


def percentages(counts: list[int] | tuple[int, ...]) -> tuple[float, ...]:
    """The running total of ``counts`` as a percentage of their sum (a Pareto's line)."""
    total = sum(counts)
    running, shares = 0, []
    for count in counts:
        running += count
        shares.append(100.0 * running / total if total else 0.0)
    return tuple(shares)


def histogram_percentile(
    edges: tuple[float, ...], below: tuple[int, ...] | list[int], total: int, share: float
) -> float | None:
    """A percentile read off a histogram counted in the database.

    ``below[i]`` is how many of the ``total`` values are under ``edges[i]`` (edges rising, the
    first bucket starting at 0). The value at rank ``share × total`` is interpolated
    linearly inside the bucket that holds it, the usual median of grouped data:
    L + (rank − F) / f × w. A rank beyond the last edge reads as the last edge (at least).
    None when there are no values.
    """
    if total <= 0:
        return None
    rank = share * total
    lower, before = 0.0, 0
    for edge, count in zip(edges, below, strict=True):
        if count >= rank and count > before:
            return lower + (edge - lower) * (rank - before) / (count - before)
        lower, before = edge, count
    return float(edges[-1])


# --- the time axis -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date  # the first day
    end: dt.date  # the day after the last


def grain_for(start: dt.date, end: dt.date) -> Grain:
    """Weeks for up to three months, months for up to three years, years beyond."""
    days = (end - start).days + 1
    if days <= 92:
        return "week"
    if days <= 3 * 366:
        return "month"
    return "year"


def periods(
    start: dt.date, end: dt.date, *, language: str | None = None, grain: Grain | None = None
) -> list[Period]:
    """The weeks, months or years from ``start`` to ``end`` (both included), the first and
    last cut to the range; Jalali in Persian (weeks from Saturday), Gregorian in English
    (weeks from Monday)."""
    language = language or get_language()
    grain = grain or grain_for(start, end)
    persian = jalali.uses_jalali(language)
    found: list[Period] = []
    cursor = period_start(start, grain, persian=persian)
    stop = end + dt.timedelta(days=1)
    while cursor < stop:
        following = _next_start(cursor, grain, persian=persian)
        found.append(Period(period_label(cursor, grain, language), max(cursor, start), min(following, stop)))
        cursor = following
    return found


def period_start(day: dt.date, grain: Grain, *, persian: bool) -> dt.date:
    """The first day of the week, month or year ``day`` is in."""
    if grain == "week":
        first_weekday = 5 if persian else 0  # Saturday, Monday
        return day - dt.timedelta(days=(day.weekday() - first_weekday) % 7)
    if persian:
        jday = jdatetime.date.fromgregorian(date=day)
        return jdatetime.date(jday.year, jday.month if grain == "month" else 1, 1).togregorian()
    return dt.date(day.year, day.month if grain == "month" else 1, 1)


def months_back(day: dt.date, months: int, *, language: str | None = None) -> dt.date:
    """The first day of the month ``months`` before ``day``'s, in the reader's calendar."""
    if jalali.uses_jalali(language or get_language()):
        jday = jdatetime.date.fromgregorian(date=day)
        index = jday.year * 12 + jday.month - 1 - months
        return jdatetime.date(index // 12, index % 12 + 1, 1).togregorian()
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _next_start(day: dt.date, grain: Grain, *, persian: bool) -> dt.date:
    if grain == "week":
        return day + dt.timedelta(days=7)
    if grain == "month":
        return months_back(day, -1, language="fa" if persian else "en")
    if persian:
        return jdatetime.date(jdatetime.date.fromgregorian(date=day).year + 1, 1, 1).togregorian()
    return dt.date(day.year + 1, 1, 1)


def period_label(day: dt.date, grain: Grain, language: str | None = None) -> str:
    """A month reads "آذر ۱۴۰۴" or "Nov 2025"; a week, its first day; a year, its number."""
    language = language or get_language()
    if grain == "week":
        return jalali.format_date(day, language)
    if jalali.uses_jalali(language):
        jday = jdatetime.date.fromgregorian(date=day)
        text = f"{jalali.JALALI_MONTHS[jday.month - 1]} {jday.year}" if grain == "month" else str(jday.year)
        return to_persian_digits(text)
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.year}" if grain == "month" else str(day.year)
