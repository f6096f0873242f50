"""Organisational culture after the competing-values model (Cameron and Quinn's OCAI, seed
[004]): a culture survey is an assessment against a readiness model of kind ``culture``,
whose six factors are the OCAI's dimensions, each with one statement per culture type. A
respondent divides 100 points among a dimension's four statements twice: as the
organisation is now, and as they would prefer it."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

POINTS_TOTAL = 100


class ModelKind(models.TextChoices):
    READINESS = "readiness", _("Readiness")
    CULTURE = "culture", _("Organisational culture")


class CultureType(models.TextChoices):
    """The four cultures of the competing-values model, in the OCAI's usual order."""

    CLAN = "clan", _("Clan")
    ADHOCRACY = "adhocracy", _("Adhocracy")
    MARKET = "market", _("Market")
    HIERARCHY = "hierarchy", _("Hierarchy")


class CultureAnswer(models.Model):
    """One respondent's points for one statement: now and preferred (0–100; a dimension's four
    statements add up to 100 in each column)."""

    respondent = models.ForeignKey(
        "adoption.Respondent",
        verbose_name=_("respondent"),
        on_delete=models.CASCADE,
        related_name="culture_answers",
    )
    statement = models.ForeignKey(
        "adoption.Statement", verbose_name=_("statement"), on_delete=models.CASCADE, related_name="+"
    )
    now = models.PositiveSmallIntegerField(_("now"), validators=[MaxValueValidator(POINTS_TOTAL)])
    preferred = models.PositiveSmallIntegerField(_("preferred"), validators=[MaxValueValidator(POINTS_TOTAL)])

    class Meta:
        verbose_name = _("culture answer")
        verbose_name_plural = _("culture answers")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "statement"], name="adoption_culture_answer_once"),
            models.CheckConstraint(
                condition=models.Q(now__gte=0, now__lte=100, preferred__gte=0, preferred__lte=100),
                name="adoption_culture_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.now}/{self.preferred}"
