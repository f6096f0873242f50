"""Choosing a CRM vendor: selections with their weighted criteria (seeded from the built-in
list in ``data/selection.json``, then edited), the vendors compared, the evaluators, their
scores, and the decision.

Who may do what: those the policy lets change the "adoption" area set up a selection (its
criteria, vendors and evaluators) and record the decision; an evaluator, and only they, scores
(their own scores, never another's). A decided selection takes no more changes until reopened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import Action, AuditEvent, Scope, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text, to_ascii_digits

from ..models import CapabilityGroup, Criterion, Evaluator, Selection, SelectionStatus, Vendor, VendorScore
from ..models.selection import SCORE_MAX, SCORE_MIN, WEIGHT_MAX, WEIGHT_MIN

NAME_MAX = 200
TEXT_MAX = 5000
NOTE_MAX = 500
WEBSITE_MAX = 300
DATA = Path(__file__).resolve().parent.parent / "data" / "selection.json"
AUDITED = ("name", "description", "status", "chosen_vendor", "decision_reason")


@cache
def builtin_criteria() -> tuple[dict[str, Any], ...]:
    """The built-in criteria, a few per capability group, in Persian and English."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(rows)


@dataclass(frozen=True, kw_only=True)
class SelectionInput:
    name: str
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class CriterionInput:
    group: str
    name: str
    weight: Any = 5


@dataclass(frozen=True, kw_only=True)
class VendorInput:
    name: str
    website: str = ""
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class ScoreInput:
    vendor_id: int
    criterion_id: int
    value: Any
    note: str = ""


def _limit(errors: dict[str, list[str]], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[name] = [_("Use at most %(limit)d characters.") % {"limit": limit}]


def whole_number(value: Any, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``, typed in any digits (Persian, Arabic, Latin);
    None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = to_ascii_digits(str(value if value is not None else "")).strip()
        if not text.isascii() or not text.isdigit():
            return None
        number = int(text)
    return number if low <= number <= high else None


def _require_setup(actor: User, selection: Selection) -> None:
    policy.require_change(actor, selection)
    if selection.status == SelectionStatus.DECIDED:
        raise ValidationError(_("This selection is decided: reopen it to change it."))


def _locked(selection_pk: int) -> Selection:
    return Selection.objects.select_for_update().get(pk=selection_pk)


def _clean(data: SelectionInput) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Name the selection.")]
    _limit(errors, "name", name, NAME_MAX)
    description = (data.description or "").strip()
    _limit(errors, "description", description, TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description}


@transaction.atomic
def selection_create(*, actor: User, data: SelectionInput) -> Selection:
    """Open a selection with the built-in criteria of the five groups, at their usual weights."""
    policy.require_create(actor, Selection)
    selection = Selection.objects.create(**_clean(data), created_by=actor, updated_by=actor)
    Criterion.objects.bulk_create(
        Criterion(
            selection=selection,
            group=row["group"],
            key=row["key"],
            name_fa=row["name_fa"],
            name_en=row["name_en"],
            weight=row["weight"],
            order=index,
        )
        for index, row in enumerate(builtin_criteria(), start=1)
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=selection,
        changes=changes_between({}, snapshot(selection, AUDITED)),
    )
    return selection


@transaction.atomic
def selection_update(*, actor: User, selection: Selection, data: SelectionInput) -> Selection:
    selection = _locked(selection.pk)
    policy.require_change(actor, selection)
    cleaned = _clean(data)
    before = snapshot(selection, AUDITED)
    for name, value in cleaned.items():
        setattr(selection, name, value)
    changes = changes_between(before, snapshot(selection, AUDITED))
    if changes:
        selection.updated_by = actor
        selection.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=selection, changes=changes)
    return selection


def _clean_criterion(data: CriterionInput) -> tuple[str, str, int]:
    errors: dict[str, list[str]] = {}
    if data.group not in CapabilityGroup.values:
        errors["group"] = [_("Choose a capability group.")]
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Name the criterion.")]
    _limit(errors, "name", name, NAME_MAX)
    weight = whole_number(data.weight, WEIGHT_MIN, WEIGHT_MAX)
    if weight is None:
        errors["weight"] = [
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": WEIGHT_MIN, "high": WEIGHT_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    assert weight is not None
    return data.group, name, weight


@transaction.atomic
def criterion_add(*, actor: User, selection: Selection, data: CriterionInput) -> Criterion:
    selection = _locked(selection.pk)
    _require_setup(actor, selection)
    group, name, weight = _clean_criterion(data)
    last = Criterion.objects.filter(selection=selection).order_by("-order").values_list("order", flat=True)
    criterion = Criterion.objects.create(
        selection=selection,
        group=group,
        name_fa=name,
        name_en=name,
        weight=weight,
        order=(last.first() or 0) + 1,
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=selection,
        changes={"criterion": [None, f"{group}: {name} ({weight})"]},
    )
    return criterion


@transaction.atomic
def criterion_weigh(*, actor: User, criterion: Criterion, weight: Any) -> Criterion:
    """Change a criterion's weight (0 leaves it out of the results)."""
    selection = _locked(criterion.selection_id)
    _require_setup(actor, selection)
    value = whole_number(weight, WEIGHT_MIN, WEIGHT_MAX)
    if value is None:
        raise ValidationError(
            {
                "weight": [
                    _("Enter a whole number from %(low)d to %(high)d.")
                    % {"low": WEIGHT_MIN, "high": WEIGHT_MAX}
                ]
            }
        )
    if value != criterion.weight:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=selection,
            changes={f"weight: {criterion}": [criterion.weight, value]},
        )
        criterion.weight = value
        criterion.save(update_fields=["weight"])
    return criterion


@transaction.atomic
def criterion_remove(*, actor: User, criterion: Criterion) -> None:
    """Remove a criterion, and every score given on it."""
    selection = _locked(criterion.selection_id)
    _require_setup(actor, selection)
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=selection, changes={"criterion": [str(criterion), None]}
    )
    criterion.delete()


def _clean_vendor(data: VendorInput) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Name the vendor.")]
    _limit(errors, "name", name, NAME_MAX)
    website = (data.website or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = [_("Enter a web address that starts with http:// or https://.")]
        _limit(errors, "website", website, WEBSITE_MAX)
    notes = (data.notes or "").strip()
    _limit(errors, "notes", notes, TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "website": website, "notes": notes}


@transaction.atomic
def vendor_save(
    *, actor: User, selection: Selection, data: VendorInput, vendor: Vendor | None = None
) -> Vendor:
    """Add a vendor to compare, or change one."""
    selection = _locked(selection.pk)
    _require_setup(actor, selection)
    if vendor is not None and vendor.selection_id != selection.pk:
        raise ValidationError(_("This vendor belongs to another selection."))
    cleaned = _clean_vendor(data)
    before = None if vendor is None else vendor.name
    vendor = vendor or Vendor(selection=selection)
    for name, value in cleaned.items():
        setattr(vendor, name, value)
    vendor.save()
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=selection, changes={"vendor": [before, vendor.name]}
    )
    return vendor


@transaction.atomic
def vendor_remove(*, actor: User, vendor: Vendor) -> None:
    selection = _locked(vendor.selection_id)
    _require_setup(actor, selection)
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=selection, changes={"vendor": [vendor.name, None]}
    )
    vendor.delete()


def may_evaluate(user: User) -> bool:
    """Evaluators are staff accounts of the adoption area: active, and seeing it."""
    return bool(user.is_active) and policy.scope(user, "adoption", Action.VIEW) != Scope.NONE


@transaction.atomic
def evaluator_add(*, actor: User, selection: Selection, user: User | None) -> Evaluator:
    selection = _locked(selection.pk)
    _require_setup(actor, selection)
    if user is None or not may_evaluate(user):
        raise ValidationError({"user": [_("Choose an active user who works in the CRM adoption area.")]})
    found = Evaluator.objects.filter(selection=selection, user=user).first()
    if found is not None:
        return found
    evaluator = Evaluator.objects.create(selection=selection, user=user)
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=selection, changes={"evaluator": [None, str(user)]}
    )
    return evaluator


@transaction.atomic
def evaluator_remove(*, actor: User, evaluator: Evaluator) -> None:
    """Take an evaluator off the selection, with their scores."""
    selection = _locked(evaluator.selection_id)
    _require_setup(actor, selection)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=selection,
        changes={"evaluator": [str(evaluator.user), None]},
    )
    evaluator.delete()


@transaction.atomic
def scores_save(*, actor: User, selection: Selection, scores: list[ScoreInput]) -> int:
    """Save the actor's own scores (1–5, with an optional note) on this selection's vendors and
    criteria. All or nothing: one bad score and none is saved. Returns how many were saved."""
    selection = _locked(selection.pk)
    policy.require_view(actor, selection)
    evaluator = Evaluator.objects.filter(selection=selection, user=actor).first()
    if evaluator is None or not may_evaluate(actor):
        raise PermissionDenied(_("Only the selection's evaluators score, each their own scores."))
    if selection.status == SelectionStatus.DECIDED:
        raise ValidationError(_("This selection is decided: reopen it to change it."))
    vendors = set(Vendor.objects.filter(selection=selection).values_list("pk", flat=True))
    criteria = set(Criterion.objects.filter(selection=selection).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    cleaned: dict[tuple[int, int], tuple[int, str]] = {}
    for score in scores:
        field = f"score-{score.vendor_id}-{score.criterion_id}"
        if score.vendor_id not in vendors or score.criterion_id not in criteria:
            errors[field] = [_("This vendor or criterion is not part of the selection.")]
            continue
        value = whole_number(score.value, SCORE_MIN, SCORE_MAX)
        if value is None:
            errors[field] = [_("Score from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX}]
            continue
        note = clean_text(score.note)
        if len(note) > NOTE_MAX:
            errors[field] = [_("Use at most %(limit)d characters.") % {"limit": NOTE_MAX}]
            continue
        cleaned[(score.vendor_id, score.criterion_id)] = (value, note)
    if errors:
        raise ValidationError(errors)
    existing = {(s.vendor_id, s.criterion_id): s for s in VendorScore.objects.filter(evaluator=evaluator)}
    changed_rows, new_rows = [], []
    for (vendor_id, criterion_id), (value, note) in cleaned.items():
        row = existing.get((vendor_id, criterion_id))
        if row is None:
            new_rows.append(
                VendorScore(
                    evaluator=evaluator,
                    vendor_id=vendor_id,
                    criterion_id=criterion_id,
                    value=value,
                    note=note,
                )
            )
        elif (row.value, row.note) != (value, note):
            row.value, row.note, row.updated_at = value, note, timezone.now()
            changed_rows.append(row)
    VendorScore.objects.bulk_create(new_rows)
    VendorScore.objects.bulk_update(changed_rows, ["value", "note", "updated_at"])
    if new_rows or changed_rows:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=selection,
            changes={"scores": [None, len(new_rows) + len(changed_rows)]},
        )
    return len(new_rows) + len(changed_rows)


@transaction.atomic
def selection_decide(*, actor: User, selection: Selection, vendor: Vendor | None, reason: str) -> Selection:
    """Record the choice: the vendor and why."""
    selection = _locked(selection.pk)
    policy.require_change(actor, selection)
    errors: dict[str, list[str]] = {}
    if vendor is None or vendor.selection_id != selection.pk:
        errors["vendor"] = [_("Choose one of the vendors compared.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why this vendor was chosen.")]
    _limit(errors, "reason", reason, TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    before = snapshot(selection, AUDITED)
    selection.status, selection.chosen_vendor, selection.decision_reason = (
        SelectionStatus.DECIDED,
        vendor,
        reason,
    )
    selection.decided_at, selection.updated_by = timezone.now(), actor
    selection.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=selection,
        changes=changes_between(before, snapshot(selection, AUDITED)),
    )
    return selection


@transaction.atomic
def selection_reopen(*, actor: User, selection: Selection) -> Selection:
    selection = _locked(selection.pk)
    policy.require_change(actor, selection)
    if selection.status == SelectionStatus.OPEN:
        return selection
    before = snapshot(selection, AUDITED)
    selection.status, selection.chosen_vendor, selection.decided_at = SelectionStatus.OPEN, None, None
    selection.updated_by = actor
    selection.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=selection,
        changes=changes_between(before, snapshot(selection, AUDITED)),
    )
    return selection
