"""Planning, changing, finishing and cancelling activities. Every write goes through here:
the form, the calendar's drag and drop, the API and the customer page's quick buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Party
from peyvand.interactions.models import Direction, Interaction, Outcome
from peyvand.interactions.services.interactions import InteractionInput, interaction_log
from peyvand.notifications.selectors.notifications import default_reminders
from peyvand.notifications.services.notifications import notify
from peyvand.sales.models import Deal

from ..models import Activity, Kind, Priority, Repeat, Status
from ..recurrence import GREGORIAN, JALALI, day_of_month, next_due
from .reminders import reminders_close, reminders_rearm, reminders_set

FIELDS = (
    "kind",
    "title",
    "description",
    "party",
    "deal",
    "due_at",
    "ends_at",
    "assignee",
    "priority",
    "repeat",
    "repeat_every",
    "repeat_until",
)
AUDITED = (*FIELDS, "status", "outcome", "outcome_note")
CREATE_AUDITED = ("kind", "due_at", "assignee", "priority", "repeat")
DESCRIPTION_MAX_LENGTH = 20_000
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2200, 12, 31)
# How a finished call, meeting or visit shows on the customer's timeline.
CHANNELS = {Kind.CALL: "phone", Kind.MEETING: "in_person", Kind.VISIT: "in_person"}


def _too_long(limit: int, text: str) -> str:
    return _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}


def _clean(data: Mapping[str, Any], *, actor: User, current: Activity | None) -> dict[str, Any]:
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name == "kind" and value not in Kind.values:
            errors[name] = [_("Choose task, call, meeting or visit.")]
        elif name == "title":
            value = clean_text(value if isinstance(value, str) else "")
            if not value:
                errors[name] = [_("Enter a title.")]
            elif len(value) > 200:
                errors[name] = [_too_long(200, value)]
        elif name == "description":
            value = value.strip() if isinstance(value, str) else ""
            if len(value) > DESCRIPTION_MAX_LENGTH:
                errors[name] = [_too_long(DESCRIPTION_MAX_LENGTH, value)]
        elif name == "party":
            if value is not None and not isinstance(value, Party):
                errors[name] = [_("Choose a customer.")]
            elif (
                value is not None
                and (current is None or value.pk != current.party_id)
                and not policy.can_view(actor, value)
            ):
                errors[name] = [_("Choose a customer you can see.")]
        elif name == "deal":
            if value is not None and not isinstance(value, Deal):
                errors[name] = [_("Choose a deal.")]
            elif (
                value is not None
                and (current is None or value.pk != current.deal_id)
                and not policy.can_view(actor, value)
            ):
                errors[name] = [_("Choose a deal you can see.")]
        elif name in ("due_at", "ends_at") and not (value is None and name == "ends_at"):
            if not isinstance(value, dt.datetime):
                errors[name] = [_("Enter a valid date and time.")]
            else:
                if timezone.is_naive(value):
                    value = timezone.make_aware(value)
                if not EARLIEST <= value.astimezone(dt.UTC).date() <= LATEST:
                    # In the user's calendar and digits: 1378/10/11 to 1579/10/10 in Persian.
                    errors[name] = [
                        _("Enter a date between %(start)s and %(end)s.")
                        % {"start": jalali.format_date(EARLIEST), "end": jalali.format_date(LATEST)}
                    ]
        elif name == "assignee":
            if not isinstance(value, User) or not value.is_active:
                errors[name] = [_("Choose an active user.")]
            elif (current is None or value.pk != current.assignee_id) and not policy.may_own(
                actor, Activity, value
            ):
                errors[name] = [_("You may not give an activity to this person.")]
        elif name == "priority" and value not in Priority.values:
            errors[name] = [_("Choose a valid priority.")]
        elif name == "repeat":
            value = value or ""
            if value not in Repeat.values:
                errors[name] = [_("Choose how it repeats.")]
        elif name == "repeat_every" and (not isinstance(value, int) or not 1 <= value <= 365):
            errors[name] = [_("Enter a whole number from 1 to 365.")]
        elif name == "repeat_until" and value is not None and not isinstance(value, dt.date):
            errors[name] = [_("Enter a valid date.")]
        cleaned[name] = value
    merged = {name: getattr(current, name) for name in FIELDS} if current else {}
    merged.update(cleaned)
    deal, party = merged.get("deal"), merged.get("party")
    if not errors and deal is not None:
        if party is None and policy.can_view(actor, deal.party):
            cleaned["party"] = merged["party"] = deal.party  # planned from the deal's page
        elif party is not None and party.pk not in (deal.party_id, deal.contact_id):
            errors["deal"] = [_("Choose a deal of this customer.")]
    if not errors:
        due, ends = merged.get("due_at"), merged.get("ends_at")
        if due is None:
            errors["due_at"] = [_("Enter when it is due.")]
        elif ends is not None and ends <= due:
            errors["ends_at"] = [_("The end must be after the start.")]
        until = merged.get("repeat_until")
        if due is not None and until is not None and until < timezone.localtime(due).date():
            errors["repeat_until"] = [_("A repeat must end after the first occurrence.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _snapshot(activity: Activity, fields: tuple[str, ...] = AUDITED) -> dict[str, Any]:
    """The audited values, with the customer by name: the log outlives renames and merges."""
    values = snapshot(activity, fields)
    if "party" in values:
        values["party"] = activity.party.display_name if activity.party is not None else None
    if "deal" in values:
        values["deal"] = activity.deal.title if activity.deal is not None else None
    return values


def _calendar() -> str:
    return JALALI if jalali.uses_jalali() else GREGORIAN


def _audit(activity: Activity, actor: User | None, kind: str, changes: Mapping[str, Any]) -> None:
    audit_log(actor=actor, kind=kind, obj=activity, party_id=activity.party_id, changes=changes)


def _tell_assignee(activity: Activity, actor: User) -> None:
    if activity.assignee_id == actor.pk:
        return
    notify(
        recipient=activity.assignee,
        kind="assigned",
        key=f"assigned:{activity.pk}:{activity.assignee_id}",
        actor=actor,
        party_id=activity.party_id,
        url=reverse("activity_detail", args=[activity.pk]),
        data={"actor": str(actor), "title": activity.title, "when": activity.due_at.isoformat()},
    )


@transaction.atomic
def activity_create(
    *,
    actor: User,
    data: Mapping[str, Any],
    reminders: Sequence[int] | None = None,
    follows: Activity | None = None,
) -> Activity:
    """Plan an activity; its reminders default to the assignee's usual ones."""

    policy.require_create(actor, Activity)
    data = {"assignee": actor, "kind": Kind.TASK, "priority": Priority.NORMAL, **data}
    cleaned = _clean(data, actor=actor, current=None)
    activity = Activity(
        created_by=actor, updated_by=actor, follows=follows, repeat_calendar=_calendar(), **cleaned
    )
    if activity.repeat:
        activity.repeat_day = day_of_month(activity.due_at, activity.repeat_calendar)
    activity.save()
    reminders_set(activity, default_reminders(user=activity.assignee) if reminders is None else reminders)
    _audit(
        activity,
        actor,
        AuditEvent.Kind.CREATE,
        # The title and the customer are the event's own; the rest, as planned.
        {
            k: [None, v]
            for k, v in _snapshot(activity, CREATE_AUDITED).items()
            if v not in (None, "") and not (k == "priority" and v == Priority.NORMAL)
        },
    )
    _tell_assignee(activity, actor)
    return activity


def _lock(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("assignee", "party", "deal")
        .get(pk=activity.pk)
    )


@transaction.atomic
def activity_update(
    *, activity: Activity, actor: User, data: Mapping[str, Any], reminders: Sequence[int] | None = None
) -> Activity:
    """Change an activity; moving it (the form, or a drag on the calendar) re-arms its
    reminders and alerts for the new time."""
    activity = _lock(activity)
    policy.require_change(actor, activity)
    cleaned = _clean(data, actor=actor, current=activity)
    moved = "due_at" in cleaned and cleaned["due_at"] != activity.due_at
    if moved and activity.status != Status.OPEN:
        raise ValidationError({"due_at": [_("Only an open activity can be moved.")]})
    before = _snapshot(activity)
    previous_assignee = activity.assignee_id
    for name, value in cleaned.items():
        setattr(activity, name, value)
    if moved:
        activity.overdue_alerted_at = activity.escalated_at = None
    if "repeat" in cleaned and activity.repeat and activity.repeat_day is None:
        activity.repeat_day = day_of_month(activity.due_at, activity.repeat_calendar)
    changes = changes_between(before, _snapshot(activity))
    if changes:
        activity.updated_by = actor
        activity.save()
        _audit(activity, actor, AuditEvent.Kind.UPDATE, changes)
    if reminders is not None:
        reminders_set(activity, reminders)
    if moved:
        reminders_rearm(activity)
    if activity.assignee_id != previous_assignee:
        _tell_assignee(activity, actor)
    return activity


@dataclass
class Completion:
    activity: Activity
    follow_up: Activity | None = None
    next_occurrence: Activity | None = None


def _log_interaction(activity: Activity, actor: User, outcome: str, note: str, now: dt.datetime) -> None:
    """A finished call, meeting or visit lands on the customer's timeline."""

    channel = CHANNELS.get(Kind(activity.kind))
    party = activity.party
    if channel is None or party is None or party.deleted_at is not None:
        return
    if not (policy.can_view(actor, party) and policy.can_create(actor, Interaction)):
        return
    interaction = interaction_log(
        party=party,
        actor=actor,
        data=InteractionInput(
            channel=channel,
            direction=Direction.OUTBOUND,
            subject=activity.title,
            body=note,
            outcome=outcome,
            occurred_at=now,
        ),
    )
    activity.interaction = interaction


def _repeat(activity: Activity, actor: User, now: dt.datetime) -> Activity | None:
    due = next_due(
        due_at=activity.due_at,
        repeat=activity.repeat,
        every=activity.repeat_every,
        calendar=activity.repeat_calendar,
        until=activity.repeat_until,
        after=now,
        wanted_day=activity.repeat_day,
    )
    if due is None:
        return None
    length = activity.ends_at - activity.due_at if activity.ends_at else None
    following = Activity(
        **{name: getattr(activity, name) for name in FIELDS if name not in ("due_at", "ends_at")},
        due_at=due,
        ends_at=due + length if length else None,
        repeat_calendar=activity.repeat_calendar,
        repeat_day=activity.repeat_day,
        follows=activity,
        created_by=actor,
        updated_by=actor,
    )
    following.save()
    reminders_set(following, [r.minutes_before for r in activity.reminders.all()])
    _audit(
        following,
        actor,
        AuditEvent.Kind.CREATE,
        {"title": [None, following.title], "due_at": [None, due.isoformat()]},
    )
    return following


def _close(
    activity: Activity, actor: User, status: str, now: dt.datetime, changes_extra: Mapping[str, Any]
) -> None:
    before = _snapshot(activity)
    activity.status = status
    activity.completed_at, activity.completed_by, activity.updated_by = now, actor, actor
    for name, value in changes_extra.items():
        setattr(activity, name, value)
    activity.save()
    reminders_close(activity, now)
    _audit(activity, actor, AuditEvent.Kind.UPDATE, changes_between(before, _snapshot(activity)))


@transaction.atomic
def activity_complete(
    *,
    activity: Activity,
    actor: User,
    outcome: str = "",
    note: str = "",
    follow_up: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Completion:
    """Mark an activity done; a call, meeting or visit is logged on the customer's timeline,
    a repeating one plans its next occurrence, and ``follow_up`` (fields for
    ``activity_create``) plans the next contact in the same step."""
    now = now or timezone.now()
    activity = _lock(activity)
    policy.require_change(actor, activity)
    if activity.status != Status.OPEN:
        raise ValidationError(_("This activity is already closed."))
    errors: dict[str, list[str]] = {}
    if outcome not in ("", *Outcome.values):
        errors["outcome"] = [_("Choose a valid outcome.")]
    note = (note or "").strip()
    if len(note) > DESCRIPTION_MAX_LENGTH:
        errors["note"] = [_too_long(DESCRIPTION_MAX_LENGTH, note)]
    if errors:
        raise ValidationError(errors)
    _log_interaction(activity, actor, outcome, note, now)
    _close(activity, actor, Status.DONE, now, {"outcome": outcome, "outcome_note": note})
    result = Completion(activity, next_occurrence=_repeat(activity, actor, now))
    if follow_up is not None:
        keeper = activity.assignee if policy.may_own(actor, Activity, activity.assignee) else actor
        data = {
            "party": activity.party,
            "deal": activity.deal,
            "kind": activity.kind,
            "assignee": keeper,
            **follow_up,
        }
        if not data.get("title"):
            data["title"] = _("Follow up: %(title)s") % {"title": activity.title}
            data["title"] = data["title"][:200]
        result.follow_up = activity_create(actor=actor, data=data, follows=activity)
    return result


@transaction.atomic
def activity_cancel(
    *, activity: Activity, actor: User, reason: str = "", now: dt.datetime | None = None
) -> Completion:
    """Call an activity off. A repeating one goes on with its next occurrence."""
    now = now or timezone.now()
    activity = _lock(activity)
    policy.require_change(actor, activity)
    if activity.status != Status.OPEN:
        raise ValidationError(_("This activity is already closed."))
    reason = (reason or "").strip()
    if len(reason) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError({"reason": [_too_long(DESCRIPTION_MAX_LENGTH, reason)]})
    _close(activity, actor, Status.CANCELLED, now, {"outcome": "", "outcome_note": reason})
    return Completion(activity, next_occurrence=_repeat(activity, actor, now))


@transaction.atomic
def activity_reopen(*, activity: Activity, actor: User) -> Activity:
    activity = _lock(activity)
    policy.require_change(actor, activity)
    if activity.status == Status.OPEN:
        return activity
    before = _snapshot(activity)
    activity.status, activity.completed_at, activity.completed_by = Status.OPEN, None, None
    activity.overdue_alerted_at = activity.escalated_at = None
    activity.updated_by = actor
    activity.save()
    reminders_rearm(activity)
    _audit(activity, actor, AuditEvent.Kind.UPDATE, changes_between(before, _snapshot(activity)))
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User) -> None:
    policy.require_change(actor, activity)
    reminders_close(activity, timezone.now())
    soft_delete_record(
        activity, actor=actor, party_id=activity.party_id, changes={"title": [activity.title, None]}
    )
