"""Activities (tasks, calls, meetings, visits) and their reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Searchable, TrackedModel
from peyvand.customers.models import Party
from peyvand.interactions.models import Outcome

OPEN_Q = Q(status="open", deleted_at__isnull=True)


class Kind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.IntegerChoices):
    # Numbers so that lists sort by urgency.
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Repeat(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class Activity(Searchable, TrackedModel):
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    title = models.CharField(_("title"), max_length=200)
    # The title in the form searches compare in (text.search_key), kept by save(): «تماس با
    # علي» is found by «علی», «رئیس» by «رییس».
    title_search = models.CharField(max_length=200, blank=True, editable=False)
    SEARCHED = ("title",)
    SEARCH_COLUMN = "title_search"
    description = models.TextField(_("details"), blank=True)
    party = models.ForeignKey(
        Party,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    # The deal it moves forward, if any (its customer is the deal's, or its contact).
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    # Due for a task or a call; the start of a meeting or a visit.
    due_at = models.DateTimeField(_("due"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("result"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repeat = models.CharField(_("repeats"), max_length=10, choices=Repeat.choices, blank=True)
    repeat_every = models.PositiveSmallIntegerField(_("every"), default=1)
    repeat_until = models.DateField(_("until"), null=True, blank=True)
    # Monthly and yearly repeats follow the calendar the activity was planned in: "on the
    # first of every month" means 1 Farvardin, 1 Ordibehesht… in Persian.
    repeat_calendar = models.CharField(max_length=10, default="jalali")
    # The day of the month the series aims for, in that calendar (a 31st stays a 31st).
    repeat_day = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    interaction = models.ForeignKey(
        "interactions.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the worker alerted the assignee and escalated: each happens once per due time.
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(
                fields=["assignee", "due_at", "id"], condition=OPEN_Q, name="activity_open_assignee"
            ),
            models.Index(fields=["due_at", "id"], condition=OPEN_Q, name="activity_open_due"),
            models.Index(fields=["assignee", "due_at", "id"], name="activity_assignee"),
            models.Index(fields=["party", "due_at", "id"], name="activity_party"),
            models.Index(fields=["deal", "due_at", "id"], name="activity_deal"),
            models.Index(fields=["due_at", "id"], name="activity_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activity_detail", args=[self.pk])


class Reminder(models.Model):
    """A reminder of an activity, some minutes before it is due; delivered exactly once.

    ``remind_at`` moves with the activity; ``delivered_at`` is set by the one worker run
    that claims it, in the transaction that writes the notification.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    minutes_before = models.PositiveIntegerField(_("minutes before"))
    remind_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-minutes_before"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "minutes_before"], name="reminder_once_per_offset")
        ]
        indexes = [
            models.Index(
                fields=["remind_at", "id"], condition=Q(delivered_at__isnull=True), name="reminder_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} −{self.minutes_before}′"
