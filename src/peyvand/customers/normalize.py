"""Normalising contact points: phones to E.164, emails to lower case, national IDs checked."""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from peyvand.core.jalali import local_digits
from peyvand.core.text import clean_text, to_ascii_digits

DEFAULT_REGION = "IR"


# Separators people put inside numbers, and the ways an Iranian mobile is written:
# 0912…, 912…, +98912…, 0098912…, 98912…
_SEPARATORS = re.compile(r"[\s\-().\u200c\u200e\u200f\u202a-\u202e]")
_IR_MOBILE = re.compile(r"(?:\+98|0098|98|0)?(9\d{9})")


@functools.cache
def _ir_mobile_prefix_valid(prefix: str) -> bool:
    """Whether mobiles starting 9XXXX exist. Iran's numbering plan decides by these five
    digits alone (the rest is free), so one check per prefix serves every number."""
    return phonenumbers.is_valid_number(phonenumbers.parse("+98" + prefix + "00000"))


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Any way a phone number is written, as E.164: 09121234567 → +989121234567."""
    if region == DEFAULT_REGION and isinstance(raw, str):
        # The common case, a million times over in an import, without a full parse.
        mobile = _IR_MOBILE.fullmatch(_SEPARATORS.sub("", to_ascii_digits(raw)))
        if mobile and _ir_mobile_prefix_valid(mobile.group(1)[:5]):
            return "+98" + mobile.group(1)
    text = to_ascii_digits(clean_text(raw))
    if not text:
        raise ValidationError(_("Enter a phone number."), code="invalid_phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": raw}, code="invalid_phone"
        ) from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number.") % {"value": raw}, code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_variants(e164: str) -> list[str]:
    """The forms a person may search a stored number by: +989121234567 and 09121234567."""
    if e164.startswith("+98"):
        return [e164, "0" + e164[3:]]  # Iran's national form is the trunk 0 and the rest
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return [e164]
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return [e164, "".join(ch for ch in national if ch.isdigit())]


def display_phone(e164: str) -> str:
    """National format for Iranian numbers, international for the rest."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def show_contact_value(value: str) -> str:
    """A stored contact value as people read it: phones in national format, local digits."""
    if isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
        return local_digits(display_phone(value))
    return str(value)


def show_contact_value_in_line(value: str) -> str:
    """``show_contact_value`` for a line of Persian text (the audit log, the trash): a phone
    isolated left to right (LRI … PDI), or its groups of digits read "4567 123 0912"."""
    shown = show_contact_value(value)
    return f"\u2066{shown}\u2069" if shown != value else shown


def _compiled_email_validator() -> EmailValidator:
    """Django's own email rules, with its lazily compiled patterns compiled once: the lazy
    proxies cost more than the matching when an import checks a million addresses."""
    validator = EmailValidator()
    for name in ("user_regex", "domain_regex", "literal_regex"):
        lazy = getattr(validator, name)
        setattr(validator, name, re.compile(lazy.pattern, lazy.flags))
    return validator


_validate_email = _compiled_email_validator()


def normalize_email(raw: str) -> str:
    value = to_ascii_digits(clean_text(raw)).lower()
    try:
        _validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid email address.") % {"value": raw}, code="invalid_email"
        ) from None
    return value


def normalize_national_id(raw: str, *, organisation: bool) -> str:
    """An Iranian national code (10 digits) or a legal entity's national ID (11 digits).

    Foreign customers have other identifiers, so anything that is not all digits is kept as
    typed; a 10- or 11-digit value must pass its check digit.
    """
    value = to_ascii_digits(clean_text(raw))
    digits = value.replace("-", "").replace(" ", "")
    if not digits.isdigit():
        return value
    value = digits
    if not organisation and len(value) in (8, 9):
        value = value.zfill(10)  # spreadsheets drop the leading zeros
    valid = _valid_legal_id(value) if organisation else _valid_national_code(value)
    if not valid:
        raise ValidationError(
            _("“%(value)s” is not a valid national ID.") % {"value": raw}, code="invalid_national_id"
        )
    return value


def _valid_national_code(code: str) -> bool:
    if len(code) != 10 or len(set(code)) == 1:
        return False
    total = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == total if total < 2 else check == 11 - total


def _valid_legal_id(code: str) -> bool:
    if len(code) != 11:
        return False
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    tenth = int(code[9]) + 2
    total = sum((int(code[i]) + tenth) * weights[i] for i in range(10)) % 11
    return int(code[10]) == (0 if total == 10 else total)
