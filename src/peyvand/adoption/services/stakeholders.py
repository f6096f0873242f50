"""The stakeholder map (the buy-in matrix of seed [004]): adding and changing stakeholders,
placing them on rational × emotional buy-in (every placement is kept: the map's history), and
their action plans.

Who may do what: those the policy lets change the "adoption" area; an action or a placement is
checked through its stakeholder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text

from ..models import Placement, Stakeholder, StakeholderAction, quadrant_of
from ..models.stakeholders import BUYIN_MAX, BUYIN_MIN

NAME_MAX = 200
ROLE_MAX = 200
DEPARTMENT_MAX = 120
NOTES_MAX = 5000
NOTE_MAX = 500
ACTION_MAX = 500
AUDITED = ("name", "role", "department", "user", "notes", "rational", "emotional", "quadrant")
ACTION_AUDITED = ("description", "owner", "due_on", "done")


@dataclass(frozen=True, kw_only=True)
class StakeholderInput:
    name: str
    role: str = ""
    department: str = ""
    user: User | None = None
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class PlacementInput:
    rational: int
    emotional: int
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    description: str
    owner: User | None = None
    due_on: dt.date | None = None
    done: bool = False


def _limit(errors: dict[str, list[str]], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[name] = [_("Use at most %(limit)d characters.") % {"limit": limit}]


def _clean(data: StakeholderInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Enter the stakeholder's name.")]
    _limit(errors, "name", name, NAME_MAX)
    role, department = clean_text(data.role), clean_text(data.department)
    _limit(errors, "role", role, ROLE_MAX)
    _limit(errors, "department", department, DEPARTMENT_MAX)
    notes = (data.notes or "").strip()
    _limit(errors, "notes", notes, NOTES_MAX)
    if data.user is not None and not data.user.is_active:
        errors["user"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "role": role, "department": department, "user": data.user, "notes": notes}


def _clean_placement(data: PlacementInput) -> PlacementInput:
    errors: dict[str, list[str]] = {}
    for name in ("rational", "emotional"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not BUYIN_MIN <= value <= BUYIN_MAX:
            errors[name] = [_("Choose from %(low)d to %(high)d.") % {"low": BUYIN_MIN, "high": BUYIN_MAX}]
    note = clean_text(data.note)
    _limit(errors, "note", note, NOTE_MAX)
    if errors:
        raise ValidationError(errors)
    return PlacementInput(rational=data.rational, emotional=data.emotional, note=note)


def _place(actor: User, stakeholder: Stakeholder, placement: PlacementInput) -> Placement:
    stakeholder.rational, stakeholder.emotional = placement.rational, placement.emotional
    stakeholder.quadrant = quadrant_of(placement.rational, placement.emotional)
    return Placement.objects.create(
        stakeholder=stakeholder,
        rational=placement.rational,
        emotional=placement.emotional,
        quadrant=stakeholder.quadrant,
        note=placement.note,
        placed_by=actor,
    )


@transaction.atomic
def stakeholder_create(*, actor: User, data: StakeholderInput, placement: PlacementInput) -> Stakeholder:
    """Add a stakeholder at their first place on the map."""
    policy.require_create(actor, Stakeholder)
    cleaned = _clean(data)
    first = _clean_placement(placement)
    stakeholder = Stakeholder(**cleaned, created_by=actor, updated_by=actor)
    stakeholder.rational, stakeholder.emotional = first.rational, first.emotional
    stakeholder.quadrant = quadrant_of(first.rational, first.emotional)
    stakeholder.save()
    _place(actor, stakeholder, first)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=stakeholder,
        changes=changes_between({}, snapshot(stakeholder, AUDITED)),
    )
    return stakeholder


@transaction.atomic
def stakeholder_update(*, actor: User, stakeholder: Stakeholder, data: StakeholderInput) -> Stakeholder:
    """Change who a stakeholder is (name, role, department, user, notes); moving them on the
    map is ``stakeholder_place``."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    policy.require_change(actor, stakeholder)
    cleaned = _clean(data)
    before = snapshot(stakeholder, AUDITED)
    for name, value in cleaned.items():
        setattr(stakeholder, name, value)
    changes = changes_between(before, snapshot(stakeholder, AUDITED))
    if changes:
        stakeholder.updated_by = actor
        stakeholder.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=stakeholder, changes=changes)
    return stakeholder


@transaction.atomic
def stakeholder_place(*, actor: User, stakeholder: Stakeholder, data: PlacementInput) -> Placement:
    """Place a stakeholder anew: a new row of their history (the earlier ones stay as they were)."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    policy.require_change(actor, stakeholder)
    placement = _clean_placement(data)
    before = snapshot(stakeholder, ("rational", "emotional", "quadrant"))
    row = _place(actor, stakeholder, placement)
    stakeholder.updated_by = actor
    stakeholder.save(update_fields=["rational", "emotional", "quadrant", "updated_by", "updated_at"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=stakeholder,
        changes=changes_between(before, snapshot(stakeholder, ("rational", "emotional", "quadrant")))
        or {"placement": [None, f"{placement.rational}×{placement.emotional}"]},
    )
    return row


def _clean_action(data: ActionInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    description = clean_text(data.description)
    if not description:
        errors["description"] = [_("Say what is to be done.")]
    _limit(errors, "description", description, ACTION_MAX)
    if data.owner is not None and not data.owner.is_active:
        errors["owner"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    return {"description": description, "owner": data.owner, "due_on": data.due_on, "done": bool(data.done)}


@transaction.atomic
def stakeholder_action_save(
    *,
    actor: User,
    stakeholder: Stakeholder,
    data: ActionInput,
    action: StakeholderAction | None = None,
) -> StakeholderAction:
    """Add a step to a stakeholder's action plan, or change one (mark it done, say)."""
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    policy.require_change(actor, stakeholder)
    if action is not None and action.stakeholder_id != stakeholder.pk:
        raise ValidationError(_("This action belongs to another stakeholder."))
    cleaned = _clean_action(data)
    created = action is None
    before = {} if action is None else snapshot(action, ACTION_AUDITED)
    action = action or StakeholderAction(stakeholder=stakeholder, created_by=actor)
    for name, value in cleaned.items():
        setattr(action, name, value)
    action.updated_by = actor
    action.save()
    changes = changes_between(before, snapshot(action, ACTION_AUDITED))
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=action, changes=changes)
    return action
