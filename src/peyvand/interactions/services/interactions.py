"""Logging contacts with customers: the contact centre's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Party

from ..models import Channel, Direction, Interaction, Outcome

BODY_MAX_LENGTH = 50_000
# Contacts are logged as they happen or after; a little slack covers clocks that differ.
FUTURE_SLACK = dt.timedelta(hours=1)
# What a PBX or an SMS gateway says happened: it may retry a webhook a while later, but a
# time far off (2100-01-01) would misplace the contact on the timeline.
REPORTED_PAST, REPORTED_FUTURE = dt.timedelta(days=7), dt.timedelta(minutes=10)


def reported_time_ok(moment: dt.datetime) -> bool:
    """Whether a time an outside system reports is near enough to now to be believed."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    now = timezone.now()
    return now - REPORTED_PAST <= moment <= now + REPORTED_FUTURE


def reported_time_error() -> str:
    return _("Send a time within the last %(days)d days (or leave it out for now).") % {
        "days": REPORTED_PAST.days
    }


@dataclass(frozen=True, kw_only=True)
class InteractionInput:
    """A contact's fields, as the form and the API give them. On a new interaction a field
    left UNSET takes its default (inbound, now, handled by whoever logs it); on a change it
    stays as it is."""

    channel: str | Unset = UNSET
    direction: str | Unset = UNSET
    occurred_at: dt.datetime | Unset = UNSET
    subject: str | Unset = UNSET
    body: str | Unset = UNSET
    outcome: str | Unset | None = UNSET
    handled_by: User | Unset | None = UNSET


FIELDS = tuple(f.name for f in fields(InteractionInput))


def _clean(data: InteractionInput, *, actor: User | None) -> dict[str, Any]:
    """Validate the given fields; ``actor`` None is the system, whose records need no policy."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in given(data).items():
        if name == "channel" and value not in Channel.values:
            errors[name] = [_("Choose a valid channel.")]
        elif name == "direction" and value not in Direction.values:
            errors[name] = [_("Choose inbound or outbound.")]
        elif name == "outcome" and value not in ("", None, *Outcome.values):
            errors[name] = [_("Choose a valid outcome.")]
        elif name == "occurred_at":
            if not isinstance(value, dt.datetime):
                errors[name] = [_("Enter a valid date and time.")]
            elif timezone.is_naive(value):
                value = timezone.make_aware(value)
            if actor and isinstance(value, dt.datetime) and value > timezone.now() + FUTURE_SLACK:
                errors[name] = [_("An interaction cannot be in the future.")]
        elif name == "subject":
            value = clean_text(value)
            if not value:
                errors[name] = [_("Enter a subject.")]
            elif len(value) > 200:
                errors[name] = [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": 200, "count": len(value)}
                ]
        elif name == "body":
            value = (value or "").strip()
            if len(value) > BODY_MAX_LENGTH:
                errors[name] = [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": BODY_MAX_LENGTH, "count": len(value)}
                ]
        elif name == "handled_by":
            if value is not None and (not isinstance(value, User) or not value.is_active):
                errors[name] = [_("Choose an active user.")]
            elif actor is not None and not policy.may_own(actor, Interaction, value):
                errors[name] = [_("You may only log your own interactions.")]
        cleaned[name] = value or ("" if name == "outcome" else value)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _with_defaults(data: InteractionInput, handled_by: User | None) -> InteractionInput:
    """A new interaction's fields: inbound, now, handled by ``handled_by`` unless given."""
    missing = [name for name in ("channel", "subject") if getattr(data, name) is UNSET]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    return replace(
        data,
        direction=Direction.INBOUND if data.direction is UNSET else data.direction,
        occurred_at=timezone.now() if data.occurred_at is UNSET else data.occurred_at,
        handled_by=handled_by if data.handled_by is UNSET else data.handled_by,
    )


@transaction.atomic
def interaction_log(*, party: Party, actor: User, data: InteractionInput) -> Interaction:
    """Record a contact with ``party``; it shows on the customer's timeline at once."""
    policy.require_view(actor, party)
    policy.require_create(actor, Interaction)
    return _create(party, _clean(_with_defaults(data, actor), actor=actor), actor)


def _create(party: Party, cleaned: Mapping[str, Any], actor: User | None) -> Interaction:
    interaction = Interaction.objects.create(party=party, created_by=actor, updated_by=actor, **cleaned)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=interaction,
        party_id=party.pk,
        changes={k: [None, v] for k, v in snapshot(interaction, FIELDS).items() if v not in ("", None)},
    )
    return interaction


def _apply(interaction: Interaction, cleaned: Mapping[str, Any], actor: User | None) -> Interaction:
    before = snapshot(interaction, FIELDS)
    for name, value in cleaned.items():
        setattr(interaction, name, value)
    changes = changes_between(before, snapshot(interaction, FIELDS))
    if changes:
        interaction.updated_by = actor
        interaction.save()
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=interaction,
            party_id=interaction.party_id,
            changes=changes,
        )
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, actor: User, data: InteractionInput) -> Interaction:
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    policy.require_change(actor, interaction)
    return _apply(interaction, _clean(data, actor=actor), actor)


@transaction.atomic
def interaction_delete(*, interaction: Interaction, actor: User) -> None:
    policy.require_change(actor, interaction)
    soft_delete_record(
        interaction,
        actor=actor,
        party_id=interaction.party_id,
        changes={"subject": [interaction.subject, None]},
    )


def interaction_record_system(
    *, party: Party, data: InteractionInput, handled_by: User | None = None
) -> Interaction:
    """Log a contact the system observed (an email received, a call the PBX reported).

    Nobody made it, so no user's permissions apply; the audit log names no actor, and the
    timeline shows it as the system's.
    """
    data = _with_defaults(replace(data, handled_by=handled_by), handled_by)
    return _create(party, _clean(data, actor=None), None)


def interaction_update_system(*, interaction: Interaction, data: InteractionInput) -> Interaction:
    """Change what the system logged as more is known (a call answered, then finished)."""
    return _apply(interaction, _clean(data, actor=None), None)
