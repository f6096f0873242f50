"""A customer's phones, emails and addresses: one primary of each kind."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.inputs import given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import (
    audit_log,
    changes_between,
    snapshot,
    soft_delete_record,
)

from ..models import ContactPoint, Party
from ..rules import CONTACT_FIELDS, ContactChanges, ContactInput, clean_contact
from ..selectors.duplicates import Duplicate, DuplicateFound, find_duplicates
from .common import party_lock, party_save_derived

# --- contact points -----------------------------------------------------------------------


@transaction.atomic
def contact_point_add(
    *, party: Party, actor: User, data: ContactInput, allow_duplicate: bool = False
) -> ContactPoint:
    party = party_lock(party)
    policy.require_change(actor, party)
    point = clean_contact(data)
    existing = list(ContactPoint.objects.filter(party=party))
    if any((p.kind, p.value) == (point.kind, point.value) for p in existing):
        raise ValidationError({"value": [_("This customer already has this contact point.")]})
    if not allow_duplicate and point.kind in (ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE):
        duplicates = _contact_duplicates(party, point.kind, point.value)
        if duplicates:
            raise DuplicateFound(duplicates)
    has_primary = any(p.kind == point.kind and p.is_primary for p in existing)
    if point.is_primary and has_primary:
        ContactPoint.objects.filter(party=party, kind=point.kind, is_primary=True).update(is_primary=False)
    point.is_primary = point.is_primary or not has_primary
    created = ContactPoint.objects.create(party=party, created_by=actor, updated_by=actor, **vars(point))
    party_save_derived(party)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=created,
        party_id=party.pk,
        changes={k: [None, v] for k, v in snapshot(created, CONTACT_FIELDS).items() if v not in ("", False)},
    )
    return created


@transaction.atomic
def contact_point_update(
    *, point: ContactPoint, actor: User, data: ContactChanges, allow_duplicate: bool = False
) -> ContactPoint:
    party = party_lock(point.party)
    policy.require_change(actor, party)
    point = ContactPoint.objects.get(pk=point.pk)
    current = ContactInput(**{name: getattr(point, name) for name in CONTACT_FIELDS})
    cleaned = clean_contact(replace(current, **given(data)))
    clash = ContactPoint.objects.filter(party=party, kind=cleaned.kind, value=cleaned.value).exclude(
        pk=point.pk
    )
    if clash.exists():
        raise ValidationError({"value": [_("This customer already has this contact point.")]})
    if not allow_duplicate and cleaned.value != point.value and cleaned.kind != ContactPoint.Kind.ADDRESS:
        duplicates = _contact_duplicates(party, cleaned.kind, cleaned.value)
        if duplicates:
            raise DuplicateFound(duplicates)
    before = snapshot(point, CONTACT_FIELDS)
    if cleaned.is_primary and not point.is_primary:
        ContactPoint.objects.filter(party=party, kind=point.kind, is_primary=True).update(is_primary=False)
    elif point.is_primary and not cleaned.is_primary:
        cleaned.is_primary = True  # one stays primary until another is made primary
    for name, value in vars(cleaned).items():
        setattr(point, name, value)
    point.updated_by = actor
    point.save()
    party_save_derived(party)
    changes = changes_between(before, snapshot(point, CONTACT_FIELDS))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=point, party_id=party.pk, changes=changes)
    return point


@transaction.atomic
def contact_point_delete(*, point: ContactPoint, actor: User) -> None:
    party = party_lock(point.party)
    policy.require_change(actor, party)
    point = ContactPoint.objects.get(pk=point.pk)
    soft_delete_record(point, actor=actor, party_id=party.pk, changes={"value": [point.value, None]})
    if point.is_primary:
        successor = ContactPoint.objects.filter(party=party, kind=point.kind).order_by("id").first()
        if successor:
            ContactPoint.objects.filter(pk=successor.pk).update(is_primary=True)
    party_save_derived(party)


def _contact_duplicates(party: Party, kind: str, value: str) -> list[Duplicate]:
    """Other customers reached at this email or phone."""
    return find_duplicates(
        kind=party.kind,
        emails=[value] if kind == ContactPoint.Kind.EMAIL else [],
        phones=[value] if kind == ContactPoint.Kind.PHONE else [],
        exclude=[party.pk],
    )
