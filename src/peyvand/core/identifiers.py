"""Iranian official identifiers as an official sales invoice carries them: the economic code,
a legal entity's national ID, the postal code and the bank account (IBAN, «شبا»).

Each ``normalize_*`` takes what was typed (Persian, Arabic or Latin digits, spaces and
dashes between groups) and returns the value to store, or raises a ValidationError whose
message says what is wrong. An empty value stays empty: every one of them is optional.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import clean_text, to_ascii_digits

_SEPARATORS = re.compile(r"[\s\-_.]")


def _digits(raw: str) -> str:
    return _SEPARATORS.sub("", to_ascii_digits(clean_text(raw)))


def valid_legal_id(code: str) -> bool:
    """A legal entity's national ID («شناسه ملی»): 11 digits, the last a check digit."""
    if len(code) != 11 or not code.isdigit():
        return False
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    tenth = int(code[9]) + 2
    total = sum((int(code[i]) + tenth) * weights[i] for i in range(10)) % 11
    return int(code[10]) == (0 if total == 10 else total)


ECONOMIC_CODE_LENGTHS = (10, 11, 12)


def normalize_economic_code(raw: str) -> str:
    """The economic code («کد اقتصادی»): 12 digits as issued before 1398; since then the tax
    administration uses a legal entity's 11-digit national ID and a person's 10-digit
    national code as their economic code, so those lengths are accepted too."""
    value = _digits(raw)
    if not value:
        return ""
    if not value.isdigit() or len(value) not in ECONOMIC_CODE_LENGTHS:
        raise ValidationError(
            _("An economic code has 12 digits (or the 11-digit national ID, or a 10-digit national code)."),
            code="invalid_economic_code",
        )
    return value


def normalize_legal_id(raw: str) -> str:
    value = _digits(raw)
    if not value:
        return ""
    if not valid_legal_id(value):
        raise ValidationError(
            _("“%(value)s” is not a valid national ID of a legal entity (11 digits, the last a check digit).")
            % {"value": raw},
            code="invalid_national_id",
        )
    return value


def normalize_postal_code(raw: str) -> str:
    value = _digits(raw)
    if not value:
        return ""
    if not value.isdigit() or len(value) != 10:
        raise ValidationError(_("A postal code has 10 digits."), code="invalid_postal_code")
    return value


IBAN_LENGTH = 26  # IR, two check digits, 22 digits of the bank and the account


def normalize_iban(raw: str) -> str:
    """An Iranian IBAN («شبا»): IR and 24 digits, valid by the ISO 7064 mod-97 check."""
    value = _digits(raw).upper()
    if not value:
        return ""
    if value.isdigit() and len(value) == IBAN_LENGTH - 2:
        value = f"IR{value}"  # typed without the country, as the bank's app shows it
    if len(value) != IBAN_LENGTH or not value.startswith("IR") or not value[2:].isdigit():
        raise ValidationError(_("An IBAN (Sheba) is IR followed by 24 digits."), code="invalid_iban")
    if not iban_checksum_ok(value):
        raise ValidationError(
            _("This IBAN (Sheba) is mistyped: its check digits do not match."), code="invalid_iban"
        )
    return value


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10–35, mod 97 is 1."""
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in moved)
    return int(number) % 97 == 1


def iban_display(iban: str) -> str:
    """Groups of four, as banks print it: IR06 0120 0000 …"""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
