"""In-app notifications, and each user's choice of what also comes by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One thing a user should know, shown under the bell until read.

    ``kind`` and ``data`` say what happened; the text is written when it is shown, in the
    reader's language and time zone. ``key`` makes delivery idempotent: the same key is
    never delivered twice to the same user.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30)
    data = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    party_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=200, blank=True)
    # Delivered later than it was due (the worker was down): shown as such.
    late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(_("when"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """Which notifications a user also wants by email (none, until they ask)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_reminders = models.BooleanField(_("reminders, birthdays and anniversaries"), default=False)
    email_alerts = models.BooleanField(_("overdue alerts and escalations"), default=False)
    email_messages = models.BooleanField(_("messages and mentions"), default=False)
    # Offsets (minutes before) a new activity's reminders start with.
    default_reminders = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return str(self.user_id)
