"""The notifications app's registrations: it is core's notifier, and it tells the users a
note @mentions. The messenger is reached from the user menu and the bell, not the crowded
main menu."""

from __future__ import annotations

from peyvand.core import hooks
from peyvand.customers.models import Note
from peyvand.customers.services.notes import NOTE_SAVED

from .services.mentions import note_mentions_notify
from .services.notifications import notify


def register() -> None:
    hooks.register_notifier(notify)
    hooks.on_customer_event(NOTE_SAVED, _note_saved)


def _note_saved(event: hooks.CustomerEvent) -> None:
    assert isinstance(event.record, Note)
    note_mentions_notify(note=event.record, actor=event.actor)
