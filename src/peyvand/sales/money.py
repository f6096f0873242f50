"""Money: Decimal amounts with an ISO currency; rounding per currency; Rial shown as Toman."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peyvand.core.text import to_ascii_digits

from . import conf

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("1e17")  # fits DecimalField(max_digits=20, decimal_places=2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    places = conf.MINOR_UNITS.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(
    value: Any, *, field: str, minimum: Decimal | None = ZERO, maximum: Decimal = MAX_AMOUNT
) -> Decimal:
    """A number typed or sent as text or a number, as a Decimal, or a field error."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: [_("Enter a number.")]})
    if isinstance(value, float):
        value = repr(value)  # never through binary floating point
    try:
        number = Decimal(to_ascii_digits(str(value)).replace("٬", "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if minimum is not None and number < minimum:
        raise ValidationError({field: [_("Enter a number of at least %(minimum)s.") % {"minimum": minimum}]})
    if number > maximum:
        raise ValidationError({field: [_("This number is too large.")]})
    return number


def check_currency(code: Any, *, field: str = "currency") -> str:
    text = str(code or "").strip().upper()
    if text not in conf.CURRENCIES:
        raise ValidationError(
            {
                field: [
                    _("Unknown currency %(code)s; choose one of %(known)s.")
                    % {"code": str(code)[:10], "known": ", ".join(conf.CURRENCIES)}
                ]
            }
        )
    return text


def currency_name(code: str) -> str:
    return str(conf.CURRENCIES.get(code, code))


def display_parts(amount: Decimal | None, currency: str) -> tuple[Decimal | None, str]:
    """The amount and unit to show: Rial as Toman when the installation asks for it."""
    if amount is not None and currency == "IRR" and conf.show_toman():
        return (amount / 10).quantize(Decimal(1) if amount % 10 == 0 else Decimal("0.1")), _("Toman")
    if currency == "IRR":
        return amount, _("Rial")
    return amount, currency
