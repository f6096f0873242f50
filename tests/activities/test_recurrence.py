"""Repeating activities in both calendars: the day of the month never drifts."""

import datetime as dt
import zoneinfo

import jdatetime
import pytest
from django.utils import timezone

from peyvand.activities.recurrence import GREGORIAN, JALALI, next_due

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, 0, tzinfo=TEHRAN)


def jalali_at(year, month, day):
    return at(*jdatetime.date(year, month, day).togregorian().timetuple()[:3])


def series(first, repeat, calendar, count, every=1):
    out, due = [], first
    with timezone.override(TEHRAN):
        for _ in range(count):
            due = next_due(
                due_at=due,
                repeat=repeat,
                every=every,
                calendar=calendar,
                until=None,
                after=due,
                wanted_day=None if not out else wanted(first, calendar),
            )
            out.append(due)
    return out


def wanted(first, calendar):
    local = first.astimezone(TEHRAN).date()
    return jdatetime.date.fromgregorian(date=local).day if calendar == JALALI else local.day


def jalali_days(moments):
    return [
        (j.month, j.day)
        for j in (jdatetime.date.fromgregorian(date=m.astimezone(TEHRAN).date()) for m in moments)
    ]


def test_monthly_jalali_keeps_the_31st_where_the_month_has_one():
    start = jalali_at(1403, 5, 31)  # 31 Mordad
    moments = series(start, "monthly", JALALI, 8)
    assert jalali_days(moments) == [(6, 31), (7, 30), (8, 30), (9, 30), (10, 30), (11, 30), (12, 30), (1, 31)]
    assert all(m.astimezone(TEHRAN).hour == 10 for m in moments)


def test_monthly_jalali_esfand_in_a_common_year_has_29_days():
    start = jalali_at(1404, 11, 30)
    assert jalali_days(series(start, "monthly", JALALI, 2)) == [(12, 29), (1, 30)]


def test_monthly_gregorian_clamps_then_returns_to_the_31st():
    moments = series(at(2024, 1, 31), "monthly", GREGORIAN, 3)
    assert [(m.month, m.day) for m in moments] == [(2, 29), (3, 31), (4, 30)]


def test_daily_weekly_yearly_and_every_n():
    with timezone.override(TEHRAN):
        start = at(2024, 3, 1)
        assert next_due(
            due_at=start, repeat="daily", every=2, calendar=GREGORIAN, until=None, after=start
        ) == at(2024, 3, 3)
        assert next_due(
            due_at=start, repeat="weekly", every=1, calendar=GREGORIAN, until=None, after=start
        ) == at(2024, 3, 8)
        nowruz = jalali_at(1403, 1, 1)
        assert jalali_days(
            [next_due(due_at=nowruz, repeat="yearly", every=1, calendar=JALALI, until=None, after=nowruz)]
        ) == [(1, 1)]


def test_a_late_completion_skips_the_occurrences_already_past():
    with timezone.override(TEHRAN):
        start = at(2024, 1, 10)
        following = next_due(
            due_at=start, repeat="weekly", every=1, calendar=GREGORIAN, until=None, after=at(2024, 2, 1)
        )
        assert following == at(2024, 2, 7)


@pytest.mark.parametrize("repeat", ["", "hourly", None])
def test_no_repeat_means_no_next(repeat):
    start = at(2024, 1, 10)
    assert next_due(due_at=start, repeat=repeat, every=1, calendar=GREGORIAN, until=None, after=start) is None


def test_the_series_ends_on_its_until_date():
    with timezone.override(TEHRAN):
        start = at(2024, 1, 10)
        assert (
            next_due(
                due_at=start,
                repeat="weekly",
                every=1,
                calendar=GREGORIAN,
                until=dt.date(2024, 1, 16),
                after=start,
            )
            is None
        )
