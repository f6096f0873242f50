"""The product catalogue, price lists and currency rates: an administrator's to change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.custom_fields import Entity, custom_changes
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.services.custom_fields import record_custom
from peyvand.core.text import to_ascii_digits

from .. import conf
from ..models import CurrencyRate, PriceList, Product, ProductPrice, Unit
from ..money import HUNDRED, ZERO, check_currency, check_money, money_limit, to_decimal
from .common import text_field

PRODUCT_FIELDS = ("sku", "name_fa", "name_en", "unit", "tax_rate", "unit_cost", "active")


def _clean_product(data: Mapping[str, Any], *, current: Product | None) -> dict[str, Any]:
    unknown = set(data) - {*PRODUCT_FIELDS, "custom"}
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
        elif name == "unit_cost":
            cleaned[name] = _unit_cost(errors, value)
        elif name == "active":
            cleaned[name] = bool(value)
        elif name == "custom":  # given by the form and the API; a new product's required ones checked
            given_to = dict(current.custom or {}) if current is not None else None
            cleaned[name] = record_custom(Entity.PRODUCT, value, current=given_to, errors=errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unit_cost(errors: dict[str, list[str]], value: Any) -> Decimal | None:
    """A unit cost in the base currency, or None (not known)."""
    if value is None or value == "":
        return None
    try:
        cost = to_decimal(value, field="unit_cost")
        return check_money(cost, field="unit_cost", currency=conf.base_currency())
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


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
    product.save()
    for price_list, price in prices.items():
        _set_price(product, price_list, price, price_field(price_list))
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=product,
        changes={k: [None, v] for k, v in snapshot(product, PRODUCT_FIELDS).items()}
        | custom_changes({}, product.custom),
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
    before, custom_before = snapshot(product, PRODUCT_FIELDS), dict(product.custom or {})
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.updated_by = actor
    product.save()
    changes = changes_between(before, snapshot(product, PRODUCT_FIELDS))
    changes |= custom_changes(custom_before, product.custom)
    for price_list, price in prices.items():
        old, new = _set_price(product, price_list, price, price_field(price_list))
        if old != new:
            changes[f"price {price_list.name}"] = [
                str(old) if old is not None else None,
                str(new) if new is not None else None,
            ]
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=product, changes=changes)
    return product


def price_field(price_list: PriceList) -> str:
    """The name a product's price on ``price_list`` goes by in errors (and in the product form)."""
    return f"price_{price_list.pk}"


def clean_price(value: Any, *, currency: str, field: str = "price") -> Decimal:
    """A price of at least zero with at most two decimals that an amount of ``currency`` can hold."""
    price = to_decimal(value, field=field, maximum=money_limit(currency))
    if price != price.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Use at most two decimals.")]})
    return check_money(price, field=field, currency=currency)


def _set_price(
    product: Product, price_list: PriceList, price: Any, field: str = "price"
) -> tuple[Decimal | None, Decimal | None]:
    """Set (or with None, remove) a product's price on a list; returns the old and new price."""
    old = (
        ProductPrice.objects.filter(product=product, price_list=price_list)
        .values_list("price", flat=True)
        .first()
    )
    if price is None or price == "":
        ProductPrice.objects.filter(product=product, price_list=price_list).delete()
        return old, None
    value = clean_price(price, currency=price_list.currency, field=field)
    ProductPrice.objects.update_or_create(product=product, price_list=price_list, defaults={"price": value})
    return old, value


def _clean_price_list(
    data: Mapping[str, Any], *, current: PriceList | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in data or current is None:
        name = text_field(errors, "name", data.get("name"), 100, required=True)
        clash = PriceList.objects.filter(name__iexact=name)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if name and clash.exists():
            errors["name"] = [_("A price list with this name already exists.")]
        cleaned["name"] = name
    if "currency" in data or current is None:
        try:
            cleaned["currency"] = check_currency(data.get("currency"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if current is not None and cleaned["currency"] != current.currency and current.prices.exists():
                # Its prices are in the old currency: relabelling them would change what they are worth.
                errors["currency"] = [
                    _("This list has prices in %(currency)s; remove them before changing its currency.")
                    % {"currency": current.currency}
                ]
    for name in ("is_default", "active"):
        if name in data:
            cleaned[name] = bool(data[name])
    return cleaned, errors


@transaction.atomic
def price_list_create(
    *, actor: User | None, name: str, currency: str, is_default: bool = False, active: bool = True
) -> PriceList:
    """A new price list; the first one is the default whatever is asked."""
    if actor is not None:
        policy.require_admin(actor)
    cleaned, errors = _clean_price_list({"name": name, "currency": currency}, current=None)
    if errors:
        raise ValidationError(errors)
    if is_default or not PriceList.objects.filter(is_default=True).exists():
        PriceList.objects.filter(is_default=True).update(is_default=False)
        is_default = True
    price_list = PriceList.objects.create(**cleaned, is_default=is_default, active=active or is_default)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=price_list,
        changes={"name": [None, price_list.name], "currency": [None, price_list.currency]},
    )
    return price_list


@transaction.atomic
def price_list_update(*, price_list: PriceList, actor: User, data: Mapping[str, Any]) -> PriceList:
    """Rename, retire or make the default; the currency only while the list has no prices."""
    policy.require_admin(actor)
    unknown = set(data) - {"name", "currency", "is_default", "active"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    cleaned, errors = _clean_price_list(data, current=price_list)
    default = cleaned.get("is_default", price_list.is_default)
    active = cleaned.get("active", price_list.active)
    if price_list.is_default and not default:
        errors["is_default"] = [_("Make another list the default instead.")]
    elif default and not active:
        errors["active"] = [_("The default price list cannot be retired.")]
    if errors:
        raise ValidationError(errors)
    fields = ("name", "currency", "is_default", "active")
    before = {name: getattr(price_list, name) for name in fields}
    if default and not price_list.is_default:
        PriceList.objects.filter(is_default=True).update(is_default=False)
    for name, value in cleaned.items():
        setattr(price_list, name, value)
    price_list.save()
    changes = changes_between(before, {name: getattr(price_list, name) for name in fields})
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=price_list, changes=changes)
    return price_list


def default_price_list() -> PriceList:
    """The default list, made in the base currency the first time it is needed."""
    found = PriceList.objects.filter(is_default=True, active=True).first()
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):  # stored as data: the installation's language
        name = str(_("Standard"))
    price_list, _created = PriceList.objects.get_or_create(
        name=name, defaults={"currency": conf.base_currency(), "is_default": True}
    )
    return price_list


# A rate is kept to 15 significant digits with six decimals, exactly, on every database.
MAX_RATE = Decimal("999999999.999999")


@transaction.atomic
def currency_rate_set(
    *, actor: User | None, currency: str, rate: Any, valid_from: dt.date | None = None
) -> CurrencyRate:
    """How much one unit of ``currency`` is worth in the base currency from a day on (today by
    default). ``actor`` None is the installation's own set-up (the demo)."""
    if actor is not None:
        policy.require_admin(actor)
    code = check_currency(currency)
    if code == conf.base_currency():
        raise ValidationError({"currency": [_("The base currency's rate is always 1.")]})
    value = to_decimal(rate, field="rate", minimum=Decimal("0.000001"), maximum=MAX_RATE)
    if value != value.quantize(Decimal("0.000001")):
        raise ValidationError({"rate": [_("Use at most six decimals.")]})
    row, _created = CurrencyRate.objects.update_or_create(
        currency=code,
        valid_from=valid_from or timezone.localdate(),
        defaults={"rate": value, "created_by": actor},
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=row, changes={code: [None, str(value)]})
    return row
