"""Figures of a campaign's lift and A/B test, in the interface's digits."""

from __future__ import annotations

from typing import Any

from django import template

from peyvand.core import charts

register = template.Library()


@register.filter
def rate(value: Any) -> str:
    """12.345 → "12.3%" (۱۲٫۳٪ in Persian); nothing for None."""
    return "" if value is None else charts.format_value(float(value), "percent")


@register.filter
def points(value: Any) -> str:
    """A difference in percentage points, signed: "+2.5", "−1.0" (Persian digits in Persian)."""
    if value is None:
        return "—"
    text = charts.format_value(float(value), "decimal")
    return f"+{text}" if float(value) > 0 and not text.startswith("-") else text
