"""The risk register: the six groups of seed [004] and the risks kept in each, rated by
likelihood and impact (1–5 each; their product, 1–25, is the risk's score)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

from .readiness import localized

RATING_MIN, RATING_MAX = 1, 5


class RiskGroup(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_fa = models.CharField(_("name in Persian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("risk group")
        verbose_name_plural = _("risk groups")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    MITIGATING = "mitigating", _("Being mitigated")
    MONITORED = "monitored", _("Monitored")
    CLOSED = "closed", _("Closed")


def _rating(name: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        name, default=3, validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )


class Risk(TrackedModel):
    group = models.ForeignKey(RiskGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+")
    # The checklist item of seed [004] it was added from ("organisational-1"), or blank.
    catalogue_key = models.CharField(max_length=60, blank=True, editable=False)
    title_fa = models.CharField(_("title in Persian"), max_length=300, blank=True)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    likelihood = _rating(_("likelihood"))
    impact = _rating(_("impact"))
    score = models.PositiveSmallIntegerField(_("score"), default=9, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED
    )

    class Meta(TrackedModel.Meta):
        ordering = ["-score", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [
            models.Index(fields=["score", "id"], name="adoption_risk_score"),
            models.Index(fields=["group", "score", "id"], name="adoption_risk_group_score"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="adoption_risk_ratings",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")
