"""Numbers and addresses as outside systems send them (a PBX, a mail server, an SMS
gateway), read into the forms customers' contact points are stored in."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from peyvand.core.text import clean_text, to_ascii_digits
from peyvand.customers.normalize import normalize_email, normalize_phone

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


def clean_address(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except ValidationError:
        return None
