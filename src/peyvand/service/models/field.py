"""Field service: work orders a technician carries out at the customer's site, and the
service contracts that decide a customer's SLA and whether the work is billed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import Searchable, TrackedModel
from peyvand.customers.models import Party
from peyvand.sales.models import Order, Product
from peyvand.sales.models.billing import private_files

from .routing import Skill
from .sla import SlaPolicy
from .tickets import Ticket


class ServiceContract(Searchable, TrackedModel):
    """What a customer bought of service: from when to when, the SLA it promises, how many
    hours of work it covers (blank: any), and whether it covers parts too."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="service_contracts"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours_included = models.DecimalField(
        _("hours included"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    covers_parts = models.BooleanField(_("covers parts"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("number", "name", "party.display_name")

    class Meta(TrackedModel.Meta):
        ordering = ["-ends_on", "-id"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        indexes = [models.Index(fields=["party", "ends_on"], name="contract_party_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("service:contract_edit", args=[self.pk])


class WorkStatus(models.TextChoices):
    UNSCHEDULED = "unscheduled", _("To schedule")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("On site")
    DONE = "done", pgettext_lazy("work order", "Done")
    CANCELLED = "cancelled", pgettext_lazy("work order", "Cancelled")


# Work still to be carried out: on the board and the technician's day.
PENDING_WORK = (WorkStatus.UNSCHEDULED, WorkStatus.SCHEDULED, WorkStatus.IN_PROGRESS)


class WorkResult(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    FOLLOW_UP = "follow_up", _("Needs another visit")
    NOT_FIXED = "not_fixed", _("Could not be fixed")


class WorkOrder(Searchable, TrackedModel):
    """A visit to a customer's site: the job, the skills it needs, the technician and the
    window it is booked in; on the day, check-in and check-out, notes, photos, the parts
    used, the result and the customer's signature. Parts and labour become an order once."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="work_orders"
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    contract = models.ForeignKey(
        ServiceContract,
        verbose_name=_("service contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    title = models.CharField(_("job"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    site_address = models.CharField(_("site address"), max_length=300, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills needed"), blank=True, related_name="+")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scheduled_start = models.DateTimeField(_("starts"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=WorkStatus.choices, default=WorkStatus.UNSCHEDULED
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=WorkResult.choices, blank=True)
    notes = models.TextField(_("technician's notes"), blank=True)
    labour_hours = models.DecimalField(
        _("hours worked"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    labour_product = models.ForeignKey(
        Product,
        verbose_name=_("labour billed as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signature = models.FileField(
        _("signature"), upload_to="signatures/%Y/%m/", storage=private_files, blank=True
    )
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("number", "title", "party.display_name", "site_address")

    class Meta(TrackedModel.Meta):
        ordering = ["scheduled_start", "-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["technician", "scheduled_start"], name="work_technician_start"),
            models.Index(fields=["status", "scheduled_start"], name="work_status_start"),
            models.Index(fields=["party", "created_at"], name="work_party_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("service:work_order_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_WORK


class WorkPart(models.Model):
    """A part from the catalogue used on the job."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts")
    product = models.ForeignKey(Product, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class WorkPhoto(models.Model):
    """A photo the technician took on site (before, after, the faulty part)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="work-photos/%Y/%m/", storage=private_files)
    content_type = models.CharField(max_length=40)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or str(self.image.name)
