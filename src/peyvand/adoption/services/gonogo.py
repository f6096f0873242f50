"""The go/no-go evaluation that ends a selection (seed [004]): the four criteria scored from 1
to 5 with a note, the risk questionnaire it rests on, and the decision — go on, or go back to
step zero and suspend the project for now — recorded with who, when and why.

Those the policy lets change the "adoption" area score and decide; a recorded decision takes
no more changes until it is reopened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text

from ..models import Assessment, GoCriterion, GoDecision, GoNoGo, GoScore, Selection
from ..models.gonogo import GO_SCORE_MAX, GO_SCORE_MIN, RISK_QUESTIONNAIRE_KEY
from .selection import whole_number

NOTE_MAX = 500
TEXT_MAX = 5000
AUDITED = ("decision", "reason", "risk_assessment")


@dataclass(frozen=True, kw_only=True)
class GoScoreInput:
    criterion: str
    value: Any  # a whole number 1–5 in any digits, or blank to leave it unscored
    note: str = ""


def _record(selection: Selection) -> GoNoGo:
    Selection.objects.select_for_update().filter(pk=selection.pk).first()
    record, _created = GoNoGo.objects.get_or_create(selection=selection)
    return record


@transaction.atomic
def go_no_go_save(
    *,
    actor: User,
    selection: Selection,
    scores: Sequence[GoScoreInput],
    risk_assessment: Assessment | None = None,
) -> GoNoGo:
    """Score the criteria (a blank value clears that criterion's score) and name the risk
    questionnaire the "success and risks" criterion rests on."""
    policy.require_change(actor, selection)
    record = _record(selection)
    if record.decision != GoDecision.PENDING:
        raise ValidationError(_("The go/no-go decision is recorded: reopen it to change the scores."))
    errors: dict[str, list[str]] = {}
    if risk_assessment is not None and (
        risk_assessment.model.key != RISK_QUESTIONNAIRE_KEY or not policy.can_view(actor, risk_assessment)
    ):
        errors["risk_assessment"] = [_("Choose an assessment of the risk questionnaire.")]
    cleaned: dict[str, tuple[int | None, str]] = {}
    for score in scores:
        field = f"score-{score.criterion}"
        if score.criterion not in GoCriterion.values:
            errors[field] = [_("This is not a criterion of the evaluation.")]
            continue
        raw = score.value if isinstance(score.value, int) else str(score.value or "").strip()
        value = None if raw == "" else whole_number(raw, GO_SCORE_MIN, GO_SCORE_MAX)
        if raw != "" and value is None:
            errors[field] = [
                _("Score from %(low)d to %(high)d.") % {"low": GO_SCORE_MIN, "high": GO_SCORE_MAX}
            ]
            continue
        note = clean_text(score.note or "")
        if len(note) > NOTE_MAX:
            errors[field] = [_("Use at most %(limit)d characters.") % {"limit": NOTE_MAX}]
            continue
        cleaned[score.criterion] = (value, note)
    if errors:
        raise ValidationError(errors)
    before = snapshot(record, AUDITED)
    before_scores = dict(GoScore.objects.filter(evaluation=record).values_list("criterion", "value"))
    for criterion, (value, note) in cleaned.items():
        if value is None:
            GoScore.objects.filter(evaluation=record, criterion=criterion).delete()
        else:
            GoScore.objects.update_or_create(
                evaluation=record, criterion=criterion, defaults={"value": value, "note": note}
            )
    record.risk_assessment = risk_assessment
    record.save()
    after_scores = dict(GoScore.objects.filter(evaluation=record).values_list("criterion", "value"))
    changes = changes_between(before, snapshot(record, AUDITED))
    for criterion in GoCriterion.values:
        if before_scores.get(criterion) != after_scores.get(criterion):
            changes[f"score_{criterion}"] = [before_scores.get(criterion), after_scores.get(criterion)]
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=record, changes=changes)
    return record


@transaction.atomic
def go_no_go_decide(*, actor: User, selection: Selection, decision: str, reason: str) -> GoNoGo:
    """Record go or no go, with why; only once every criterion is scored."""
    policy.require_change(actor, selection)
    record = _record(selection)
    errors: dict[str, list[str]] = {}
    if record.decision != GoDecision.PENDING:
        raise ValidationError(_("The go/no-go decision is already recorded."))
    if decision not in (GoDecision.GO, GoDecision.NO_GO):
        errors["decision"] = [_("Choose go or no go.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why.")]
    elif len(reason) > TEXT_MAX:
        errors["reason"] = [_("Use at most %(limit)d characters.") % {"limit": TEXT_MAX}]
    if GoScore.objects.filter(evaluation=record).count() < len(GoCriterion.values):
        errors["__all__"] = [_("Score every criterion before deciding.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(record, AUDITED)
    record.decision, record.reason = decision, reason
    record.decided_by, record.decided_at = actor, timezone.now()
    record.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=record,
        changes=changes_between(before, snapshot(record, AUDITED)),
    )
    return record


@transaction.atomic
def go_no_go_reopen(*, actor: User, selection: Selection) -> GoNoGo:
    policy.require_change(actor, selection)
    record = _record(selection)
    if record.decision == GoDecision.PENDING:
        return record
    before = snapshot(record, AUDITED)
    record.decision, record.decided_by, record.decided_at = GoDecision.PENDING, None, None
    record.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=record,
        changes=changes_between(before, snapshot(record, AUDITED)),
    )
    return record
