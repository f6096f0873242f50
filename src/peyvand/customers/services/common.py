"""What the customers' services share: locking a customer's row, and keeping its derived
fields (name, sort key, search text, primary contacts) in step with its values."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from ..models import ContactPoint, Party
from ..rules import ContactLike, derive


def party_lock(party: Party) -> Party:
    """The current row, locked for the rest of the transaction, or 404 when deleted."""
    return Party.objects.select_for_update().get(pk=party.pk)


def party_refresh_derived(party: Party, contacts: Sequence[ContactLike] | None = None) -> None:
    """Recompute the name, sort key, search text and primary contact copies."""
    if contacts is None:
        contacts = list(ContactPoint.objects.filter(party=party)) if party.pk else []
    fields = {
        name: getattr(party, name) for name in ("first_name", "last_name", "name", "national_id", "website")
    }
    for name, value in derive(party.kind, fields, contacts)._asdict().items():
        setattr(party, name, value)


def party_save_derived(party: Party) -> None:
    party_refresh_derived(party)
    Party.objects.filter(pk=party.pk).update(
        search_text=party.search_text,
        primary_email=party.primary_email,
        primary_phone=party.primary_phone,
        updated_at=timezone.now(),
    )
