"""The innovation model's feedback loop (seed [000]): the project starts and moves on; when
its results are acceptable it is supported to go on, when not (or it drags on, or its budget
shrinks) support falls away. Each period records the project's developmental results (the
roadmap's progress, the objectives on track) and operational results (adoption measured from
Peyvand itself: active users, records created per user, activities logged, data completeness,
duplicate rate), and the support decision taken on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel


class SupportDecision(models.TextChoices):
    EXPAND = "expand", _("Expand support")
    CONTINUE = "continue", _("Continue support")
    REDUCE = "reduce", _("Reduce support")
    STOP = "stop", _("Stop the project")


def _share(name: Any) -> models.DecimalField:
    return models.DecimalField(name, max_digits=6, decimal_places=2, null=True, blank=True)


class FeedbackPeriod(TrackedModel):
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    # Operational results, measured at the end of the period (or now, for a running one).
    users = models.PositiveIntegerField(_("staff accounts"), default=0)
    active_users = models.PositiveIntegerField(_("active users"), default=0)
    records_created = models.PositiveIntegerField(_("records created"), default=0)
    records_per_user = models.DecimalField(
        _("records created per active user"), max_digits=10, decimal_places=2, default=0
    )
    activities_logged = models.PositiveIntegerField(_("activities logged"), default=0)
    completeness = _share(_("data completeness (%)"))
    duplicate_rate = _share(_("duplicate rate (%)"))
    # Developmental results: the project's own progress.
    roadmap_progress = _share(_("roadmap done (%)"))
    objectives_on_track = _share(_("objectives on track (%)"))
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True)
    notes = models.TextField(_("results in words"), blank=True)
    decision = models.CharField(
        _("support decision"), max_length=10, choices=SupportDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("why"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["-start", "-id"]
        verbose_name = _("feedback period")
        verbose_name_plural = _("feedback periods")
        indexes = [models.Index(fields=["start", "id"], name="adoption_feedback_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="adoption_feedback_range"
            ),
            models.UniqueConstraint(fields=["start", "end"], name="adoption_feedback_once"),
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"
