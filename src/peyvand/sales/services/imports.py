"""CSV and XLSX import of products and of historical orders, validated in full first: any
row with a problem is reported by row and column, and then nothing is written."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy, spreadsheets
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text, collation_key, to_ascii_digits
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.normalize import normalize_email, normalize_phone

from .. import conf
from ..models import Order, OrderLine, OrderStatus, PriceList, Product, Unit
from ..money import check_currency, check_money, format_money, round_money, to_decimal
from .catalogue import _clean_product, clean_price, product_create, product_update
from .common import LineValues, check_lines_total, clean_line, next_number

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
PRODUCT_COLUMNS = ("sku", "name_fa", "name_en", "unit", "tax_rate", "price", "currency", "active")
ORDER_COLUMNS = (
    "order",
    "customer",
    "date",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "currency",
)


@dataclass
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(*, name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file, keyed by lower-case header, read by the one
    spreadsheet reader (any encoding and delimiter it detects)."""
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    if not name.lower().endswith((".csv", ".txt", ".xlsx")):
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    with tempfile.TemporaryDirectory(prefix="peyvand-import-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(content)
        try:
            if name.lower().endswith(".xlsx") and spreadsheets.detect(path).file_format != "xlsx":
                raise ValidationError({"file": [_("This is not a readable XLSX file.")]})
            return [row for _number, row in spreadsheets.records(path, max_rows=MAX_ROWS)]
        except spreadsheets.FileProblem as exc:
            raise ValidationError({"file": [str(exc)]}) from None


def _missing_columns(rows: list[dict[str, str]], required: tuple[str, ...]) -> list[RowError]:
    present = set(rows[0]) if rows else set()
    return [RowError(1, c, _("This column is missing.")) for c in required if c not in present]


# --- products -----------------------------------------------------------------------------


def products_import(*, actor: User, rows: list[dict[str, str]]) -> ImportResult:
    """Create or update products by SKU, with their price on the default list of the row's currency."""
    policy.require_admin(actor)
    result = ImportResult(errors=_missing_columns(rows, ("sku", "name_fa")))
    if result.errors:
        return result
    plans = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        data: dict[str, Any] = {"sku": row.get("sku", ""), "name_fa": row.get("name_fa", "")}
        if row.get("name_en"):
            data["name_en"] = row["name_en"]
        if row.get("unit"):
            data["unit"] = row["unit"].lower() if row["unit"].lower() in Unit.values else row["unit"]
        if row.get("tax_rate"):
            data["tax_rate"] = row["tax_rate"]
        if row.get("active"):
            data["active"] = row["active"].strip().lower() not in ("0", "no", "false", "خیر")
        sku = to_ascii_digits(clean_text(data["sku"])).upper()
        if sku in seen:
            result.errors.append(RowError(number, "sku", _("This SKU appears twice in the file.")))
        seen.add(sku)
        currency = None
        try:
            if row.get("price"):
                currency = check_currency(row.get("currency") or conf.base_currency())
                clean_price(row["price"], currency=currency)
            existing = Product.objects.filter(sku=sku).first()
            _clean_product(data, current=existing)
        except ValidationError as exc:
            result.errors += [RowError(number, c, m) for c, ms in exc.message_dict.items() for m in ms]
            continue
        plans.append((data, existing, currency, row.get("price")))
    if result.errors:
        return result
    with transaction.atomic():
        for data, existing, currency, price in plans:
            prices = {_list_for(currency): price} if currency is not None else {}
            if existing is None:
                product_create(actor=actor, data=data, prices=prices)
                result.created += 1
            else:
                product_update(product=existing, actor=actor, data=data, prices=prices)
                result.updated += 1
    return result


def _list_for(currency: str) -> PriceList:
    """The price list a row's price goes on: the default one of its currency, made if need be."""
    found = PriceList.objects.filter(currency=currency, active=True).order_by("-is_default", "id").first()
    if found is not None:
        return found
    return PriceList.objects.create(
        name=str(_("Standard %(currency)s") % {"currency": currency}),
        currency=currency,
        is_default=not PriceList.objects.filter(is_default=True).exists(),
    )


# --- historical orders --------------------------------------------------------------------


def _find_customer(actor: User, text: str) -> Party:
    value = clean_text(text)
    ascii_value = to_ascii_digits(value)
    visible = policy.visible(actor, Party.objects.all())
    found: list[Party] = []
    if ascii_value.isdigit() and len(ascii_value) <= 18:
        found = list(visible.filter(pk=int(ascii_value)))
    if not found and "@" in value:
        try:
            email = normalize_email(value)
            found = list(
                visible.filter(contact_points__kind=ContactPoint.Kind.EMAIL, contact_points__value=email)
            )
        except ValidationError:
            found = []
    if not found and sum(c.isdigit() for c in ascii_value) >= 7:
        try:
            phone = normalize_phone(value)
            found = list(
                visible.filter(contact_points__kind=ContactPoint.Kind.PHONE, contact_points__value=phone)
            )
        except ValidationError:
            found = []
    if not found:
        found = list(visible.filter(sort_key=collation_key(value))[:2])
    unique = {p.pk: p for p in found}
    if not unique:
        raise ValidationError(
            {"customer": [_("No customer you may see matches “%(value)s”.") % {"value": value[:80]}]}
        )
    if len(unique) > 1:
        raise ValidationError(
            {"customer": [_("Several customers match “%(value)s”; use the id.") % {"value": value[:80]}]}
        )
    return next(iter(unique.values()))


@dataclass
class _PlannedOrder:
    reference: str
    party: Party
    day: Any
    currency: str
    lines: list[LineValues] = field(default_factory=list)
    amount: Decimal | None = None
    first_row: int = 0


def may_import_orders(user: User) -> bool:
    """Bringing in finished sales is an administrator's or a manager's decision (a manager's
    for the customers of their team), not a salesperson's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_administrator or (user.role == Role.MANAGER and policy.can_create(user, Order))


def require_order_import(user: User) -> None:
    if not may_import_orders(user):
        raise PermissionDenied(_("Only an administrator or a manager may import past orders."))


def orders_import(*, actor: User, rows: list[dict[str, str]]) -> ImportResult:
    """Bring in past orders (one row per line, grouped by the order column) as history, for
    the customers ``actor`` may see. Administrators and managers only, on the page as here."""
    require_order_import(actor)
    result = ImportResult(
        errors=_missing_columns(rows, ("order", "customer", "date", "quantity", "unit_price"))
    )
    if result.errors:
        return result
    planned: dict[str, _PlannedOrder] = {}
    products = {
        p.sku: p
        for p in Product.objects.filter(sku__in={to_ascii_digits(r.get("sku", "")).upper() for r in rows})
    }
    existing = set(
        Order.objects.filter(number__in=[f"IMP-{r.get('order', '')}" for r in rows]).values_list(
            "number", flat=True
        )
    )
    for number, row in enumerate(rows, start=2):
        errors: dict[str, list[str]] = {}
        reference = clean_text(row.get("order", ""))[:30]
        if not reference:
            errors["order"] = [_("This field is required.")]
        elif f"IMP-{reference}" in existing:
            errors["order"] = [_("An order with this reference was imported already.")]
        try:
            party = _find_customer(actor, row.get("customer", ""))
        except ValidationError as exc:
            errors.update(exc.message_dict)
            party = None
        try:
            day = jalali.parse_date(row.get("date", ""))
        except ValueError as exc:
            errors["date"] = [str(exc)]
            day = None
        try:
            currency = check_currency(row.get("currency") or conf.base_currency())
        except ValidationError as exc:
            errors.update(exc.message_dict)
            currency = conf.base_currency()
        product = None
        if row.get("sku"):
            product = products.get(to_ascii_digits(row["sku"]).upper())
            if product is None:
                errors["sku"] = [_("No product has this SKU.")]
        try:
            line = clean_line(
                {**row, "tax_rate": row.get("tax_rate") or 0}, currency=currency, product=product
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
            line = None
        amount = None
        if row.get("amount"):
            try:
                amount = check_money(
                    to_decimal(row["amount"], field="amount"), field="amount", currency=currency
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
        order = planned.get(reference)
        if (
            order is not None
            and party is not None
            and (order.party.pk != party.pk or order.currency != currency)
        ):
            errors["customer"] = [_("Rows of one order must have the same customer and currency.")]
        result.errors += [RowError(number, c, m) for c, ms in errors.items() for m in ms]
        if errors or party is None or line is None:
            continue
        if order is None:
            order = planned[reference] = _PlannedOrder(reference, party, day, currency, first_row=number)
        order.lines.append(line)
        order.amount = amount if amount is not None else order.amount
    for order in planned.values():
        try:
            total = check_lines_total(order.lines, order.currency, field="amount")
        except ValidationError as exc:
            result.errors += [
                RowError(order.first_row, c, m) for c, ms in exc.message_dict.items() for m in ms
            ]
            continue
        if order.amount is not None and abs(order.amount - total) > Decimal(1):
            result.errors.append(
                RowError(
                    order.first_row,
                    "amount",
                    _("The lines add up to %(total)s, not %(amount)s.")
                    % {
                        "total": format_money(total, order.currency),
                        "amount": format_money(order.amount, order.currency),
                    },
                )
            )
    if result.errors:
        return result
    with transaction.atomic():
        for order in planned.values():
            _create_order(actor, order)
            result.created += 1
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=actor,
            changes={"imported orders": [None, result.created]},
        )
    return result


def _create_order(actor: User, plan: _PlannedOrder) -> Order:
    order = Order(
        number=f"IMP-{plan.reference}",
        party=plan.party,
        owner_id=plan.party.owner_id,
        currency=plan.currency,
        ordered_on=plan.day,
        status=OrderStatus.INVOICED,
        imported=True,
        created_by=actor,
        updated_by=actor,
    )
    lines = []
    for position, values in enumerate(plan.lines):
        discount, net, tax, total = values.amounts(plan.currency)
        lines.append(
            OrderLine(
                product=values.product,
                description=values.description,
                quantity=values.quantity,
                unit_price=values.unit_price,
                discount_percent=values.discount_percent,
                tax_rate=values.tax_rate,
                net=net,
                tax=tax,
                total=total,
                quantity_invoiced=values.quantity,
                position=position,
            )
        )
        order.subtotal += net + discount
        order.discount_total += discount
        order.tax_total += tax
        order.total += total
    order.total = round_money(order.total, plan.currency)
    order.invoiced_total = order.total
    order.save()
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=order,
        party_id=order.party_id,
        changes={"total": [None, f"{order.total} {order.currency}"], "imported": [None, True]},
    )
    return order


__all__ = ["ImportResult", "RowError", "next_number", "orders_import", "products_import", "read_rows"]
