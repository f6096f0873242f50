"""Quotes, orders, invoices and payments. Totals are stored, computed once by the services."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel
from peyvand.customers.models import Party

from .catalogue import Product, money_field, rate_field
from .deals import Deal

ZERO = Decimal(0)


def private_files() -> FileSystemStorage:
    """Documents only the app hands out, through the permission policy: never a public URL."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "private" / "sales", base_url=None)


def _owner() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def _money(label: Any) -> models.DecimalField:
    return money_field(label, default=ZERO)


class NumberSequence(models.Model):
    """The last number given for one kind of document, taken under a row lock."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Totals(models.Model):
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = _money(_("subtotal"))
    discount_total = _money(_("discount"))
    tax_total = _money(_("tax"))
    total = _money(_("total"))

    class Meta:
        abstract = True


class LineBase(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = money_field(_("unit price"))
    discount_percent = rate_field(_("discount (%)"), default=ZERO)
    tax_rate = rate_field(_("tax rate (%)"), default=ZERO)
    net = _money(_("net"))
    tax = _money(_("tax"))
    total = _money(_("total"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.description


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Quote(TrackedModel, Totals):
    number = models.CharField(_("number"), max_length=20, unique=True)
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.PROTECT, related_name="quotes")
    party = models.ForeignKey(Party, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    owner = _owner()
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    issued_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What happened to the email: "queued" until the communications outbox delivers it.
    delivery_status = models.CharField(_("delivery"), max_length=20, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="quotes/%Y/%m/", storage=private_files, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("reason declined"), max_length=500, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["deal", "-id"], name="quote_deal")]

    def __str__(self) -> str:
        return self.number


class QuoteLine(LineBase):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["quote", "position", "id"]


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To invoice")
    PARTLY_INVOICED = "partly", _("Partly invoiced")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class Order(TrackedModel, Totals):
    number = models.CharField(_("number"), max_length=40, unique=True)
    quote = models.OneToOneField(
        Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), null=True, blank=True, on_delete=models.PROTECT)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    owner = _owner()
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    ordered_on = models.DateField(_("order date"))
    invoiced_total = _money(_("invoiced"))
    # Brought in from another system: history for analytics, not something to invoice.
    imported = models.BooleanField(_("imported"), default=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["party", "-ordered_on"], name="order_party"),
            models.Index(fields=["-ordered_on", "-id"], name="order_recent"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(LineBase):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    quantity_invoiced = models.DecimalField(
        _("invoiced quantity"), default=ZERO, max_digits=14, decimal_places=3
    )

    class Meta:
        ordering = ["order", "position", "id"]
        indexes = [models.Index(fields=["product", "order"], name="orderline_product")]

    @property
    def quantity_left(self) -> Decimal:
        return self.quantity - self.quantity_invoiced


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Unpaid")
    PARTLY_PAID = "partly", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Invoice(TrackedModel, Totals):
    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    owner = _owner()
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("due date"))
    paid = _money(_("paid"))

    class Meta(TrackedModel.Meta):
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["party", "status"], name="invoice_party"),
            models.Index(fields=["-issued_on", "-id"], name="invoice_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(paid__lte=models.F("total")), name="invoice_not_overpaid"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="invoice_paid_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def due(self) -> Decimal:
        return self.total - self.paid

    @property
    def is_overdue(self) -> bool:
        """Not fully paid after its due date (the list's "Overdue" filter says the same)."""
        unpaid = self.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)
        return unpaid and self.due_on < timezone.localdate()


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    net = _money(_("net"))
    tax = _money(_("tax"))
    total = _money(_("total"))

    class Meta:
        ordering = ["invoice", "id"]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.quantity}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    ONLINE = "online", _("Online gateway")
    OTHER = "other", _("Other")


class Payment(TrackedModel):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    party = models.ForeignKey(Party, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    paid_on = models.DateField(_("date paid"))
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["invoice", "paid_on"], name="payment_invoice")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.invoice.number  # "payment: INV-000042" on the timeline
