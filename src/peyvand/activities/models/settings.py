"""Teams' escalation settings and the secret addresses of personal calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Team


class TeamSettings(models.Model):
    """A team's follow-up rules: when an ignored activity goes to its manager, and to whom."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="activity_settings")
    escalate = models.BooleanField(_("escalate ignored activities"), default=True)
    escalation_delay_minutes = models.PositiveIntegerField(
        _("escalate after (minutes overdue)"), default=1440
    )
    # Blank: the team's managers (users with the manager role in the team).
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalate to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("team follow-up settings")

    def __str__(self) -> str:
        return str(self.team)


class CalendarFeed(models.Model):
    """A user's private iCalendar address. Only a hash of its secret is kept; a new one
    revokes the old."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="calendarfeed_user")]

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
