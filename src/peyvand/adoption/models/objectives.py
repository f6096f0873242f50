"""Objectives: the quantitative half of a CRM project's goals ([004]: goals are qualitative,
objectives measurable), each bound to a live metric, with a baseline, a target and a deadline,
and the measurements the worker takes of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Team, TrackedModel
from peyvand.marketing.models import Segment


class Objective(TrackedModel):
    title = models.CharField(_("objective"), max_length=200)
    goal = models.CharField(_("the goal it serves"), max_length=300, blank=True)
    metric = models.CharField(_("measured by"), max_length=40)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Measured over one marketing segment's customers and/or one channel only (metrics.Scope).
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    baseline_start = models.DateField(_("baseline from"))
    baseline_end = models.DateField(_("baseline to"))
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("deadline"))
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=2)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True, editable=False)
    current_value = models.FloatField(_("now"), null=True, blank=True, editable=False)
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        ordering = ["due_on", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")), name="objective_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_end__gte=models.F("baseline_start")), name="objective_baseline"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    """An objective's figure on a day: what the worker found (once a day at most)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measures")
    measured_on = models.DateField(_("day"))
    value = models.FloatField(_("value"), null=True, blank=True)

    class Meta:
        ordering = ["measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "measured_on"], name="measure_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.measured_on}"
