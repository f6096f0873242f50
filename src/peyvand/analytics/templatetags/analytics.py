"""Template filters of the analytics app: shares and estimates in the reader's digits."""

from __future__ import annotations

from typing import Any

from django import template

from peyvand.core.charts import format_value

from ..churn import reason_label

register = template.Library()


@register.filter
def share(value: Any) -> str:
    """A probability as a percentage: 0.734 → 73% (۷۳٪ in Persian)."""
    return "" if value is None else format_value(float(value) * 100, "percent", decimals=0)


@register.filter
def estimate(value: Any) -> str:
    """An expected number, to one decimal: 2.46 → 2.5 (۲٫۵)."""
    return "" if value is None else format_value(float(value), "decimal", decimals=1)


@register.filter
def estimate_of(value: Any, places: int = 1) -> str:
    """A fitted figure to ``places`` decimals, in the reader's digits."""
    return "" if value is None else format_value(float(value), "decimal", decimals=int(places))


@register.filter
def churn_reason(value: str) -> str:
    """A reason the churn model gives ("recency:high") in words."""
    return reason_label(value)
