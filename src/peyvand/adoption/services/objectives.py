"""Objectives on live figures: saving one (its baseline measured at once), measuring them
(the worker does it daily; a page can ask for it), and moving one to the trash."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.marketing.models import Segment
from peyvand.marketing.selectors.segments import segment_q
from peyvand.sales.money import to_decimal

from ..metrics import METRICS, Scope
from ..models import Measure, Objective

FIELDS = ("title", "goal", "metric", "team", "segment", "channel", "baseline_start", "baseline_end",
          "starts_on", "due_on", "target", "owner")  # fmt: skip
MAX_TARGET = Decimal("999999999999999999")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ObjectiveInput:
    title: str
    metric: str
    baseline_start: dt.date | None
    baseline_end: dt.date | None
    starts_on: dt.date | None
    due_on: dt.date | None
    target: object  # typed in any digits
    goal: str = ""
    team: Team | None = None
    segment: Segment | None = None
    channel: str = ""
    owner: User | None = None


def _clean(actor: User, data: ObjectiveInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = asdict(data)
    values["segment"] = data.segment  # asdict would copy the model instance
    values["title"], values["goal"] = clean_text(data.title), clean_text(data.goal)
    if not values["title"]:
        errors["title"] = [_("Say what is to be achieved.")]
    for name, limit in (("title", 200), ("goal", 300)):
        if len(values[name]) > limit:
            errors[name] = [
                _("Use at most %(limit)d characters (this has %(count)d).")
                % {"limit": limit, "count": len(values[name])}
            ]
    if data.metric not in METRICS:
        errors["metric"] = [_("Choose what the objective is measured by.")]
    metric = METRICS.get(data.metric)
    if data.segment is not None:
        # Only a segment the writer may see (and not in the trash): its customers are theirs to count.
        if data.segment.deleted_at is not None or not policy.can_view(actor, data.segment):
            errors["segment"] = [_("Choose a segment you may see.")]
        elif metric is not None and not metric.takes_segment:
            errors["segment"] = [_("This figure cannot be limited to a segment.")]
    values["channel"] = (data.channel or "").strip()
    if values["channel"] and metric is not None and values["channel"] not in metric.channels.values:
        errors["channel"] = [_("This figure cannot be limited to that channel.")]
    for name in ("baseline_start", "baseline_end", "starts_on", "due_on"):
        if not isinstance(values[name], dt.date):
            errors[name] = [_("Enter a valid date.")]
    if data.baseline_start and data.baseline_end and data.baseline_end < data.baseline_start:
        errors["baseline_end"] = [_("The end cannot be before the start.")]
    if data.starts_on and data.due_on and data.due_on < data.starts_on:
        errors["due_on"] = [_("The deadline cannot be before the start.")]
    try:
        values["target"] = to_decimal(data.target, field="target")
        if abs(values["target"]) > MAX_TARGET:
            errors["target"] = [_("Enter a smaller number.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def objective_save(*, actor: User, data: ObjectiveInput, objective: Objective | None = None) -> Objective:
    """Create or change an objective and measure it (its baseline and where it stands)."""
    if objective is None:
        policy.require_create(actor, Objective)
    else:
        policy.require_change(actor, objective)
    values = _clean(actor, data)
    before = snapshot(objective, FIELDS) if objective else {}
    objective = objective or Objective(created_by=actor)
    for name, value in values.items():
        setattr(objective, name, value)
    objective.updated_by = actor
    objective.save()
    after = snapshot(objective, FIELDS)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE if before else AuditEvent.Kind.CREATE,
        obj=objective,
        changes=changes_between(before, after) if before else {k: [None, v] for k, v in after.items() if v},
    )
    objective_measure(objective)
    return objective


def objective_delete(*, actor: User, objective: Objective) -> None:
    policy.require_change(actor, objective)
    soft_delete_record(objective, actor=actor, party_id=None, changes={"title": [objective.title, None]})


def objective_scope(objective: Objective) -> Scope:
    """What the objective counts: its team, its segment's customers as the segment holds them
    today (a rule evaluated now, a list's members), its channel."""
    segment = objective.segment
    return Scope(
        team=objective.team_id,
        segment=None if segment is None else segment_q(segment),
        channel=objective.channel,
    )


def objective_measure(objective: Objective, *, today: dt.date | None = None) -> Objective:
    """Work out the baseline and today's figure (from the start to today, or to the deadline
    once it is past) and keep today's figure for the trend."""
    today = today or timezone.localdate()
    metric = METRICS[objective.metric]
    try:
        scope = objective_scope(objective)
    except ValidationError:
        # The segment's rule no longer holds (a field it named is gone): nothing can be counted
        # until it is mended, and the other objectives are still measured.
        logger.warning("objective %s: its segment's rule no longer holds", objective.pk)
        scope = None
    measure = (lambda start, end: None) if scope is None else partial(metric.value, scope=scope)
    objective.baseline_value = measure(objective.baseline_start, objective.baseline_end)
    if today < objective.starts_on:
        objective.current_value = None
    else:
        objective.current_value = measure(objective.starts_on, min(today, objective.due_on))
        if (
            today <= objective.due_on
            or not objective.measures.filter(measured_on__gte=objective.due_on).exists()
        ):
            Measure.objects.update_or_create(
                objective=objective,
                measured_on=min(today, objective.due_on),
                defaults={"value": objective.current_value},
            )
    objective.measured_at = timezone.now()
    objective.save(update_fields=["baseline_value", "current_value", "measured_at"])
    return objective


def objectives_measure_all(*, today: dt.date | None = None) -> int:
    """Measure every objective still running (or finished within the week): the worker's job."""
    today = today or timezone.localdate()
    running = Objective.objects.filter(due_on__gte=today - dt.timedelta(days=7))
    count = 0
    for objective in running.iterator():
        objective_measure(objective, today=today)
        count += 1
    return count
