"""A customer's contact details as the portal shows them, and the changes made there: the
portal's form reads the person's name, primary email, mobile and address and job titles;
staff read the changes waiting for review (through the permission policy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F

from peyvand.core import policy
from peyvand.core.pagination import Page, keyset_page
from peyvand.customers.models import ContactPoint, Kind, Membership, Party

from ..models import ChangeStatus, DetailChange, PortalAccount

ADDRESS_PARTS = ("street", "city", "province", "postal_code")
PAGE = 25
SORTS = {
    "newest": ["-created_at", "-id"],
    "oldest": ["created_at", "id"],
    "customer": ["customer_key", "id"],
}


def primary_point(party: Party, kind: str) -> ContactPoint | None:
    """The customer's primary contact point of ``kind`` (else its first), or None."""
    return (
        ContactPoint.objects.filter(party=party, kind=kind, deleted_at__isnull=True)
        .order_by("-is_primary", "id")
        .first()
    )


def address_of(party: Party) -> dict[str, str]:
    point = primary_point(party, ContactPoint.Kind.ADDRESS)
    return {name: getattr(point, name) if point else "" for name in ADDRESS_PARTS}


def memberships(party: Party) -> list[Membership]:
    """The person's live places in organisations, with their job titles."""
    return list(
        Membership.objects.filter(
            person=party, deleted_at__isnull=True, organisation__deleted_at__isnull=True
        )
        .select_related("organisation")
        .order_by("id")
    )


def person_details(party: Party) -> dict[str, Any]:
    """The values the portal's details form starts from: ``title:<membership id>`` for job titles."""
    email = primary_point(party, ContactPoint.Kind.EMAIL)
    phone = primary_point(party, ContactPoint.Kind.PHONE)
    values: dict[str, Any] = {
        "first_name": party.first_name,
        "last_name": party.last_name,
        "email": email.value if email else "",
        "phone": phone.value if phone else "",
        **address_of(party),
    }
    for membership in memberships(party):
        values[f"title:{membership.pk}"] = membership.title
    return values


def pending_change(*, account: PortalAccount, party: Party) -> DetailChange | None:
    return DetailChange.objects.filter(account=account, party=party, status=ChangeStatus.PENDING).first()


def editable_organisations(account: PortalAccount) -> list[Party]:
    """The organisations whose address ``account`` may change: those its person is a live
    member of, when staff allowed the contact their organisation's records."""
    if not account.can_see_organisation:
        return []
    return list(
        Party.objects.filter(
            kind=Kind.ORGANISATION,
            deleted_at__isnull=True,
            members__person_id=account.party_id,
            members__deleted_at__isnull=True,
        )
        .distinct()
        .order_by("sort_key", "id")
    )


# --- staff's side -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilters:
    status: str = ChangeStatus.PENDING  # "" for every status
    sort: str = "newest"


def change_list(*, user: Any, filters: ChangeFilters, cursor: str | None) -> Page[DetailChange]:
    """The changes made in the portal to customers ``user`` may see, filtered and sorted."""
    rows: models.QuerySet[DetailChange] = policy.visible(
        user, DetailChange.objects.filter(party__deleted_at__isnull=True)
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    rows = rows.annotate(customer_key=F("party__sort_key")).select_related("party", "account", "decided_by")
    return keyset_page(rows, order=SORTS.get(filters.sort, SORTS["newest"]), cursor=cursor, limit=PAGE)


def party_pending_changes(*, party: Party) -> list[DetailChange]:
    return list(
        DetailChange.objects.filter(party=party, status=ChangeStatus.PENDING)
        .select_related("account__party")
        .order_by("created_at", "id")
    )
