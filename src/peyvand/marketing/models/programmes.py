"""Multi-step programmes (drips): who enters, the ordered steps, each customer's enrolment
and the path it took.

A programme's send steps each own a campaign row (``Campaign.programme`` set, kept out of
the campaign lists) that holds the step's content per language and is sent through the
campaigns' own path: every message is a ``Recipient`` of that campaign naming the
enrolment, unique per campaign (= step) and enrolment, so a step is sent once per
enrolment even when the worker dies half-way and runs it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import Searchable, TrackedModel
from peyvand.customers.models import Party

from .segments import Segment

ALIVE = Q(deleted_at__isnull=True)


class Programme(Searchable, TrackedModel):
    """A series of steps each customer who enters walks through at their own pace."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("programme", "Draft")
        ACTIVE = "active", pgettext_lazy("programme", "Running")
        PAUSED = "paused", pgettext_lazy("programme", "Paused")

    class Template(models.TextChoices):
        WELCOME = "welcome", _("Welcome series")
        WIN_BACK = "win_back", _("Win back customers at risk")
        CROSS_SELL = "cross_sell", _("Post-purchase cross-sell")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    template = models.CharField(_("template"), max_length=20, choices=Template.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who enters by themselves: the customers of this segment (a dynamic one is checked by
    # the periodic job, a static list likewise); others are enrolled by hand or the API.
    entry_segment = models.ForeignKey(
        Segment,
        verbose_name=_("customers enter from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # None: once per customer; else again, this many days after their last entry ended.
    reentry_days = models.PositiveSmallIntegerField(_("may enter again after (days)"), null=True, blank=True)
    attribution_days = models.PositiveSmallIntegerField(_("attribution window (days)"), default=30)
    default_language = models.CharField(
        _("language for customers of unknown language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="fa",
    )
    track_links = models.BooleanField(_("track clicks"), default=True)
    track_opens = models.BooleanField(_("track opens"), default=False)
    # Who started it: whose view of the customers the entry segment is evaluated in, and the
    # sender of its messages.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("name", "description")

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=ALIVE, name="programme_created"),
            models.Index(fields=["name", "id"], condition=ALIVE, name="programme_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:programme_detail", args=[self.pk])


class Step(models.Model):
    """One step; after it comes the next by position, except where a branch says otherwise."""

    class Kind(models.TextChoices):
        WAIT = "wait", _("Wait")
        SEND = "send", _("Send a message")
        BRANCH = "branch", _("Branch")
        TAG = "tag", _("Add a tag")
        TASK = "task", _("Assign a task to the owner")
        LEAD = "lead", _("Create a lead")
        EXIT = "exit", _("Exit")

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")

    class Condition(models.TextChoices):
        OPENED = "opened", pgettext_lazy("an email", "Opened")
        CLICKED = "clicked", _("Clicked")
        REPLIED = "replied", _("Replied")
        BOUGHT = "bought", _("Bought")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # A wait's length, or a branch's window to watch for the customer's answer.
    amount = models.PositiveSmallIntegerField(_("how long"), default=0)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.DAYS)
    # A send: the campaign row that holds its channel and content.
    campaign = models.OneToOneField(
        "Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="programme_step"
    )
    condition = models.CharField(_("if the customer"), max_length=10, choices=Condition.choices, blank=True)
    # A branch's targets; None: the next step.
    yes_step = models.ForeignKey(
        "self",
        verbose_name=_("then go to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    no_step = models.ForeignKey(
        "self",
        verbose_name=_("otherwise go to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A tag's name, a task's or a lead's title.
    text = models.CharField(_("tag or title"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "position", "id"]
        verbose_name = _("programme step")
        verbose_name_plural = _("programme steps")
        indexes = [models.Index(fields=["programme", "position"], name="step_position")]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.position}"


class Enrolment(models.Model):
    """One customer's passage through a programme (``number``: their first, second… entry)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("In progress")
        DONE = "done", _("Finished")
        EXITED = "exited", _("Exited")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    party = models.ForeignKey(Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("entry"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    source = models.CharField(_("entered from"), max_length=20, blank=True)
    step = models.ForeignKey(
        Step, verbose_name=_("step"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step_since = models.DateTimeField(_("at this step since"))
    due_at = models.DateTimeField(_("next look"), null=True, blank=True)
    entered_at = models.DateTimeField(_("entered"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    moves = models.PositiveIntegerField(_("steps walked"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "party", "number"], name="enrolment_once"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at", "id"], name="enrolment_due"),
            models.Index(fields=["programme", "party", "-number"], name="enrolment_party"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.party_id}#{self.number}"


class PathEvent(models.Model):
    """What happened to an enrolment at a step, and why: its path, append-only."""

    class Kind(models.TextChoices):
        ARRIVED = "arrived", _("Reached the step")
        WAITED = "waited", _("Waited")
        SENT = "sent", _("Message queued")
        SKIPPED = "skipped", _("Message skipped")
        BRANCHED = "branched", _("Branched")
        TAGGED = "tagged", _("Tag added")
        TASK = "task", _("Task assigned")
        LEAD = "lead", _("Lead created")
        FAILED = "failed", _("Could not be done")
        EXITED = "exited", _("Exited")
        DONE = "done", _("Finished")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    # Why, in no language (the page words it in its reader's): "entered", "done", "deleted",
    # "exit", "no_message", "yes" or "no" (a branch: ``detail`` its condition, ``target`` the
    # step it went to, 0 the end), "reason" (``detail`` the skip's reason), "channel".
    code = models.CharField(max_length=20, blank=True)
    target = models.PositiveSmallIntegerField(null=True, blank=True)
    # A tag's name, a task's or a lead's title, why it could not be done; or the code's word.
    detail = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        ordering = ["enrolment", "at", "id"]
        verbose_name = _("path event")
        verbose_name_plural = _("path events")
        indexes = [models.Index(fields=["step", "kind"], name="pathevent_step")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.kind}"
