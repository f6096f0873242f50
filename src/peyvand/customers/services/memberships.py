"""A person's place in an organisation, with a job title."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import (
    audit_log,
    soft_delete_record,
)

from ..models import Kind, Membership, Party
from ..rules import clean_text_field
from .common import party_lock

# --- memberships --------------------------------------------------------------------------


@transaction.atomic
def membership_add(*, person: Party, organisation: Party, actor: User, title: str = "") -> Membership:
    person = party_lock(person)
    policy.require_change(actor, person)
    policy.require_view(actor, organisation)
    if person.kind != Kind.PERSON or organisation.kind != Kind.ORGANISATION:
        raise ValidationError({"organisation": [_("A person can only belong to an organisation.")]})
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        raise ValidationError({"organisation": [_("This person already belongs to this organisation.")]})
    errors: dict[str, list[str]] = {}
    title = clean_text_field(errors, "title", title, 100)
    if errors:
        raise ValidationError(errors)
    membership = Membership.objects.create(
        person=person, organisation=organisation, title=title, created_by=actor, updated_by=actor
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=membership,
        party_id=person.pk,
        changes={"organisation": [None, organisation.display_name], "title": [None, title]},
    )
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, actor: User, title: str) -> Membership:
    person = party_lock(membership.person)
    policy.require_change(actor, person)
    errors: dict[str, list[str]] = {}
    title = clean_text_field(errors, "title", title, 100)
    if errors:
        raise ValidationError(errors)
    if title != membership.title:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=membership,
            party_id=person.pk,
            changes={"title": [membership.title, title]},
        )
        membership.title, membership.updated_by = title, actor
        membership.save(update_fields=["title", "updated_by", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    person = party_lock(membership.person)
    policy.require_change(actor, person)
    soft_delete_record(
        membership,
        actor=actor,
        party_id=person.pk,
        changes={"organisation": [membership.organisation.display_name, None]},
    )
