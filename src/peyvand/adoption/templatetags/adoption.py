"""Figures of the adoption pages in the reader's digits: scores (0–100), alphas, deltas, and
the business case's amounts, rates and years."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from peyvand.core.charts import format_value
from peyvand.sales.money import round_money
from peyvand.sales.templatetags.sales import money

register = template.Library()


@register.filter
def score(value: Any) -> str:
    """A score with one decimal ("۶۲٫۵"), or "—" for none."""
    return format_value(None if value is None else float(value), "decimal", decimals=1)


@register.filter
def alpha(value: Any) -> str:
    return format_value(None if value is None else float(value), "decimal", decimals=2)


@register.filter
def figure(value: Any) -> str:
    """An assumed or measured figure with the decimals it has, up to two: "۲۵۰٬۰۰۰٬۰۰۰", "۱۲٫۵"."""
    if value is None:
        return format_value(None, "decimal")
    exact = Decimal(value).quantize(Decimal("0.01")).normalize()
    places = max(0, -exact.as_tuple().exponent)  # type: ignore[operator]
    return format_value(float(exact), "decimal", decimals=places)


@register.filter
def delta(value: Any) -> str:
    """A change with its sign: "+۵٫۰" or "−۳٫۲"."""
    if value is None:
        return format_value(None, "decimal")
    text = format_value(float(value), "decimal", decimals=1)
    return f"+{text}" if float(value) > 0 else text


@register.filter
def cash(value: Any, currency: str) -> str:
    """An amount of a business case rounded to its currency, as ``money`` writes it."""
    if value is None:
        return format_value(None, "count")
    return money(round_money(Decimal(value), currency), currency)


@register.filter
def rate(value: Any) -> str:
    """A percentage with up to two decimals: "۱۸٫۵٪", "20%"; "—" for none."""
    if value is None:
        return format_value(None, "percent")
    exact = Decimal(value).quantize(Decimal("0.01")).normalize()
    exponent = exact.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_value(float(exact), "percent", decimals=places)


@register.filter
def years(value: Any) -> str:
    """A number of years with one decimal ("۲٫۳"), or "—"."""
    return format_value(None if value is None else float(value), "decimal", decimals=1)
