"""The buy-in matrix of seed [004] as a stakeholder map: each stakeholder placed on rational
buy-in (they know what must change and why) and emotional buy-in (they feel for the change),
1–5 each, which puts them in one of four quadrants. Every placement is kept (append-only), so
the map shows how people moved; each stakeholder has an action plan."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

BUYIN_MIN, BUYIN_MAX = 1, 5
# 4 and 5 are high; 3 is undecided and counts as not (yet) bought in.
HIGH_FROM = 4


class Quadrant(models.TextChoices):
    CHAMPION = "champion", _("Champions")
    BYSTANDER = "bystander", _("Bystanders")
    LOOSE_CANNON = "loose_cannon", _("Loose cannons")
    BLOCKER = "blocker", _("Blockers")


def quadrant_of(rational: int, emotional: int) -> str:
    """Champions high/high, bystanders high rational only, loose cannons high emotional only,
    blockers neither."""
    high_rational, high_emotional = rational >= HIGH_FROM, emotional >= HIGH_FROM
    if high_rational and high_emotional:
        return Quadrant.CHAMPION
    if high_rational:
        return Quadrant.BYSTANDER
    if high_emotional:
        return Quadrant.LOOSE_CANNON
    return Quadrant.BLOCKER


def _buyin(name: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        name, default=3, validators=[MinValueValidator(BUYIN_MIN), MaxValueValidator(BUYIN_MAX)]
    )


class Stakeholder(TrackedModel):
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The latest placement, kept here for the list's filters and sorting.
    rational = _buyin(_("rational buy-in"))
    emotional = _buyin(_("emotional buy-in"))
    quadrant = models.CharField(
        _("quadrant"), max_length=12, choices=Quadrant.choices, default=Quadrant.BLOCKER, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["name", "id"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [
            models.Index(fields=["quadrant", "name", "id"], name="adoption_stakeholder_quadrant"),
            models.Index(fields=["name", "id"], name="adoption_stakeholder_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rational__gte=1, rational__lte=5, emotional__gte=1, emotional__lte=5),
                name="adoption_stakeholder_buyin",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    """Where a stakeholder stood on the map from ``placed_at`` on: never changed, never deleted."""

    stakeholder = models.ForeignKey(
        Stakeholder, verbose_name=_("stakeholder"), on_delete=models.CASCADE, related_name="placements"
    )
    rational = _buyin(_("rational buy-in"))
    emotional = _buyin(_("emotional buy-in"))
    quadrant = models.CharField(_("quadrant"), max_length=12, choices=Quadrant.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["stakeholder", "-placed_at", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["stakeholder", "placed_at", "id"], name="adoption_placement_when")]

    def __str__(self) -> str:
        return f"{self.rational}×{self.emotional}"


class StakeholderAction(TrackedModel):
    """A step of the plan to win a stakeholder over: what to do, who does it, by when."""

    stakeholder = models.ForeignKey(
        Stakeholder, verbose_name=_("stakeholder"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(_("what to do"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta(TrackedModel.Meta):
        ordering = ["stakeholder", "done", "due_on", "id"]
        verbose_name = _("stakeholder action")
        verbose_name_plural = _("stakeholder actions")

    def __str__(self) -> str:
        return self.description
