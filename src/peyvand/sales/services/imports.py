"""Products and past orders from CSV and XLSX files, through the import machinery of the
customers app (``customers.importer``, where ``sales.importers`` registers the two kinds).

Each row is read and checked by the catalogue's and the documents' own rules (the product
rules, ``clean_line``, the money checks), a chunk of rows written in one transaction with
the job's counters, and the job undone from what it noted. Both kinds are imported all or
nothing: every row is checked first, with the checks across rows (a SKU twice in the file,
an order's lines against its total), and nothing is written unless every row is valid.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy
from peyvand.core.exports import unneutralise
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.services.audit import audit_event, audit_log_many, snapshot, soft_delete_rows
from peyvand.core.text import clean_text, collation_key, search_key, to_ascii_digits
from peyvand.customers import importer
from peyvand.customers.importer import ChunkResult, Problem, ReadChunk, RowIssue, Target
from peyvand.customers.models import ContactPoint, ImportJob, Party
from peyvand.customers.normalize import normalize_email, normalize_phone

from .. import conf
from ..models import Order, OrderLine, OrderStatus, PriceList, Product, ProductPrice, Unit
from ..money import check_currency, check_money, format_money, round_money, to_decimal
from .catalogue import PRODUCT_FIELDS, _clean_product, clean_price, product_create, product_update
from .common import LineValues, check_lines_total, clean_line

PRODUCTS, ORDERS = "products", "orders"
MAX_ROWS = 100_000  # each kind's check keeps the whole file's keys (and an order's lines) in memory
CHUNK_ROWS = 500  # rows per transaction: written through the services, row by row
# The columns of today's files (and their documentation): recognised as they are.
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
Policy = ImportJob.Policy


# --- who may import -----------------------------------------------------------------------


def may_import_products(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_administrator)


def require_product_import(user: User) -> None:
    policy.require_admin(user)


def may_import_orders(user: User) -> bool:
    """Bringing in finished sales is an administrator's or a manager's decision (a manager's
    for the customers of their team), not a salesperson's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_administrator or (user.role == Role.MANAGER and policy.can_create(user, Order))


def require_order_import(user: User) -> None:
    if not may_import_orders(user):
        raise PermissionDenied(_("Only an administrator or a manager may import past orders."))


# --- the columns of a job -----------------------------------------------------------------


class _Columns:
    """A job's columns by the field they feed: the cells of a row, and where a problem goes."""

    def __init__(self, job: ImportJob, targets: tuple[Target, ...]) -> None:
        self.header = job.header
        self.columns = sorted((int(index), key) for index, key in job.mapping.items())
        self.index = {key: index for index, key in self.columns}
        self.labels = {target.key: target.label for target in targets}

    def values(self, cells: list[str]) -> dict[str, str]:
        """The row's non-empty cells by field, stripped (and as exported, when we exported them)."""
        width = len(cells)
        values: dict[str, str] = {}
        for index, key in self.columns:
            value = cells[index].strip() if index < width else ""
            if value:
                values[key] = unneutralise(value)
        return values

    def field_of(self, name: str) -> str:
        """The field an error of the services is about, in the mapping's words."""
        if name.startswith("custom."):  # a custom field's error, of its column
            return f"{importer.CUSTOM_TARGET}{name.removeprefix('custom.')}"
        return "price" if name.startswith("price_") else name

    def problems(self, errors: Mapping[str, list[str]], values: Mapping[str, str]) -> list[Problem]:
        found = []
        for name, messages in errors.items():
            key = self.field_of(name)
            column = self.index.get(key)
            label = "" if column is not None else str(self.labels.get(key, key))
            found += [Problem(column, values.get(key, ""), message, label) for message in messages]
        return found

    def title(self, key: str) -> str:
        """The column's title in the file, or the field's name when no column feeds it."""
        column = self.index.get(key)
        if column is not None and column < len(self.header):
            return self.header[column][:255]
        return str(self.labels.get(key, key))

    def issues(
        self, row: int, error: ValidationError | PermissionDenied, values: Mapping[str, str]
    ) -> list[RowIssue]:
        """A refusal of the services as the problems of a row."""
        found = []
        for name, messages in _errors(error).items():
            key = self.field_of(name)
            title = self.title(key) if name else ""
            found += [RowIssue(row, title, values.get(key, "")[:10_000], message) for message in messages]
        return found


def _errors(error: ValidationError | PermissionDenied) -> dict[str, list[str]]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    messages = getattr(error, "messages", None) or [
        str(error) or _("You do not have permission to change this record.")
    ]
    return {"": [str(m) for m in messages]}


def _accepted(choices: Any) -> dict[str, str]:
    """A choice by its code or its label in either language."""
    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[search_key(value)] = value
        for language in ("fa", "en"):
            with translation.override(language):
                accepted[search_key(str(label))] = value
    return accepted


# --- products -----------------------------------------------------------------------------

NO = {"0", "no", "false", "خیر", "نه", "غیرفعال"}


@dataclass
class ProductRow:
    row: int
    sku: str
    data: dict[str, Any]  # as product_create and product_update take it
    values: dict[str, str]  # the row's cells by field, for the report
    currency: str | None = None
    price: str | None = None


class ProductReader:
    """Reads a row of products by the catalogue's rules (``_clean_product``, ``clean_price``)."""

    def __init__(self, job: ImportJob) -> None:
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))
        self.units = _accepted(Unit.choices)

    def read(self, number: int, cells: list[str]) -> ProductRow | list[Problem]:
        values = self.columns.values(cells)
        data: dict[str, Any] = {"sku": values.get("sku", ""), "name_fa": values.get("name_fa", "")}
        if values.get("name_en"):
            data["name_en"] = values["name_en"]
        if values.get("unit"):
            data["unit"] = self.units.get(search_key(values["unit"]), values["unit"])
        if values.get("tax_rate"):
            data["tax_rate"] = values["tax_rate"]
        if values.get("active"):
            data["active"] = search_key(values["active"]) not in NO
        # Custom fields by their columns; on a new product the required ones are asked for.
        data["custom"] = {
            key.removeprefix(importer.CUSTOM_TARGET): value
            for key, value in values.items()
            if key.startswith(importer.CUSTOM_TARGET)
        }
        sku = to_ascii_digits(clean_text(data["sku"])).upper()
        errors: dict[str, list[str]] = {}
        currency = None
        if values.get("price"):
            try:
                currency = check_currency(values.get("currency") or conf.base_currency())
                clean_price(values["price"], currency=currency)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        try:
            _clean_product(data, current=Product.objects.filter(sku=sku).first())
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            return self.columns.problems(errors, values)
        return ProductRow(number, sku, data, values, currency, values.get("price"))


class ProductChecker:
    """Across rows: a SKU may appear once in a file."""

    def __init__(self, job: ImportJob) -> None:
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))
        self.seen: set[str] = set()

    def check(self, chunk: ReadChunk) -> list[RowIssue]:
        issues = []
        for item in chunk.items:
            if item.sku in self.seen:
                message = _("This SKU appears twice in the file.")
                issues.append(
                    RowIssue(item.row, self.columns.title("sku"), item.values.get("sku", ""), message)
                )
            self.seen.add(item.sku)
        return issues

    def finish(self) -> list[RowIssue]:
        return []


def _product_state(product: Product, price_lists: list[PriceList]) -> dict[str, Any]:
    """A product's fields and its prices on ``price_lists``, as the audit log keeps values."""
    state = snapshot(product, PRODUCT_FIELDS)
    state |= {f"{importer.CUSTOM_TARGET}{key}": value for key, value in (product.custom or {}).items()}
    prices = dict(
        ProductPrice.objects.filter(product=product, price_list__in=price_lists).values_list(
            "price_list_id", "price"
        )
    )
    for price_list in price_lists:
        price = prices.get(price_list.pk)
        state[f"price:{price_list.pk}"] = str(price) if price is not None else None
    return state


class ProductWriter:
    """Creates or updates each product through the catalogue's services, noting how to undo it."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = job.created_by
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))
        self.price_lists: dict[str, PriceList] = {}

    def write_chunk(self, chunk: ReadChunk) -> ChunkResult:
        result = ChunkResult()
        for item in chunk.items:
            existing = Product.objects.filter(sku=item.sku).first()
            if existing is not None and self.job.policy == Policy.SKIP:
                result.skipped += 1
                message = _("Skipped: a product with this SKU is in the catalogue already.")
                result.issues.append(RowIssue(item.row, "", "", message, skipped=True))
                continue
            # Outside the row's savepoint: a list made here outlives a row refused.
            prices = {self._list_for(item.currency): item.price} if item.currency else {}
            try:
                with transaction.atomic():
                    if existing is None:
                        product = product_create(actor=self.actor, data=item.data, prices=prices)
                        importer.record_created(self.job, product)
                        result.created += 1
                    else:
                        self._update(existing, item.data, prices)
                        result.updated += 1
            except (ValidationError, PermissionDenied) as exc:
                result.issues += self.columns.issues(item.row, exc, item.values)
        return result

    def _update(self, product: Product, data: dict[str, Any], prices: dict[PriceList, Any]) -> None:
        before = _product_state(product, list(prices))
        product_update(product=product, actor=self.actor, data=data, prices=prices)
        product = Product.objects.get(pk=product.pk)  # the values as stored: "9.00", not "9"
        after = _product_state(product, list(prices))
        # A custom value the import gave for the first time is not in ``before``.
        changed = [name for name in after if before.get(name) != after[name]]
        if changed:
            importer.record_changed(
                self.job,
                product,
                before={name: before.get(name) for name in changed},
                after={name: after[name] for name in changed},
            )

    def _list_for(self, currency: str) -> PriceList:
        """The price list a row's price goes on: the default one of its currency, made if need be."""
        if currency not in self.price_lists:
            found = (
                PriceList.objects.filter(currency=currency, active=True).order_by("-is_default", "id").first()
            )
            if found is None:
                found = PriceList.objects.create(
                    name=str(_("Standard %(currency)s") % {"currency": currency}),
                    currency=currency,
                    is_default=not PriceList.objects.filter(is_default=True).exists(),
                )
                importer.record_created(self.job, found)
            self.price_lists[currency] = found
        return self.price_lists[currency]

    def committed(self, job: ImportJob) -> None:
        self.job = job


def products_undo(job: ImportJob, actor: User, batch: uuid.UUID) -> dict[str, Any]:
    """The products the import created leave the catalogue; those it changed get back their
    fields and prices, where nobody has changed them since. (The machinery has checked that
    ``actor`` may import products; the catalogue's services check it again.)"""
    now = timezone.now()
    created = importer.created_ids(job, Product)
    gone = list(Product.objects.filter(pk__in=created))
    removed = soft_delete_rows(Product.objects.filter(pk__in=created), actor=actor, batch=batch, at=now)
    ProductPrice.objects.filter(product_id__in=created).delete()
    audit_log_many(
        [
            audit_event(
                actor=actor, kind=AuditEvent.Kind.DELETE, obj=product, changes={"sku": [product.sku, None]}
            )
            for product in gone
        ]
    )
    restored = 0
    for change in importer.changes(job, Product):
        product = Product.objects.filter(pk=change.object_id).first()
        if product is None:
            continue
        lists = {int(name.split(":")[1]): name for name in change.after if name.startswith("price:")}
        price_lists = list(PriceList.objects.filter(pk__in=lists))
        current = _product_state(product, price_lists)
        revert = {
            name: change.before.get(name)
            for name, value in change.after.items()
            if current.get(name) == value
        }
        data: dict[str, Any] = {
            name: value
            for name, value in revert.items()
            if not name.startswith(("price:", importer.CUSTOM_TARGET))
        }
        custom = {
            name.removeprefix(importer.CUSTOM_TARGET): value
            for name, value in revert.items()
            if name.startswith(importer.CUSTOM_TARGET)
        }
        if custom:  # null clears a value the import gave
            data["custom"] = custom
        prices = {p: revert[lists[p.pk]] for p in price_lists if lists[p.pk] in revert}
        if data or prices:
            product_update(product=product, actor=actor, data=data, prices=prices)
            restored += 1
    # A price list the import made for a new currency goes too, if nothing is priced on it now.
    PriceList.objects.filter(pk__in=importer.created_ids(job, PriceList), prices__isnull=True).delete()
    return {"products": [removed, 0], "restored": [None, restored]}


# --- past orders --------------------------------------------------------------------------


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


def _number(reference: str) -> str:
    return f"IMP-{reference}"


@dataclass
class OrderRow:
    """One line of a past order: the order's reference, customer, date and currency with it."""

    row: int
    reference: str
    party_id: int
    owner_id: int | None
    day: Any
    currency: str
    line: LineValues
    amount: Decimal | None
    values: dict[str, str]


class OrderReader:
    """Reads a row of past orders: the customer found by id, email, phone or exact name among
    those the importer may see, the product by SKU, the line by ``clean_line``."""

    def __init__(self, job: ImportJob) -> None:
        self.actor = job.created_by
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))
        self.customers: dict[str, Party | ValidationError] = {}
        self.products: dict[str, Product | None] = {}

    def read(self, number: int, cells: list[str]) -> OrderRow | list[Problem]:
        values = self.columns.values(cells)
        errors: dict[str, list[str]] = {}
        reference = clean_text(values.get("order", ""))[:30]
        if not reference:
            errors["order"] = [_("This field is required.")]
        party = None
        try:
            party = self._customer(values.get("customer", ""))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        day = None
        try:
            day = jalali.parse_date(values.get("date", ""))
        except ValueError as exc:
            errors["date"] = [str(exc)]
        try:
            currency = check_currency(values.get("currency") or conf.base_currency())
        except ValidationError as exc:
            errors.update(exc.message_dict)
            currency = conf.base_currency()
        product = None
        if values.get("sku"):
            product = self._product(values["sku"])
            if product is None:
                errors["sku"] = [_("No product has this SKU.")]
        line = None
        try:
            line = clean_line(
                {**values, "tax_rate": values.get("tax_rate") or 0}, currency=currency, product=product
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        amount = None
        if values.get("amount"):
            try:
                amount = check_money(
                    to_decimal(values["amount"], field="amount"), field="amount", currency=currency
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors or party is None or line is None:
            return self.columns.problems(errors, values)
        return OrderRow(number, reference, party.pk, party.owner_id, day, currency, line, amount, values)

    def _customer(self, text: str) -> Party:
        key = clean_text(text)
        if key not in self.customers:
            try:
                self.customers[key] = _find_customer(self.actor, key)
            except ValidationError as exc:
                self.customers[key] = exc
        found = self.customers[key]
        if isinstance(found, ValidationError):
            raise found
        return found

    def _product(self, sku: str) -> Product | None:
        key = to_ascii_digits(clean_text(sku)).upper()
        if key not in self.products:
            self.products[key] = Product.objects.filter(sku=key).first()
        return self.products[key]


@dataclass
class _Plan:
    party_id: int
    currency: str
    first_row: int
    lines: list[LineValues] = field(default_factory=list)
    amount: Decimal | None = None


class OrderChecker:
    """Across rows: an order's rows share a customer and a currency, its lines add up to its
    amount (when given) and to no more than an amount can be; an order imported before is a
    problem unless such orders are to be skipped."""

    def __init__(self, job: ImportJob) -> None:
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))
        self.refuse = job.policy == Policy.REFUSE
        self.plans: dict[str, _Plan] = {}
        self.imported: dict[str, bool] = {}

    def check(self, chunk: ReadChunk) -> list[RowIssue]:
        issues = []
        for item in chunk.items:
            if self._imported_before(item.reference):
                if self.refuse:
                    message = _("An order with this reference was imported already.")
                    issues.append(self._issue(item, "order", message))
                continue
            plan = self.plans.get(item.reference)
            if plan is None:
                plan = self.plans[item.reference] = _Plan(item.party_id, item.currency, item.row)
            elif plan.party_id != item.party_id or plan.currency != item.currency:
                message = _("Rows of one order must have the same customer and currency.")
                issues.append(self._issue(item, "customer", message))
                continue
            plan.lines.append(item.line)
            plan.amount = item.amount if item.amount is not None else plan.amount
        return issues

    def finish(self) -> list[RowIssue]:
        issues = []
        for plan in self.plans.values():
            try:
                total = check_lines_total(plan.lines, plan.currency, field="amount")
            except ValidationError as exc:
                issues += [
                    RowIssue(plan.first_row, self.columns.title(name), "", message)
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ]
                continue
            if plan.amount is not None and abs(plan.amount - total) > Decimal(1):
                message = _("The lines add up to %(total)s, not %(amount)s.") % {
                    "total": format_money(total, plan.currency),
                    "amount": format_money(plan.amount, plan.currency),
                }
                issues.append(
                    RowIssue(plan.first_row, self.columns.title("amount"), str(plan.amount), message)
                )
        return issues

    def _imported_before(self, reference: str) -> bool:
        if reference not in self.imported:
            self.imported[reference] = Order.all_objects.filter(number=_number(reference)).exists()
        return self.imported[reference]

    def _issue(self, item: OrderRow, key: str, message: str) -> RowIssue:
        return RowIssue(item.row, self.columns.title(key), item.values.get(key, "")[:10_000], message)


class OrderWriter:
    """Writes each order with its lines, as history (invoiced, imported). An order whose lines
    go on in a later chunk (or later in the file) is continued: it is found by its number
    among the job's own orders, so a resumed job adds each line exactly once. A few queries
    a chunk, and one insert an order."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = job.created_by
        self.columns = _Columns(job, tuple(importer.targets_for(job.kind)))

    def write_chunk(self, chunk: ReadChunk) -> ChunkResult:
        result = ChunkResult()
        by_order: dict[str, list[OrderRow]] = {}
        for item in chunk.items:
            by_order.setdefault(item.reference, []).append(item)
        numbers = {_number(reference): reference for reference in by_order}
        existing = dict(Order.all_objects.filter(number__in=numbers).values_list("number", "pk"))
        ours = importer.created_among(self.job, Order, existing.values())
        made: list[Order] = []
        all_lines: list[OrderLine] = []
        events = []
        for number, reference in numbers.items():
            rows = by_order[reference]
            pk = existing.get(number)
            if pk is not None and pk not in ours:
                self._duplicate(reference, rows, result)
                continue
            if pk is None:
                order = self._new(rows[0])
                lines = self._lines(order, rows, position=0)
                order.save()
                made.append(order)
                changes: dict[str, list[Any]] = {
                    "total": [None, f"{order.total} {order.currency}"],
                    "imported": [None, True],
                }
                kind = AuditEvent.Kind.CREATE
            else:
                order = Order.all_objects.select_for_update().get(pk=pk)
                before = f"{order.total} {order.currency}"
                lines = self._lines(order, rows, position=OrderLine.objects.filter(order=order).count())
                order.save(update_fields=[*TOTALS, "updated_by", "updated_at"])
                changes = {"total": [before, f"{order.total} {order.currency}"]}
                kind = AuditEvent.Kind.UPDATE
            for line in lines:
                line.order = order
            all_lines += lines
            events.append(
                audit_event(actor=self.actor, kind=kind, obj=order, party_id=order.party_id, changes=changes)
            )
        OrderLine.objects.bulk_create(all_lines, batch_size=1000)
        importer.record_created_many(self.job, made)
        audit_log_many(events)
        result.created = len(made)
        return result

    def committed(self, job: ImportJob) -> None:
        self.job = job

    def _duplicate(self, reference: str, rows: list[OrderRow], result: ChunkResult) -> None:
        """An order of this reference was imported before (by another job, since the check)."""
        skip = self.job.policy == Policy.SKIP
        if skip:
            result.skipped += len(rows)
        for row in rows:
            if skip:
                message = _("Skipped: order %(reference)s was imported before.") % {"reference": reference}
            else:
                message = _("An order with this reference was imported already.")
            result.issues.append(
                RowIssue(row.row, "" if skip else self.columns.title("order"), "", message, skipped=skip)
            )

    def _new(self, first: OrderRow) -> Order:
        return Order(
            number=_number(first.reference),
            party_id=first.party_id,
            owner_id=first.owner_id,
            currency=first.currency,
            ordered_on=first.day,
            status=OrderStatus.INVOICED,
            imported=True,
            created_by=self.actor,
            updated_by=self.actor,
        )

    def _lines(self, order: Order, rows: list[OrderRow], *, position: int) -> list[OrderLine]:
        """The rows as lines of ``order`` from ``position`` on, added to its totals."""
        lines = []
        total = order.total
        for offset, row in enumerate(rows):
            line = row.line
            discount, net, tax, line_total = line.amounts(order.currency)
            lines.append(
                OrderLine(
                    product=line.product,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_percent=line.discount_percent,
                    tax_rate=line.tax_rate,
                    net=net,
                    tax=tax,
                    total=line_total,
                    quantity_invoiced=line.quantity,
                    position=position + offset,
                )
            )
            order.subtotal += net + discount
            order.discount_total += discount
            order.tax_total += tax
            total += line_total
        order.total = round_money(total, order.currency)
        order.invoiced_total = order.total
        order.updated_by = self.actor
        return lines


TOTALS = ("subtotal", "discount_total", "tax_total", "total", "invoiced_total")


def orders_undo(job: ImportJob, actor: User, batch: uuid.UUID) -> dict[str, Any]:
    """The orders the import brought in are deleted with their lines: history that was never
    here. (An imported order is invoiced already: nothing else hangs on it.) The machinery
    has checked that ``actor`` may import orders."""
    orders = list(Order.all_objects.filter(pk__in=importer.created_ids(job, Order)))
    events = [
        audit_event(
            actor=actor,
            kind=AuditEvent.Kind.DELETE,
            obj=order,
            party_id=order.party_id,
            changes={"total": [f"{order.total} {order.currency}", None]},
        )
        for order in orders
    ]
    try:
        Order.all_objects.filter(pk__in=[o.pk for o in orders]).delete()
    except ProtectedError:
        raise ValidationError(
            _("Some of the imported orders have been invoiced here since; they cannot be undone.")
        ) from None
    audit_log_many(events)
    return {"orders": [len(orders), 0]}


__all__ = [
    "MAX_ROWS",
    "ORDER_COLUMNS",
    "PRODUCT_COLUMNS",
    "OrderChecker",
    "OrderReader",
    "OrderWriter",
    "ProductChecker",
    "ProductReader",
    "ProductWriter",
    "may_import_orders",
    "may_import_products",
    "orders_undo",
    "products_undo",
    "require_order_import",
    "require_product_import",
]
