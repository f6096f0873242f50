"""Money as people read it: thousands separators, the interface's digits, Rial or Toman."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from peyvand.core import jalali
from peyvand.core.templatetags.peyvand import digits, number

from .. import conf
from ..money import display_parts
from ..services.common import LineValues

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """``{{ deal.amount|money:deal.currency }}`` → ۱۲٬۵۰۰٬۰۰۰ ریال (or تومان, or 1,200.50 USD)."""
    if amount is None:
        return ""
    shown, unit = display_parts(amount, currency or conf.base_currency())
    return format_html('<span class="money" dir="ltr">{}</span> {}', number(_plain(shown)), unit)


@register.filter
def amount(value: Decimal | None) -> str:
    """A quantity or percentage without trailing zeros: 2.500 → 2.5."""
    if value is None:
        return ""
    return number(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


@register.filter
def days_since(moment: dt.datetime | None) -> int:
    return (timezone.now() - moment).days if moment else 0


@register.filter
def timedelta_days(delta: dt.timedelta | None) -> str:
    """How long, as people say it: “3 days”, “5 hours”, in the interface's digits."""
    if delta is None:
        return ""
    if delta.days:
        text = ngettext("%(count)d day", "%(count)d days", delta.days) % {"count": delta.days}
    else:
        hours = delta.seconds // 3600
        text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return digits(text)


@register.filter
def percent(value: Any) -> str:
    """12.5 → ۱۲٫۵٪ in Persian, 12.5% in English."""
    text = amount(value) if isinstance(value, Decimal) else number(value)
    return f"{text}٪" if jalali.uses_jalali() else f"{text}%"


@register.filter
def line_total(line: Any, currency: str) -> str:
    """A deal line's total with discount and tax, as the quote will compute it."""
    values = LineValues(
        line.description, line.quantity, line.unit_price, line.discount_percent, line.tax_rate
    )
    return money(values.amounts(currency)[3], currency)
