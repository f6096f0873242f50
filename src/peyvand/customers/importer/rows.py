"""Turning one row of a file into a customer to write, or into the reasons it is refused.

The rules are the services' own: the same cleaning of names, E.164 phones, lower-case
emails, checked national IDs and Jalali or Gregorian dates as a form in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.exports import unneutralise
from peyvand.core.jalali import parse_date
from peyvand.core.models import User
from peyvand.core.text import clean_text, search_key

from .. import services
from ..models import ContactPoint, Kind, Party, Source, Stage
from .mapping import PHONE_LABELS

YES = {search_key(v) for v in ("yes", "y", "true", "1", "x", "✓", "بله", "آری", "بلی", "دارد", "موافق")}
NO = {search_key(v) for v in ("no", "n", "false", "0", "", "خیر", "نه", "ندارد", "مخالف")}
TAG_SEPARATORS = str.maketrans({"،": ",", "؛": ",", ";": ",", "|": ","})
ADDRESS_PARTS = ("street", "city", "province", "postal_code", "country")
TEXT_LIMITS = {"job_title": 100, "organisation": 200, "note": 20_000}


@dataclass
class Problem:
    column: int | None  # index in the file, None for the row as a whole
    value: str
    message: str


@dataclass
class Candidate:
    """A row that passed validation: what to write, and the keys that find its duplicates."""

    row: int
    fields: dict[str, Any]
    contacts: list[services.ContactInput] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    note: str = ""
    kind: str = Kind.PERSON
    derived: services.Derived | None = None
    keys: list[tuple[str, str]] = field(default_factory=list)

    def refresh(self) -> None:
        """Recompute the derived fields and the keys that identify the customer."""
        self.derived = services.derive(self.kind, self.fields, self.contacts)
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
    from django.utils import translation

    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[search_key(value)] = value
        for language in ("fa", "en"):
            with translation.override(language):
                accepted[search_key(str(label))] = value
    return accepted


class RowReader:
    """Reads the rows of one job. Built once per job: lookups are prepared up front."""

    def __init__(
        self, *, kind: str, mapping: dict[str, str], actor: User, default_owner: User | None
    ) -> None:
        self.kind = kind
        self.actor = actor
        self.columns = sorted((int(i), key) for i, key in mapping.items())
        self.default_owner = default_owner
        self.sources = _choices(Source.choices)
        self.stages = _choices(Stage.choices)
        # Owners by username or email; only those the importing user may give customers to.
        self.owners: dict[str, User] = {}
        for user in User.objects.filter(is_active=True).select_related("team"):
            if policy.may_own(actor, Party, user):
                self.owners[search_key(user.username)] = user
                if user.email:
                    self.owners[search_key(user.email)] = user
        self.now = timezone.now()

    def read(self, number: int, cells: list[str]) -> Candidate | list[Problem]:
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        contacts: list[services.ContactInput] = []
        address: dict[str, str] = {}
        extra: dict[str, str] = {}
        for index, key in self.columns:
            raw = cells[index] if index < len(cells) else ""
            if not raw or not raw.strip():
                continue
            raw = unneutralise(raw)  # a file we exported: «'+98…» was «+98…»
            try:
                self._cell(key, raw, values, contacts, address, extra)
            except ValidationError as exc:
                problems.extend(Problem(index, raw, m) for m in exc.messages)
        if any(address.values()):
            try:
                contacts.append(services.clean_contact({"kind": "address", "value": "", **address}))
            except ValidationError as exc:
                problems.append(Problem(None, " ".join(address.values()), " ".join(exc.messages)))
        if problems:
            return problems
        values.setdefault("owner", self.default_owner)
        try:
            fields = services.clean_party_fields(self.kind, values, actor=self.actor)
        except ValidationError as exc:
            return [
                Problem(self._column_of(name), str(values.get(name, "")), message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        candidate = Candidate(
            number,
            fields,
            _one_primary(contacts),
            organisation=extra.get("organisation", ""),
            job_title=extra.get("job_title", ""),
            note=extra.get("note", ""),
            tags=_tags(extra.get("tags", "")),
            kind=self.kind,
        )
        candidate.refresh()
        return candidate

    def _cell(
        self,
        key: str,
        raw: str,
        values: dict[str, Any],
        contacts: list[services.ContactInput],
        address: dict[str, str],
        extra: dict[str, str],
    ) -> None:
        if key in ("first_name", "last_name", "name", "website", "industry", "national_id"):
            values[key] = raw
        elif key == "full_name":
            first, _space, last = clean_text(raw).rpartition(" ")
            values["first_name"], values["last_name"] = first, last
        elif key in PHONE_LABELS:
            for part in _split_many(raw):
                contacts.append(
                    services.clean_contact(
                        services.ContactInput(kind="phone", value=part, label=PHONE_LABELS[key])
                    )
                )
        elif key == "email":
            for part in _split_many(raw):
                contacts.append(
                    services.clean_contact(services.ContactInput(kind="email", value=part, label="work"))
                )
        elif key == "date_of_birth":
            try:
                values[key] = parse_date(raw)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        elif key == "owner":
            owner = self.owners.get(search_key(raw))
            if owner is None:
                raise ValidationError(
                    _("No user you may give customers to is called “%(value)s”.") % {"value": raw}
                )
            values[key] = owner
        elif key in ("source", "stage"):
            choice = (self.sources if key == "source" else self.stages).get(search_key(raw))
            if choice is None:
                raise ValidationError(
                    _("“%(value)s” is not a known %(field)s.") % {"value": raw, "field": _(key)}
                )
            values[key] = choice
        elif key in ("email_consent", "sms_consent"):
            answer = search_key(raw)
            if answer not in YES and answer not in NO:
                raise ValidationError(_("Write yes or no, not “%(value)s”.") % {"value": raw})
            values[key] = answer in YES
            values[f"{key}_source"] = "import"
        elif key in ADDRESS_PARTS:
            address[key] = raw
        else:  # organisation, job_title, tags, note
            text = raw.strip() if key == "note" else clean_text(raw)
            limit = TEXT_LIMITS.get(key)
            if limit and len(text) > limit:
                raise ValidationError(
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": limit, "count": len(text)}
                )
            extra[key] = text

    def _column_of(self, name: str) -> int | None:
        aliases = {"first_name": ("first_name", "full_name"), "last_name": ("last_name", "full_name")}
        for index, key in self.columns:
            if key in aliases.get(name, (name,)):
                return index
        return None


def _split_many(raw: str) -> list[str]:
    """Several phones or emails in one cell, separated by commas or new lines."""
    parts = [p.strip() for p in raw.replace("\n", ",").translate(TAG_SEPARATORS).split(",")]
    return [p for p in parts if p]


def _tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.translate(TAG_SEPARATORS).split(",") if t.strip()][:20]


def _one_primary(contacts: list[services.ContactInput]) -> list[services.ContactInput]:
    """Drop repeats and make the first of each kind primary, as the services would."""
    unique: list[services.ContactInput] = []
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
