"""Readiness models as data, and the assessments answered against them.

A ``ReadinessModel`` (FirstWave, TGO, Atfocus, the two Iranian models, or one an administrator
imported) has ordered ``Factor``s, each with weighted ``Statement``s a respondent rates on a
Likert scale of 1 (strongly disagree) to 5 (strongly agree); a reverse-scored statement counts
as 6 minus its rating. Everything a reader sees is kept in Persian and English.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

from .culture import CultureType, ModelKind

LIKERT_MIN, LIKERT_MAX = 1, 5


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>_en`` in English, ``obj.<field>_fa`` otherwise, else the other one."""
    english = (language or get_language() or "fa").startswith("en")
    first, second = ("en", "fa") if english else ("fa", "en")
    return str(getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or "")


class ReadinessModel(TrackedModel):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_fa = models.CharField(_("name in Persian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    description_fa = models.TextField(_("description in Persian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    builtin = models.BooleanField(_("built in"), default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ModelKind.choices, default=ModelKind.READINESS)

    class Meta(TrackedModel.Meta):
        ordering = ["name_en", "id"]
        verbose_name = _("readiness model")
        verbose_name_plural = _("readiness models")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Factor(models.Model):
    model = models.ForeignKey(
        ReadinessModel, verbose_name=_("readiness model"), on_delete=models.CASCADE, related_name="factors"
    )
    key = models.SlugField(_("key"), max_length=60)
    name_fa = models.CharField(_("name in Persian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    guidance_fa = models.TextField(_("guidance in Persian"), blank=True)
    guidance_en = models.TextField(_("guidance in English"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["model", "order", "id"]
        verbose_name = _("factor")
        verbose_name_plural = _("factors")
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="adoption_factor_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def guidance(self) -> str:
        return localized(self, "guidance")


class Statement(models.Model):
    factor = models.ForeignKey(
        Factor, verbose_name=_("factor"), on_delete=models.CASCADE, related_name="statements"
    )
    text_fa = models.TextField(_("text in Persian"))
    text_en = models.TextField(_("text in English"))
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reverse = models.BooleanField(_("reverse-scored"), default=False)
    # In a culture model, the culture type the statement describes.
    culture = models.CharField(_("culture type"), max_length=10, choices=CultureType.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["factor", "order", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="adoption_weight_positive")
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def text(self) -> str:
        return localized(self, "text")


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Assessment(TrackedModel):
    model = models.ForeignKey(
        ReadinessModel, verbose_name=_("readiness model"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")
        indexes = [models.Index(fields=["created_at", "id"], name="adoption_assessment_created")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_culture(self) -> bool:
        return self.model.kind == ModelKind.CULTURE


class Respondent(models.Model):
    """Someone asked to answer: a colleague with an account, or an outsider with a one-time
    link (only the link's hash is kept; it expires, and stops working once answered)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="respondents"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="adoption_respondent_user"),
        ]
        indexes = [models.Index(fields=["user", "submitted_at"], name="adoption_respondent_user_open")]

    def __str__(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.name or self.email or str(_("External respondent"))


class Answer(models.Model):
    respondent = models.ForeignKey(
        Respondent, verbose_name=_("respondent"), on_delete=models.CASCADE, related_name="answers"
    )
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(LIKERT_MIN), MaxValueValidator(LIKERT_MAX)]
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "statement"], name="adoption_answer_once"),
            models.CheckConstraint(
                condition=models.Q(value__gte=LIKERT_MIN, value__lte=LIKERT_MAX),
                name="adoption_answer_likert",
            ),
        ]

    def __str__(self) -> str:
        return str(self.value)
