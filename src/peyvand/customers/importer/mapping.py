"""Which column of a file holds which field: guessed from Persian and English headers, and
remembered once someone confirms it, for the next file with the same columns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from peyvand.core.text import search_key

from ..models import ContactPoint, ImportMapping, Kind

PERSON, ORGANISATION = Kind.PERSON, Kind.ORGANISATION


@dataclass(frozen=True)
class Target:
    key: str
    label: Any
    kinds: tuple[str, ...]
    headers: tuple[str, ...]  # what such a column is called, in search-key form
    repeatable: bool = False  # several columns may feed it (two phone columns)


def _h(*names: str) -> tuple[str, ...]:
    return tuple(search_key(n) for n in names)


TARGETS: tuple[Target, ...] = (
    Target(
        "first_name",
        _("First name"),
        (PERSON,),
        _h("first name", "firstname", "given name", "نام", "اسم", "نام کوچک"),
    ),
    Target(
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
    Target(
        "full_name",
        _("Full name"),
        (PERSON,),
        _h("full name", "name", "contact", "contact name", "نام کامل", "نام و نام خانوادگی", "نام شخص"),
    ),
    Target(
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
    Target(
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
    Target(
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
    Target("fax", _("Fax"), (PERSON, ORGANISATION), _h("fax", "فکس", "نمابر"), repeatable=True),
    Target(
        "email",
        _("Email"),
        (PERSON, ORGANISATION),
        _h(
            "email", "e-mail", "email address", "mail", "ایمیل", "پست الکترونیک", "پست الکترونیکی", "رایانامه"
        ),
        repeatable=True,
    ),
    Target(
        "national_id",
        _("National ID"),
        (PERSON, ORGANISATION),
        _h("national id", "national code", "national number", "کد ملی", "شناسه ملی", "شماره ملی"),
    ),
    Target(
        "date_of_birth",
        _("Date of birth"),
        (PERSON,),
        _h("date of birth", "birth date", "birthdate", "birthday", "dob", "تاریخ تولد", "تولد"),
    ),
    Target(
        "organisation",
        _("Organisation"),
        (PERSON,),
        _h("company", "organisation", "organization", "account", "employer", "شرکت", "سازمان", "محل کار"),
    ),
    Target(
        "job_title",
        _("Job title"),
        (PERSON,),
        _h("job title", "title", "position", "role", "سمت", "عنوان شغلی"),
    ),
    Target(
        "website",
        _("Website"),
        (ORGANISATION,),
        _h("website", "web", "url", "site", "وب سایت", "وبسایت", "سایت"),
    ),
    Target(
        "industry",
        _("Industry"),
        (ORGANISATION,),
        _h("industry", "sector", "صنعت", "حوزه فعالیت", "زمینه فعالیت"),
    ),
    Target(
        "owner",
        _("Owner"),
        (PERSON, ORGANISATION),
        _h("owner", "account owner", "assigned to", "مالک", "مسئول"),
    ),
    Target(
        "source", _("Source"), (PERSON, ORGANISATION), _h("source", "lead source", "منبع", "کانال آشنایی")
    ),
    Target(
        "stage",
        _("Stage"),
        (PERSON, ORGANISATION),
        _h("stage", "lifecycle stage", "status", "مرحله", "وضعیت"),
    ),
    Target("tags", _("Tags"), (PERSON, ORGANISATION), _h("tags", "tag", "labels", "برچسب", "برچسب ها", "تگ")),
    Target(
        "email_consent",
        _("Agrees to email"),
        (PERSON, ORGANISATION),
        _h("email consent", "email opt in", "رضایت ایمیل", "موافقت با ایمیل"),
    ),
    Target(
        "sms_consent",
        _("Agrees to SMS"),
        (PERSON, ORGANISATION),
        _h("sms consent", "sms opt in", "رضایت پیامک", "موافقت با پیامک"),
    ),
    Target(
        "street",
        _("Street address"),
        (PERSON, ORGANISATION),
        _h("address", "street", "street address", "نشانی", "آدرس", "خیابان"),
    ),
    Target("city", _("City"), (PERSON, ORGANISATION), _h("city", "town", "شهر")),
    Target("province", _("Province"), (PERSON, ORGANISATION), _h("province", "state", "region", "استان")),
    Target(
        "postal_code",
        _("Postal code"),
        (PERSON, ORGANISATION),
        _h("postal code", "postcode", "zip", "zip code", "کد پستی", "کدپستی"),
    ),
    Target("country", _("Country"), (PERSON, ORGANISATION), _h("country", "کشور")),
    Target(
        "note",
        _("Note"),
        (PERSON, ORGANISATION),
        _h("note", "notes", "comment", "description", "یادداشت", "توضیحات"),
    ),
)
BY_KEY = {t.key: t for t in TARGETS}
PHONE_LABELS = {
    "mobile": ContactPoint.Label.MOBILE,
    "phone": ContactPoint.Label.WORK,
    "fax": ContactPoint.Label.FAX,
}


def targets_for(kind: str) -> list[Target]:
    return [t for t in TARGETS if kind in t.kinds]


def header_key(header: list[str]) -> str:
    """A fingerprint of a header: the same columns in the same order give the same key."""
    return hashlib.sha256("\x1f".join(search_key(h) for h in header).encode()).hexdigest()


def guess(kind: str, header: list[str]) -> dict[str, str]:
    """column index (as text) -> target key, for the columns whose header we recognise."""
    remembered = ImportMapping.objects.filter(kind=kind, header_key=header_key(header)).first()
    if remembered is not None:
        return clean(kind, header, remembered.mapping)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, title in enumerate(header):
        key = search_key(title)
        for target in targets_for(kind):
            if key in target.headers and (target.repeatable or target.key not in taken):
                mapping[str(index)] = target.key
                taken.add(target.key)
                break
    if "first_name" in taken or "last_name" in taken:
        mapping = {i: t for i, t in mapping.items() if t != "full_name"}
    return mapping


def clean(kind: str, header: list[str], mapping: dict[str, Any]) -> dict[str, str]:
    """Keep only valid pairs: an existing column and a target for this kind, at most once."""
    valid = {t.key for t in targets_for(kind)}
    cleaned: dict[str, str] = {}
    used: set[str] = set()
    for index, key in sorted(
        mapping.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else -1
    ):
        if not str(index).isdigit() or int(index) >= len(header) or key not in valid:
            continue
        if key in used and not BY_KEY[key].repeatable:
            continue
        cleaned[str(int(index))] = key
        used.add(key)
    return cleaned


def remember(kind: str, header: list[str], mapping: dict[str, str]) -> None:
    ImportMapping.objects.update_or_create(
        kind=kind, header_key=header_key(header), defaults={"mapping": mapping}
    )
