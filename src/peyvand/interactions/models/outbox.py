"""The outbox: every email and SMS waits here until the worker has delivered it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel
from peyvand.customers.models import Party

from .interaction import Interaction


class Purpose(models.TextChoices):
    # Transactional messages answer something the customer did or asked for; marketing
    # needs their opt-in; notifications go to our own users.
    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")
    NOTIFICATION = "notification", _("Notification to a user")


class MessageTemplate(TrackedModel):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices[:2], default=Purpose.TRANSACTIONAL
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="fa")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))

    class Meta(TrackedModel.Meta):
        ordering = ["channel", "name", "id"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.name


class OutboundMessage(TrackedModel):
    """An email or SMS to send. Written in the transaction of the action that sends it."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound"
    )
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.CharField(_("to"), max_length=254)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(blank=True)
    language = models.CharField(_("language"), max_length=5, default="fa")
    # Sent with the message (as its Message-ID, or a gateway's idempotency header) so that
    # a copy sent again after a crash is recognisable as the same message.
    idempotency_key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker's claim: whoever holds the token may finish the send until the lease ends.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("reason"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    segments = models.PositiveIntegerField(_("SMS segments"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    # The record that sent it (a quote, say) and its field that follows this message's
    # status: the outbox writes the status there as it changes, in the same transaction.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_field = models.CharField(max_length=50, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="queued"),
                name="outbound_due",
            ),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="outbound_leased"),
            models.Index(fields=["party", "-created_at", "-id"], name="outbound_party"),
            models.Index(fields=["status", "-created_at", "-id"], name="outbound_status"),
            models.Index(fields=["-created_at", "-id"], name="outbound_recent"),
        ]

    def __str__(self) -> str:
        return self.subject or self.body_text[:60]
