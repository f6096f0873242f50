"""Finding the customer behind an address or a number, and creating a suspect when none is.

Used by everything that arrives without a user: inbound email and SMS, and the PBX.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from peyvand.core.models import User
from peyvand.core.text import clean_text, to_ascii_digits
from peyvand.customers.models import ContactPoint, Kind, Party, Source
from peyvand.customers.normalize import display_phone, normalize_email, normalize_phone

_WITHHELD = {"", "anonymous", "unknown", "private", "restricted", "unavailable", "withheld"}
_URI = re.compile(r"^(?:tel|sip|sips):", re.IGNORECASE)
# "ext. 12", "extension 12", "x12", "#12", "داخلی 12" at the end of a number.
_EXTENSION = re.compile(r"\s*\(?(?:ext\.?|extension|x|#|,|داخلی)\s*[:.]?\s*\d{1,6}\)?\s*$", re.IGNORECASE)
# Subscriber numbers without an area code: eight digits in Tehran and most provinces, seven
# in a few.
_LOCAL_LENGTHS = (7, 8)


def caller_number(raw: str) -> str | None:
    """A number as a PBX reports it, as E.164; None when withheld or not a phone number.

    Accepts 09121234567, +98 912 123 4567, 00989121234567, 989121234567 (Asterisk often
    drops the plus), 9121234567, ۰۹۱۲۱۲۳۴۵۶۷, "tel:+98…", "sip:0912…@pbx" and the like;
    a local number without its area code (88776655) is in PEYVAND_TELEPHONY_AREA_CODE's;
    an extension ("… ext. 12", "…;ext=12", "… x12", "… داخلی ۱۲") is left out.
    """
    text = to_ascii_digits(clean_text(raw or "")).strip().strip('"')
    if text.lower() in _WITHHELD:
        return None
    text = _URI.sub("", text).split("@", 1)[0].split(";", 1)[0]
    text = _EXTENSION.sub("", text)
    digits = re.sub(r"[^\d+]", "", text)
    if not digits or len(digits) > 20:
        return None
    candidates = [digits]
    if not digits.startswith(("+", "0")) and len(digits) > 10:
        candidates.append("+" + digits)  # a country code without its plus
    area = settings.PEYVAND_TELEPHONY_AREA_CODE
    if area and digits.isdigit() and len(digits) in _LOCAL_LENGTHS and not digits.startswith("0"):
        candidates.insert(0, f"0{area}{digits}")  # dialled locally, as a PBX reports it
    for candidate in candidates:
        try:
            return normalize_phone(candidate)
        except ValidationError:
            continue
    return None


def party_by_phone(e164: str, *, prefer_owner: User | None = None) -> Party | None:
    """The customer with this number; the preferred owner's first when several share it."""
    points = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.PHONE, value=e164, party__deleted_at__isnull=True
    )
    return _pick(points, prefer_owner)


def parties_by_phone(e164: str) -> QuerySet[Party]:
    """Every live customer with this number (a family's shared phone, duplicates)."""
    points = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE, value=e164)
    return Party.objects.filter(pk__in=points.values("party_id"), deleted_at__isnull=True).order_by("id")


def party_by_email(address: str) -> Party | None:
    points = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.EMAIL, value=address, party__deleted_at__isnull=True
    )
    return _pick(points, None)


def _pick(points: QuerySet[ContactPoint], prefer_owner: User | None) -> Party | None:
    parties = list(
        Party.objects.filter(pk__in=points.values("party_id"))
        .select_related("owner")
        .order_by("-updated_at", "id")[:10]
    )
    if prefer_owner is not None:
        for party in parties:
            if party.owner_id == prefer_owner.pk:
                return party
    return parties[0] if parties else None


def suspect_create(
    *,
    actor: User,
    kind: str,
    value: str,
    name: str = "",
    source: str = Source.OTHER,
    owner: User | None = None,
) -> Party:
    """A new suspect for an unknown sender or caller, through the customers' own service."""
    from peyvand.customers.services import party_create

    name = clean_text(name)
    if not name:
        with translation.override(actor.language or settings.LANGUAGE_CODE):
            shown = display_phone(value) if kind == ContactPoint.Kind.PHONE else value
            name = _("Unknown %(contact)s") % {"contact": shown}
    first, _space, last = name.rpartition(" ")
    data = {"first_name": first[:100], "last_name": (last or name)[:100], "owner": owner, "source": source}
    return party_create(
        actor=actor,
        kind=Kind.PERSON,
        data=data,
        contacts=[{"kind": kind, "value": value}],
        allow_duplicate=True,
    )


def clean_address(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except ValidationError:
        return None
