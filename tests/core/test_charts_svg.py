"""Charts drawn on the server by Node.js with the page's own charts.js and the vendored
ECharts: right to left with Persian digits in Persian, labels escaped, one Node start for
every chart of an export, and None (the caller shows the table) without Node."""

from __future__ import annotations

import re
import subprocess

import pytest

from peyvand.core import charts_svg
from peyvand.core.charts import Chart, Series


def chart(labels: tuple[str, ...] = ("فروردین ۱۴۰۴", "اردیبهشت ۱۴۰۴", "خرداد ۱۴۰۴")) -> Chart:
    return Chart(
        key="report",
        title="فروش",
        kind="bar",
        labels=labels,
        series=(Series("مبلغ", tuple(float(1_500_000 * (i + 1)) for i in range(len(labels)))),),
        unit="ریال",
    )


def x_of(svg: str, text: str) -> float:
    """Where a label is drawn: the x of the <text> that holds it, whole (not cut short)."""
    match = re.search(
        r'<text[^>]*transform="translate\(([\d.]+) [\d.]+\)"[^>]*>' + re.escape(text) + "<", svg
    )
    assert match, text
    return float(match.group(1))


def test_persian_is_drawn_right_to_left_with_persian_digits_and_vazirmatn():
    (svg,) = charts_svg.render_svgs([chart()], ["fa"])
    assert svg.startswith("<svg") and f'width="{charts_svg.WIDTH}"' in svg
    assert "۲٬۰۰۰٬۰۰۰" in svg and "2,000,000" not in svg  # the value axis, in Persian digits
    assert "Vazirmatn" in svg
    # The first month on the right, as on the page.
    assert x_of(svg, "فروردین ۱۴۰۴") > x_of(svg, "خرداد ۱۴۰۴")


def test_english_is_drawn_left_to_right_with_latin_digits():
    english = Chart(
        key="report",
        title="Sales",
        kind="line",
        labels=("Q1 2025", "Q2 2025"),
        series=(Series("Won", (3.0, 5.0)),),
    )
    (svg,) = charts_svg.render_svgs([english], ["en"])
    assert x_of(svg, "Q1 2025") < x_of(svg, "Q2 2025")
    assert "<path" in svg and "۵" not in svg


def test_a_label_is_text_never_markup():
    (svg,) = charts_svg.render_svgs([chart(("<script>alert(1)</script>", "b&c"))], ["en"])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_every_chart_of_an_export_is_drawn_by_one_node_start(monkeypatch):
    starts = []
    real = subprocess.run

    def counted(*args, **kwargs):
        starts.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(charts_svg.subprocess, "run", counted)
    drawn = charts_svg.render_svgs([chart(), chart(("a", "b")), chart()], ["fa", "en", "fa"])
    assert drawn is not None and len(drawn) == 3 and len(starts) == 1


@pytest.mark.parametrize("node", ["/nowhere/node", "false"])
def test_without_node_there_is_no_drawing(settings, node):
    settings.PEYVAND_NODE = node  # missing, or a program that fails
    assert charts_svg.render_svgs([chart()], ["fa"]) is None
    assert charts_svg.render_svgs([], ["fa"]) == []
