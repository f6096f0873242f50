"""Pieces every sales service shares: document numbers, line arithmetic, currency rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peyvand.core.jalali import local_digits
from peyvand.core.text import clean_text

from .. import conf
from ..models import CurrencyRate, NumberSequence
from ..money import (
    HUNDRED,
    ZERO,
    check_money,
    format_money,
    format_number,
    money_limit,
    round_money,
    to_decimal,
)

MAX_QUANTITY = Decimal("1e9")  # DecimalField(14, 3): 12 digits, exact on every database


def next_number(key: str, prefix: str) -> str:
    """The next document number of ``key``, e.g. Q-000042; gap-free under concurrency."""
    NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{sequence.last:06d}"


def rate_on(currency: str, day: dt.date) -> Decimal:
    """How many base-currency units one unit of ``currency`` was worth on ``day``."""
    if currency == conf.base_currency():
        return Decimal(1)
    rate = (
        CurrencyRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "currency": [
                    _("There is no exchange rate for %(currency)s yet; an administrator adds one first.")
                    % {"currency": currency}
                ]
            }
        )
    return rate


def to_base(amount: Decimal, currency: str, day: dt.date, *, field: str = "amount") -> Decimal:
    """``amount`` in the base currency at the day's rate; a field error when that is too much to keep."""
    base = conf.base_currency()
    value = amount * rate_on(currency, day)
    if abs(value) > money_limit(base):
        raise ValidationError(
            {
                field: [
                    _("In %(base)s this comes to more than %(limit)s, the most an amount can be.")
                    % {"base": base, "limit": format_money(money_limit(base), base)}
                ]
            }
        )
    return round_money(value, base)


@dataclass
class LineValues:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    product: Any = None

    def gross(self, currency: str) -> Decimal:
        """Quantity × unit price, before discount and tax."""
        return round_money(self.quantity * self.unit_price, currency)

    def amounts(self, currency: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(discount, net, tax, total) of this line, each rounded to the currency."""
        gross = self.quantity * self.unit_price
        discount = round_money(gross * self.discount_percent / HUNDRED, currency)
        net = round_money(gross, currency) - discount
        tax = round_money(net * self.tax_rate / HUNDRED, currency)
        return discount, net, tax, net + tax


def check_lines_total(lines: list[LineValues], currency: str, *, field: str = "quantity") -> Decimal:
    """The lines' total; a field error when it, or their total before discount (a document's
    subtotal), is more than an amount can be."""
    total = sum((line.amounts(currency)[3] for line in lines), ZERO)
    gross = sum((line.gross(currency) for line in lines), ZERO)
    limit = money_limit(currency)
    if max(total, gross) > limit:
        message = _("These lines would total more than %(limit)s, the most an amount can be.")
        if len(lines) == 1:
            message = _("This line would total more than %(limit)s, the most an amount can be.")
        raise ValidationError({field: [message % {"limit": format_money(limit, currency)}]})
    return total


def clean_line(
    data: Mapping[str, Any],
    *,
    currency: str,
    product: Any = None,
    default_price: Decimal | None = None,
) -> LineValues:
    """Validate one line: a positive quantity, a price of at least zero, percentages 0–100,
    and a total that an amount of ``currency`` can hold."""
    errors: dict[str, list[str]] = {}

    def number(
        name: str, minimum: Decimal | None, maximum: Decimal, places: int, default: Any = None
    ) -> Decimal:
        raw = data.get(name, default)
        try:
            value = to_decimal(raw, field=name, minimum=minimum, maximum=maximum)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return ZERO
        if value != value.quantize(Decimal(1).scaleb(-places)):  # what the column keeps
            errors[name] = [
                ngettext("Use at most %(count)s decimal.", "Use at most %(count)s decimals.", places)
                % {"count": format_number(places)}
            ]
        return value

    quantity = number("quantity", None, MAX_QUANTITY, 3)
    if "quantity" not in errors and quantity <= 0:
        errors["quantity"] = [_("Enter a quantity greater than zero.")]
    unit_price = number("unit_price", ZERO, money_limit(currency), 2, default_price)
    if "unit_price" not in errors:
        try:
            check_money(unit_price, field="unit_price", currency=currency)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    discount = number("discount_percent", ZERO, HUNDRED, 2, ZERO)
    tax_default = product.tax_rate if product is not None else ZERO
    tax = number("tax_rate", ZERO, HUNDRED, 2, tax_default)
    description = clean_text(data.get("description") or "") or (product.name if product is not None else "")
    if not description:
        errors["description"] = [_("Describe the line or choose a product.")]
    elif len(description) > 300:
        errors["description"] = [
            local_digits(
                _("Use at most %(limit)d characters (this has %(count)d).")
                % {"limit": 300, "count": len(description)}
            )
        ]
    if errors:
        raise ValidationError(errors)
    values = LineValues(description, quantity, unit_price, discount, tax, product)
    check_lines_total([values], currency)
    return values


def text_field(
    errors: dict[str, list[str]], name: str, value: Any, max_length: int, *, required: bool = False
) -> str:
    text = clean_text(value if isinstance(value, str) else ("" if value is None else str(value)))
    if required and not text:
        errors.setdefault(name, []).append(_("This field is required."))
    if len(text) > max_length:
        errors.setdefault(name, []).append(
            local_digits(
                _("Use at most %(limit)d characters (this has %(count)d).")
                % {"limit": max_length, "count": len(text)}
            )
        )
    return text
