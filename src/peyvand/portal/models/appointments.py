"""Appointments customers book in the portal, in the free time of a team.

An administrator or a manager opens booking for a team (``BookingTeam``): how long a meeting
lasts, how many days ahead and how much notice, the working hours (a business calendar of the
service desk, else Iran's usual week with its official holidays) and which of the team's
members take bookings. A booking (``Appointment``) is a meeting activity of one member with
the customer; one member is never booked twice at one start (a unique constraint, behind the
lock the booking service takes on the team's row).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Team
from peyvand.customers.models import Party

from .accounts import PortalAccount


class BookingTeam(models.Model):
    team = models.OneToOneField(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("customers may book"), default=True)
    length_minutes = models.PositiveSmallIntegerField(_("length of a meeting (minutes)"), default=30)
    days_ahead = models.PositiveSmallIntegerField(_("days ahead customers may book"), default=14)
    notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"), default=24)
    calendar = models.ForeignKey(
        "service.BusinessCalendar",
        verbose_name=_("working hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members who take bookings"), blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking of appointments")
        verbose_name_plural = _("bookings of appointments")

    def __str__(self) -> str:
        return str(self.team)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    booking = models.ForeignKey(BookingTeam, on_delete=models.CASCADE, related_name="appointments")
    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="appointments")
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="portal_appointments"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("with"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    subject = models.CharField(_("subject"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "starts_at"],
                condition=Q(status="booked"),
                name="portal_appointment_member_once",
            )
        ]
        indexes = [
            models.Index(fields=["party", "starts_at"], name="portal_appointment_party"),
            models.Index(fields=["booking", "starts_at"], name="portal_appointment_booking"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.starts_at}"
