"""Partner organisations (distributors, resellers, agents) and their portal.

A partner is an organisation among the customers, marked here with its kind, its commission
rate and, optionally, a price list of its own; its targets are amounts per Jalali quarter.
Its users are portal accounts of its contacts with ``PortalAccount.partner`` set (invited
from the partner's staff page). A partner registers leads and deals (``Registration``); the
channel manager approves them, which creates the lead or the deal through the sales
services, and a deal created so is the partner's (``PartnerDeal``): the partner sees and
moves only those, and the customers behind them.

Nothing here adds a column to sales or customers: these rows point at theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import Party
from peyvand.sales.models import Deal, Lead, PriceList
from peyvand.sales.models.catalogue import money_field, rate_field


class PartnerKind(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    RESELLER = "reseller", _("Reseller")
    AGENT = "agent", _("Agent")


class Partner(models.Model):
    organisation = models.OneToOneField(
        Party, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="partnership"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PartnerKind.choices)
    commission_rate = rate_field(_("commission (%)"), default=0)
    price_list = models.ForeignKey(
        PriceList,
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=100), name="partner_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.display_name


class PartnerTarget(models.Model):
    """What a partner should win in a Jalali quarter, in the base currency."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))  # Jalali
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    amount = money_field(_("target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner target")
        verbose_name_plural = _("partner targets")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "year", "quarter"], name="partner_target_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="partner_quarter"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="partner_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.year}-Q{self.quarter}"


class RegistrationKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Registration(models.Model):
    """A lead or a deal a partner registered, waiting for the channel manager's decision.

    ``conflicts`` (found when it was registered) name the customers and the other partners'
    registrations it may be the same as: ``[{"kind": "customer", "id": 3, "by": "phone"}, …]``.
    The channel manager sees them; the partner never does.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="registrations")
    account = models.ForeignKey(
        "portal.PortalAccount", null=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=RegistrationKind.choices)
    customer_name = models.CharField(_("customer's name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    product_interest = models.CharField(_("product interest"), max_length=200, blank=True)
    expected_value = money_field(_("expected value"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.TextField(_("note"), blank=True)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)  # search_key of the name
    conflicts = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("partner registration")
        verbose_name_plural = _("partner registrations")
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="partner_reg_status"),
            models.Index(fields=["partner", "created_at", "id"], name="partner_reg_partner"),
            models.Index(fields=["phone"], condition=~Q(phone=""), name="partner_reg_phone"),
            models.Index(fields=["email"], condition=~Q(email=""), name="partner_reg_email"),
        ]

    def __str__(self) -> str:
        return self.customer_name


class PartnerDeal(models.Model):
    """A deal assigned to a partner: the partner sees it and moves it; ``first_update_at`` is
    when they first did (the channel manager's response time)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deals")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="partner_link")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    first_update_at = models.DateTimeField(_("first update"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner's deal")
        verbose_name_plural = _("partners' deals")

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.deal_id}"
