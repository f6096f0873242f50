"""The product catalogue, price lists and currency rates: an administrator's to change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services import audit_log, changes_between, snapshot
from peyvand.core.text import search_key, to_ascii_digits

from .. import conf
from ..models import CurrencyRate, PriceList, Product, ProductPrice, Unit
from ..money import HUNDRED, ZERO, check_currency, to_decimal
from .common import text_field

PRODUCT_FIELDS = ("sku", "name_fa", "name_en", "unit", "tax_rate", "active")


def _clean_product(data: Mapping[str, Any], *, current: Product | None) -> dict[str, Any]:
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name == "sku":
            sku = to_ascii_digits(text_field(errors, name, value, 40, required=True)).upper()
            clash = Product.objects.filter(sku=sku)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if sku and clash.exists():
                errors.setdefault(name, []).append(_("Another product already has this SKU."))
            cleaned[name] = sku
        elif name in ("name_fa", "name_en"):
            cleaned[name] = text_field(errors, name, value, 200, required=name == "name_fa")
        elif name == "unit":
            if value not in Unit.values:
                errors[name] = [_("Choose a valid unit.")]
            cleaned[name] = value
        elif name == "tax_rate":
            try:
                cleaned[name] = to_decimal(value, field=name, minimum=ZERO, maximum=HUNDRED)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif name == "active":
            cleaned[name] = bool(value)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _search_text(product: Product) -> str:
    return search_key(" ".join((product.sku, product.name_fa, product.name_en)))


@transaction.atomic
def product_create(
    *, actor: User | None, data: Mapping[str, Any], prices: Mapping[PriceList, Any] = {}
) -> Product:
    if actor is not None:
        policy.require_admin(actor)
    missing = [name for name in ("sku", "name_fa") if not data.get(name)]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    product = Product(**_clean_product(data, current=None), created_by=actor, updated_by=actor)
    product.search_text = _search_text(product)
    product.save()
    for price_list, price in prices.items():
        _set_price(product, price_list, price)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=product,
        changes={k: [None, v] for k, v in snapshot(product, PRODUCT_FIELDS).items()},
    )
    return product


@transaction.atomic
def product_update(
    *, product: Product, actor: User | None, data: Mapping[str, Any], prices: Mapping[PriceList, Any] = {}
) -> Product:
    if actor is not None:
        policy.require_admin(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    cleaned = _clean_product(data, current=product)
    before = snapshot(product, PRODUCT_FIELDS)
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.search_text = _search_text(product)
    product.updated_by = actor
    product.save()
    changes = changes_between(before, snapshot(product, PRODUCT_FIELDS))
    for price_list, price in prices.items():
        old = _set_price(product, price_list, price)
        if old != price:
            changes[f"price {price_list.name}"] = [str(old) if old is not None else None, str(price)]
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=product, changes=changes)
    return product


def _set_price(product: Product, price_list: PriceList, price: Any) -> Decimal | None:
    """Set (or with None, remove) a product's price on a list; returns the old price."""
    old = (
        ProductPrice.objects.filter(product=product, price_list=price_list)
        .values_list("price", flat=True)
        .first()
    )
    if price is None or price == "":
        ProductPrice.objects.filter(product=product, price_list=price_list).delete()
        return old
    value = to_decimal(price, field="price")
    ProductPrice.objects.update_or_create(product=product, price_list=price_list, defaults={"price": value})
    return old


@transaction.atomic
def price_list_create(*, actor: User, name: str, currency: str, is_default: bool = False) -> PriceList:
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    name = text_field(errors, "name", name, 100, required=True)
    if name and PriceList.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("A price list with this name already exists.")]
    if errors:
        raise ValidationError(errors)
    code = check_currency(currency)
    if is_default or not PriceList.objects.filter(is_default=True).exists():
        PriceList.objects.filter(is_default=True).update(is_default=False)
        is_default = True
    price_list = PriceList.objects.create(name=name, currency=code, is_default=is_default)
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=price_list, changes={"name": [None, name]})
    return price_list


def default_price_list() -> PriceList:
    """The default list, made in the base currency the first time it is needed."""
    found = PriceList.objects.filter(is_default=True, active=True).first()
    if found is not None:
        return found
    price_list, _created = PriceList.objects.get_or_create(
        name=str(_("Standard")), defaults={"currency": conf.base_currency(), "is_default": True}
    )
    return price_list


@transaction.atomic
def currency_rate_set(*, actor: User, currency: str, rate: Any, valid_from: dt.date) -> CurrencyRate:
    policy.require_admin(actor)
    code = check_currency(currency)
    if code == conf.base_currency():
        raise ValidationError({"currency": [_("The base currency's rate is always 1.")]})
    value = to_decimal(rate, field="rate", minimum=Decimal("0.000001"), maximum=Decimal("1e17"))
    row, _created = CurrencyRate.objects.update_or_create(
        currency=code, valid_from=valid_from, defaults={"rate": value, "created_by": actor}
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=row, changes={code: [None, str(value)]})
    return row
