"""Outgoing webhooks: addresses outside Peyvand told of record events, and each delivery.

A delivery is an outbox row like an email's (``OutboundMessage``): written in the
transaction of the change it reports, claimed by one worker with a token and a lease,
retried with back-off, finished by an UPDATE guarded by the token.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel


class WebhookEndpoint(TrackedModel):
    """An address told of the record events it subscribes to, its body signed with its secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address (URL)"), max_length=2000)
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # HMAC-SHA256 key of the signatures; shown once when it is made.
    secret = models.CharField(max_length=100, editable=False)
    # Failed attempts in a row (a success sets it back to 0); too many pause the endpoint.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    paused_reason = models.CharField(_("why it was paused"), max_length=300, blank=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failed"), null=True, blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one endpoint, with how its last attempt went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # X-Peyvand-Delivery: the same on every attempt, so a receiver can drop a repeat.
    uid = models.UUIDField(unique=True, editable=False)
    event = models.CharField(_("event"), max_length=40)
    # The body's "id": one record event, the same for every endpoint it is sent to.
    event_id = models.UUIDField(editable=False)
    body = models.TextField(_("request body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    response_status = models.PositiveIntegerField(_("response status"), null=True, blank=True)
    response_body = models.CharField(_("response"), max_length=1024, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="queued"), name="webhook_due"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="webhook_leased"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_log"),
            models.Index(fields=["endpoint", "status", "-created_at", "-id"], name="webhook_log_status"),
            models.Index(fields=["endpoint", "event", "-created_at", "-id"], name="webhook_log_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uid}"
