"""Customers that look like the same one: same email, phone or national ID, or the same name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from peyvand.core.text import collation_key

from ..models import ContactPoint, Kind, Party


@dataclass
class Duplicate:
    party: Party
    reasons: list[str] = field(default_factory=list)


class DuplicateFound(Exception):
    """Raised instead of saving when the new values match existing customers."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        super().__init__(_("This customer may already exist."))
        self.duplicates = duplicates


# --- duplicates ---------------------------------------------------------------------------


def find_duplicates(
    *,
    kind: str,
    display_name: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    national_id: str = "",
    organisation_ids: Iterable[int] = (),
    exclude: Iterable[int] = (),
) -> list[Duplicate]:
    """Customers that look like the same one: same email, phone or national ID, or the same
    normalised name (for a person, in the same organisation). Values must be normalised."""
    found: dict[int, list[str]] = {}

    def note(ids: Iterable[int], reason: str) -> None:
        for pk in ids:
            found.setdefault(pk, []).append(reason)

    excluded = set(exclude)
    for contact_kind, values, reason in (
        (ContactPoint.Kind.EMAIL, list(emails), _("same email address")),
        (ContactPoint.Kind.PHONE, list(phones), _("same phone number")),
    ):
        if values:
            note(
                ContactPoint.objects.filter(
                    kind=contact_kind, value__in=values, party__deleted_at__isnull=True
                )
                .values_list("party_id", flat=True)
                .distinct(),
                reason,
            )
    if national_id:
        note(
            Party.objects.filter(kind=kind, national_id=national_id).values_list("pk", flat=True),
            _("same national ID"),
        )
    key = collation_key(display_name)
    if key:
        same_name = Party.objects.filter(kind=kind, sort_key=key)
        org_ids = list(organisation_ids)
        if kind == Kind.PERSON:
            same_name = (
                same_name.filter(
                    memberships__organisation_id__in=org_ids, memberships__deleted_at__isnull=True
                )
                if org_ids
                else same_name.none()
            )
        note(same_name.values_list("pk", flat=True).distinct(), _("same name"))
    ids = [pk for pk in found if pk not in excluded]
    parties = Party.objects.in_bulk(ids)
    return [Duplicate(parties[pk], sorted(set(found[pk]))) for pk in ids if pk in parties]
