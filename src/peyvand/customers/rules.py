"""The rules a customer's values follow: which fields a person or an organisation has, how
each is validated and normalised, and what follows from them (the name shown, the sort key,
the search text, the primary contacts).

Pure functions of the values, shared by the services and the bulk importer, so a million
imported rows obey exactly what a form does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import policy
from peyvand.core.addresses import is_web_address
from peyvand.core.identifiers import normalize_economic_code
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import User
from peyvand.core.text import clean_text, collation_key, search_key

from .models import ContactPoint, Kind, Party, Source, Stage
from .normalize import normalize_email, normalize_national_id, normalize_phone, phone_variants

PERSON_FIELDS = ("first_name", "last_name", "date_of_birth")
ORGANISATION_FIELDS = ("name", "website", "industry")
COMMON_FIELDS = (
    "national_id",
    "economic_code",
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


# --- validation ---------------------------------------------------------------------------


def clean_text_field(errors: dict[str, list[str]], name: str, value: Any, max_length: int) -> str:
    text = clean_text(value if isinstance(value, str) else ("" if value is None else str(value)))
    if len(text) > max_length:
        errors.setdefault(name, []).append(
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": max_length, "count": len(text)}
        )
    return text


_PARTY_LENGTHS = {f.name: f.max_length for f in Party._meta.fields if f.max_length}


@dataclass(frozen=True, kw_only=True)
class PartyInput:
    """A customer's fields as a form, the API or an import gives them; a field left UNSET is
    not given (on a new customer it takes its default, on a change it stays as it is)."""

    first_name: str | Unset = UNSET
    last_name: str | Unset = UNSET
    date_of_birth: dt.date | Unset | None = UNSET
    name: str | Unset = UNSET
    website: str | Unset = UNSET
    industry: str | Unset = UNSET
    national_id: str | Unset = UNSET
    economic_code: str | Unset = UNSET
    owner: User | Unset | None = UNSET
    source: str | Unset = UNSET
    stage: str | Unset = UNSET
    email_consent: bool | Unset = UNSET
    email_consent_at: dt.datetime | Unset | None = UNSET
    email_consent_source: str | Unset = UNSET
    sms_consent: bool | Unset = UNSET
    sms_consent_at: dt.datetime | Unset | None = UNSET
    sms_consent_source: str | Unset = UNSET
    # Custom fields' values by key (``core.custom_fields``): the keys given replace, null clears.
    custom: Mapping[str, Any] | Unset = UNSET


def clean_party_fields(kind: str, data: PartyInput, *, actor: User, current: Party | None) -> dict[str, Any]:
    """Validate and normalise the fields ``data`` gives: name -> clean value. Custom fields
    are the services' to check, against their definitions (``core.custom_fields``)."""
    values = given(data)
    values.pop("custom", None)
    foreign = set(values) - set(fields_for(kind))
    if foreign:
        person = kind == Kind.PERSON
        message = _("A person has no such field.") if person else _("An organisation has no such field.")
        raise ValidationError({name: [message] for name in sorted(foreign)})
    errors: dict[str, list[str]] = {}
    cleaned = {name: _clean_party_field(errors, kind, name, value, actor) for name, value in values.items()}
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
        return clean_text_field(errors, name, value, lengths[name])
    if name == "website":
        site = clean_text_field(errors, name, value, lengths[name]).lower()
        # Shown as a link: only a web address, never javascript: or data: (a bare domain is fine).
        if site and not is_web_address(site if "://" in site else f"https://{site}"):
            errors.setdefault(name, []).append(_("Enter a web address, such as example.com."))
        return site
    if name == "national_id":
        try:
            return normalize_national_id(
                clean_text_field(errors, name, value, lengths[name]), organisation=kind == Kind.ORGANISATION
            )
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            return ""
    if name == "economic_code":
        try:
            return normalize_economic_code(clean_text_field(errors, name, value, 40))
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


def consent_stamps(cleaned: Mapping[str, Any], *, was: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The consent dates and sources that follow from ``cleaned``: a consent given or
    withdrawn is stamped with its date (now, unless given) and its source (manual entry,
    unless given); a consent held always has a date. ``was`` holds the customer's consent
    fields before (empty for a new one). Shared by the services and the bulk writer."""
    stamps: dict[str, Any] = {}
    for channel in ("email", "sms"):
        flag, at, source = f"{channel}_consent", f"{channel}_consent_at", f"{channel}_consent_source"
        if flag in cleaned and cleaned[flag] != was.get(flag, False):
            stamps[at] = cleaned.get(at) or now
            if not cleaned.get(source):
                stamps[source] = "manual"
        elif cleaned.get(flag, was.get(flag, False)) and cleaned.get(at, was.get(at)) is None:
            stamps[at] = now  # a consent given always has a date: its date cleared, today
    return stamps


CONSENT_FIELDS = ("email_consent", "email_consent_at", "sms_consent", "sms_consent_at")


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


@dataclass(frozen=True, kw_only=True)
class ContactChanges:
    """The changes to a contact point; its kind never changes, a field left UNSET stays."""

    value: str | Unset = UNSET
    label: str | Unset = UNSET
    is_primary: bool | Unset = UNSET
    country: str | Unset = UNSET
    province: str | Unset = UNSET
    city: str | Unset = UNSET
    street: str | Unset = UNSET
    postal_code: str | Unset = UNSET


def clean_contact(raw: ContactInput) -> ContactInput:
    """Validate one contact point: phones to E.164, emails to lower case."""
    errors: dict[str, list[str]] = {}
    if raw.kind not in CONTACT_KINDS:
        raise ValidationError({"kind": [_("Choose phone, email or address.")]})
    if raw.label not in CONTACT_LABELS:
        errors["label"] = [_("Choose a valid type.")]
    lengths = _CONTACT_LENGTHS
    parts = {
        name: clean_text_field(errors, name, getattr(raw, name), lengths[name]) if getattr(raw, name) else ""
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
            value = clean_text_field(errors, "value", raw.value, lengths["value"]) or "، ".join(
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
