"""Choosing a CRM vendor (seed [004], CRM selection): a selection compares vendors on weighted
criteria in five capability groups (organisational, operational, technical, legal, general);
several evaluators each score every vendor on every criterion from 1 to 5. The results (per
group and overall, with the spread between evaluators) are computed, never stored."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

from .readiness import localized

SCORE_MIN, SCORE_MAX = 1, 5
WEIGHT_MIN, WEIGHT_MAX = 0, 10


class CapabilityGroup(models.TextChoices):
    ORGANISATIONAL = "organisational", _("Organisational")
    OPERATIONAL = "operational", _("Operational")
    TECHNICAL = "technical", _("Technical")
    LEGAL = "legal", _("Legal")
    GENERAL = "general", _("General")


class SelectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")


class Selection(TrackedModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.OPEN
    )
    chosen_vendor = models.ForeignKey(
        "adoption.Vendor",
        verbose_name=_("chosen vendor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason for the choice"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("vendor selection")
        verbose_name_plural = _("vendor selections")
        indexes = [models.Index(fields=["created_at", "id"], name="adoption_selection_created")]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="criteria"
    )
    group = models.CharField(_("capability group"), max_length=16, choices=CapabilityGroup.choices)
    key = models.SlugField(_("key"), max_length=60, blank=True)  # a built-in criterion's key
    name_fa = models.CharField(_("name (Persian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=5, validators=[MinValueValidator(WEIGHT_MIN), MaxValueValidator(WEIGHT_MAX)]
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["selection", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__lte=10), name="adoption_criterion_weight"),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class Vendor(models.Model):
    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="vendors"
    )
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["selection", "name", "id"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class Evaluator(models.Model):
    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="evaluators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["selection", "id"]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        constraints = [
            models.UniqueConstraint(fields=["selection", "user"], name="adoption_evaluator_once"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class VendorScore(models.Model):
    """One evaluator's score of one vendor on one criterion."""

    evaluator = models.ForeignKey(
        Evaluator, verbose_name=_("evaluator"), on_delete=models.CASCADE, related_name="scores"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["evaluator", "vendor", "criterion"]
        verbose_name = _("vendor score")
        verbose_name_plural = _("vendor scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "vendor", "criterion"], name="adoption_score_once"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5), name="adoption_score_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.value)
