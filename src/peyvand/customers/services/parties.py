"""Creating, changing, deleting and restoring customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.custom_fields import custom_changes
from peyvand.core.inputs import UNSET
from peyvand.core.models import AuditEvent, TrackedModel, User
from peyvand.core.services.audit import (
    audit_event,
    audit_log,
    audit_log_many,
    changes_between,
    restore_rows,
    snapshot,
    soft_delete_rows,
)
from peyvand.core.services.custom_fields import record_custom

from ..models import ContactPoint, Kind, Membership, Party
from ..rules import (
    AUDITED_FIELDS,
    CONSENT_FIELDS,
    ContactInput,
    PartyInput,
    clean_contact,
    clean_party_fields,
    clean_text_field,
    consent_stamps,
    fields_for,
)
from ..selectors.duplicates import DuplicateFound, find_duplicates
from .common import party_lock, party_refresh_derived, party_save_derived
from .tags import tags_attach, tags_replace

# --- customers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedParty:
    """A new customer's values, validated and normalised once by ``party_prepare``: a form
    checks them as it is cleaned, and the view writes what was checked."""

    kind: str
    fields: dict[str, Any]
    contacts: list[ContactInput]
    actor_id: int


def party_prepare(
    *, actor: User, kind: str, data: PartyInput, contacts: Sequence[ContactInput] = ()
) -> PreparedParty:
    """Check a new customer without writing and raise every error at once (a form shows them
    all together); what it returns is written by ``party_create_prepared``, unchecked again."""
    if kind not in (Kind.PERSON, Kind.ORGANISATION):
        raise ValidationError({"kind": [_("Choose person or organisation.")]})
    policy.require_create(actor, Party)
    if data.owner is UNSET:
        data = replace(data, owner=actor if policy.may_own(actor, Party, actor) else None)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    points: list[ContactInput] = []
    try:
        cleaned = clean_party_fields(kind, data, actor=actor, current=None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        points = _clean_contacts(contacts)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cleaned["custom"] = record_custom(kind, _given_custom(data), current=None, errors=errors)
    if errors:
        raise ValidationError(errors)
    return PreparedParty(kind=kind, fields=cleaned, contacts=points, actor_id=actor.pk)


def _given_custom(data: PartyInput) -> Any:
    """``data.custom`` for ``core.services.custom_fields.record_custom`` (the rules of
    ``core.custom_fields``, shared with the importer); None when not given."""
    return None if data.custom is UNSET else data.custom


def party_create(
    *,
    actor: User,
    kind: str,
    data: PartyInput,
    contacts: Sequence[ContactInput] = (),
    organisations: Sequence[tuple[Party, str]] = (),
    tags: Sequence[str] = (),
    allow_duplicate: bool = False,
) -> Party:
    """Create a person or an organisation with its contact points, memberships and tags."""
    prepared = party_prepare(actor=actor, kind=kind, data=data, contacts=contacts)
    return party_create_prepared(
        actor=actor,
        prepared=prepared,
        organisations=organisations,
        tags=tags,
        allow_duplicate=allow_duplicate,
    )


@transaction.atomic
def party_create_prepared(
    *,
    actor: User,
    prepared: PreparedParty,
    organisations: Sequence[tuple[Party, str]] = (),
    tags: Sequence[str] = (),
    allow_duplicate: bool = False,
) -> Party:
    """``party_create`` for a customer ``party_prepare`` has checked."""
    if prepared.actor_id != actor.pk:
        raise ValueError("A prepared customer is created by the user who prepared it.")
    policy.require_create(actor, Party)
    kind, cleaned, points = prepared.kind, prepared.fields, prepared.contacts
    if kind == Kind.ORGANISATION and organisations:
        raise ValidationError({"organisations": [_("Only a person can belong to an organisation.")]})
    for organisation, _title in organisations:
        policy.require_view(actor, organisation)
    party = Party(kind=kind, created_by=actor, updated_by=actor, **cleaned)
    for name, value in consent_stamps(cleaned, was={}, now=timezone.now()).items():
        setattr(party, name, value)
    party_refresh_derived(party, points)
    if not allow_duplicate:
        duplicates = find_duplicates(
            kind=kind,
            display_name=party.display_name,
            emails=[p.value for p in points if p.kind == ContactPoint.Kind.EMAIL],
            phones=[p.value for p in points if p.kind == ContactPoint.Kind.PHONE],
            national_id=party.national_id,
            organisation_ids=[org.pk for org, _title in organisations],
        )
        if duplicates:
            raise DuplicateFound(duplicates)
    party.save()
    created = ContactPoint.objects.bulk_create(
        [ContactPoint(party=party, created_by=actor, updated_by=actor, **vars(p)) for p in points]
    )
    memberships = [
        Membership.objects.create(
            person=party,
            organisation=organisation,
            title=clean_text_field({}, "title", title, 100),
            created_by=actor,
            updated_by=actor,
        )
        for organisation, title in organisations
    ]
    tags_attach([party.pk], tags)
    events = [
        audit_event(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=party,
            party_id=party.pk,
            changes={
                k: [None, v]
                for k, v in snapshot(party, fields_for(kind)).items()
                if v not in (None, "", False)
            }
            | custom_changes({}, party.custom),
        )
    ]
    events += [
        audit_event(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=point,
            party_id=party.pk,
            changes={"value": [None, point.value]},
        )
        for point in created
    ]
    events += [
        audit_event(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=membership,
            party_id=party.pk,
            changes={
                "organisation": [None, membership.organisation.display_name],
                "title": [None, membership.title],
            },
        )
        for membership in memberships
    ]
    audit_log_many(events)
    return party


def _clean_contacts(contacts: Sequence[ContactInput]) -> list[ContactInput]:
    """Validate a new customer's contact points; drop repeats and keep one primary per kind."""
    errors: dict[str, list[str]] = {}
    points: list[ContactInput] = []
    for index, raw in enumerate(contacts):
        try:
            point = clean_contact(raw)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"contacts.{index}.{name}", []).extend(messages)
            continue
        if all((p.kind, p.value) != (point.kind, point.value) for p in points):
            points.append(point)
    if errors:
        raise ValidationError(errors)
    for kind in ContactPoint.Kind.values:
        of_kind = [p for p in points if p.kind == kind]
        primaries = [p for p in of_kind if p.is_primary]
        for p in of_kind:
            p.is_primary = p is (primaries[0] if primaries else of_kind[0])
    return points


@transaction.atomic
def party_update(
    *,
    party: Party,
    actor: User,
    data: PartyInput,
    tags: Sequence[str] | None = None,
    allow_duplicate: bool = False,
) -> Party:
    """Change a customer's fields and, when ``tags`` is given, replace its tags: all or nothing."""
    party = party_lock(party)
    policy.require_change(actor, party)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_party_fields(party.kind, data, actor=actor, current=party)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    custom_before = dict(party.custom or {})
    custom_after = custom_before
    if data.custom is not UNSET:
        custom_after = record_custom(party.kind, _given_custom(data), current=custom_before, errors=errors)
    if errors:
        raise ValidationError(errors)
    before = snapshot(party, AUDITED_FIELDS)
    was = {name: getattr(party, name) for name in CONSENT_FIELDS}
    stamps = consent_stamps(cleaned, was=was, now=timezone.now())
    for name, value in (cleaned | stamps).items():
        setattr(party, name, value)
    party_refresh_derived(party)
    if not allow_duplicate and ({"first_name", "last_name", "name", "national_id"} & set(cleaned)):
        duplicates = find_duplicates(
            kind=party.kind,
            display_name=party.display_name,
            national_id=party.national_id if "national_id" in cleaned else "",
            organisation_ids=Membership.objects.filter(person=party).values_list(
                "organisation_id", flat=True
            ),
            exclude=[party.pk],
        )
        if duplicates:
            raise DuplicateFound(duplicates)
    changes = changes_between(before, snapshot(party, AUDITED_FIELDS))
    changes |= custom_changes(custom_before, custom_after)
    party.custom = custom_after
    if changes:
        party.updated_by = actor
        party.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=party, party_id=party.pk, changes=changes)
    if tags is not None:
        tags_replace(party, actor, tags)
    return party


def party_references() -> list[tuple[type[models.Model], str]]:
    """Every (model, foreign key) that points at a customer, including later apps' models.

    Hidden relations count too: ``Party._meta.related_objects`` leaves out the foreign keys
    declared ``related_name="+"`` (quotes, payments, leads, outbound messages, calls), and a
    merge or a delete that missed them would leave rows behind on the wrong customer.
    """
    return [
        (relation.related_model, relation.field.name)
        for relation in Party._meta.get_fields(include_hidden=True)
        if isinstance(relation, models.ManyToOneRel)
        and relation.one_to_many
        and isinstance(relation.related_model, type)
    ]


def party_children() -> list[tuple[type[TrackedModel], str]]:
    """Every soft-deletable record that belongs to a customer: trashed and restored with it.

    A record that only mentions the customer (a foreign key that would be set to null: the
    contact person of another customer's deal, the person a lead became) is not theirs to
    take along; it stays, still naming them, and names them again once they are restored.
    """
    return [
        (model, fk)
        for model, fk in party_references()
        if issubclass(model, TrackedModel)
        and model is not Party
        and _on_delete(model, fk) is not models.SET_NULL
    ]


def _on_delete(model: type[models.Model], fk: str) -> Any:
    field = model._meta.get_field(fk)
    assert isinstance(field, models.ForeignKey)
    return field.remote_field.on_delete


@transaction.atomic
def party_delete(*, party: Party, actor: User) -> None:
    """Move a customer and everything attached to it to the trash."""
    party = party_lock(party)
    policy.require_change(actor, party)
    batch, now = TrackedModel.new_batch(), timezone.now()
    for model, fk in party_children():
        soft_delete_rows(model.objects.filter(**{fk: party}), actor=actor, batch=batch, at=now)
    soft_delete_rows(Party.objects.filter(pk=party.pk), actor=actor, batch=batch, at=now)
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=party, party_id=party.pk)


@transaction.atomic
def party_restore(*, party: Party, actor: User) -> Party:
    """Bring a customer back from the trash with everything deleted together with it."""
    policy.require_admin(actor)
    party = Party.all_objects.select_for_update().get(pk=party.pk)
    if party.deleted_at is None:
        return party
    if party.merged_into_id is not None:
        raise ValidationError(_("This customer was merged into another one and cannot be restored."))
    batch = party.deletion_batch
    if batch is None:
        raise ValidationError(_("This customer cannot be restored."))
    restore_rows(Party.all_objects.filter(pk=party.pk), batch=batch)
    for model, fk in party_children():
        restore_rows(model.all_objects.filter(**{fk: party}), batch=batch)
    audit_log(actor=actor, kind=AuditEvent.Kind.RESTORE, obj=party, party_id=party.pk)
    party.refresh_from_db()
    return party


@transaction.atomic
def record_restore(*, record: TrackedModel, actor: User) -> TrackedModel:
    """Bring back a record deleted on its own (a contact point, an organisation link, a note,
    an interaction); administrators only. Its customer must be alive, and it must not clash
    with what the customer has since: the same contact point again, the same organisation."""
    policy.require_admin(actor)
    record = type(record).all_objects.select_for_update().get(pk=record.pk)
    if record.deleted_at is None:
        return record
    party_id = record.person_id if isinstance(record, Membership) else getattr(record, "party_id")  # noqa: B009
    party = Party.all_objects.get(pk=party_id)
    if party.deleted_at is not None:
        raise ValidationError(_("Its customer is in the trash: restore the customer instead."))
    if record.deletion_batch is None:
        raise ValidationError(_("This record cannot be restored."))
    make_secondary = False
    if isinstance(record, ContactPoint):
        alive = ContactPoint.objects.filter(party=party, kind=record.kind)
        if alive.filter(value=record.value).exists():
            raise ValidationError(_("This customer already has this contact point."))
        make_secondary = record.is_primary and alive.filter(is_primary=True).exists()
    if isinstance(record, Membership):
        if Party.objects.filter(pk=record.organisation_id).count() == 0:
            raise ValidationError(_("The organisation is in the trash: restore it first."))
        if Membership.objects.filter(person=party, organisation_id=record.organisation_id).exists():
            raise ValidationError(_("This person already belongs to this organisation."))
    if make_secondary:  # the customer has another primary now: this one comes back beside it
        ContactPoint.all_objects.filter(pk=record.pk).update(is_primary=False)
    restore_rows(type(record).all_objects.filter(pk=record.pk), batch=record.deletion_batch)
    if isinstance(record, ContactPoint):
        party_save_derived(party)
    record.refresh_from_db()
    audit_log(actor=actor, kind=AuditEvent.Kind.RESTORE, obj=record, party_id=party.pk)
    return record
