"""What arrives from outside: received messages (kept once) and the files they carried."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import Party

from .interaction import Interaction


class InboundReceipt(models.Model):
    """One row per message received, by its Message-ID (or the gateway's id, or a hash of
    the raw message): reading the same mailbox or folder twice logs nothing twice."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    channel = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=255)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="inbound_receipt_once")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.key}"


class Attachment(models.Model):
    """A file that came with an interaction or goes out with an email, stored under the
    data directory.

    An inbound file belongs to its interaction; an outbound one to its outbox message (and
    to the message's interaction, when it has one, so that the timeline lists it). Served
    only through the permission policy (whoever may see its interaction), never as a
    static file.
    """

    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        "interactions.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255, unique=True)  # relative to PEYVAND_ATTACHMENTS_DIR
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
