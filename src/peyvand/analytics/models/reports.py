"""Saved reports: a report's definition (``analytics.reporting.ReportSpec`` as JSON), who
owns it, whether the owner's team sees it too, and its e-mailed schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Team, TrackedModel


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    TEAM = "team", _("My team")


class Schedule(models.TextChoices):
    NONE = "", _("Not e-mailed")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class SavedReport(TrackedModel):
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        _("shared with"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # The team it is shared with: the owner's when it was shared.
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    definition = models.JSONField(_("definition"))
    schedule = models.CharField(
        _("e-mailed"), max_length=10, choices=Schedule.choices, blank=True, default=Schedule.NONE
    )
    # The period last e-mailed ("daily:2026-12-07", "monthly:1405-09"): once per period.
    last_sent_period = models.CharField(max_length=40, blank=True, editable=False)
    last_sent_at = models.DateTimeField(_("last e-mailed"), null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        ordering = ["-updated_at", "-id"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="analytics_report_updated"),
            models.Index(fields=["name", "id"], name="analytics_report_name"),
            models.Index(fields=["owner", "updated_at"], name="analytics_report_owner"),
        ]

    def __str__(self) -> str:
        return self.name
