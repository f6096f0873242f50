"""Customers created for whoever gets in touch unknown: a caller, a sender, a web visitor."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from peyvand.core.models import User
from peyvand.core.text import clean_text

from ..models import ContactPoint, Kind, Party, Source
from ..normalize import display_phone
from ..rules import ContactInput, PartyInput
from .parties import party_create


def suspect_create(
    *,
    actor: User,
    kind: str,
    value: str,
    name: str = "",
    source: str = Source.OTHER,
    owner: User | None = None,
) -> Party:
    """A new suspect for an unknown sender or caller: named by the contact it came from
    (in ``actor``'s language) when no name came with it. Never refused as a duplicate: the
    number or address is already known to belong to no customer."""
    name = clean_text(name)
    if not name:
        with translation.override(actor.language or settings.LANGUAGE_CODE):
            shown = display_phone(value) if kind == ContactPoint.Kind.PHONE else value
            name = _("Unknown %(contact)s") % {"contact": shown}
    first, _space, last = name.rpartition(" ")
    data = PartyInput(first_name=first[:100], last_name=(last or name)[:100], owner=owner, source=source)
    return party_create(
        actor=actor,
        kind=Kind.PERSON,
        data=data,
        contacts=[ContactInput(kind=kind, value=value)],
        allow_duplicate=True,
    )
