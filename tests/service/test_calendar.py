"""The SLA clock counts business minutes on a real calendar: Iran's week and holidays, an
administrator's changes, other time zones and their clock changes. Pure: no database.

Exact instants everywhere; the long spans are checked against a plain day-by-day walk
written here from scratch (`reference_add`), which shares nothing with the engine's skipping.
"""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peyvand.service.calendar import (
    FRIDAY,
    IRANIAN_WEEK,
    MONDAY,
    SATURDAY,
    SUNDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    BusinessCalendar,
    Holiday,
    add_business_minutes,
    business_minutes_between,
    holidays_of_year,
    is_working_time,
    next_working_moment,
    week_from,
    window,
)

UTC = dt.UTC
TEHRAN = ZoneInfo("Asia/Tehran")
BERLIN = ZoneInfo("Europe/Berlin")
IRAN = BusinessCalendar()  # Saturday-Wednesday 08:00-16:00, Thursday 08:00-13:00, Iran's holidays
# A week many offices keep: Thursday off, 08:00-17:00.
SAT_TO_WED = week_from(
    {day: [window("08:00", "17:00")] for day in (SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY)}
)
LUNCH = week_from(
    {
        day: [window("08:00", "12:00"), window("13:00", "17:00")]
        for day in (SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY)
    }
)
BERLIN_OFFICE = BusinessCalendar(
    week=week_from({day: [window("09:00", "17:00")] for day in range(MONDAY, FRIDAY + 1)}),
    time_zone="Europe/Berlin",
    official_holidays=False,
)
ALL_HOURS = tuple((window("00:00", "24:00"),) for _ in range(7))


def tehran(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TEHRAN)


def berlin(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def due(calendar, start, minutes):
    """The due time, checked to come back in UTC."""
    result = add_business_minutes(calendar, start, minutes)
    assert result.tzinfo is UTC
    return result


# --- the edges, on Iran's week -----------------------------------------------------------


def test_the_iranian_week_is_the_default():
    assert IRAN.time_zone == "Asia/Tehran"
    assert IRAN.week == IRANIAN_WEEK
    assert IRAN.week_minutes == 5 * 8 * 60 + 5 * 60
    assert IRAN.week[FRIDAY] == ()
    assert IRAN.week[THURSDAY] == ((480, 780),)


def test_wednesday_evening_counts_from_thursday_morning_on_the_default_week():
    # 16:55 is after the 16:00 close; Thursday's half day holds the 4 hours.
    assert due(IRAN, tehran(2026, 1, 7, 16, 55), 4 * 60) == tehran(2026, 1, 8, 12, 0)


def test_wednesday_16_55_with_thursday_off_is_due_on_saturday():
    week = BusinessCalendar(week=SAT_TO_WED)
    # Five minutes on Wednesday, the rest from Saturday 08:00.
    assert due(week, tehran(2026, 1, 7, 16, 55), 4 * 60) == tehran(2026, 1, 10, 11, 55)


def test_wednesday_16_55_before_a_saturday_holiday_is_due_on_sunday():
    week = BusinessCalendar(week=SAT_TO_WED)
    assert week.is_holiday(dt.date(2026, 1, 3))  # Birthday of Imam Ali, a Saturday
    assert due(week, tehran(2025, 12, 31, 16, 55), 4 * 60) == tehran(2026, 1, 4, 11, 55)


def test_a_saturday_holiday_on_the_default_week():
    # Thursday's five hours, Saturday 2026-01-17 (the Mab'ath) off, then Sunday.
    assert IRAN.is_holiday(dt.date(2026, 1, 17))
    assert due(IRAN, tehran(2026, 1, 14, 16, 55), 6 * 60) == tehran(2026, 1, 18, 9, 0)


def test_across_nowruz():
    # 1404/12/28: three hours on Thursday; Friday, the oil day and Nowruz (Farvardin 1-4) off;
    # eight on Wednesday and five on Thursday: due exactly as Thursday's window closes.
    start = tehran(2026, 3, 19, 10, 0)
    for day in range(20, 25):
        assert IRAN.is_holiday(dt.date(2026, 3, day))
    assert due(IRAN, start, 16 * 60) == tehran(2026, 3, 26, 13, 0)
    assert due(IRAN, start, 16 * 60 + 1) == tehran(2026, 3, 28, 8, 1)


def test_a_ticket_opened_during_nowruz_starts_counting_after_it():
    assert due(IRAN, tehran(2026, 3, 21, 10, 0), 0) == tehran(2026, 3, 25, 8, 0)
    assert next_working_moment(IRAN, tehran(2026, 3, 22, 9, 0)) == tehran(2026, 3, 25, 8, 0)
    assert not is_working_time(IRAN, tehran(2026, 3, 23, 10, 0))


def test_across_eid_al_fitr_and_natures_day():
    # 2025: Eid al-Fitr Monday and Tuesday, Nature's Day (Farvardin 13) on Wednesday.
    for day in (dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 4, 2)):
        assert IRAN.is_holiday(day)
    assert due(IRAN, tehran(2025, 3, 30, 15, 0), 120) == tehran(2025, 4, 3, 9, 0)


def test_across_tasua_and_ashura():
    # Tasua and Ashura fall on Wednesday 2026-06-24 and Thursday 2026-06-25.
    assert IRAN.is_holiday(dt.date(2026, 6, 24))
    assert IRAN.is_holiday(dt.date(2026, 6, 25))
    assert due(IRAN, tehran(2026, 6, 23, 15, 0), 4 * 60) == tehran(2026, 6, 27, 11, 0)
    assert business_minutes_between(IRAN, tehran(2026, 6, 23, 15, 0), tehran(2026, 6, 27, 11, 0)) == 240


def test_two_thousand_hours_from_nowruz_across_a_year_of_holidays():
    start = tehran(2026, 3, 21, 10, 0)
    result = due(IRAN, start, 2000 * 60)
    assert result == tehran(2027, 2, 15, 14, 0)
    assert result == reference_add(IRAN, start, 2000 * 60)
    assert business_minutes_between(IRAN, start, result) == 2000 * 60


# --- where the ticket starts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, minutes, expected",
    [
        (tehran(2026, 1, 11, 6, 30), 60, tehran(2026, 1, 11, 9, 0)),  # before opening
        (tehran(2026, 1, 11, 12, 30), 60, tehran(2026, 1, 11, 14, 0)),  # during lunch
        (tehran(2026, 1, 11, 12, 30), 0, tehran(2026, 1, 11, 13, 0)),
        (tehran(2026, 1, 11, 11, 30), 60, tehran(2026, 1, 11, 13, 30)),  # lunch in the middle
        (tehran(2026, 1, 11, 11, 0), 60, tehran(2026, 1, 11, 12, 0)),  # ends as lunch begins
        (tehran(2026, 1, 11, 18, 0), 60, tehran(2026, 1, 12, 9, 0)),  # after closing
        (tehran(2026, 1, 9, 10, 0), 30, tehran(2026, 1, 10, 8, 30)),  # on Friday
        (tehran(2026, 1, 8, 10, 0), 30, tehran(2026, 1, 10, 8, 30)),  # Thursday off in this week
        (tehran(2026, 1, 11, 10, 15), 0, tehran(2026, 1, 11, 10, 15)),  # at work: itself
    ],
)
def test_starts_outside_working_time_count_from_the_next_working_moment(start, minutes, expected):
    calendar = BusinessCalendar(week=LUNCH)
    assert due(calendar, start, minutes) == expected
    assert business_minutes_between(calendar, start, expected) == minutes


def test_is_working_time_on_a_split_day():
    calendar = BusinessCalendar(week=LUNCH)
    assert not is_working_time(calendar, tehran(2026, 1, 11, 7, 59))
    assert is_working_time(calendar, tehran(2026, 1, 11, 8, 0))
    assert is_working_time(calendar, tehran(2026, 1, 11, 11, 59))
    assert not is_working_time(calendar, tehran(2026, 1, 11, 12, 0))
    assert is_working_time(calendar, tehran(2026, 1, 11, 13, 0))
    assert not is_working_time(calendar, tehran(2026, 1, 11, 17, 0))
    assert not is_working_time(calendar, tehran(2026, 1, 9, 10, 0))  # Friday
    assert is_working_time(calendar, utc(2026, 1, 11, 6, 0))  # 09:30 in Tehran, asked in UTC


def test_the_default_week_after_thursdays_close_opens_on_saturday():
    assert next_working_moment(IRAN, tehran(2026, 1, 8, 13, 0)) == tehran(2026, 1, 10, 8, 0)
    assert next_working_moment(IRAN, tehran(2026, 1, 8, 12, 59)) == tehran(2026, 1, 8, 12, 59)


# --- pauses: the caller keeps the minutes used ---------------------------------------------------


def test_a_pause_and_a_resume_use_the_whole_sla_and_no_more():
    sla = 16 * 60
    opened, paused, resumed = (
        tehran(2026, 1, 14, 10, 0),
        tehran(2026, 1, 15, 11, 0),
        tehran(2026, 1, 18, 9, 30),
    )
    used = business_minutes_between(IRAN, opened, paused)
    assert used == 6 * 60 + 3 * 60  # Wednesday 10-16, Thursday 08-11
    result = due(IRAN, resumed, sla - used)
    # Sunday 09:30-16:00 is 390 minutes (Saturday 01-17 a holiday); the last 30 on Monday.
    assert result == tehran(2026, 1, 19, 8, 30)
    assert used + business_minutes_between(IRAN, resumed, result) == sla
    # Without the pause it was due on Sunday at 13:00, and a pause of no length changes nothing.
    assert due(IRAN, opened, sla) == tehran(2026, 1, 18, 13, 0)
    assert due(IRAN, paused, sla - used) == tehran(2026, 1, 18, 13, 0)


def test_a_pause_outside_working_time_uses_only_the_working_minutes():
    opened, paused = tehran(2026, 1, 14, 10, 0), tehran(2026, 1, 15, 20, 0)
    assert business_minutes_between(IRAN, opened, paused) == 6 * 60 + 5 * 60
    assert business_minutes_between(IRAN, paused, opened) == 0
    assert business_minutes_between(IRAN, opened, opened) == 0


# --- an administrator's calendar -----------------------------------------------------------------


def test_a_changed_week():
    calendar = BusinessCalendar(week=SAT_TO_WED)
    assert calendar.week_minutes == 5 * 9 * 60
    assert calendar.week[THURSDAY] == ()
    assert due(calendar, tehran(2026, 1, 8, 10, 0), 60) == tehran(2026, 1, 10, 9, 0)
    assert calendar != IRAN


def test_an_added_holiday():
    start = tehran(2026, 1, 8, 12, 0)  # Thursday: one hour left today
    assert due(IRAN, start, 240) == tehran(2026, 1, 10, 11, 0)
    closed = BusinessCalendar(added_holidays=frozenset({dt.date(2026, 1, 10)}))
    assert closed.is_holiday(dt.date(2026, 1, 10))
    assert due(closed, start, 240) == tehran(2026, 1, 11, 11, 0)
    assert business_minutes_between(closed, start, tehran(2026, 1, 11, 11, 0)) == 240


def test_an_official_holiday_removed():
    worked = BusinessCalendar(removed_holidays=frozenset({dt.date(2026, 6, 24)}))
    assert not worked.is_holiday(dt.date(2026, 6, 24))
    assert worked.is_holiday(dt.date(2026, 6, 25))
    assert due(worked, tehran(2026, 6, 23, 15, 0), 240) == tehran(2026, 6, 24, 11, 0)


def test_a_calendar_without_the_official_holidays_works_through_nowruz():
    calendar = BusinessCalendar(official_holidays=False)
    assert not calendar.is_holiday(dt.date(2026, 3, 21))
    assert due(calendar, tehran(2026, 3, 19, 10, 0), 16 * 60) == tehran(2026, 3, 22, 13, 0)


def test_an_added_holiday_outlasts_a_removal_of_the_same_day():
    day = dt.date(2026, 6, 24)
    calendar = BusinessCalendar(added_holidays=frozenset({day}), removed_holidays=frozenset({day}))
    assert calendar.is_holiday(day)


def test_a_calendar_is_a_value():
    assert BusinessCalendar() == IRAN
    assert hash(BusinessCalendar()) == hash(IRAN)
    same = BusinessCalendar(week=[list(day) for day in IRANIAN_WEEK], added_holidays={dt.date(2026, 1, 10)})
    assert same == BusinessCalendar(added_holidays=frozenset({dt.date(2026, 1, 10)}))
    with pytest.raises(AttributeError):
        IRAN.time_zone = "UTC"  # type: ignore[misc]


# --- time zones and clock changes ----------------------------------------------------------------


def test_berlin_office_hours_follow_the_spring_clock_change():
    # Friday 16:00 CET is 15:00 UTC; Monday 09:00 CEST is 07:00 UTC.
    start = berlin(2026, 3, 27, 16, 0)
    assert due(BERLIN_OFFICE, start, 120) == utc(2026, 3, 30, 8, 0)
    assert business_minutes_between(BERLIN_OFFICE, start, utc(2026, 3, 30, 8, 0)) == 120
    assert next_working_moment(BERLIN_OFFICE, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 30, 7, 0)
    assert next_working_moment(BERLIN_OFFICE, utc(2026, 3, 21, 12, 0)) == utc(2026, 3, 23, 8, 0)


def test_berlin_office_hours_follow_the_autumn_clock_change():
    start = berlin(2026, 10, 23, 16, 0)
    assert start == utc(2026, 10, 23, 14, 0)
    assert due(BERLIN_OFFICE, start, 120) == utc(2026, 10, 26, 9, 0)
    assert business_minutes_between(BERLIN_OFFICE, start, utc(2026, 10, 26, 9, 0)) == 120


def test_a_desk_open_all_night_counts_the_hours_that_really_pass():
    desk = BusinessCalendar(week=ALL_HOURS, time_zone="Europe/Berlin", official_holidays=False)
    # The spring day has 23 hours, the autumn day 25.
    assert business_minutes_between(desk, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * 60
    assert business_minutes_between(desk, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * 60
    assert business_minutes_between(desk, berlin(2026, 1, 1), berlin(2027, 1, 1)) == 365 * 24 * 60
    # Four hours from 00:30 CET are 05:30 CEST, or 04:30 wall-clock hours later.
    assert due(desk, berlin(2026, 3, 29, 0, 30), 240) == utc(2026, 3, 29, 3, 30)
    assert due(desk, berlin(2026, 10, 25, 0, 30), 240) == utc(2026, 10, 25, 2, 30)
    # Weeks skipped across both changes.
    assert due(desk, berlin(2026, 3, 1), 365 * 24 * 60) == utc(2027, 2, 28, 23, 0)


def test_window_edges_in_the_spring_gap_and_the_repeated_autumn_hour():
    # Sunday 02:30-10:00: on the spring Sunday 02:30 never shows, so the window opens at the
    # jump (03:00 CEST); on the autumn Sunday it opens at the first 02:30 (CEST).
    calendar = BusinessCalendar(
        week=week_from({SUNDAY: [window("02:30", "10:00")]}),
        time_zone="Europe/Berlin",
        official_holidays=False,
    )
    assert next_working_moment(calendar, berlin(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)
    assert not is_working_time(calendar, utc(2026, 3, 29, 0, 59))
    assert is_working_time(calendar, utc(2026, 3, 29, 1, 0))
    assert business_minutes_between(calendar, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 7 * 60
    assert next_working_moment(calendar, berlin(2026, 10, 24, 12, 0)) == utc(2026, 10, 25, 0, 30)
    assert business_minutes_between(calendar, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 8 * 60 + 30
    assert due(calendar, berlin(2026, 10, 24, 12, 0), 8 * 60 + 30) == utc(2026, 10, 25, 9, 0)


def test_tehrans_last_clock_change_at_midnight():
    # Until 2022 Tehran kept summer time (+04:30), ending at midnight of Shahrivar 30/31.
    calendar = BusinessCalendar(official_holidays=False)
    start = tehran(2022, 9, 21, 15, 0)
    assert start == utc(2022, 9, 21, 10, 30)
    assert due(calendar, start, 120) == utc(2022, 9, 22, 5, 30)  # Thursday 09:00 at +03:30
    desk = BusinessCalendar(week=ALL_HOURS, official_holidays=False)
    assert business_minutes_between(desk, tehran(2022, 9, 21), tehran(2022, 9, 22)) == 25 * 60
    assert business_minutes_between(desk, tehran(2022, 3, 21), tehran(2022, 3, 23)) == 47 * 60


# --- the settings page -----------------------------------------------------------------------------


def test_a_years_holidays_in_persian_and_english():
    persian = {holiday.date: holiday for holiday in holidays_of_year(IRAN, 2026, "fa")}
    english = {holiday.date: holiday for holiday in holidays_of_year(IRAN, 2026, "en")}
    assert persian.keys() == english.keys()
    assert "نوروز" in persian[dt.date(2026, 3, 21)].name
    assert "Nowruz" in english[dt.date(2026, 3, 21)].name
    assert "Eid al-Fitr" in english[dt.date(2026, 3, 21)].name
    assert english[dt.date(2026, 6, 25)] == Holiday(dt.date(2026, 6, 25), "Ashura", "official")
    assert persian[dt.date(2026, 6, 24)].name == "تاسوعای حسینی"
    assert list(english) == sorted(english)
    assert all(holiday.status == "official" and holiday.closed for holiday in english.values())
    assert [holiday.name for holiday in holidays_of_year(IRAN, 2026, "en-us")] == [
        holiday.name for holiday in english.values()
    ]


def test_future_lunar_holidays_are_marked_estimated():
    english = {holiday.date: holiday.name for holiday in holidays_of_year(IRAN, 2027, "en")}
    persian = {holiday.date: holiday.name for holiday in holidays_of_year(IRAN, 2027, "fa")}
    assert english[dt.date(2027, 3, 10)] == "Eid al-Fitr (estimated)"
    assert persian[dt.date(2027, 3, 10)] == "عید سعید فطر (تخمینی)"
    assert english[dt.date(2027, 3, 21)] == "Nowruz"  # solar: exact


def test_the_settings_page_sees_added_and_removed_days():
    calendar = BusinessCalendar(
        added_holidays=frozenset({dt.date(2026, 1, 10), dt.date(2027, 1, 1)}),
        removed_holidays=frozenset({dt.date(2026, 6, 24)}),
    )
    listed = {holiday.date: holiday for holiday in holidays_of_year(calendar, 2026, "en")}
    assert listed[dt.date(2026, 1, 10)] == Holiday(dt.date(2026, 1, 10), "", "added")
    assert listed[dt.date(2026, 6, 24)] == Holiday(dt.date(2026, 6, 24), "Tasua", "removed")
    assert not listed[dt.date(2026, 6, 24)].closed
    assert dt.date(2027, 1, 1) not in listed
    only_added = BusinessCalendar(official_holidays=False, added_holidays=frozenset({dt.date(2026, 1, 10)}))
    assert holidays_of_year(only_added, 2026, "fa") == [Holiday(dt.date(2026, 1, 10), "", "added")]


# --- what the engine refuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"week": ((),) * 7}, "no working time"),
        ({"week": ((),) * 6}, "seven days"),
        ({"week": (((480, 720), (700, 900)),) + ((),) * 6}, "overlap"),
        ({"week": (((480, 1500),),) + ((),) * 6}, "within a day"),
        ({"week": (((600, 600),),) + ((),) * 6}, "within a day"),
        ({"time_zone": "Asia/Nowhere"}, "unknown time zone"),
    ],
)
def test_a_broken_calendar_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**arguments)


def test_naive_datetimes_and_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(IRAN, dt.datetime(2026, 1, 10, 9, 0), 10)
    with pytest.raises(ValueError, match="aware"):
        business_minutes_between(IRAN, tehran(2026, 1, 10), dt.datetime(2026, 1, 11))
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(IRAN, tehran(2026, 1, 10), -1)


def test_windows_are_read_from_clock_times():
    assert window("08:00", "16:00") == (480, 960)
    assert window("13:30", "24:00") == (810, 1440)


# --- properties, against a plain day-by-day walk ----------------------------------------------------


@functools.cache
def official(year):
    return holidays.country_holidays("IR", years=year)


def closed(calendar, day):
    if day in calendar.added_holidays:
        return True
    return calendar.official_holidays and day not in calendar.removed_holidays and day in official(day.year)


def edges(calendar, day):
    """The day's windows as instants, converted one wall-clock time at a time."""
    if closed(calendar, day):
        return []
    zone, midnight = ZoneInfo(calendar.time_zone), dt.datetime.combine(day, dt.time())
    return [
        tuple((midnight + dt.timedelta(minutes=m)).replace(tzinfo=zone).astimezone(UTC) for m in pair)
        for pair in calendar.week[day.weekday()]
    ]


def reference_add(calendar, start, minutes):
    remaining = dt.timedelta(minutes=minutes)
    day = start.astimezone(ZoneInfo(calendar.time_zone)).date()
    while True:
        for begin, end in edges(calendar, day):
            if start < end:
                begin = max(begin, start)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += dt.timedelta(days=1)


def reference_between(calendar, start, end):
    total, day = dt.timedelta(), start.astimezone(ZoneInfo(calendar.time_zone)).date()
    while day <= end.astimezone(ZoneInfo(calendar.time_zone)).date():
        for low, high in edges(calendar, day):
            total += max(dt.timedelta(), min(high, end) - max(low, start))
        day += dt.timedelta(days=1)
    return total // dt.timedelta(minutes=1)


@st.composite
def calendars(draw, zones, first_quarter=0, last_quarter=96):
    """A random week (up to three windows a day, on quarter hours within the bounds), zone
    and holidays."""

    def day():
        return st.lists(st.integers(first_quarter, last_quarter), max_size=6, unique=True).map(
            lambda marks: tuple(
                (15 * a, 15 * b) for a, b in zip(sorted(marks)[::2], sorted(marks)[1::2], strict=False)
            )
        )

    week = draw(st.tuples(*[day()] * 7).filter(lambda days: any(days)))
    return BusinessCalendar(
        week=week,
        time_zone=draw(zones),
        official_holidays=draw(st.booleans()),
        added_holidays=draw(st.frozensets(st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)), max_size=8)),
        removed_holidays=draw(st.frozensets(st.sampled_from(sorted(official(2026))), max_size=4)),
    )


STARTS = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2027, 6, 30), timezones=st.just(UTC))
ANY_ZONE = st.sampled_from(["Asia/Tehran", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"])


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(ANY_ZONE), start=STARTS, data=st.data())
def test_minutes_between_undoes_adding_them(calendar, start, data):
    minutes = data.draw(st.integers(0, calendar.week_minutes * 60))
    result = add_business_minutes(calendar, start, minutes)
    assert business_minutes_between(calendar, start, result) == minutes
    if minutes:
        later = data.draw(st.integers(1, calendar.week_minutes * 2))
        assert add_business_minutes(calendar, result, later) == add_business_minutes(
            calendar, start, minutes + later
        )
    assert is_working_time(calendar, add_business_minutes(calendar, start, 0))


@settings(max_examples=200, deadline=None)
@given(
    # Window edges away from the night, where every zone here changes its clocks.
    calendar=calendars(ANY_ZONE, first_quarter=16, last_quarter=92) | calendars(st.just("Asia/Tehran")),
    start=STARTS,
    data=st.data(),
)
def test_the_engine_agrees_with_a_plain_walk(calendar, start, data):
    minutes = data.draw(st.integers(0, calendar.week_minutes * 60))
    assert add_business_minutes(calendar, start, minutes) == reference_add(calendar, start, minutes)
    end = start + dt.timedelta(minutes=data.draw(st.integers(0, 200 * 24 * 60)))
    assert business_minutes_between(calendar, start, end) == reference_between(calendar, start, end)
    assert is_working_time(calendar, start) == any(
        low <= start < high for low, high in edges(calendar, day_of(calendar, start))
    )


def day_of(calendar, moment):
    return moment.astimezone(ZoneInfo(calendar.time_zone)).date()
