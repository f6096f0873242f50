"""Workflow rules and the log of their runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel


class Trigger(models.TextChoices):
    CREATED = "created", _("A record is created")
    CHANGED = "changed", _("A record is changed")
    FIELD_CHANGED = "field_changed", _("A field is changed (to a value)")
    STAGE_ENTERED = "stage_entered", _("A stage or status is entered")
    AFTER_DATE = "after_date", _("Days after a date")
    BEFORE_DATE = "before_date", _("Days before a date")
    NO_ACTIVITY = "no_activity", _("No change for some days")


EVENT_TRIGGERS = (Trigger.CREATED, Trigger.CHANGED, Trigger.FIELD_CHANGED, Trigger.STAGE_ENTERED)
TIME_TRIGGERS = (Trigger.AFTER_DATE, Trigger.BEFORE_DATE, Trigger.NO_ACTIVITY)


class Rule(TrackedModel):
    """When (``trigger``) a record of ``record_type`` and its ``conditions`` hold, do ``actions``.

    ``conditions``: ``[{"field", "op", "value"}]``, all must hold. ``actions``:
    ``[{"type", ...its settings}]``, done in order. A rule is made switched off.
    """

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    record_type = models.CharField(_("record"), max_length=20)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    trigger_field = models.CharField(_("field"), max_length=40, blank=True)
    trigger_value = models.CharField(_("value"), max_length=200, blank=True)
    days = models.PositiveIntegerField(_("days"), default=0)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    active = models.BooleanField(_("switched on"), default=False)
    activated_at = models.DateTimeField(_("switched on at"), null=True, blank=True)
    # Round-robin assignment: the user given the last record, per action (its index).
    turns = models.JSONField(default=dict, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        ordering = ["name", "id"]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        indexes = [
            models.Index(fields=["record_type", "trigger"], condition=Q(active=True), name="rule_live")
        ]

    def __str__(self) -> str:
        return self.name


class Run(models.Model):
    """One time a rule met a record: whether its conditions held and why, and each action's outcome."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        PARTLY = "partly", _("Partly done")
        FAILED = "failed", _("Failed")
        NOT_MET = "not_met", _("Conditions not met")
        BLOCKED = "blocked", _("Stopped (loop guard)")

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="runs")
    at = models.DateTimeField(_("when"))
    record_type = models.CharField(_("record"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20)
    # A time trigger's moment: a (rule, record, moment) runs once only.
    moment = models.DateTimeField(_("moment"), null=True, blank=True)
    status = models.CharField(_("outcome"), max_length=10, choices=Status.choices)
    met = models.BooleanField(_("conditions met"), default=False)
    # [{"label", "met"}] for each condition; [{"label", "status", "detail"}] for each action.
    checks = models.JSONField(default=list, blank=True)
    outcomes = models.JSONField(default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        indexes = [
            models.Index(fields=["rule", "-at", "-id"], name="run_rule_recent"),
            models.Index(fields=["rule", "object_id", "at"], name="run_rule_record"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "record_type", "object_id", "moment"],
                condition=Q(moment__isnull=False),
                name="run_once_per_moment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.object_id}@{self.at:%Y-%m-%d %H:%M}"
