"""Charts: the typed description, its figures in the reader's digits, the payload the
script draws, the CSV, the time axis, percentiles off a histogram, and the rendered figure
(table, caption, JSON) with its labels escaped."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from peyvand.core.charts import (
    Chart,
    Series,
    format_value,
    grain_for,
    histogram_percentile,
    months_back,
    percentages,
    period_label,
    periods,
)

EVIL = "<script>alert(1)</script>"


def sample(**changes) -> Chart:
    fields = {
        "key": "sample",
        "title": "Tickets by team",
        "kind": "bar",
        "labels": ("Team A", "Team B", "Team C"),
        "series": (
            Series("Tickets", (1234, 0, 7)),
            Series("Share", (12.25, None, 87.75), format="percent", in_chart=False),
        ),
        "label_heading": "Team",
    }
    return Chart(**{**fields, **changes})


# --- the description ------------------------------------------------------------------------------


def test_a_series_has_a_value_per_label():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        sample(series=(Series("Tickets", (1, 2)),))
    with pytest.raises(ValueError, match="unknown chart kind"):
        sample(kind="radar")


@pytest.mark.parametrize(
    ("value", "fmt", "decimals", "english", "persian"),
    [
        (1234567, "count", 1, "1,234,567", "۱٬۲۳۴٬۵۶۷"),
        (2.5, "count", 1, "3", "۳"),  # halves away from zero, as Intl.NumberFormat rounds
        (0.25, "decimal", 1, "0.3", "۰٫۳"),
        (1234.567, "decimal", 2, "1,234.57", "۱٬۲۳۴٫۵۷"),
        (66.66666, "percent", 1, "66.7%", "۶۶٫۷٪"),
        (-12.35, "decimal", 1, "-12.4", "\u200e−۱۲٫۴"),
        (None, "count", 1, "—", "—"),
    ],
)
def test_figures_in_the_readers_digits(value, fmt, decimals, english, persian):
    assert format_value(value, fmt, "en", decimals=decimals) == english
    assert format_value(value, fmt, "fa", decimals=decimals) == persian


def test_the_table_reads_as_the_reader_reads():
    chart = sample()
    persian = chart.table("fa")
    assert persian.header == ("Team", "Tickets", "Share")
    assert persian.rows == (
        ("Team A", "۱٬۲۳۴", "۱۲٫۳٪"),
        ("Team B", "۰", "—"),
        ("Team C", "۷", "۸۷٫۸٪"),
    )
    assert chart.table("en").rows[0] == ("Team A", "1,234", "12.3%")
    with translation.override("en"):
        assert chart.table().rows[2] == ("Team C", "7", "87.8%")


def test_the_payload_has_raw_numbers_and_a_locale():
    chart = sample(
        kind="pareto",
        series=(
            Series("Complaints", (5, 3, 2)),
            Series("Cumulative share", percentages([5, 3, 2]), format="percent", kind="line", axis=1),
            Series("Hidden", (1, 1, 1), in_chart=False),
        ),
        unit="tickets",
    )
    persian = chart.payload("fa")
    assert persian == {
        "kind": "pareto",
        "title": "Tickets by team",
        "labels": ["Team A", "Team B", "Team C"],
        "unit": "tickets",
        "locale": "fa-IR",
        "rtl": True,
        "series": [
            {
                "name": "Complaints",
                "values": [5, 3, 2],
                "format": "count",
                "decimals": 0,
                "kind": None,
                "axis": 0,
            },
            {
                "name": "Cumulative share",
                "values": [50, 80, 100],
                "format": "percent",
                "decimals": 1,
                "kind": "line",
                "axis": 1,
            },
        ],
    }
    english = chart.payload("en")
    assert (english["locale"], english["rtl"]) == ("en-US", False)
    assert json.dumps(english)  # plain JSON: numbers, strings, None


def test_the_csv_has_numbers_as_numbers():
    header, rows = sample().csv_rows()
    assert header == ["Team", "Tickets", "Share"]
    assert rows == [["Team A", 1234, 12.25], ["Team B", 0, ""], ["Team C", 7, 87.75]]


def test_an_empty_chart():
    assert sample(labels=(), series=()).is_empty
    assert sample(series=(Series("Tickets", (0, None, 0)),)).is_empty
    assert not sample().is_empty
    # A rate of 0% over real tickets is a figure, not nothing.
    zero_rate = (Series("Rate", (0, 0, 0), format="percent"), Series("Tickets", (4, 0, 1), in_chart=False))
    assert not sample(series=zero_rate).is_empty


# --- percentiles and Pareto -------------------------------------------------------------------------


def test_percentiles_off_a_histogram():
    edges = (15.0, 30.0, 60.0, 120.0)
    # 10 values: 4 under 15, 3 more under 30, 2 more under 60, 1 more under 120.
    below = (4, 7, 9, 10)
    assert histogram_percentile(edges, below, 10, 0.5) == pytest.approx(15 + 15 * (5 - 4) / 3)
    assert histogram_percentile(edges, below, 10, 0.9) == pytest.approx(60.0)  # rank 9 closes 30–60
    assert histogram_percentile(edges, below, 10, 0.2) == pytest.approx(7.5)
    assert histogram_percentile(edges, (0, 0, 0, 0), 0, 0.5) is None
    # Two of three beyond the last edge: at least the last edge.
    assert histogram_percentile(edges, (1, 1, 1, 1), 3, 0.9) == 120.0


def test_cumulative_percentages():
    assert percentages([5, 3, 2]) == (50.0, 80.0, 100.0)
    assert percentages([]) == ()
    assert percentages([0, 0]) == (0.0, 0.0)


# --- the time axis ------------------------------------------------------------------------------------


def test_months_in_the_readers_calendar():
    # 2025-03-21 is 1404/01/01; 2025-05-21 is 1404/02/31, the last day of Ordibehesht.
    persian = periods(dt.date(2025, 3, 25), dt.date(2025, 5, 21), language="fa", grain="month")
    assert [p.label for p in persian] == ["فروردین ۱۴۰۴", "اردیبهشت ۱۴۰۴"]
    assert (persian[0].start, persian[0].end) == (dt.date(2025, 3, 25), dt.date(2025, 4, 21))
    assert (persian[1].start, persian[1].end) == (dt.date(2025, 4, 21), dt.date(2025, 5, 22))
    english = periods(dt.date(2025, 3, 25), dt.date(2025, 5, 21), language="en", grain="month")
    assert [p.label for p in english] == ["Mar 2025", "Apr 2025", "May 2025"]
    assert english[-1].end == dt.date(2025, 5, 22)


def test_weeks_start_on_saturday_in_persian_and_monday_in_english():
    # 2025-03-26 is a Wednesday.
    persian = periods(dt.date(2025, 3, 26), dt.date(2025, 4, 3), language="fa", grain="week")
    assert [p.label for p in persian] == ["۱۴۰۴/۰۱/۰۲", "۱۴۰۴/۰۱/۰۹"]  # from Saturdays 03-22, 03-29
    assert persian[0].start == dt.date(2025, 3, 26)  # cut to the range
    english = periods(dt.date(2025, 3, 26), dt.date(2025, 4, 3), language="en", grain="week")
    assert [p.label for p in english] == ["2025-03-24", "2025-03-31"]


def test_years_and_the_grain_for_a_range():
    assert [
        p.label for p in periods(dt.date(2024, 1, 1), dt.date(2025, 12, 31), language="en", grain="year")
    ] == [
        "2024",
        "2025",
    ]
    assert period_label(dt.date(2025, 3, 21), "year", "fa") == "۱۴۰۴"
    start = dt.date(2025, 1, 1)
    assert grain_for(start, start + dt.timedelta(days=91)) == "week"
    assert grain_for(start, start + dt.timedelta(days=92)) == "month"
    assert grain_for(start, start + dt.timedelta(days=3 * 366)) == "year"


def test_months_back():
    # 2025-05-26 is 1404/03/05: eleven Jalali months back starts 1403/04/01 (2024-06-21).
    assert months_back(dt.date(2025, 5, 26), 11, language="fa") == dt.date(2024, 6, 21)
    assert months_back(dt.date(2025, 5, 26), 11, language="en") == dt.date(2024, 6, 1)
    assert months_back(dt.date(2025, 1, 15), -1, language="en") == dt.date(2025, 2, 1)


# --- the rendered figure ---------------------------------------------------------------------------------


def render(chart: Chart, language: str, **context) -> str:
    with translation.override(language):
        return render_to_string("partials/chart.html", {"chart": chart, **context})


@pytest.mark.parametrize(("language", "cell"), [("fa", "۱٬۲۳۴"), ("en", "1,234")])
def test_the_figure_has_a_table_beside_the_chart(language, cell):
    html = render(sample(), language)
    assert '<figure class="chart-figure mb-0" id="chart-sample"' in html
    assert '<caption class="visually-hidden">Tickets by team</caption>' in html
    assert '<th scope="col">Team</th>' in html
    assert f'<td class="text-end text-nowrap">{cell}</td>' in html
    assert 'data-chart="chart-sample-data"' in html and 'dir="ltr"' in html
    payload = re.search(r'<script id="chart-sample-data" type="application/json">(.*?)</script>', html, re.S)
    assert payload is not None
    data = json.loads(payload.group(1))
    assert data["series"][0]["values"] == [1234, 0, 7] and len(data["series"]) == 1
    if language == "fa":
        cells = re.findall(r'<td class="text-end text-nowrap">([^<]*)</td>', html)
        assert not any(re.search(r"[0-9]", c) for c in cells)
    # No script runs inline: the only <script> holds JSON.
    assert re.findall(r"<script\b[^>]*>", html) == ['<script id="chart-sample-data" type="application/json">']


def test_labels_are_escaped_in_the_table_and_the_json():
    html = render(sample(labels=(EVIL, "B", "C"), title=EVIL), "fa")
    assert EVIL not in html and "<script>alert" not in html
    assert '<th scope="row" class="fw-normal">&lt;script&gt;alert(1)&lt;/script&gt;</th>' in html
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in html
    payload = re.search(r'type="application/json">(.*?)</script>', html, re.S)
    assert payload is not None and json.loads(payload.group(1))["labels"][0] == EVIL


def test_the_export_link_keeps_the_filters():
    request = RequestFactory().get("/tickets/analysis/", {"date_from": "1404/01/01", "team": "3"})
    html = render(sample(), "en", export=True, request=request)
    link = re.search(r'href="([^"]*)" data-testid="chart-sample-csv"', html)
    assert link is not None
    assert link.group(1) == "?date_from=1404%2F01%2F01&amp;team=3&amp;export=sample"
    assert "Download this table (CSV)" in html
    assert "chart-sample-csv" not in render(sample(), "en")


def test_an_empty_chart_says_so():
    html = render(sample(series=(Series("Tickets", (0, 0, 0)),)), "en")
    assert "Nothing to show for this period." in html
    assert "data-chart=" not in html and "application/json" not in html
