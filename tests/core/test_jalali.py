import datetime as dt

import jdatetime
import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from peyvand.core import jalali
from peyvand.core.forms import LocalDateInput, LocalDateTimeInput


def test_parse_jalali_in_any_digits_and_separators():
    assert jalali.parse_date("1403/05/12") == dt.date(2024, 8, 2)
    assert jalali.parse_date("۱۴۰۳/۰۵/۱۲") == dt.date(2024, 8, 2)
    assert jalali.parse_date("١٤٠٣-٥-١٢") == dt.date(2024, 8, 2)


def test_parse_gregorian():
    assert jalali.parse_date("2024-08-02") == dt.date(2024, 8, 2)


@pytest.mark.parametrize("value", ["", "1403/13/01", "1403/12/31", "2023-02-29", "hello", "1403/05"])
def test_invalid_dates_raise_value_error(value):
    with pytest.raises(ValueError):
        jalali.parse_date(value)


def test_esfand_30_exists_only_in_leap_years():
    assert jalali.parse_date("1403/12/30") == dt.date(2025, 3, 20)
    with pytest.raises(ValueError):
        jalali.parse_date("1402/12/30")


def test_format_in_persian_and_english():
    day = dt.date(2024, 8, 2)
    assert jalali.format_date(day, "fa") == "۱۴۰۳/۰۵/۱۲"
    assert jalali.format_date(day, "fa", long=True) == "۱۲ مرداد ۱۴۰۳"
    assert jalali.format_date(day, "en") == "2024-08-02"
    assert jalali.format_date(day, "en", long=True) == "2 August 2024"


def test_datetime_is_read_and_shown_in_the_current_time_zone():
    with timezone.override("Asia/Tehran"):
        moment = jalali.parse_datetime("۱۴۰۳/۰۵/۱۲ ۱۴:۳۰")
        assert moment.astimezone(dt.UTC) == dt.datetime(2024, 8, 2, 11, 0, tzinfo=dt.UTC)
        assert jalali.format_datetime(moment, "fa") == "۱۴۰۳/۰۵/۱۲ ۱۴:۳۰"
        assert jalali.input_datetime(moment, "en") == "2024-08-02T14:30"
        # What the date picker reads: ASCII digits (it draws Persian ones in its calendar).
        assert jalali.input_datetime(moment, "fa") == "1403/05/12 14:30"
        assert jalali.parse_datetime("2024-08-02T14:30") == moment


def test_invalid_time_is_refused():
    with pytest.raises(ValueError):
        jalali.parse_datetime("1403/05/12 25:00")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_jalali_round_trip(day):
    assert jalali.parse_date(jalali.format_date(day, "fa")) == day
    assert jalali.parse_date(jalali.input_date(day, "fa")) == day
    assert jalali.parse_date(jalali.format_date(day, "en")) == day


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_input_date_matches_jdatetime(day):
    j = jdatetime.date.fromgregorian(date=day)
    with translation.override("fa"):
        assert jalali.input_date(day) == f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def test_date_fields_hold_digits_the_picker_can_read():
    with translation.override("fa"):
        assert LocalDateInput().format_value(dt.date(2024, 8, 2)) == "1403/05/12"
        # Typed in Persian digits and shown again after an error elsewhere on the form.
        assert LocalDateInput().format_value("۱۴۰۳/۰۵/۱۲") == "1403/05/12"
        assert LocalDateTimeInput().format_value("۱۴۰۳/۰۵/۱۲ ۱۴:۳۰") == "1403/05/12 14:30"
        assert LocalDateInput().format_value("") is None
