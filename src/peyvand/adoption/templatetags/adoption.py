"""Figures of the adoption pages in the reader's digits: scores (0–100), alphas, deltas."""

from __future__ import annotations

from typing import Any

from django import template

from peyvand.core.charts import format_value

register = template.Library()


@register.filter
def score(value: Any) -> str:
    """A score with one decimal ("۶۲٫۵"), or "—" for none."""
    return format_value(None if value is None else float(value), "decimal", decimals=1)


@register.filter
def alpha(value: Any) -> str:
    return format_value(None if value is None else float(value), "decimal", decimals=2)


@register.filter
def delta(value: Any) -> str:
    """A change with its sign: "+۵٫۰" or "−۳٫۲"."""
    if value is None:
        return format_value(None, "decimal")
    text = format_value(float(value), "decimal", decimals=1)
    return f"+{text}" if float(value) > 0 else text
