"""The messenger: conversations between two users."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
