"""Money as people read it: thousands separators, the interface's digits, Rial or Toman."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import ngettext

from peyvand.core import jalali
from peyvand.core.templatetags.peyvand import number
from peyvand.customers.models import Source

from .. import conf
from ..models import Lead, ScoreRule
from ..money import display_parts, display_places, format_number
from ..periods import duration_words
from ..services.common import LineValues

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """``{{ deal.amount|money:deal.currency }}`` → ۱۲٬۵۰۰٬۰۰۰ ریال (or تومان, or 1,200.50 USD),
    with the currency's decimals (2,250.90 EUR, never 2,250.9)."""
    if amount is None:
        return ""
    code = currency or conf.base_currency()
    shown, unit = display_parts(Decimal(amount), code)
    assert shown is not None
    return format_html(
        '<span class="money" dir="ltr">{}</span> {}', format_number(shown, display_places(shown, code)), unit
    )


@register.filter
def amount(value: Decimal | None) -> str:
    """A quantity or percentage without trailing zeros: 2.500 → 2.5 (۲٫۵ in Persian)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return format_number(value)
    return number(value)


@register.filter
def days_since(moment: dt.datetime | None) -> int:
    return (timezone.now() - moment).days if moment else 0


@register.filter
def timedelta_days(delta: dt.timedelta | None) -> str:
    """How long, as people say it: “3 days”, “5 hours”, in the interface's digits."""
    if delta is None:
        return ""
    return duration_words(delta)


@register.filter
def percent(value: Any) -> str:
    """12.5 → ۱۲٫۵٪ in Persian, 12.5% in English."""
    if value is None or value == "":
        return ""
    text = format_number(value) if isinstance(value, Decimal | int) else number(value)
    return f"{text}٪" if jalali.uses_jalali() else f"{text}%"


@register.filter
def line_total(line: Any, currency: str) -> str:
    """A deal line's total with discount and tax, as the quote will compute it."""
    values = LineValues(
        line.description, line.quantity, line.unit_price, line.discount_percent, line.tax_rate
    )
    return money(values.amounts(currency)[3], currency)


@register.filter
def rule_value(rule: Any) -> str:
    """What a scoring or assignment rule looks for, as people read it: "Email", "Referral",
    "within 7 days" — never the stored code."""

    value = rule.value or ""
    if rule.kind == ScoreRule.Kind.FIELD:
        fields = {f.name: f.verbose_name for f in Lead._meta.fields}
        return capfirst(str(fields.get(value, value)))
    if rule.kind == ScoreRule.Kind.SOURCE:
        return str(dict(Source.choices).get(value, value))
    if rule.kind == ScoreRule.Kind.RECENCY and value.isdigit():
        days = int(value)
        return ngettext("within %(count)s day", "within %(count)s days", days) % {
            "count": format_number(days)
        }
    return value
