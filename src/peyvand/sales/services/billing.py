"""Quotes from a deal's lines, orders from accepted quotes, invoices (partial if need be)
and payments against them. A payment never exceeds what is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.interactions.services.messaging import Draft, email_send
from peyvand.interactions.services.outbox import OutboundFile

from .. import conf
from ..models import (
    Deal,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Order,
    OrderLine,
    OrderStatus,
    Outcome,
    Payment,
    PaymentMethod,
    Quote,
    QuoteLine,
    QuoteStatus,
)
from ..money import ZERO, format_money, format_number, round_money, to_decimal
from .common import LineValues, check_lines_total, next_number, text_field
from .deals import deal_move_stage

QUOTE_VALID_DAYS = 30
INVOICE_DUE_DAYS = 30


def _totals(doc: Any, lines: list[Any]) -> None:
    doc.subtotal = sum((line.net + _discount(line, doc.currency) for line in lines), ZERO)
    doc.discount_total = sum((_discount(line, doc.currency) for line in lines), ZERO)
    doc.tax_total = sum((line.tax for line in lines), ZERO)
    doc.total = sum((line.total for line in lines), ZERO)


def _discount(line: Any, currency: str) -> Decimal:
    return round_money(line.quantity * line.unit_price, currency) - line.net


def _copy_line(source: Any, target_class: type, currency: str, **extra: Any) -> Any:
    values = LineValues(
        source.description, source.quantity, source.unit_price, source.discount_percent, source.tax_rate
    )
    _discount_amount, net, tax, total = values.amounts(currency)
    return target_class(
        product_id=source.product_id,
        description=source.description,
        quantity=source.quantity,
        unit_price=source.unit_price,
        discount_percent=source.discount_percent,
        tax_rate=source.tax_rate,
        net=net,
        tax=tax,
        total=total,
        position=source.position,
        **extra,
    )


# --- quotes -------------------------------------------------------------------------------


@transaction.atomic
def quote_create(*, deal: Deal, actor: User, valid_until: dt.date | None = None, notes: str = "") -> Quote:
    """A numbered quote with a copy of the deal's lines as they are now."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    policy.require_change(actor, deal)
    if deal.status != Outcome.OPEN:
        raise ValidationError(_("This deal is closed; reopen it to quote it."))
    lines = list(deal.lines.all())
    if not lines:
        raise ValidationError(_("Add at least one product line to the deal before quoting it."))
    today = timezone.localdate()
    valid_until = valid_until or today + dt.timedelta(days=QUOTE_VALID_DAYS)
    if valid_until < today:
        raise ValidationError({"valid_until": [_("A quote cannot expire before it is issued.")]})
    errors: dict[str, list[str]] = {}
    notes = text_field(errors, "notes", notes, 2000)
    if errors:
        raise ValidationError(errors)
    quote = Quote(
        number=next_number("quote", "Q"),
        deal=deal,
        party_id=deal.party_id,
        owner_id=deal.owner_id,
        currency=deal.currency,
        issued_on=today,
        valid_until=valid_until,
        notes=notes,
        created_by=actor,
        updated_by=actor,
    )
    copies = [_copy_line(line, QuoteLine, deal.currency) for line in lines]
    _totals(quote, copies)
    quote.save()
    for copy in copies:
        copy.quote = quote
    QuoteLine.objects.bulk_create(copies)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=quote,
        party_id=quote.party_id,
        changes={"total": [None, f"{quote.total} {quote.currency}"], "deal": [None, deal.title]},
    )
    return quote


def _lock_quote(quote: Quote, actor: User) -> Quote:
    quote = Quote.objects.select_for_update(of=("self",)).select_related("deal", "party").get(pk=quote.pk)
    policy.require_change(actor, quote)
    return quote


@transaction.atomic
def quote_send(*, quote: Quote, actor: User, pdf: bytes, language: str) -> Quote:
    """Mark the quote sent and email its PDF to the customer through the outbox.

    The email is logged on the customer's timeline; ``delivery_status`` follows the outbox
    message (queued, sent, failed, cancelled) as the worker delivers it.
    """
    quote = _lock_quote(quote, actor)
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        raise ValidationError(_("This quote has been decided already."))
    email = quote.party.primary_email
    if not email:
        raise ValidationError(_("The customer has no email address; add one first."))
    language = language if language in ("fa", "en") else "fa"
    name = f"{quote.number}-{language}.pdf"
    quote.pdf.save(name, ContentFile(pdf), save=False)
    previous = quote.status
    quote.status, quote.sent_at = QuoteStatus.SENT, timezone.now()
    quote.updated_by = actor
    quote.save()
    with translation.override(language):
        subject = _("Quote %(number)s") % {"number": quote.number}
        # {name} and {sender} are the outbox's placeholders, filled for this customer.
        body = _(
            "Dear {name},\n\nPlease find attached our quote %(number)s, valid until %(date)s."
            "\n\nBest regards,\n{sender}"
        ) % {"number": quote.number, "date": jalali.format_date(quote.valid_until, language, long=True)}
    message = email_send(
        party=quote.party,
        actor=actor,
        draft=Draft(
            to=email,
            subject=subject,
            body=body,
            language=language,
            attachments=(OutboundFile(name, pdf, "application/pdf"),),
        ),
        source=(quote, "delivery_status"),
    )
    quote.delivery_status = message.status
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=quote,
        party_id=quote.party_id,
        changes={"status": [previous, QuoteStatus.SENT]},
    )
    return quote


@transaction.atomic
def quote_accept(*, quote: Quote, actor: User) -> Order:
    """The customer said yes: the quote becomes an order, and its open deal is won."""
    quote = _lock_quote(quote, actor)
    if quote.status == QuoteStatus.ACCEPTED:
        raise ValidationError(_("This quote has been accepted already."))
    if quote.status == QuoteStatus.DECLINED:
        raise ValidationError(_("A declined quote cannot be accepted; make a new one."))
    if quote.valid_until < timezone.localdate():
        raise ValidationError(
            _("This quote expired on %(date)s; make a new one.")
            % {"date": jalali.format_date(quote.valid_until, long=True)}
        )
    if quote.deal.status == Outcome.LOST:
        raise ValidationError(_("This quote's deal was lost; reopen the deal and quote it again."))
    previous = quote.status
    quote.status, quote.decided_at, quote.updated_by = QuoteStatus.ACCEPTED, timezone.now(), actor
    quote.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=quote,
        party_id=quote.party_id,
        changes={"status": [previous, QuoteStatus.ACCEPTED]},
    )
    order = _order_from_quote(quote, actor)
    deal = quote.deal
    if deal.status == Outcome.OPEN:
        won = deal.pipeline.stages.filter(outcome=Outcome.WON, active=True).order_by("order", "id").first()
        if won is not None:
            deal_move_stage(deal=deal, stage=won, actor=actor)
    return order


@transaction.atomic
def quote_decline(*, quote: Quote, actor: User, reason: str = "") -> Quote:
    quote = _lock_quote(quote, actor)
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        raise ValidationError(_("This quote has been decided already."))
    errors: dict[str, list[str]] = {}
    reason = text_field(errors, "reason", reason, 500)
    if errors:
        raise ValidationError(errors)
    previous = quote.status
    quote.status, quote.decided_at, quote.decline_reason = QuoteStatus.DECLINED, timezone.now(), reason
    quote.updated_by = actor
    quote.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=quote,
        party_id=quote.party_id,
        changes={"status": [previous, QuoteStatus.DECLINED], "decline_reason": [None, reason]},
    )
    return quote


def _order_from_quote(quote: Quote, actor: User) -> Order:
    order = Order(
        number=next_number("order", "SO"),
        quote=quote,
        deal_id=quote.deal_id,
        party_id=quote.party_id,
        owner_id=quote.owner_id,
        currency=quote.currency,
        ordered_on=timezone.localdate(),
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        tax_total=quote.tax_total,
        total=quote.total,
        created_by=actor,
        updated_by=actor,
    )
    order.save()
    OrderLine.objects.bulk_create(
        [_copy_line(line, OrderLine, quote.currency, order=order) for line in quote.lines.all()]
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=order,
        party_id=order.party_id,
        changes={"total": [None, f"{order.total} {order.currency}"], "quote": [None, quote.number]},
    )
    return order


def order_create(
    *, actor: User, party: Any, lines: list[LineValues], owner: User | None, source: str = ""
) -> Order:
    """An order of ``lines`` for ``party`` in the base currency, made by another part of the
    CRM (a field visit's parts and labour); ``source`` names what it came from in the audit."""
    policy.require_create(actor, Order)
    if not lines:
        raise ValidationError(_("There is nothing to put on an order."))
    currency = conf.base_currency()
    check_lines_total(lines, currency)
    order = Order(
        number=next_number("order", "SO"),
        party=party,
        owner=owner,
        currency=currency,
        ordered_on=timezone.localdate(),
        created_by=actor,
        updated_by=actor,
    )
    made = []
    for position, values in enumerate(lines):
        _discount_amount, net, tax, total = values.amounts(currency)
        made.append(
            OrderLine(
                product=values.product,
                description=values.description[:300],
                quantity=values.quantity,
                unit_price=values.unit_price,
                discount_percent=values.discount_percent,
                tax_rate=values.tax_rate,
                net=net,
                tax=tax,
                total=total,
                position=position,
            )
        )
    _totals(order, made)
    order.save()
    for line in made:
        line.order = order
    OrderLine.objects.bulk_create(made)
    changes = {"total": [None, f"{order.total} {order.currency}"]}
    if source:
        changes["source"] = [None, source]
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=order, party_id=order.party_id, changes=changes)
    return order


# --- invoices and payments ----------------------------------------------------------------


@transaction.atomic
def invoice_create(
    *,
    order: Order,
    actor: User,
    quantities: Mapping[int, Any] | None = None,
    issued_on: dt.date | None = None,
    due_on: dt.date | None = None,
) -> Invoice:
    """Invoice an order: all that is left, or ``quantities`` per order line id (a part)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    policy.require_change(actor, order)
    if order.status == OrderStatus.CANCELLED or order.imported:
        raise ValidationError(_("This order cannot be invoiced."))
    lines = {line.pk: line for line in OrderLine.objects.select_for_update().filter(order=order)}
    if quantities is None:
        wanted = {pk: line.quantity_left for pk, line in lines.items() if line.quantity_left > 0}
    else:
        wanted = _clean_quantities(quantities, lines)
    if not wanted:
        raise ValidationError(_("Nothing is left to invoice on this order."))
    issued_on = issued_on or timezone.localdate()
    due_on = due_on or issued_on + dt.timedelta(days=INVOICE_DUE_DAYS)
    if due_on < issued_on:
        raise ValidationError({"due_on": [_("The due date cannot be before the invoice date.")]})
    invoice = Invoice(
        number=next_number("invoice", "INV"),
        order=order,
        party_id=order.party_id,
        owner_id=order.owner_id,
        currency=order.currency,
        issued_on=issued_on,
        due_on=due_on,
        created_by=actor,
        updated_by=actor,
    )
    parts = []
    for pk, quantity in wanted.items():
        line = lines[pk]
        values = LineValues(line.description, quantity, line.unit_price, line.discount_percent, line.tax_rate)
        discount, net, tax, total = values.amounts(order.currency)
        parts.append(
            (line, InvoiceLine(order_line=line, quantity=quantity, net=net, tax=tax, total=total), discount)
        )
    invoice.subtotal = sum((p[1].net + p[2] for p in parts), ZERO)
    invoice.discount_total = sum((p[2] for p in parts), ZERO)
    invoice.tax_total = sum((p[1].tax for p in parts), ZERO)
    invoice.total = sum((p[1].total for p in parts), ZERO)
    invoice.save()
    for line, invoice_line, _discount_amount in parts:
        invoice_line.invoice = invoice
        line.quantity_invoiced += invoice_line.quantity
        line.save(update_fields=["quantity_invoiced"])
    InvoiceLine.objects.bulk_create([p[1] for p in parts])
    order.invoiced_total += invoice.total
    left = any(line.quantity_left > 0 for line in lines.values())
    order.status = OrderStatus.PARTLY_INVOICED if left else OrderStatus.INVOICED
    order.updated_by = actor
    order.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=invoice,
        party_id=invoice.party_id,
        changes={"total": [None, f"{invoice.total} {invoice.currency}"], "order": [None, order.number]},
    )
    return invoice


def _clean_quantities(quantities: Mapping[int, Any], lines: Mapping[int, OrderLine]) -> dict[int, Decimal]:
    errors: dict[str, list[str]] = {}
    wanted: dict[int, Decimal] = {}
    for pk, raw in quantities.items():
        key = f"quantities.{pk}"
        line = lines.get(pk) if isinstance(pk, int) else None
        if line is None:
            errors[key] = [_("This line is not on the order.")]
            continue
        try:
            quantity = to_decimal(raw, field=key)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if quantity > line.quantity_left:
            errors[key] = [
                _("Only %(left)s are left to invoice on this line.")
                % {"left": format_number(line.quantity_left)}
            ]
        elif quantity > 0:
            wanted[pk] = quantity
    if errors:
        raise ValidationError(errors)
    return wanted


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    actor: User,
    amount: Any,
    paid_on: dt.date | None = None,
    method: str = PaymentMethod.TRANSFER,
    reference: str = "",
) -> Payment:
    """Record money received against an invoice; never more than is still due."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    policy.require_change(actor, invoice)
    if invoice.status == InvoiceStatus.CANCELLED:
        raise ValidationError(_("This invoice is cancelled."))
    value = round_money(to_decimal(amount, field="amount", minimum=None), invoice.currency)
    if value <= 0:
        raise ValidationError({"amount": [_("Enter an amount greater than zero.")]})
    if value > invoice.due:
        raise ValidationError(
            {
                "amount": [
                    _("Only %(due)s is due on this invoice.")
                    % {"due": format_money(invoice.due, invoice.currency)}
                ]
            }
        )
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Choose a valid payment method.")]})
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"paid_on": [_("A payment cannot be in the future.")]})
    payment = Payment.objects.create(
        invoice=invoice,
        party_id=invoice.party_id,
        amount=value,
        currency=invoice.currency,
        paid_on=paid_on,
        method=method,
        reference=clean_text(reference)[:100],
        created_by=actor,
        updated_by=actor,
    )
    invoice.paid += value
    invoice.status = InvoiceStatus.PAID if invoice.paid >= invoice.total else InvoiceStatus.PARTLY_PAID
    invoice.updated_by = actor
    invoice.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=payment,
        party_id=invoice.party_id,
        changes={"amount": [None, f"{value} {invoice.currency}"], "invoice": [None, invoice.number]},
    )
    return payment
