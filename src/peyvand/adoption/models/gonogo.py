"""The go/no-go evaluation that ends the selection process (seed [004]).

The four steps of [004] are its criteria: CRM as an organisational goal, its usefulness for
the organisation's problems, the organisation's resources and capabilities, and the success
and risks of the deployment (the risk questionnaire scored per group). Each is scored from 1
to 5 with a note; then the decision — go on, or go back to step zero and suspend the project
for now — is recorded with who made it, when and why."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .readiness import Assessment
from .selection import Selection

GO_SCORE_MIN, GO_SCORE_MAX = 1, 5
# The built-in readiness model that is the risk questionnaire of [004] (data/risk/).
RISK_QUESTIONNAIRE_KEY = "risk-004"


class GoCriterion(models.TextChoices):
    GOAL = "goal", _("CRM as an organisational goal")
    USEFULNESS = "usefulness", _("Usefulness for the organisation's problems")
    RESOURCES = "resources", _("The organisation's resources and capabilities")
    RISK = "risk", _("Success and risks of the deployment")


class GoDecision(models.TextChoices):
    PENDING = "pending", _("Not decided")
    GO = "go", _("Go")
    NO_GO = "no_go", _("No go")


class GoNoGo(models.Model):
    selection = models.OneToOneField(
        Selection, verbose_name=_("selection"), on_delete=models.CASCADE, related_name="go_no_go"
    )
    risk_assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("risk questionnaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=GoDecision.choices, default=GoDecision.PENDING
    )
    reason = models.TextField(_("why"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("go/no-go evaluation")
        verbose_name_plural = _("go/no-go evaluations")

    def __str__(self) -> str:
        return str(self.selection)


class GoScore(models.Model):
    evaluation = models.ForeignKey(
        GoNoGo, verbose_name=_("go/no-go evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("criterion"), max_length=12, choices=GoCriterion.choices)
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(GO_SCORE_MIN), MaxValueValidator(GO_SCORE_MAX)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["evaluation", "id"]
        verbose_name = _("go/no-go score")
        verbose_name_plural = _("go/no-go scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="adoption_goscore_once"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5), name="adoption_goscore_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()}: {self.value}"
