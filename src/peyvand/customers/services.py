"""Every write to the customer database goes through these functions.

Each one checks the permission policy, validates and normalises its input, writes in one
transaction and records what changed in the audit log. The web UI, the API, the importer
and the demo all call them, so they can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import policy
from peyvand.core.models import AuditEvent, TrackedModel, User
from peyvand.core.services import (
    audit_event,
    audit_log,
    audit_log_many,
    audit_value,
    changes_between,
    restore_rows,
    snapshot,
    soft_delete_record,
    soft_delete_rows,
)
from peyvand.core.text import clean_text, collation_key, search_key

from .models import ContactPoint, Kind, Membership, Note, Party, PartyTag, Source, Stage, Tag
from .normalize import normalize_email, normalize_national_id, normalize_phone, phone_variants

PERSON_FIELDS = ("first_name", "last_name", "date_of_birth")
ORGANISATION_FIELDS = ("name", "website", "industry")
COMMON_FIELDS = (
    "national_id",
    "owner",
    "source",
    "stage",
    "email_consent",
    "email_consent_at",
    "email_consent_source",
    "sms_consent",
    "sms_consent_at",
    "sms_consent_source",
)
AUDITED_FIELDS = (*PERSON_FIELDS, *ORGANISATION_FIELDS, *COMMON_FIELDS)
CONTACT_FIELDS = (
    "kind",
    "label",
    "value",
    "is_primary",
    "country",
    "province",
    "city",
    "street",
    "postal_code",
)
OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
# Django rebuilds a Choices class's ``values`` list on every access; these are asked per row.
SOURCES, STAGES = frozenset(Source.values), frozenset(Stage.values)
CONTACT_KINDS, CONTACT_LABELS = frozenset(ContactPoint.Kind.values), frozenset(ContactPoint.Label.values)
ADDRESS_PARTS = ("country", "province", "city", "street", "postal_code")


def fields_for(kind: str) -> tuple[str, ...]:
    return (PERSON_FIELDS if kind == Kind.PERSON else ORGANISATION_FIELDS) + COMMON_FIELDS


@dataclass
class Duplicate:
    party: Party
    reasons: list[str] = field(default_factory=list)


class DuplicateFound(Exception):
    """Raised instead of saving when the new values match existing customers."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        super().__init__(_("This customer may already exist."))
        self.duplicates = duplicates


# --- validation ---------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], name: str, value: Any, max_length: int) -> str:
    text = clean_text(value if isinstance(value, str) else ("" if value is None else str(value)))
    if len(text) > max_length:
        errors.setdefault(name, []).append(
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": max_length, "count": len(text)}
        )
    return text


_PARTY_LENGTHS = {f.name: f.max_length for f in Party._meta.fields if f.max_length}


def clean_party_fields(
    kind: str, data: Mapping[str, Any], *, actor: User, current: Party | None = None
) -> dict[str, Any]:
    """Validate and normalise the given subset of a customer's fields (the importer's check too)."""
    return _clean_party_fields(kind, data, actor=actor, current=current)


def _clean_party_fields(
    kind: str, data: Mapping[str, Any], *, actor: User, current: Party | None
) -> dict[str, Any]:
    """Validate and normalise the given subset of a customer's fields."""
    allowed = set(fields_for(kind))
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned = {name: _clean_party_field(errors, kind, name, value, actor) for name, value in data.items()}
    merged = {name: getattr(current, name) for name in fields_for(kind)} if current else {}
    merged.update(cleaned)
    # A name refused for its own reason (too long) is there: "enter a name" would be wrong.
    if not errors.keys() & NAME_FIELDS:
        for name, message in party_missing(kind, merged).items():
            errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_party_value(kind: str, name: str, value: Any, *, actor: User | None = None) -> Any:
    """One field of a customer, validated and normalised; the importer remembers the answers
    for values that repeat (names, cities), so a million rows cost a few thousand checks."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_party_field(errors, kind, name, value, actor)
    if errors:
        raise ValidationError(errors[name])
    return cleaned


NAME_FIELDS = frozenset({"first_name", "last_name", "name"})


def party_missing(kind: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The fields a customer cannot be without, that ``values`` leaves empty: field -> message."""
    if kind == Kind.PERSON and not (values.get("first_name") or values.get("last_name")):
        return {"last_name": _("Enter a first or last name.")}
    if kind == Kind.ORGANISATION and not values.get("name"):
        return {"name": _("Enter the organisation's name.")}
    return {}


OWNER_REFUSED = gettext_lazy("You may not give this customer to that owner.")
_PLAIN_TEXT_FIELDS = frozenset(
    ("first_name", "last_name", "name", "industry", "email_consent_source", "sms_consent_source")
)


def _clean_party_field(
    errors: dict[str, list[str]], kind: str, name: str, value: Any, actor: User | None
) -> Any:
    """One field's clean value; its problems go into ``errors[name]``."""
    lengths = _PARTY_LENGTHS
    if name in _PLAIN_TEXT_FIELDS:
        return _text(errors, name, value, lengths[name])
    if name == "website":
        return _text(errors, name, value, lengths[name]).lower()
    if name == "national_id":
        try:
            return normalize_national_id(
                _text(errors, name, value, lengths[name]), organisation=kind == Kind.ORGANISATION
            )
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            return ""
    if name == "date_of_birth":
        if value and not isinstance(value, dt.date):
            errors.setdefault(name, []).append(_("Enter a valid date."))
        elif value and not OLDEST_BIRTH_DATE <= value <= timezone.localdate():
            errors.setdefault(name, []).append(_("A date of birth must be in the past."))
        return value or None
    if name == "owner":
        if value is not None and (not isinstance(value, User) or not value.is_active):
            errors.setdefault(name, []).append(_("Choose an active user."))
        elif not policy.may_own(actor, Party, value):
            errors.setdefault(name, []).append(str(OWNER_REFUSED))
        return value
    if name in ("source", "stage"):
        if value not in (SOURCES if name == "source" else STAGES):
            errors.setdefault(name, []).append(
                _("Choose a valid source.") if name == "source" else _("Choose a valid stage.")
            )
        return value
    if name in ("email_consent", "sms_consent"):
        if not isinstance(value, bool):
            errors.setdefault(name, []).append(_("Choose yes or no."))
        return bool(value)
    # email_consent_at, sms_consent_at: when consent was really given, for records brought
    # from elsewhere.
    if value is not None and (not isinstance(value, dt.datetime) or timezone.is_naive(value)):
        errors.setdefault(name, []).append(_("Enter a valid date and time."))
    elif value is not None and value > timezone.now():
        errors.setdefault(name, []).append(_("A consent cannot be given in the future."))
    elif value is not None and value.date() < OLDEST_BIRTH_DATE:
        errors.setdefault(name, []).append(_("Enter a valid date."))
    return value


def _apply_consent(party: Party, cleaned: dict[str, Any], *, was: Mapping[str, Any]) -> None:
    """A change of consent is stamped with its date (now, unless given) and its source
    (manual entry, unless given)."""
    now = timezone.now()
    for channel in ("email", "sms"):
        flag, at = f"{channel}_consent", f"{channel}_consent_at"
        if flag in cleaned and cleaned[flag] != was.get(flag, False):
            setattr(party, at, cleaned.get(at) or now)
            if not cleaned.get(f"{channel}_consent_source"):
                setattr(party, f"{channel}_consent_source", "manual")
        elif getattr(party, flag) and getattr(party, at) is None:
            setattr(party, at, now)  # a consent given always has a date: its date cleared, today


@dataclass
class ContactInput:
    kind: str
    value: str
    label: str = ContactPoint.Label.OTHER
    is_primary: bool = False
    country: str = ""
    province: str = ""
    city: str = ""
    street: str = ""
    postal_code: str = ""


_CONTACT_LENGTHS = {f.name: f.max_length for f in ContactPoint._meta.fields if f.max_length}


def clean_contact(data: ContactInput | Mapping[str, Any]) -> ContactInput:
    """Validate one contact point: phones to E.164, emails to lower case."""
    raw = data if isinstance(data, ContactInput) else ContactInput(**dict(data))
    errors: dict[str, list[str]] = {}
    if raw.kind not in CONTACT_KINDS:
        raise ValidationError({"kind": [_("Choose phone, email or address.")]})
    if raw.label not in CONTACT_LABELS:
        errors["label"] = [_("Choose a valid type.")]
    lengths = _CONTACT_LENGTHS
    parts = {
        name: _text(errors, name, getattr(raw, name), lengths[name]) if getattr(raw, name) else ""
        for name in ADDRESS_PARTS
    }
    value = raw.value
    try:
        if raw.kind == ContactPoint.Kind.PHONE:
            value = normalize_phone(raw.value)
        elif raw.kind == ContactPoint.Kind.EMAIL:
            value = normalize_email(raw.value)
        else:
            parts["country"] = parts["country"].upper()
            value = _text(errors, "value", raw.value, lengths["value"]) or "، ".join(
                p for p in (parts["street"], parts["city"], parts["province"]) if p
            )
            if not value:
                errors.setdefault("value", []).append(_("Enter an address."))
    except ValidationError as exc:
        errors.setdefault("value", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return ContactInput(
        kind=raw.kind, value=value[:254], label=raw.label, is_primary=bool(raw.is_primary), **parts
    )


# --- derived fields -----------------------------------------------------------------------


class ContactLike(Protocol):
    kind: str
    value: str
    is_primary: bool


class Derived(NamedTuple):
    display_name: str
    sort_key: str
    search_text: str
    primary_email: str
    primary_phone: str


def derive(kind: str, fields: Mapping[str, Any], contacts: Sequence[ContactLike]) -> Derived:
    """What a customer's name, sort key, search text and primary contacts follow from.

    A pure function of the values, so the importer computes it for a million rows without
    building a model instance for each.
    """
    if kind == Kind.PERSON:
        first, last = fields.get("first_name"), fields.get("last_name")
        display_name = f"{first} {last}" if first and last else (first or last or "")
    else:
        display_name = fields.get("name") or ""
    # Names, IDs and contact values are stored cleaned: their search form needs no second cleaning.
    name_key = search_key(display_name, clean=True)
    words = [name_key]
    for extra in (fields.get("national_id"), fields.get("website")):
        if extra:
            words.append(search_key(extra, clean=True))
    # The primary of each kind: the first marked primary, else the first of its kind.
    primary: dict[str, tuple[str, bool]] = {}
    for point in contacts:
        if point.kind == ContactPoint.Kind.PHONE:
            words.extend(phone_variants(point.value))
        else:
            words.append(search_key(point.value, clean=True))
        chosen = primary.get(point.kind)
        if chosen is None or (point.is_primary and not chosen[1]):
            primary[point.kind] = (point.value, point.is_primary)
    return Derived(
        display_name,
        collation_key(display_name, search_form=name_key),
        " ".join(w for w in words if w),
        primary.get(ContactPoint.Kind.EMAIL, ("",))[0],
        primary.get(ContactPoint.Kind.PHONE, ("",))[0],
    )


def _refresh_derived(party: Party, contacts: Sequence[ContactLike] | None = None) -> None:
    """Recompute the name, sort key, search text and primary contact copies."""
    if contacts is None:
        contacts = list(ContactPoint.objects.filter(party=party)) if party.pk else []
    fields = {
        name: getattr(party, name) for name in ("first_name", "last_name", "name", "national_id", "website")
    }
    for name, value in derive(party.kind, fields, contacts)._asdict().items():
        setattr(party, name, value)


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


# --- customers ----------------------------------------------------------------------------


@transaction.atomic
def party_create(
    *,
    actor: User,
    kind: str,
    data: Mapping[str, Any],
    contacts: Sequence[ContactInput | Mapping[str, Any]] = (),
    organisations: Sequence[tuple[Party, str]] = (),
    tags: Sequence[str] = (),
    allow_duplicate: bool = False,
) -> Party:
    """Create a person or an organisation with its contact points, memberships and tags."""
    if kind not in (Kind.PERSON, Kind.ORGANISATION):
        raise ValidationError({"kind": [_("Choose person or organisation.")]})
    policy.require_create(actor, Party)
    cleaned, points = _clean_new_party(actor=actor, kind=kind, data=data, contacts=contacts)
    if kind == Kind.ORGANISATION and organisations:
        raise ValidationError({"organisations": [_("Only a person can belong to an organisation.")]})
    for organisation, _title in organisations:
        policy.require_view(actor, organisation)

    party = Party(kind=kind, created_by=actor, updated_by=actor, **cleaned)
    _apply_consent(party, cleaned, was={})
    _refresh_derived(party, points)
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
            title=_text({}, "title", title, 100),
            created_by=actor,
            updated_by=actor,
        )
        for organisation, title in organisations
    ]
    _add_tags([party.pk], tags)
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
            },
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


def party_validate(
    *,
    actor: User,
    kind: str,
    data: Mapping[str, Any],
    contacts: Sequence[ContactInput | Mapping[str, Any]] = (),
) -> None:
    """Raise every error ``party_create`` would, without writing: forms show them all at once."""
    _clean_new_party(actor=actor, kind=kind, data=data, contacts=contacts)


def _clean_new_party(
    *, actor: User, kind: str, data: Mapping[str, Any], contacts: Sequence[ContactInput | Mapping[str, Any]]
) -> tuple[dict[str, Any], list[ContactInput]]:
    data = dict(data)
    data.setdefault("owner", actor if policy.may_own(actor, Party, actor) else None)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    points: list[ContactInput] = []
    try:
        cleaned = _clean_party_fields(kind, data, actor=actor, current=None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        points = _clean_contacts(contacts)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned, points


def _clean_contacts(contacts: Sequence[ContactInput | Mapping[str, Any]]) -> list[ContactInput]:
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
    data: Mapping[str, Any],
    tags: Sequence[str] | None = None,
    allow_duplicate: bool = False,
) -> Party:
    """Change a customer's fields and, when ``tags`` is given, replace its tags: all or nothing."""
    party = _lock(party)
    policy.require_change(actor, party)
    cleaned = _clean_party_fields(party.kind, data, actor=actor, current=party)
    before = snapshot(party, AUDITED_FIELDS)
    was = {name: getattr(party, name) for name in ("email_consent", "sms_consent")}
    for name, value in cleaned.items():
        setattr(party, name, value)
    _apply_consent(party, cleaned, was=was)
    _refresh_derived(party)
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
    if changes:
        party.updated_by = actor
        party.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=party, party_id=party.pk, changes=changes)
    if tags is not None:
        _set_tags(party, actor, tags)
    return party


def _lock(party: Party) -> Party:
    """The current row, locked for the rest of the transaction, or 404 when deleted."""
    return Party.objects.select_for_update().get(pk=party.pk)


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
    party = _lock(party)
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
        _save_derived(party)
    record.refresh_from_db()
    audit_log(actor=actor, kind=AuditEvent.Kind.RESTORE, obj=record, party_id=party.pk)
    return record


# --- contact points -----------------------------------------------------------------------


@transaction.atomic
def contact_point_add(
    *, party: Party, actor: User, data: ContactInput | Mapping[str, Any], allow_duplicate: bool = False
) -> ContactPoint:
    party = _lock(party)
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
    _save_derived(party)
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
    *, point: ContactPoint, actor: User, data: Mapping[str, Any], allow_duplicate: bool = False
) -> ContactPoint:
    party = _lock(point.party)
    policy.require_change(actor, party)
    point = ContactPoint.objects.get(pk=point.pk)
    unknown = set(data) - set(CONTACT_FIELDS) - {"kind"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    merged = {name: getattr(point, name) for name in CONTACT_FIELDS} | dict(data)
    if merged["kind"] != point.kind:
        raise ValidationError({"kind": [_("The kind of a contact point cannot change.")]})
    cleaned = clean_contact(merged)
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
    _save_derived(party)
    changes = changes_between(before, snapshot(point, CONTACT_FIELDS))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=point, party_id=party.pk, changes=changes)
    return point


@transaction.atomic
def contact_point_delete(*, point: ContactPoint, actor: User) -> None:
    party = _lock(point.party)
    policy.require_change(actor, party)
    point = ContactPoint.objects.get(pk=point.pk)
    soft_delete_record(point, actor=actor, party_id=party.pk, changes={"value": [point.value, None]})
    if point.is_primary:
        successor = ContactPoint.objects.filter(party=party, kind=point.kind).order_by("id").first()
        if successor:
            ContactPoint.objects.filter(pk=successor.pk).update(is_primary=True)
    _save_derived(party)


def _contact_duplicates(party: Party, kind: str, value: str) -> list[Duplicate]:
    """Other customers reached at this email or phone."""
    return find_duplicates(
        kind=party.kind,
        emails=[value] if kind == ContactPoint.Kind.EMAIL else [],
        phones=[value] if kind == ContactPoint.Kind.PHONE else [],
        exclude=[party.pk],
    )


def _save_derived(party: Party) -> None:
    _refresh_derived(party)
    Party.objects.filter(pk=party.pk).update(
        search_text=party.search_text,
        primary_email=party.primary_email,
        primary_phone=party.primary_phone,
        updated_at=timezone.now(),
    )


# --- memberships --------------------------------------------------------------------------


@transaction.atomic
def membership_add(*, person: Party, organisation: Party, actor: User, title: str = "") -> Membership:
    person = _lock(person)
    policy.require_change(actor, person)
    policy.require_view(actor, organisation)
    if person.kind != Kind.PERSON or organisation.kind != Kind.ORGANISATION:
        raise ValidationError({"organisation": [_("A person can only belong to an organisation.")]})
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        raise ValidationError({"organisation": [_("This person already belongs to this organisation.")]})
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, 100)
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
    person = _lock(membership.person)
    policy.require_change(actor, person)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, 100)
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
    person = _lock(membership.person)
    policy.require_change(actor, person)
    soft_delete_record(
        membership,
        actor=actor,
        party_id=person.pk,
        changes={"organisation": [membership.organisation.display_name, None]},
    )


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


def _notify_mentions(note: Note, actor: User) -> None:
    """Tell the users a note mentions (@username); idempotent, so an edit tells only new ones."""
    from peyvand.notifications.services import note_mentions_notify

    note_mentions_notify(note=note, actor=actor)


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
    _notify_mentions(note, actor)
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
        _notify_mentions(note, actor)
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User) -> None:
    policy.require_change(actor, note)
    soft_delete_record(note, actor=actor, party_id=note.party_id, changes={"body": [note.body, None]})


# --- tags and bulk actions ----------------------------------------------------------------


def tag_get_or_create(name: str) -> Tag:
    errors: dict[str, list[str]] = {}
    name = _text(errors, "tag", name, 50)
    if not name:
        errors.setdefault("tag", []).append(_("Enter a tag."))
    if errors:
        raise ValidationError(errors)
    tag, _created = Tag.objects.get_or_create(key=search_key(name)[:50], defaults={"name": name})
    return tag


def _add_tags(party_ids: Sequence[int], names: Iterable[str]) -> list[Tag]:
    tags = [tag_get_or_create(name) for name in dict.fromkeys(names) if clean_text(name)]
    rows = [PartyTag(party_id=pk, tag=tag) for pk in party_ids for tag in tags]
    PartyTag.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return tags


@transaction.atomic
def party_set_tags(*, party: Party, actor: User, names: Sequence[str]) -> None:
    party = _lock(party)
    policy.require_change(actor, party)
    _set_tags(party, actor, names)


def _set_tags(party: Party, actor: User, names: Sequence[str]) -> None:
    """Replace the tags of a customer already locked and checked."""
    before = sorted(party.tags.values_list("name", flat=True))
    wanted = [tag_get_or_create(name) for name in dict.fromkeys(names) if clean_text(name)]
    PartyTag.objects.filter(party=party).exclude(tag__in=wanted).delete()
    PartyTag.objects.bulk_create([PartyTag(party=party, tag=t) for t in wanted], ignore_conflicts=True)
    after = sorted(t.name for t in wanted)
    if before != after:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=party,
            party_id=party.pk,
            changes={"tags": [before, after]},
        )


@dataclass
class BulkResult:
    changed: int
    skipped: int


@transaction.atomic
def party_bulk_add_tag(*, actor: User, party_ids: Sequence[int], tag_name: str) -> BulkResult:
    """Tag every chosen customer the actor may change; the rest are counted as skipped."""
    tag = tag_get_or_create(tag_name)
    allowed = dict(
        policy.changeable(actor, Party.objects.filter(pk__in=party_ids)).values_list("pk", "display_name")
    )
    already = set(PartyTag.objects.filter(tag=tag, party_id__in=allowed).values_list("party_id", flat=True))
    todo = [pk for pk in allowed if pk not in already]
    PartyTag.objects.bulk_create(
        [PartyTag(party_id=pk, tag=tag) for pk in todo], ignore_conflicts=True, batch_size=500
    )
    now = timezone.now()
    audit_log_many(
        [
            AuditEvent(
                at=now,
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                model="customers.party",
                object_id=pk,
                object_repr=allowed[pk][:200],
                party_id=pk,
                changes={"tags": [None, tag.name]},
            )
            for pk in todo
        ]
    )
    return BulkResult(changed=len(todo), skipped=len(set(party_ids)) - len(allowed))


@transaction.atomic
def party_bulk_assign_owner(*, actor: User, party_ids: Sequence[int], owner: User | None) -> BulkResult:
    """Give every chosen customer the actor may change to ``owner``."""
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": [_("Choose an active user.")]})
    if not policy.may_own(actor, Party, owner):
        raise ValidationError({"owner": [_("You may not give this customer to that owner.")]})
    rows = list(
        policy.changeable(actor, Party.objects.filter(pk__in=party_ids))
        .exclude(owner=owner)
        .values_list("pk", "owner_id", "display_name")
    )
    allowed_count = policy.changeable(actor, Party.objects.filter(pk__in=party_ids)).count()
    now = timezone.now()
    Party.objects.filter(pk__in=[pk for pk, _o, _n in rows]).update(
        owner=owner, updated_by=actor, updated_at=now
    )
    audit_log_many(
        [
            AuditEvent(
                at=now,
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                model="customers.party",
                object_id=pk,
                object_repr=name[:200],
                party_id=pk,
                changes={"owner": [old, owner.pk if owner else None]},
            )
            for pk, old, name in rows
        ]
    )
    return BulkResult(changed=len(rows), skipped=len(set(party_ids)) - allowed_count)


# --- merge --------------------------------------------------------------------------------

MERGE_FILLED_FIELDS = (*PERSON_FIELDS, *ORGANISATION_FIELDS, "national_id", "owner")


@transaction.atomic
def party_merge(*, survivor: Party, other: Party, actor: User) -> Party:
    """Merge ``other`` into ``survivor``: every related row moves, nothing is lost.

    The survivor keeps its values and takes the other's where its own are blank; values
    of the other that differ are kept in a note on the survivor and in the audit log.
    The other record is soft-deleted, pointing at the survivor, whose timeline also shows
    the other's history.
    """
    if survivor.pk == other.pk:
        raise ValidationError(_("Choose two different customers to merge."))
    # Lock both rows in id order so two opposite merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Party.objects.select_for_update().filter(pk__in=[survivor.pk, other.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise Party.DoesNotExist
    survivor, other = locked[survivor.pk], locked[other.pk]
    policy.require_change(actor, survivor)
    policy.require_change(actor, other)
    if survivor.kind != other.kind:
        raise ValidationError(_("A person cannot be merged with an organisation."))

    before = snapshot(survivor, AUDITED_FIELDS)
    kept_aside: dict[str, Any] = {}
    for name in fields_for(survivor.kind):
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(survivor, name, theirs)
        elif theirs not in (None, "", False) and theirs != mine and name in MERGE_FILLED_FIELDS:
            kept_aside[name] = theirs
    for channel in ("email", "sms"):
        # Consent follows the most recent decision of the two records.
        mine_at, theirs_at = (
            getattr(survivor, f"{channel}_consent_at"),
            getattr(other, f"{channel}_consent_at"),
        )
        if theirs_at and (mine_at is None or theirs_at > mine_at):
            for suffix in ("_consent", "_consent_at", "_consent_source"):
                setattr(survivor, channel + suffix, getattr(other, channel + suffix))

    moved = _move_related(survivor=survivor, other=other, actor=actor)
    _refresh_derived(survivor)
    survivor.updated_by = actor
    survivor.save()
    now = timezone.now()
    Party.all_objects.filter(pk=other.pk).update(
        merged_into=survivor,
        deleted_at=now,
        deleted_by=actor,
        deletion_batch=TrackedModel.new_batch(),
        updated_at=now,
    )
    if kept_aside:
        # Data, not text: each reader sees it in their own language (selectors.note_text).
        Note.objects.create(
            party=survivor,
            kept_aside={"name": other.display_name, "values": _audit_safe(kept_aside)},
            created_by=actor,
            updated_by=actor,
        )
    changes: dict[str, Any] = changes_between(before, snapshot(survivor, AUDITED_FIELDS))
    changes["merged"] = [other.pk, survivor.pk]
    changes["moved"] = [None, moved]
    audit_log_many(
        [
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=survivor,
                party_id=survivor.pk,
                changes=changes,
                at=now,
            ),
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=other,
                party_id=other.pk,
                changes={"merged_into": [None, survivor.pk], "kept_aside": [None, _audit_safe(kept_aside)]},
                at=now,
            ),
        ]
    )
    return survivor


def _audit_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: audit_value(value) for name, value in values.items()}


def _move_related(*, survivor: Party, other: Party, actor: User) -> dict[str, int]:
    """Point every row that refers to ``other`` at ``survivor``, without breaking uniqueness."""
    moved: dict[str, int] = {}
    # Contact points: the survivor's copy wins; the other's repeats are kept, deleted.
    mine = set(ContactPoint.objects.filter(party=survivor).values_list("kind", "value"))
    repeats = [p.pk for p in ContactPoint.objects.filter(party=other) if (p.kind, p.value) in mine]
    soft_delete_rows(
        ContactPoint.objects.filter(pk__in=repeats),
        actor=actor,
        batch=TrackedModel.new_batch(),
        at=timezone.now(),
    )
    primary_kinds = set(
        ContactPoint.objects.filter(party=survivor, is_primary=True).values_list("kind", flat=True)
    )
    ContactPoint.all_objects.filter(party=other, kind__in=primary_kinds).update(is_primary=False)
    # Memberships: one per person and organisation.
    for fk, other_side in (("person", "organisation"), ("organisation", "person")):
        taken = set(Membership.objects.filter(**{fk: survivor}).values_list(f"{other_side}_id", flat=True))
        clashes = Membership.objects.filter(**{fk: other}).filter(
            Q(**{f"{other_side}_id__in": taken}) | Q(**{f"{other_side}_id": survivor.pk})
        )
        soft_delete_rows(clashes, actor=actor, batch=TrackedModel.new_batch(), at=timezone.now())
    # Tags: union.
    tag_ids = set(PartyTag.objects.filter(party=other).values_list("tag_id", flat=True))
    PartyTag.objects.bulk_create([PartyTag(party=survivor, tag_id=t) for t in tag_ids], ignore_conflicts=True)
    PartyTag.objects.filter(party=other).delete()
    moved["tags"] = len(tag_ids)
    # Everything else that points at the other record, including later apps' rows.
    for model, fk in party_references():
        if model is PartyTag:
            continue
        manager = model.all_objects if issubclass(model, TrackedModel) else model._base_manager
        count = manager.filter(**{fk: other}).update(**{fk: survivor})
        if count:
            moved[f"{model._meta.label_lower}.{fk}"] = count
    return moved
