"""The business-hours clock of the service desk: when an SLA falls due, and how much of it
has been used, counted only in a business calendar's working time.

A `BusinessCalendar` is a working week (for each weekday, zero or more windows given as
minutes from midnight), an IANA time zone, and holidays: Iran's official ones (solar and
lunar, from the `holidays` package) when the calendar says so, plus the days an
administrator adds, minus the official days an administrator removes. It is a frozen,
hashable value that does no database access; the desk builds it from its settings.

Pauses are the caller's business, and two functions are enough for them. The desk stores
the business minutes a ticket has used when its clock stops, and computes the new due time
when the clock starts again::

    used = business_minutes_between(calendar, opened_at, paused_at)  # when the clock stops
    due = add_business_minutes(calendar, resumed_at, sla_minutes - used)  # when it starts

With several pauses, add each running stretch to ``used``. Each stretch counts whole
minutes and drops a partial one, so each pause can give the desk up to a minute back. A
stretch that starts outside working time counts from the next working moment, so a ticket
resumed on Friday night is due as if resumed on Saturday morning, and one whose minutes are
all used (``sla_minutes - used`` is 0) is due at the next working moment.

Time zones and daylight saving. The windows are wall-clock times in the calendar's zone and
each window's edges are converted to instants, so 08:00 in Berlin is 07:00 UTC in winter and
06:00 UTC in summer; the minutes counted are those that really pass inside the windows. A
window that spans a clock change (a desk open through the night) is one hour shorter on the
spring day and one hour longer on the autumn day. A window edge that falls in the spring gap
(02:30 on a day the clocks jump from 02:00 to 03:00) is the moment the clock jumps; an edge
in the repeated autumn hour is its first occurrence.

Speed. A due time never walks minute by minute: the clock skips whole weeks (the weekly total
is cached on the calendar) less the minutes each holiday takes away (a sorted table per year,
with running sums, found by bisection), then days, and only converts instants on the first
and the last day. A due time 2,000 business hours away, across a year of holidays, takes a
few tens of microseconds once the year's holidays are loaded.

`holidays` is imported when a year's official holidays are first needed, not at start-up:
the import costs 0.1 s, and the first calendar (which imports all of its 250 countries)
another 0.1 s; without compiled bytecode (PYTHONDONTWRITEBYTECODE) 0.2-0.3 s and 0.4-0.6 s
(measured). Each year's holidays are then cached for the life of the process.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)  # as date.weekday()
# The order a Persian reader expects on a settings page; the names are Django's own
# `django.utils.dates.WEEKDAYS`, already translated.
WEEK_FROM_SATURDAY = (SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY)

Window = tuple[int, int]  # minutes from local midnight, start < end, 0..1440
Day = tuple[Window, ...]
Week = tuple[Day, Day, Day, Day, Day, Day, Day]  # Monday first, as date.weekday()

HolidayStatus = Literal["official", "added", "removed"]

_MINUTE = 60_000_000  # microseconds: instants and durations are whole microseconds inside
_DAY = 1440 * _MINUTE
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_HORIZON_DAYS = 100 * 366  # no working time within a century: the calendar is broken
_LANGUAGES = {"fa": "fa_IR", "en": "en_US"}


def window(start: str, end: str) -> Window:
    """``window("08:00", "16:00")`` is ``(480, 960)``; ``"24:00"`` ends a window at midnight."""
    return (_minutes(start), _minutes(end))


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def week_from(days: Mapping[int, Iterable[Window]]) -> Week:
    """A week from ``{SATURDAY: [window("08:00", "16:00")], ...}``; a day not named is off."""
    return tuple(tuple(days.get(weekday, ())) for weekday in range(7))  # type: ignore[return-value]


_WORKDAY = (window("08:00", "16:00"),)
# Saturday to Wednesday 08:00-16:00, Thursday 08:00-13:00, Friday off.
IRANIAN_WEEK: Week = week_from(
    {
        SATURDAY: _WORKDAY,
        SUNDAY: _WORKDAY,
        MONDAY: _WORKDAY,
        TUESDAY: _WORKDAY,
        WEDNESDAY: _WORKDAY,
        THURSDAY: (window("08:00", "13:00"),),
    }
)


@dataclass(frozen=True, slots=True)
class _Year:
    """How one year's days differ from the plain week: holidays take their day's minutes
    away, and a day whose windows span a clock change gains or loses an hour."""

    ordinals: tuple[int, ...]  # sorted
    running: tuple[int, ...]  # running[i]: the sum of the differences before ordinals[i]
    difference: dict[int, int]


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """A working week, a time zone and holidays. Frozen and hashable: build it once from the
    settings and share it; what it derives (weekly totals, each year's holiday table) is
    computed once per calendar."""

    week: Week = IRANIAN_WEEK
    time_zone: str = "Asia/Tehran"
    official_holidays: bool = True  # Iran's official holidays, from the `holidays` package
    added_holidays: frozenset[dt.date] = frozenset()
    removed_holidays: frozenset[dt.date] = frozenset()  # official days worked all the same

    week_minutes: int = field(init=False, compare=False)
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _day_length: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _running_week: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _years: dict[int, _Year] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        week = _checked_week(self.week)
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        day_length = tuple(sum(end - start for start, end in day) * _MINUTE for day in week)
        if not any(day_length):
            raise ValueError("the week has no working time")
        running = [0]
        for length in day_length + day_length:
            running.append(running[-1] + length)
        setter = object.__setattr__  # a frozen dataclass fills its derived fields here
        setter(self, "week", week)
        setter(self, "added_holidays", frozenset(self.added_holidays))
        setter(self, "removed_holidays", frozenset(self.removed_holidays))
        setter(self, "week_minutes", sum(day_length) // _MINUTE)
        setter(self, "zone", zone)
        setter(self, "_day_length", day_length)
        setter(self, "_running_week", tuple(running))
        setter(self, "_years", {})

    # --- what the clock asks ---------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        """Whether nothing is worked on this date (a weekend day is not a holiday)."""
        if day in self.added_holidays:
            return True
        return self.official_holidays and day not in self.removed_holidays and day in _official_days(day.year)

    def _plain_length(self, first: int, stop: int) -> int:
        """Working microseconds of the plain week in the days [first, stop) (ordinals)."""
        weeks, rest = divmod(stop - first, 7)
        weekday = (first - 1) % 7  # ordinal 1, 0001-01-01, was a Monday
        return (
            weeks * self._running_week[7] + self._running_week[weekday + rest] - self._running_week[weekday]
        )

    def _length(self, first: int, stop: int) -> int:
        """Working microseconds in the days [first, stop): the plain week, then each year's
        differences found by bisection."""
        if stop <= first:
            return 0
        total = self._plain_length(first, stop)
        for year in range(_year_of(first), _year_of(stop - 1) + 1):
            table = self._year(year)
            low, high = bisect_left(table.ordinals, first), bisect_left(table.ordinals, stop)
            total += table.running[high] - table.running[low]
        return total

    def _day_length_of(self, ordinal: int) -> int:
        return self._day_length[(ordinal - 1) % 7] + self._year(_year_of(ordinal)).difference.get(ordinal, 0)

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        difference: dict[int, int] = {}
        closed = {day for day in self.added_holidays if day.year == year}
        if self.official_holidays:
            closed |= _official_days(year) - self.removed_holidays
        for day in closed:
            ordinal = day.toordinal()
            if self._day_length[day.weekday()]:
                difference[ordinal] = -self._day_length[day.weekday()]
        for ordinal in _clock_change_days(self.time_zone, year):
            if ordinal not in difference and self._day_length[(ordinal - 1) % 7]:
                length = sum(end - start for start, end in self._windows(ordinal, check_holiday=False))
                if length != self._day_length[(ordinal - 1) % 7]:
                    difference[ordinal] = length - self._day_length[(ordinal - 1) % 7]
        ordinals = tuple(sorted(difference))
        running = [0]
        for ordinal in ordinals:
            running.append(running[-1] + difference[ordinal])
        return _Year(ordinals, tuple(running), difference)

    def _windows(self, ordinal: int, *, check_holiday: bool = True) -> list[tuple[int, int]]:
        """The day's working windows as instants (microseconds since 1970 UTC)."""
        day = dt.date.fromordinal(ordinal)
        windows = self.week[day.weekday()]
        if not windows or (check_holiday and self.is_holiday(day)):
            return []
        if ordinal in _clock_change_days(self.time_zone, day.year):
            return [(self._edge(day, start), self._edge(day, end)) for start, end in windows]
        # No clock change near this day: one offset holds all day.
        offset = self.zone.utcoffset(dt.datetime(day.year, day.month, day.day, 12))
        midnight = (ordinal - _EPOCH_ORDINAL) * _DAY - _micro(offset)
        return [(midnight + start * _MINUTE, midnight + end * _MINUTE) for start, end in windows]

    def _edge(self, day: dt.date, minute: int) -> int:
        """The first instant at which the wall clock reads this minute of this day or later:
        in a spring gap, the moment the clock jumps; in a repeated autumn hour, its first pass."""
        wall = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
        after = _micro(wall.replace(tzinfo=self.zone).astimezone(dt.UTC) - _EPOCH)
        if _wall(self.zone, after) == wall:
            return after
        # In a gap: fold=1 reads the wall time with the later offset, an instant before the jump.
        before = _micro(wall.replace(tzinfo=self.zone, fold=1).astimezone(dt.UTC) - _EPOCH)
        low, high = before // 1_000_000, -(-after // 1_000_000)  # whole seconds
        while high - low > 1:
            middle = (low + high) // 2
            if _wall(self.zone, middle * 1_000_000) >= wall:
                high = middle
            else:
                low = middle
        return high * 1_000_000

    def _local_ordinal(self, instant: int) -> int:
        return _to_datetime(instant).astimezone(self.zone).toordinal()


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day on a calendar's settings page. ``name`` is the official name in the reader's
    language ("" for a day only an administrator added); ``status`` says whether it is an
    official holiday, one an administrator added, or an official one removed (worked)."""

    date: dt.date
    name: str
    status: HolidayStatus

    @property
    def closed(self) -> bool:
        return self.status != "removed"


# --- the public functions -------------------------------------------------------------------


def add_business_minutes(calendar: BusinessCalendar, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment ``minutes`` business minutes after ``start`` (aware, any zone), in UTC.

    Outside working time the count starts at the next working moment, so zero minutes give
    that moment. A due time that lands on a window's end is that end, not the next morning.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    now = _instant(start)
    ordinal = calendar._local_ordinal(now)
    first = ordinal
    remaining = minutes * _MINUTE
    for begin, end in calendar._windows(ordinal):  # the rest of the first day
        if now < end:
            begin = max(begin, now)
            if remaining <= end - begin:
                return _to_datetime(begin + remaining)
            remaining -= end - begin
    ordinal += 1
    # Whole weeks: the plain week's minutes less what the holidays take away.
    week = calendar._running_week[7]
    weeks = min(remaining // week, _HORIZON_DAYS // 7)
    while weeks:
        length = calendar._length(ordinal, ordinal + 7 * weeks)
        if length < remaining:
            remaining -= length
            ordinal += 7 * weeks
            if ordinal - first > _HORIZON_DAYS:
                raise ValueError("the calendar has no working time within a century")
            weeks = min(remaining // week, _HORIZON_DAYS // 7)
        else:  # a clock change gave the span an hour, or it ends exactly on the due day
            weeks //= 2
    # Then days, up to the day the time runs out on.
    while True:
        length = calendar._day_length_of(ordinal)
        if length and remaining <= length:
            break
        remaining -= length
        ordinal += 1
        if ordinal - first > _HORIZON_DAYS:
            raise ValueError("the calendar has no working time within a century")
    for begin, end in calendar._windows(ordinal):
        if remaining <= end - begin:
            return _to_datetime(begin + remaining)
        remaining -= end - begin
    raise AssertionError("a day's windows disagree with its length")  # pragma: no cover


def business_minutes_between(calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Whole business minutes from ``start`` to ``end`` (0 when end <= start): the inverse of
    `add_business_minutes` from a working moment."""
    low, high = _instant(start), _instant(end)
    if high <= low:
        return 0
    first, last = calendar._local_ordinal(low), calendar._local_ordinal(high)
    if first == last:
        total = _overlap(calendar._windows(first), low, high)
    else:
        total = (
            _overlap(calendar._windows(first), low, None)
            + calendar._length(first + 1, last)
            + _overlap(calendar._windows(last), None, high)
        )
    return total // _MINUTE


def is_working_time(calendar: BusinessCalendar, moment: dt.datetime) -> bool:
    """Whether the desk is open at this moment (aware, any zone)."""
    now = _instant(moment)
    return any(begin <= now < end for begin, end in calendar._windows(calendar._local_ordinal(now)))


def next_working_moment(calendar: BusinessCalendar, moment: dt.datetime) -> dt.datetime:
    """The moment itself (in UTC) when the desk is open, else the start of the next window."""
    return add_business_minutes(calendar, moment, 0)


def holidays_of_year(calendar: BusinessCalendar, year: int, language: str = "fa") -> list[Holiday]:
    """The year's holidays in date order, for the calendar's settings page: the official ones
    (named in ``language``, "fa" or "en"; another falls back to English) when the calendar
    uses them, marked "removed" where an administrator removed them, and the added ones."""
    names: dict[dt.date, str] = {}
    if calendar.official_holidays:
        names = dict(_official_names(year, _LANGUAGES.get(language[:2].lower(), "en_US")))
    days = set(names) | {day for day in calendar.added_holidays if day.year == year}
    entries = []
    for day in sorted(days):
        status: HolidayStatus = "official"
        if day in calendar.added_holidays and (day not in names or day in calendar.removed_holidays):
            status = "added"
        elif day in calendar.removed_holidays:
            status = "removed"
        entries.append(Holiday(day, names.get(day, ""), status))
    return entries


# --- helpers ----------------------------------------------------------------------------------


def _checked_week(week: Sequence[Iterable[Sequence[int]]]) -> Week:
    days = tuple(tuple(sorted((int(start), int(end)) for start, end in day)) for day in week)
    if len(days) != 7:
        raise ValueError("a week has seven days, Monday first")
    for day in days:
        previous_end = 0
        for start, end in day:
            if not 0 <= start < end <= 1440:
                raise ValueError(f"window {start}-{end} is not within a day (0-1440 minutes)")
            if start < previous_end:
                raise ValueError("a day's windows overlap")
            previous_end = end
    return days


def _instant(moment: dt.datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return _micro(moment - _EPOCH)


def _micro(delta: dt.timedelta | None) -> int:
    return 0 if delta is None else delta // _ONE_MICROSECOND


def _to_datetime(instant: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=instant)


def _wall(zone: ZoneInfo, instant: int) -> dt.datetime:
    return _to_datetime(instant).astimezone(zone).replace(tzinfo=None)


def _year_of(ordinal: int) -> int:
    return dt.date.fromordinal(ordinal).year


def _overlap(windows: list[tuple[int, int]], low: int | None, high: int | None) -> int:
    total = 0
    for begin, end in windows:
        if low is not None:
            begin = max(begin, low)
        if high is not None:
            end = min(end, high)
        total += max(0, end - begin)
    return total


@functools.lru_cache(maxsize=64)
def _clock_change_days(time_zone: str, year: int) -> frozenset[int]:
    """The local days (ordinals) of the year near a change of the zone's UTC offset. Only
    these need their window edges converted one by one; on any other day one offset holds.
    The offset is sampled at each UTC midnight; a change between two samples marks the
    local days that can overlap that stretch (offsets reach ±14 h)."""
    zone = ZoneInfo(time_zone)
    january_first, december_last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    days: set[int] = set()
    previous = None
    for ordinal in range(january_first - 2, december_last + 4):
        offset = _to_datetime((ordinal - _EPOCH_ORDINAL) * _DAY).astimezone(zone).utcoffset()
        if previous is not None and offset != previous:  # the change lies in [ordinal-1, ordinal)
            days.update(
                day for day in range(ordinal - 2, ordinal + 2) if january_first <= day <= december_last
            )
        previous = offset
    return frozenset(days)


@functools.lru_cache(maxsize=256)
def _official_names(year: int, language: str) -> tuple[tuple[dt.date, str], ...]:
    """Iran's official holidays of the year, solar and lunar, named in ``language``. Lunar
    dates past the last year the package has confirmed are estimates, named "(estimated)"."""
    import holidays  # noqa: PLC0415 - 0.1 s at start-up, 0.2-0.3 s without bytecode (measured)

    found = holidays.country_holidays("IR", years=year, language=language)
    return tuple(sorted(found.items()))


@functools.lru_cache(maxsize=256)
def _official_days(year: int) -> frozenset[dt.date]:
    return frozenset(day for day, _ in _official_names(year, "fa_IR"))
