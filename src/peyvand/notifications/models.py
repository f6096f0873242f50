"""In-app notifications, each user's choice of what also comes by email, and the messenger."""

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


class Conversation(models.Model):
    """Two users' private thread; the pair is stored lower id first, so it exists once."""

    user_low = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_high = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_message_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_low", "user_high"], name="conversation_pair"),
            models.CheckConstraint(
                condition=Q(user_low__lt=models.F("user_high")), name="conversation_order"
            ),
        ]
        indexes = [
            models.Index(fields=["user_low", "-last_message_at", "-id"], name="conversation_low"),
            models.Index(fields=["user_high", "-last_message_at", "-id"], name="conversation_high"),
        ]

    def __str__(self) -> str:
        return f"{self.user_low_id}–{self.user_high_id}"

    def other(self, user_id: int) -> int:
        return self.user_high_id if user_id == self.user_low_id else self.user_low_id


class Message(models.Model):
    """An internal message from one user to another (never to a customer)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("message"))
    party_id = models.BigIntegerField(null=True, blank=True)  # the customer it is about, if any
    created_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["conversation", "-created_at", "-id"], name="message_thread"),
            models.Index(fields=["recipient", "read_at"], name="message_unread"),
        ]

    def __str__(self) -> str:
        return self.body[:60]
