"""Calls reported by the PBX, and which extension rings which user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import Party

from .interaction import Direction, Interaction


class TelephonyProfile(models.Model):
    """A user's extension on the PBX: calls to it pop up for that user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telephony")
    extension = models.CharField(_("extension"), max_length=20, unique=True)

    class Meta:
        ordering = ["extension"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.extension} → {self.user}"


class PhoneCall(models.Model):
    """One call by the PBX's id, updated as its events arrive; logged as one interaction."""

    class Status(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("Answered")
        FINISHED = "finished", _("Finished")
        MISSED = "missed", _("Missed")  # an incoming call nobody answered
        NO_ANSWER = "no_answer", _("Not answered")  # an outgoing call the customer did not take

    call_id = models.CharField(max_length=100, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    number = models.CharField(_("number"), max_length=20, blank=True)  # E.164, blank if withheld
    raw_number = models.CharField(max_length=100, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="phone_call"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        indexes = [models.Index(fields=["user", "-started_at"], name="phonecall_user")]

    def __str__(self) -> str:
        return self.call_id
