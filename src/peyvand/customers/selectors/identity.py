"""Finding the customer behind a phone number or an email address.

Used by everything that arrives without a user (inbound email and SMS, the PBX) and by the
apps that will (tickets, the portal). Numbers and addresses must be normalised.
"""

from __future__ import annotations

from django.db.models import QuerySet

from peyvand.core.models import User

from ..models import ContactPoint, Party


def party_by_phone(e164: str, *, prefer_owner: User | None = None) -> Party | None:
    """The customer with this number; the preferred owner's first when several share it."""
    points = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.PHONE, value=e164, party__deleted_at__isnull=True
    )
    return _pick(points, prefer_owner)


def parties_by_phone(e164: str) -> QuerySet[Party]:
    """Every live customer with this number (a family's shared phone, duplicates)."""
    points = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE, value=e164)
    return Party.objects.filter(pk__in=points.values("party_id"), deleted_at__isnull=True).order_by("id")


def party_by_email(address: str) -> Party | None:
    points = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.EMAIL, value=address, party__deleted_at__isnull=True
    )
    return _pick(points, None)


def _pick(points: QuerySet[ContactPoint], prefer_owner: User | None) -> Party | None:
    parties = list(
        Party.objects.filter(pk__in=points.values("party_id"))
        .select_related("owner")
        .order_by("-updated_at", "id")[:10]
    )
    if prefer_owner is not None:
        for party in parties:
            if party.owner_id == prefer_owner.pk:
                return party
    return parties[0] if parties else None
