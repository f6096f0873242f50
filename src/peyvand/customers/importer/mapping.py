"""Which column of a file holds which field: guessed from Persian and English headers, and
remembered once someone confirms it, for the next file with the same columns.

The fields are the importer's (``registry``); those of people and organisations are here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from peyvand.core.selectors.custom_fields import definitions_for
from peyvand.core.text import search_key

from ..models import ContactPoint, ImportMapping, Kind
from . import registry
from .registry import Target

PERSON, ORGANISATION = Kind.PERSON, Kind.ORGANISATION


def headers(*names: str) -> tuple[str, ...]:
    """Column titles as a target lists them: in search-key form."""
    return tuple(search_key(n) for n in names)


_h = headers


@dataclass(frozen=True)
class _CustomerTarget:
    """A target of people, organisations or both."""

    key: str
    label: Any
    kinds: tuple[str, ...]
    headers: tuple[str, ...]
    repeatable: bool = False
    yields_to: tuple[str, ...] = ()

    def target(self) -> Target:
        return Target(self.key, self.label, self.headers, self.repeatable, self.yields_to)


_CUSTOMER_TARGETS: tuple[_CustomerTarget, ...] = (
    _CustomerTarget(
        "first_name",
        _("First name"),
        (PERSON,),
        _h("first name", "firstname", "given name", "نام", "اسم", "نام کوچک"),
    ),
    _CustomerTarget(
        "last_name",
        _("Last name"),
        (PERSON,),
        _h(
            "last name",
            "lastname",
            "surname",
            "family name",
            "نام خانوادگی",
            "نام‌خانوادگی",
            "فامیلی",
            "فامیل",
        ),
    ),
    _CustomerTarget(
        "full_name",
        _("Full name"),
        (PERSON,),
        _h("full name", "name", "contact", "contact name", "نام کامل", "نام و نام خانوادگی", "نام شخص"),
        yields_to=("first_name", "last_name"),  # a file with both has "name" as the first name
    ),
    _CustomerTarget(
        "name",
        _("Organisation name"),
        (ORGANISATION,),
        _h(
            "name",
            "company",
            "company name",
            "organisation",
            "organization",
            "account",
            "نام",
            "نام شرکت",
            "شرکت",
            "سازمان",
            "نام سازمان",
        ),
    ),
    _CustomerTarget(
        "mobile",
        _("Mobile"),
        (PERSON, ORGANISATION),
        _h(
            "mobile",
            "cell",
            "cellphone",
            "mobile phone",
            "موبایل",
            "همراه",
            "تلفن همراه",
            "شماره همراه",
            "شماره موبایل",
        ),
        repeatable=True,
    ),
    _CustomerTarget(
        "phone",
        _("Phone"),
        (PERSON, ORGANISATION),
        _h(
            "phone",
            "telephone",
            "tel",
            "work phone",
            "phone number",
            "تلفن",
            "شماره تلفن",
            "تلفن ثابت",
            "شماره تماس",
            "تلفن محل کار",
        ),
        repeatable=True,
    ),
    _CustomerTarget("fax", _("Fax"), (PERSON, ORGANISATION), _h("fax", "فکس", "نمابر"), repeatable=True),
    _CustomerTarget(
        "email",
        _("Email"),
        (PERSON, ORGANISATION),
        _h(
            "email", "e-mail", "email address", "mail", "ایمیل", "پست الکترونیک", "پست الکترونیکی", "رایانامه"
        ),
        repeatable=True,
    ),
    _CustomerTarget(
        "national_id",
        _("National ID"),
        (PERSON, ORGANISATION),
        _h("national id", "national code", "national number", "کد ملی", "شناسه ملی", "شماره ملی"),
    ),
    _CustomerTarget(
        "date_of_birth",
        _("Date of birth"),
        (PERSON,),
        _h("date of birth", "birth date", "birthdate", "birthday", "dob", "تاریخ تولد", "تولد"),
    ),
    _CustomerTarget(
        "organisation",
        _("Organisation"),
        (PERSON,),
        _h("company", "organisation", "organization", "account", "employer", "شرکت", "سازمان", "محل کار"),
    ),
    _CustomerTarget(
        "job_title",
        _("Job title"),
        (PERSON,),
        _h("job title", "title", "position", "role", "سمت", "عنوان شغلی"),
    ),
    _CustomerTarget(
        "website",
        _("Website"),
        (ORGANISATION,),
        _h("website", "web", "url", "site", "وب سایت", "وبسایت", "سایت"),
    ),
    _CustomerTarget(
        "industry",
        _("Industry"),
        (ORGANISATION,),
        _h("industry", "sector", "صنعت", "حوزه فعالیت", "زمینه فعالیت"),
    ),
    _CustomerTarget(
        "owner",
        _("Owner"),
        (PERSON, ORGANISATION),
        _h("owner", "account owner", "assigned to", "مالک", "مسئول"),
    ),
    _CustomerTarget(
        "source", _("Source"), (PERSON, ORGANISATION), _h("source", "lead source", "منبع", "کانال آشنایی")
    ),
    _CustomerTarget(
        "stage",
        _("Stage"),
        (PERSON, ORGANISATION),
        _h("stage", "lifecycle stage", "status", "مرحله", "وضعیت"),
    ),
    _CustomerTarget(
        "tags", _("Tags"), (PERSON, ORGANISATION), _h("tags", "tag", "labels", "برچسب", "برچسب ها", "تگ")
    ),
    _CustomerTarget(
        "email_consent",
        _("Agrees to email"),
        (PERSON, ORGANISATION),
        _h("email consent", "email opt in", "رضایت ایمیل", "موافقت با ایمیل"),
    ),
    _CustomerTarget(
        "sms_consent",
        _("Agrees to SMS"),
        (PERSON, ORGANISATION),
        _h("sms consent", "sms opt in", "رضایت پیامک", "موافقت با پیامک"),
    ),
    _CustomerTarget(
        "street",
        _("Street address"),
        (PERSON, ORGANISATION),
        _h("address", "street", "street address", "نشانی", "آدرس", "خیابان"),
    ),
    _CustomerTarget("city", _("City"), (PERSON, ORGANISATION), _h("city", "town", "شهر")),
    _CustomerTarget(
        "province", _("Province"), (PERSON, ORGANISATION), _h("province", "state", "region", "استان")
    ),
    _CustomerTarget(
        "postal_code",
        _("Postal code"),
        (PERSON, ORGANISATION),
        _h("postal code", "postcode", "zip", "zip code", "کد پستی", "کدپستی"),
    ),
    _CustomerTarget("country", _("Country"), (PERSON, ORGANISATION), _h("country", "کشور")),
    _CustomerTarget(
        "note",
        _("Note"),
        (PERSON, ORGANISATION),
        _h("note", "notes", "comment", "description", "یادداشت", "توضیحات"),
    ),
)
PERSON_TARGETS = tuple(t.target() for t in _CUSTOMER_TARGETS if PERSON in t.kinds)
ORGANISATION_TARGETS = tuple(t.target() for t in _CUSTOMER_TARGETS if ORGANISATION in t.kinds)
PHONE_LABELS = {
    "mobile": ContactPoint.Label.MOBILE,
    "phone": ContactPoint.Label.WORK,
    "fax": ContactPoint.Label.FAX,
}


CUSTOM_TARGET = "custom:"
# The import kinds whose rows carry custom fields -> their records' custom field entity.
CUSTOM_ENTITIES: dict[str, str] = {PERSON: PERSON, ORGANISATION: ORGANISATION}


def import_custom_fields(kind: str, entity: str) -> None:
    """Let ``kind``'s columns feed the custom fields of ``entity`` (its app's hooks call this;
    its reader takes the ``custom:<key>`` columns)."""
    CUSTOM_ENTITIES[kind] = entity


def targets_for(kind: str) -> list[Target]:
    """The kind's own fields, then its active custom fields (recognised by their labels in
    either language or their key, as an export heads them)."""
    entity = CUSTOM_ENTITIES.get(kind)
    custom = [
        Target(
            f"{CUSTOM_TARGET}{d.key}",
            d.label(translation.get_language()),
            headers(d.label_fa, d.label_en, d.key),
        )
        for d in (definitions_for(entity) if entity else [])
    ]
    return [*registry.get(kind).targets, *custom]


def _label_keys(label: Any) -> set[str]:
    keys = set()
    for language in ("fa", "en"):
        with translation.override(language):
            keys.add(search_key(str(label)))
    return keys


def header_key(header: list[str]) -> str:
    """A fingerprint of a header: the same columns in the same order give the same key."""
    return hashlib.sha256("\x1f".join(search_key(h) for h in header).encode()).hexdigest()


def guess(kind: str, header: list[str]) -> dict[str, str]:
    """column index (as text) -> target key, for the columns whose header we recognise."""
    remembered = ImportMapping.objects.filter(kind=kind, header_key=header_key(header)).first()
    if remembered is not None:
        return clean(kind, header, remembered.mapping)
    targets = targets_for(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, title in enumerate(header):
        key = search_key(title)
        for target in targets:
            # A header may also be the field's own name, as the API writes it, or its label in
            # either language, as an export writes it (so an export imports back).
            named = key in target.headers or key == search_key(target.key) or key in _label_keys(target.label)
            if named and (target.repeatable or target.key not in taken):
                mapping[str(index)] = target.key
                taken.add(target.key)
                break
    yielding = {t.key for t in targets if taken.intersection(t.yields_to)}
    return {i: t for i, t in mapping.items() if t not in yielding}


def clean(kind: str, header: list[str], mapping: dict[str, Any]) -> dict[str, str]:
    """Keep only valid pairs: an existing column and a target for this kind, at most once."""
    by_key = {t.key: t for t in targets_for(kind)}
    cleaned: dict[str, str] = {}
    used: set[str] = set()
    for index, key in sorted(
        mapping.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else -1
    ):
        if not str(index).isdigit() or int(index) >= len(header) or key not in by_key:
            continue
        if key in used and not by_key[key].repeatable:
            continue
        cleaned[str(int(index))] = key
        used.add(key)
    return cleaned


def remember(kind: str, header: list[str], mapping: dict[str, str]) -> None:
    ImportMapping.objects.update_or_create(
        kind=kind, header_key=header_key(header), defaults={"mapping": mapping}
    )
