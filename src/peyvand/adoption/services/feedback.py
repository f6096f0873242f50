"""The innovation model's feedback loop (seed [000]): a period is opened over a date range and
measured from Peyvand itself (``selectors.feedback.figures``); it may be measured again
while it runs; the support decision (expand, continue, reduce, stop) is recorded on its
results with who, when and why. A decided period keeps its figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot

from ..models import FeedbackPeriod, SupportDecision
from ..selectors.feedback import figures

MAX_DAYS = 366
TEXT_MAX = 5000
FIGURES = (
    "users",
    "active_users",
    "records_created",
    "records_per_user",
    "activities_logged",
    "completeness",
    "duplicate_rate",
    "roadmap_progress",
    "objectives_on_track",
)
AUDITED = ("start", "end", "decision", "decision_reason", "notes")


@dataclass(frozen=True, kw_only=True)
class PeriodInput:
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True, kw_only=True)
class DecisionInput:
    decision: str
    reason: str
    notes: str = ""


def _measure(period: FeedbackPeriod) -> None:
    found = figures(period.start, period.end)
    for name in FIGURES:
        setattr(period, name, getattr(found, name))
    period.measured_at = timezone.now()


@transaction.atomic
def feedback_period_create(*, actor: User, data: PeriodInput) -> FeedbackPeriod:
    """Open a period over its first and last day and measure it at once."""
    policy.require_create(actor, FeedbackPeriod)
    errors: dict[str, list[str]] = {}
    if data.start is None:
        errors["start"] = [_("Give the period's first day.")]
    if data.end is None:
        errors["end"] = [_("Give the period's last day.")]
    if data.start and data.end:
        if data.end < data.start:
            errors["end"] = [_("The end of the range comes before its start.")]
        elif (data.end - data.start).days >= MAX_DAYS:
            errors["end"] = [_("A period is at most a year.")]
        elif FeedbackPeriod.objects.filter(start=data.start, end=data.end).exists():
            errors["start"] = [_("There is already a period with these days.")]
    if errors:
        raise ValidationError(errors)
    assert data.start is not None and data.end is not None
    period = FeedbackPeriod(start=data.start, end=data.end, created_by=actor, updated_by=actor)
    _measure(period)
    period.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=period,
        changes=changes_between({}, snapshot(period, AUDITED)),
    )
    return period


@transaction.atomic
def feedback_period_measure(*, actor: User, period: FeedbackPeriod) -> FeedbackPeriod:
    """Measure the period again (its figures as they stand now); not once it is decided."""
    period = FeedbackPeriod.objects.select_for_update().get(pk=period.pk)
    policy.require_change(actor, period)
    if period.decision:
        raise ValidationError(_("This period is decided: its figures stay as they were judged."))
    before = snapshot(period, FIGURES)
    _measure(period)
    period.updated_by = actor
    period.save()
    changes = changes_between(before, snapshot(period, FIGURES))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=period, changes=changes)
    return period


@transaction.atomic
def feedback_period_decide(*, actor: User, period: FeedbackPeriod, data: DecisionInput) -> FeedbackPeriod:
    """Record the support decision on the period's results, with why (and the results in words)."""
    period = FeedbackPeriod.objects.select_for_update().get(pk=period.pk)
    policy.require_change(actor, period)
    errors: dict[str, list[str]] = {}
    if data.decision not in SupportDecision.values:
        errors["decision"] = [_("Choose a support decision.")]
    reason = (data.reason or "").strip()
    notes = (data.notes or "").strip()
    if not reason:
        errors["reason"] = [_("Say why.")]
    for name, text in (("reason", reason), ("notes", notes)):
        if len(text) > TEXT_MAX:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    before = snapshot(period, AUDITED)
    period.decision, period.decision_reason, period.notes = data.decision, reason, notes
    period.decided_by, period.decided_at, period.updated_by = actor, timezone.now(), actor
    period.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=period,
        changes=changes_between(before, snapshot(period, AUDITED)),
    )
    return period
