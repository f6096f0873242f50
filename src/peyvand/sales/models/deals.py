from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import CustomValues, Searchable, Team, TrackedModel
from peyvand.customers.models import Party

from .catalogue import Product, money_field, rate_field

ALIVE = Q(deleted_at__isnull=True)


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


DealStatus = Outcome


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pipeline", "order", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(Searchable, TrackedModel):
    title = models.CharField(_("title"), max_length=200)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    contact = models.ForeignKey(
        Party,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(_("status"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    amount = money_field(_("amount"), default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3)
    # The amount in the base currency at the rate of the day it was set: forecasts sum it.
    amount_base = money_field(None, default=Decimal(0), editable=False)
    expected_close = models.DateField(_("expected close date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lost_reason = models.CharField(_("reason lost"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    search_text = models.TextField(editable=False, blank=True)
    custom = CustomValues()
    SEARCHED = ("title", "party.display_name")

    class Meta(TrackedModel.Meta):
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["stage", "-amount_base", "id"], condition=ALIVE, name="deal_board"),
            models.Index(fields=["expected_close", "id"], condition=ALIVE, name="deal_close"),
            models.Index(fields=["owner", "status", "expected_close"], condition=ALIVE, name="deal_owner"),
            models.Index(fields=["party", "status"], name="deal_party"),
            models.Index(fields=["amount_base", "id"], condition=ALIVE, name="deal_amount"),
            models.Index(fields=["created_at", "id"], condition=ALIVE, name="deal_created"),
        ]

    def __str__(self) -> str:
        return self.title


class DealStageChange(models.Model):
    """One move of a deal into a stage: time in stage is the gap to the next move."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deal", "at", "id"]
        indexes = [models.Index(fields=["deal", "at", "id"], name="dealstage_history")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class DealLine(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = money_field(_("unit price"))
    discount_percent = rate_field(_("discount (%)"), default=Decimal(0))
    tax_rate = rate_field(_("tax rate (%)"), default=Decimal(0))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["deal", "position", "id"]
        verbose_name = _("deal line")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dealline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="dealline_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description


class SalesTarget(models.Model):
    """A manager's target for one month, for one salesperson or a whole team, in the base currency."""

    month = models.DateField(_("month"))  # the first day of the month
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE)
    amount = money_field(_("target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "id"]
        verbose_name = _("sales target")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "owner"], condition=Q(owner__isnull=False), name="target_owner"
            ),
            models.UniqueConstraint(
                fields=["month", "team"], condition=Q(owner__isnull=True), name="target_team"
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(team__isnull=False), name="target_who"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"
