"""Turning one row of a file into a customer to write, or into the reasons it is refused.

The rules are the services' own: the same cleaning of names, E.164 phones, lower-case
emails, checked national IDs and Jalali or Gregorian dates as a form in the UI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.custom_fields import Definition, FieldType, clean_value
from peyvand.core.exports import unneutralise
from peyvand.core.jalali import parse_date
from peyvand.core.models import User
from peyvand.core.selectors.custom_fields import definitions_for
from peyvand.core.text import clean_text, search_key

from .. import rules
from ..models import ContactPoint, Kind, Party, Source, Stage
from ..normalize import normalize_email, normalize_phone
from .mapping import CUSTOM_TARGET, PHONE_LABELS
from .registry import Problem

YES = {search_key(v) for v in ("yes", "y", "true", "1", "x", "✓", "بله", "آری", "بلی", "دارد", "موافق")}
NO = {search_key(v) for v in ("no", "n", "false", "0", "", "خیر", "نه", "ندارد", "مخالف")}
TAG_SEPARATORS = str.maketrans({"،": ",", "؛": ",", ";": ",", "|": ","})
ADDRESS_PARTS = ("street", "city", "province", "postal_code", "country")
TEXT_LIMITS = {"job_title": 100, "organisation": 200, "note": 20_000}


@dataclass
class Candidate:
    """A row that passed validation: what to write, and the keys that find its duplicates."""

    row: int
    fields: dict[str, Any]
    contacts: list[rules.ContactInput] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    note: str = ""
    kind: str = Kind.PERSON
    derived: rules.Derived | None = None
    keys: list[tuple[str, str]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)  # custom fields' values by key

    def refresh(self) -> None:
        """Recompute the derived fields and the keys that identify the customer."""
        self.derived = rules.derive(self.kind, self.fields, self.contacts)
        keys = [(c.kind, c.value) for c in self.contacts if c.kind != ContactPoint.Kind.ADDRESS]
        if self.fields.get("national_id"):
            keys.append(("national_id", self.fields["national_id"]))
        if self.kind == Kind.ORGANISATION:
            keys.append(("name", self.derived.sort_key))
        self.keys = keys

    def identity_keys(self) -> list[tuple[str, str]]:
        """(kind, value) pairs that identify the customer: emails, phones, national ID."""
        return self.keys


def _choices(choices: Any) -> dict[str, str]:
    """Accept a choice by its code or by its label in either language."""

    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[search_key(value)] = value
        for language in ("fa", "en"):
            with translation.override(language):
                accepted[search_key(str(label))] = value
    return accepted


Handler = Callable[[str, "_Row"], None]


@dataclass
class _Row:
    """What the cells of one row have said so far."""

    values: dict[str, Any] = field(default_factory=dict)
    contacts: list[rules.ContactInput] = field(default_factory=list)
    address: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReaderSpec:
    """What reading a job's rows needs from the database, gathered once before the rows are
    read, so that they can be read without it (in a process of their own, for big files)."""

    kind: str
    mapping: dict[str, str]
    owners: dict[str, int]  # username or email (search form) -> id of a user the importer may name
    default_owner: int | None
    default_owner_allowed: bool = True
    language: str = ""
    time_zone: str = "UTC"
    custom: tuple[Definition, ...] = ()  # the kind's active custom fields
    users: dict[str, int] = field(default_factory=dict)  # username or email -> id, for user fields

    @classmethod
    def for_job(
        cls, *, kind: str, mapping: dict[str, str], actor: User, default_owner: User | None
    ) -> ReaderSpec:
        owners: dict[str, int] = {}
        users: dict[str, int] = {}
        for user in User.objects.filter(is_active=True).select_related("team"):
            users[search_key(user.username)] = user.pk
            if user.email:
                users.setdefault(search_key(user.email), user.pk)
            if policy.may_own(actor, Party, user):
                owners[search_key(user.username)] = user.pk
                if user.email:
                    owners[search_key(user.email)] = user.pk
        return cls(
            kind=kind,
            mapping=mapping,
            owners=owners,
            default_owner=default_owner.pk if default_owner else None,
            default_owner_allowed=default_owner is None or policy.may_own(actor, Party, default_owner),
            language=translation.get_language() or "",
            time_zone=str(timezone.get_current_timezone()),
            custom=tuple(definitions_for(kind)),
            users=users,
        )


class RowReader:
    """Reads the rows of one job, without the database. Each column gets its handler up
    front, and the answers for values that repeat (names, cities) are remembered, so a
    million rows cost a few thousand checks of those instead of a million."""

    def __init__(self, spec: ReaderSpec) -> None:
        self.spec = spec
        self.kind = spec.kind
        self.columns = sorted((int(i), key) for i, key in spec.mapping.items())
        self.handlers: list[tuple[int, Handler]] = [(i, self._handler(key)) for i, key in self.columns]
        self.sources = _choices(Source.choices)
        self.stages = _choices(Stage.choices)
        self.memo: dict[tuple[str, Any], Any] = {}

    def read(self, number: int, cells: list[str]) -> Candidate | list[Problem]:
        problems: list[Problem] = []
        row = _Row()
        width = len(cells)
        for index, handler in self.handlers:
            raw = cells[index] if index < width else ""
            if not raw or raw.isspace():
                continue
            if raw[0] == "'":
                raw = unneutralise(raw)  # a file we exported: «'+98…» was «+98…»
            try:
                handler(raw, row)
            except ValidationError as exc:
                problems.extend(Problem(index, raw, m) for m in exc.messages)
        if row.address:
            try:
                row.contacts.append(self._address(row.address))
            except ValidationError as exc:
                problems.append(Problem(None, " ".join(row.address.values()), " ".join(exc.messages)))
        if problems:
            return problems
        values = row.values
        values.setdefault("owner", self.spec.default_owner)
        fields: dict[str, Any] = {}
        for name, value in values.items():
            try:
                fields[name] = self._field(name, value)
            except ValidationError as exc:
                problems.extend(Problem(self._column_of(name), str(value), m) for m in exc.messages)
        problems.extend(
            Problem(self._column_of(name), "", message)
            for name, message in rules.party_missing(self.kind, fields).items()
        )
        problems.extend(
            Problem(self._column_of(f"{CUSTOM_TARGET}{d.key}"), "", _("This field is required."))
            for d in self.spec.custom
            if d.required and d.key not in row.custom
        )
        if problems:
            return problems
        extra = row.extra
        candidate = Candidate(
            number,
            fields,
            _one_primary(row.contacts),
            organisation=extra.get("organisation", ""),
            job_title=extra.get("job_title", ""),
            note=extra.get("note", ""),
            tags=_tags(extra["tags"]) if "tags" in extra else [],
            kind=self.kind,
            custom=row.custom,
        )
        candidate.refresh()
        return candidate

    # --- one field, checked by the services' own rules ---------------------------------

    def _field(self, name: str, value: Any) -> Any:
        if name == "owner":  # a user id: named ones were checked in the spec, the default too
            if value is not None and value == self.spec.default_owner and not self.spec.default_owner_allowed:
                raise ValidationError(rules.OWNER_REFUSED)
            return value
        check = lambda: rules.clean_party_value(self.kind, name, value)  # noqa: E731
        return self._remembered((name, value), check) if name in _REPEATING else check()

    def _remembered(self, key: tuple[str, Any], check: Callable[[], Any]) -> Any:
        """``check()``, answered from memory when the same value was checked before; a
        refusal is remembered too (and raised again)."""
        try:
            answer = self.memo[key]
        except KeyError:
            try:
                answer = check()
            except ValidationError as exc:
                answer = exc
            if len(self.memo) < MEMO_LIMIT:
                self.memo[key] = answer
        if isinstance(answer, ValidationError):
            raise answer
        return answer

    def _address(self, parts: dict[str, str]) -> rules.ContactInput:
        given: dict[str, Any] = parts
        cleaned = self._remembered(
            ("address", tuple(sorted(parts.items()))),
            lambda: rules.clean_contact(rules.ContactInput(kind="address", value="", **given)),
        )
        # Each row its own copy, to mark primary (built directly: dataclasses.replace is twice as slow).
        return rules.ContactInput(**vars(cleaned))

    # --- the handlers, one per kind of column --------------------------------------------

    def _handler(self, key: str) -> Handler:
        if key.startswith(CUSTOM_TARGET):
            return self._custom(key.removeprefix(CUSTOM_TARGET))
        if key in PHONE_LABELS:
            label = PHONE_LABELS[key]
            return lambda raw, row: row.contacts.extend(_phone(part, label) for part in _split_many(raw))
        simple: dict[str, Handler] = {
            "full_name": _full_name,
            "email": lambda raw, row: row.contacts.extend(_email(part) for part in _split_many(raw)),
            "date_of_birth": _date_of_birth,
            "owner": self._owner,
            "email_consent": _consent("email_consent"),
            "sms_consent": _consent("sms_consent"),
        }
        if key == "source":
            return lambda raw, row: self._choice(key, self.sources, raw, row)
        if key == "stage":
            return lambda raw, row: self._choice(key, self.stages, raw, row)
        if key in simple:
            return simple[key]
        if key in _PARTY_TEXT:
            return lambda raw, row: row.values.__setitem__(key, raw)
        if key in ADDRESS_PARTS:
            return lambda raw, row: row.address.__setitem__(key, raw)
        if key == "note":  # long and unique: not worth remembering
            return lambda raw, row: row.extra.__setitem__(key, _extra_text(key, raw))
        # organisation, job_title, tags
        return lambda raw, row: row.extra.__setitem__(
            key, self._remembered((key, raw), lambda: _extra_text(key, raw))
        )

    def _custom(self, key: str) -> Handler:
        """A custom field's column, read by the rules forms and the API share (a choice by its
        key or label, a user by username, email or id)."""
        definition = next(d for d in self.spec.custom if d.key == key)
        known = set(self.spec.users.values())

        def read(raw: str, row: _Row) -> None:
            value: Any = raw
            if definition.type == FieldType.USER:
                value = self.spec.users.get(search_key(raw), raw)
            cleaned = self._remembered(
                (f"{CUSTOM_TARGET}{key}", value),
                lambda: clean_value(definition, value, user_ok=known.__contains__),
            )
            if cleaned is not None:
                row.custom[key] = cleaned

        return read

    def _owner(self, raw: str, row: _Row) -> None:
        owner = self.spec.owners.get(search_key(raw))
        if owner is None:
            raise ValidationError(
                _("No user you may give customers to is called “%(value)s”.") % {"value": raw}
            )
        row.values["owner"] = owner

    @staticmethod
    def _choice(key: str, accepted: dict[str, str], raw: str, row: _Row) -> None:
        choice = accepted.get(search_key(raw))
        if choice is None:
            raise ValidationError(
                _("“%(value)s” is not a known %(field)s.") % {"value": raw, "field": _(key)}
            )
        row.values[key] = choice

    def _column_of(self, name: str) -> int | None:
        aliases = {"first_name": ("first_name", "full_name"), "last_name": ("last_name", "full_name")}
        for index, key in self.columns:
            if key in aliases.get(name, (name,)):
                return index
        return None


# Fields whose values repeat across a file: checked once per distinct value.
_REPEATING = frozenset(
    ("first_name", "last_name", "name", "industry", "email_consent_source", "sms_consent_source")
)
_PARTY_TEXT = frozenset(("first_name", "last_name", "name", "website", "industry", "national_id"))
MEMO_LIMIT = 200_000  # distinct values remembered per job, so memory stays bounded


def _phone(part: str, label: str) -> rules.ContactInput:
    return rules.ContactInput(kind="phone", value=normalize_phone(part), label=label)


def _email(part: str) -> rules.ContactInput:
    return rules.ContactInput(kind="email", value=normalize_email(part), label="work")


def _full_name(raw: str, row: _Row) -> None:
    first, _space, last = clean_text(raw).rpartition(" ")
    row.values["first_name"], row.values["last_name"] = first, last


def _date_of_birth(raw: str, row: _Row) -> None:
    try:
        row.values["date_of_birth"] = parse_date(raw)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _consent(key: str) -> Handler:
    def read(raw: str, row: _Row) -> None:
        answer = search_key(raw)
        if answer not in YES and answer not in NO:
            raise ValidationError(_("Write yes or no, not “%(value)s”.") % {"value": raw})
        row.values[key] = answer in YES
        row.values[f"{key}_source"] = "import"

    return read


def _extra_text(key: str, raw: str) -> str:
    text = raw.strip() if key == "note" else clean_text(raw)
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise ValidationError(
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
        )
    return text


def _split_many(raw: str) -> list[str]:
    """Several phones or emails in one cell, separated by commas or new lines."""
    if not _SEVERAL.search(raw):  # the common case: one value
        return [raw.strip()]
    parts = [p.strip() for p in raw.replace("\n", ",").translate(TAG_SEPARATORS).split(",")]
    return [p for p in parts if p]


_SEVERAL = re.compile("[,\n،؛;|]")


def _tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.translate(TAG_SEPARATORS).split(",") if t.strip()][:20]


def _one_primary(contacts: list[rules.ContactInput]) -> list[rules.ContactInput]:
    """Drop repeats and make the first of each kind primary, as the services would."""
    unique: list[rules.ContactInput] = []
    seen: set[tuple[str, str]] = set()
    for contact in contacts:
        if (contact.kind, contact.value) not in seen:
            seen.add((contact.kind, contact.value))
            unique.append(contact)
    first: set[str] = set()
    for contact in unique:
        contact.is_primary = contact.kind not in first
        first.add(contact.kind)
    return unique
