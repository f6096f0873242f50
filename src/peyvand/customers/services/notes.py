"""Notes on a customer's timeline; a note that @mentions a user tells them (customer event)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import (
    audit_log,
    soft_delete_record,
)

from ..models import Note, Party

# --- notes --------------------------------------------------------------------------------

NOTE_MAX_LENGTH = 20_000


def _clean_note(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write the note.")]})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": NOTE_MAX_LENGTH, "count": len(body)}
                ]
            }
        )
    return body


# The event the notifications app listens to, to tell the users a note @mentions.
NOTE_SAVED = "note_saved"


def _note_saved(note: Note, actor: User) -> None:
    hooks.customer_event(hooks.CustomerEvent(NOTE_SAVED, party=note.party, actor=actor, record=note))


@transaction.atomic
def note_add(*, party: Party, actor: User, body: str) -> Note:
    policy.require_view(actor, party)
    policy.require_create(actor, Note)
    note = Note.objects.create(party=party, body=_clean_note(body), created_by=actor, updated_by=actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=note,
        party_id=party.pk,
        changes={"body": [None, note.body]},
    )
    _note_saved(note, actor)
    return note


@transaction.atomic
def note_update(*, note: Note, actor: User, body: str) -> Note:
    policy.require_change(actor, note)
    body = _clean_note(body)
    if body != note.body:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=note,
            party_id=note.party_id,
            changes={"body": [note.body, body]},
        )
        # An edited merge note is the editor's text from now on.
        note.body, note.kept_aside, note.updated_by = body, None, actor
        note.save(update_fields=["body", "kept_aside", "updated_by", "updated_at"])
        _note_saved(note, actor)
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User) -> None:
    policy.require_change(actor, note)
    soft_delete_record(note, actor=actor, party_id=note.party_id, changes={"body": [note.body, None]})
