from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel
from peyvand.customers.models import Party


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBSITE = "website", _("Website")
    CHAT = "chat", _("Chat")
    IN_PERSON = "in_person", _("In person")
    STORE = "store", _("Store")
    MAIL = "mail", _("Mail")
    FAX = "fax", _("Fax")
    DISTRIBUTOR = "distributor", _("Distributor")
    PARTNER = "partner", _("Partner network")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    LEFT_MESSAGE = "left_message", _("Left a message")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    RESOLVED = "resolved", _("Resolved")
    NOT_INTERESTED = "not_interested", _("Not interested")


class Interaction(TrackedModel):
    """One contact with a customer through one channel: the contact centre's record."""

    # db_index off here and on handled_by: interaction_timeline and interaction_handler
    # begin with these columns and serve every lookup by them, at one index less per insert.
    party = models.ForeignKey(
        Party,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("date and time"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta(TrackedModel.Meta):
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["party", "-occurred_at", "-id"], name="interaction_timeline"),
            models.Index(fields=["party", "channel", "-occurred_at", "-id"], name="interaction_channel"),
            models.Index(fields=["-occurred_at", "-id"], name="interaction_recent"),
            models.Index(fields=["handled_by", "-occurred_at"], name="interaction_handler"),
        ]

    def __str__(self) -> str:
        return self.subject
