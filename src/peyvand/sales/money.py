"""Money: Decimal amounts with an ISO currency; rounding per currency; Rial shown as Toman;
amounts and numbers written as people read them, in the interface's digits and separators."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peyvand.core import jalali
from peyvand.core.text import to_ascii_digits, to_persian_digits

from . import conf

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# SQLite keeps a decimal as a double, whose 15 significant digits are all that survive: an
# amount is held to them (with its currency's decimals), so what is stored is what was
# typed and shown, on SQLite as on PostgreSQL, and always fits DecimalField(20, 2).
SIGNIFICANT_DIGITS = 15
MAX_AMOUNT = Decimal(10) ** SIGNIFICANT_DIGITS - 1  # the most of any currency (Rial has no decimals)


def minor_units(currency: str) -> int:
    return conf.MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def money_limit(currency: str) -> Decimal:
    """The largest amount of ``currency`` kept exactly: 999,999,999,999,999 Rial, 9,999,999,999,999.99 EUR."""
    places = minor_units(currency)
    return Decimal(10) ** (SIGNIFICANT_DIGITS - places) - Decimal(1).scaleb(-places)


def fits(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` can be stored as it is: within the currency's limit, 15 digits in all."""
    if not amount.is_finite() or abs(amount) > money_limit(currency):
        return False
    return len(amount.normalize().as_tuple().digits) <= SIGNIFICANT_DIGITS


def check_money(amount: Decimal, *, field: str, currency: str, message: str | None = None) -> Decimal:
    """``amount`` itself, or a field error saying what the most is (``message`` may use %(limit)s)."""
    if fits(amount, currency):
        return amount
    limit = format_money(money_limit(currency), currency)
    if abs(amount) <= money_limit(currency):  # within the limit, but with too many decimals
        text = _("Use at most %(count)s digits in all.") % {"count": format_number(SIGNIFICANT_DIGITS)}
    else:
        text = (message or _("Enter an amount of at most %(limit)s.")) % {"limit": limit}
    raise ValidationError({field: [text]})


def to_decimal(
    value: Any, *, field: str, minimum: Decimal | None = ZERO, maximum: Decimal = MAX_AMOUNT
) -> Decimal:
    """A number typed or sent as text or a number, as a Decimal, or a field error."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: [_("Enter a number.")]})
    if isinstance(value, float):
        value = repr(value)  # never through binary floating point
    text = to_ascii_digits(str(value)).replace("٬", "").replace(",", "").replace("٫", ".").strip()
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if minimum is not None and number < minimum:
        raise ValidationError(
            {field: [_("Enter a number of at least %(minimum)s.") % {"minimum": format_number(minimum)}]}
        )
    if number > maximum:
        raise ValidationError(
            {field: [_("Enter a number of at most %(maximum)s.") % {"maximum": format_number(maximum)}]}
        )
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


def display_places(amount: Decimal, currency: str) -> int:
    """Decimals to show: the currency's (2,250.90 EUR, 2,250 Rial), more if the amount has them."""
    exponent = amount.normalize().as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(minor_units(currency), own)


def typed(amount: Decimal, currency: str) -> str:
    """An amount as one would type it into a field: 12500000, 2250.90 (no separators)."""
    return format(amount.quantize(Decimal(1).scaleb(-display_places(amount, currency))), "f")


def format_number(value: Decimal | int | str, places: int | None = None) -> str:
    """``value`` with thousands separators and ``places`` decimals (None: those it has, without
    trailing zeros), in the interface's digits: ۱۲٬۵۰۰٫۵ in Persian, 12,500.5 in English."""
    try:
        number = Decimal(value)
        number = number.quantize(Decimal(1).scaleb(-places)) if places is not None else number.normalize()
        text = format(number, ",f")
    except (InvalidOperation, ValueError, TypeError):
        return jalali.local_digits(value)
    if jalali.uses_jalali():
        return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def format_money(amount: Decimal, currency: str) -> str:
    """An amount and its unit as plain text (for messages): ۵۳٬۲۹۰٬۰۰۰ ریال, 2,250.90 EUR."""
    shown, unit = display_parts(amount, currency)
    assert shown is not None
    return f"{format_number(shown, display_places(shown, currency))} {unit}"
