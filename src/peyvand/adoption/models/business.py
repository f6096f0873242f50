"""The business case of seed [004]: why spend on CRM, in figures. Benefit lines (more revenue
from retention, cross-sell, conversion; a lower cost to serve) against cost lines (licences,
hardware, people, training, consulting) over a horizon of years with a discount rate."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

HORIZON_MIN, HORIZON_MAX = 1, 10
SENSITIVITY_DEFAULT = Decimal(20)


class BusinessCase(TrackedModel):
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="IRR")
    horizon_years = models.PositiveSmallIntegerField(
        _("horizon in years"),
        default=5,
        validators=[MinValueValidator(HORIZON_MIN), MaxValueValidator(HORIZON_MAX)],
    )
    # Percentages: 18.5 is 18.5% a year.
    discount_rate = models.DecimalField(
        _("discount rate"), max_digits=6, decimal_places=3, default=Decimal(20)
    )
    sensitivity = models.DecimalField(
        _("sensitivity range"), max_digits=5, decimal_places=2, default=SENSITIVITY_DEFAULT
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["-updated_at", "-id"]
        verbose_name = _("business case")
        verbose_name_plural = _("business cases")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="adoption_case_updated"),
            models.Index(fields=["title", "id"], name="adoption_case_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(horizon_years__gte=HORIZON_MIN, horizon_years__lte=HORIZON_MAX),
                name="adoption_case_horizon",
            ),
            models.CheckConstraint(condition=models.Q(discount_rate__gte=0), name="adoption_case_rate"),
        ]

    def __str__(self) -> str:
        return self.title


class LineKind(models.TextChoices):
    BENEFIT = "benefit", _("Benefit")
    COST = "cost", _("Cost")


class LineCategory(models.TextChoices):
    RETENTION = "retention", _("More revenue from retention")
    CROSS_SELL = "cross_sell", _("More revenue from cross-sell and up-sell")
    CONVERSION = "conversion", _("More revenue from lead conversion")
    CAMPAIGNS = "campaigns", _("More sales from campaigns")
    PRICING = "pricing", _("More accurate pricing")
    COST_TO_SERVE = "cost_to_serve", _("Lower cost to serve")
    ACQUISITION = "acquisition", _("Lower cost of acquiring customers")
    OTHER_BENEFIT = "other_benefit", _("Other benefit")
    LICENCES = "licences", _("Licences")
    HARDWARE = "hardware", _("Hardware")
    PEOPLE = "people", _("People")
    TRAINING = "training", _("Training")
    CONSULTING = "consulting", _("Consulting")
    INTEGRATION = "integration", _("Integration and configuration")
    OTHER_COST = "other_cost", _("Other cost")


BENEFIT_CATEGORIES = frozenset(
    {
        "retention",
        "cross_sell",
        "conversion",
        "campaigns",
        "pricing",
        "cost_to_serve",
        "acquisition",
        "other_benefit",
    }
)


class CaseLine(models.Model):
    case = models.ForeignKey(
        BusinessCase, verbose_name=_("business case"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=LineCategory.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount per year"), max_digits=20, decimal_places=2)
    growth = models.DecimalField(_("growth per year"), max_digits=6, decimal_places=2, default=Decimal(0))
    # Once, in year 0 (a licence bought outright, the set-up), instead of every year.
    one_off = models.BooleanField(_("once, in year 0"), default=False)
    # A line driven by an assumption is worth its value times ``per_unit`` (200 more leads
    # converted × the average deal): ``amount`` is kept equal to that product by the services,
    # and the tornado moves the assumption, not the line. Without the assumption (deleted), the
    # line keeps its last amount.
    assumption = models.ForeignKey(
        "Assumption",
        verbose_name=_("driven by assumption"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
    )
    per_unit = models.DecimalField(
        _("amount per unit of the assumption"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["kind", "order", "id"]
        verbose_name = _("business case line")
        verbose_name_plural = _("business case lines")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="adoption_line_amount")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.label or str(self.get_category_display())


MONTHS_MIN, MONTHS_MAX = 1, 36


class Assumption(models.Model):
    """A figure the case rests on (a churn rate, an average deal, a conversion rate), as the
    case assumes it, optionally tied to a metric Peyvand measures on the company's own records
    over the last ``months`` — so the case can be checked against what is happening."""

    case = models.ForeignKey(
        BusinessCase, verbose_name=_("business case"), on_delete=models.CASCADE, related_name="assumptions"
    )
    label = models.CharField(_("assumption"), max_length=200)
    value = models.DecimalField(_("assumed value"), max_digits=20, decimal_places=2)
    metric = models.CharField(_("measured by"), max_length=40, blank=True)
    months = models.PositiveSmallIntegerField(
        _("measured over the last (months)"),
        default=12,
        validators=[MinValueValidator(MONTHS_MIN), MaxValueValidator(MONTHS_MAX)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assumption")
        verbose_name_plural = _("assumptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__gte=MONTHS_MIN, months__lte=MONTHS_MAX),
                name="adoption_assumption_months",
            )
        ]

    def __str__(self) -> str:
        return self.label
