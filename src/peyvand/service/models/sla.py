"""Service levels: business calendars (the working week, holidays, a time zone), the SLA
policies that say how fast a ticket is answered and resolved, and the warnings and breaches
recorded, each once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import Team
from peyvand.customers.models import Tag

from .tickets import Kind, Ticket


def iranian_week() -> dict[str, list[list[int]]]:
    """Saturday to Wednesday 08:00–16:00, Thursday 08:00–13:00, Friday off (Monday = 0)."""
    full, half = [[8 * 60, 16 * 60]], [[8 * 60, 13 * 60]]
    return {"5": full, "6": full, "0": full, "1": full, "2": full, "3": half, "4": []}


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    # weekday (Monday = 0, as text) -> [[start, end], ...] in minutes after midnight
    week = models.JSONField(_("working hours"), default=iranian_week)
    official_holidays = models.BooleanField(_("Iran's official holidays"), default=True)
    is_default = models.BooleanField(_("default"), default=False)
    updated_at = models.DateTimeField(auto_now=True)  # its days' changes touch it too

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A day an administrator adds as a holiday, or takes back from the official ones."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_holiday = models.BooleanField(_("holiday"), default=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_once")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.date}"


class SlaPolicy(models.Model):
    """How fast tickets are answered and resolved, in business minutes of a calendar.

    The first active policy (by ``order``) whose conditions a ticket meets applies; a blank
    condition matches anything. A customer's service contract may name the policy instead.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE)
    # A customer tier, as the company marks it: customers with this tag («مشتری ویژه»…).
    tag = models.ForeignKey(
        Tag,
        verbose_name=_("customers tagged"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    warn_before_minutes = models.PositiveIntegerField(_("warn this many minutes before"), default=30)
    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaEvent(models.Model):
    """A warning before a breach, or the breach itself: recorded once per due time."""

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    metric = models.CharField(_("target"), max_length=20, choices=Metric.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField(_("due"))
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric", "kind", "due_at"], name="sla_event_once")
        ]
        indexes = [models.Index(fields=["kind", "at"], name="sla_event_kind_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.kind}"
