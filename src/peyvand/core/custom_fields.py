"""The rules custom fields follow: which types there are, how a value of each is read
(from a form, the API or an import's cell), validated, normalised, stored and shown.

Pure functions of the values and the definitions, without reading the database: forms,
the API and the importer share them, so a value one accepts the others accept too. What
needs the database (is this user active? who is user 7?) comes in as a function.

A record keeps its values in a JSON object ``custom`` under each field's key, stored as:
text, link, choice: a string (a choice by its key); date: "YYYY-MM-DD"; number and money:
a decimal string ("1250000", "-3.5"), exact and sortable as a number; yes/no: true or
false; multi-choice: a list of choice keys; user: the user's id. An empty value is not
stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import jalali
from .addresses import is_web_address
from .text import clean_text, search_key, to_ascii_digits, to_persian_digits

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEXT_MAX = 500
LINK_MAX = 500
NUMBER_DIGITS, NUMBER_PLACES = 15, 6
MONEY_DIGITS, MONEY_PLACES = 18, 2
MAX_CHOICES = 100
OLDEST_DATE, LATEST_DATE = dt.date(1800, 1, 1), dt.date(2200, 12, 31)


class FieldType(models.TextChoices):
    TEXT = "text", gettext_lazy("Text")
    NUMBER = "number", gettext_lazy("Number")
    MONEY = "money", gettext_lazy("Money")
    DATE = "date", gettext_lazy("Date")
    CHOICE = "choice", gettext_lazy("Choice")
    MULTI_CHOICE = "multi_choice", gettext_lazy("Multiple choice")
    YES_NO = "yes_no", gettext_lazy("Yes or no")
    USER = "user", gettext_lazy("User")
    LINK = "link", gettext_lazy("Link")


class Entity(models.TextChoices):
    """The kinds of record that take custom fields."""

    PERSON = "person", gettext_lazy("People")
    ORGANISATION = "organisation", gettext_lazy("Organisations")
    LEAD = "lead", gettext_lazy("Leads")
    DEAL = "deal", gettext_lazy("Deals")
    PRODUCT = "product", gettext_lazy("Products")
    TICKET = "ticket", gettext_lazy("Tickets")


CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
NUMERIC_TYPES = frozenset({FieldType.NUMBER, FieldType.MONEY})
# The types a list filters by a range (from, to) rather than by one value.
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.MONEY, FieldType.DATE})
YES_WORDS = frozenset(search_key(w) for w in ("yes", "y", "true", "1", "بله", "بلی", "آری", "آره", "دارد"))
NO_WORDS = frozenset(search_key(w) for w in ("no", "n", "false", "0", "خیر", "نه", "ندارد"))


@dataclass(frozen=True)
class Choice:
    key: str
    label_fa: str
    label_en: str

    def label(self, language: str | None) -> str:
        return (self.label_fa if (language or "").startswith("fa") else self.label_en) or self.key


@dataclass(frozen=True)
class Definition:
    """What the rules need of a custom field (``CustomField.definition()`` makes one)."""

    key: str
    type: str
    label_fa: str
    label_en: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    filterable: bool = False
    in_list: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def label(self, language: str | None) -> str:
        return (self.label_fa if (language or "").startswith("fa") else self.label_en) or self.key

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)


UserCheck = Callable[[int], bool]
UserFind = Callable[[str], int | None]


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


# --- one value ----------------------------------------------------------------------------


def clean_value(definition: Definition, raw: Any, *, user_ok: UserCheck | None = None) -> Any:
    """One field's stored form of ``raw`` (None when empty); ``ValidationError`` with a
    translated message when it cannot be. ``raw`` may be the typed value (a date, a
    Decimal, a bool, a list) or text as someone typed it, in any digits."""
    if is_empty(raw):
        return None
    kind = definition.type
    if kind == FieldType.TEXT:
        return _text(raw, TEXT_MAX) or None
    if kind == FieldType.LINK:
        text = _text(raw, LINK_MAX)
        if text and not is_web_address(text if "://" in text else f"https://{text}"):
            raise ValidationError(_("Enter a web address, such as example.com."))
        return text or None
    if kind in NUMERIC_TYPES:
        return _number(raw, money=kind == FieldType.MONEY)
    if kind == FieldType.DATE:
        return _date(raw).isoformat()
    if kind == FieldType.YES_NO:
        return _yes_no(raw)
    if kind == FieldType.CHOICE:
        if isinstance(raw, list | tuple):
            raise ValidationError(_("Choose one of the options."))
        return _choice(definition, raw)
    if kind == FieldType.MULTI_CHOICE:
        items = _split(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple | set | frozenset):
            raise ValidationError(_("Choose one or more of the options."))
        chosen = {_choice(definition, item) for item in items if not is_empty(item)}
        # In the definition's order, so one set of options is stored one way.
        return [c.key for c in definition.choices if c.key in chosen] or None
    if kind == FieldType.USER:
        user_id = _user_id(raw)
        if user_ok is not None and not user_ok(user_id):
            raise ValidationError(_("Choose an active user."))
        return user_id
    raise ValidationError(_("This field has an unknown type."))


def _text(raw: Any, limit: int) -> str:
    if not isinstance(raw, str | int | float | Decimal):
        raise ValidationError(_("Enter text."))
    text = clean_text(str(raw))
    if len(text) > limit:
        raise ValidationError(
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
        )
    return text


def _number(raw: Any, *, money: bool) -> str:
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a number."))
    if isinstance(raw, float):
        raw = repr(raw)
    text = to_ascii_digits(str(raw)).strip()
    # Thousands separators as people type them (1,250,000 or ۱٬۲۵۰٬۰۰۰), and «٫» as the point.
    text = text.replace("٫", ".").replace("٬", "").replace(",", "").replace("،", "").replace(" ", "")
    text = text.replace("\u2212", "-")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    digits, places = (MONEY_DIGITS, MONEY_PLACES) if money else (NUMBER_DIGITS, NUMBER_PLACES)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            _("Use at most %(places)d digits after the decimal point.") % {"places": places}
        )
    if abs(number) >= Decimal(10) ** digits:
        raise ValidationError(_("Enter a number of at most %(digits)d digits.") % {"digits": digits})
    return format_decimal(number)


def format_decimal(number: Decimal) -> str:
    """A decimal's one stored form: no exponent, no trailing zeros ("1250000", "3.5")."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if not isinstance(raw, dt.date):
        if not isinstance(raw, str):
            raise ValidationError(_("Enter a valid date."))
        try:
            raw = jalali.parse_date(raw)
        except ValueError:
            raise ValidationError(_("Enter a valid date.")) from None
    if not OLDEST_DATE <= raw <= LATEST_DATE:
        raise ValidationError(_("Enter a valid date."))
    return raw


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    key = search_key(str(raw)) if isinstance(raw, str | int) else None
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise ValidationError(_("Choose yes or no."))


def _choice(definition: Definition, raw: Any) -> str:
    """An option by its key, or by its label in either language."""
    if not isinstance(raw, str):
        raise ValidationError(_("Choose one of the options."))
    text = clean_text(raw)
    if definition.choice(text) is not None:
        return text
    wanted = search_key(text)
    for option in definition.choices:
        if wanted in (search_key(option.label_fa), search_key(option.label_en), search_key(option.key)):
            return option.key
    raise ValidationError(_("“%(value)s” is not one of the options.") % {"value": text[:100]})


def _split(raw: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,،;؛\n]", raw) if part.strip()]


def _user_id(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValidationError(_("Choose an active user."))
    text = to_ascii_digits(str(raw)).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValidationError(_("Choose an active user."))
    return int(text)


# --- a record's values --------------------------------------------------------------------


def error_key(key: str) -> str:
    """The name a custom field's errors go under: the API's path to it, ``custom.<key>``."""
    return f"custom.{key}"


def clean_custom(
    definitions: Sequence[Definition],
    given: Mapping[str, Any] | None,
    *,
    current: Mapping[str, Any] | None,
    user_ok: UserCheck | None = None,
) -> dict[str, Any]:
    """A record's custom values after ``given`` is applied to ``current`` (None for a new
    record): keys given replace (an empty value or null clears), others stay. Every error
    at once, under ``custom.<key>``. Only active definitions may be given; values of fields
    since deactivated stay as they were."""
    by_key = {d.key: d for d in definitions}
    result = dict(current or {})
    errors: dict[str, list[str]] = {}
    if given is not None and not isinstance(given, Mapping):
        raise ValidationError({"custom": [_("Give the custom fields as an object of keys and values.")]})
    for key, raw in (given or {}).items():
        definition = by_key.get(str(key))
        if definition is None:
            errors.setdefault(error_key(str(key)[:50]), []).append(_("There is no such custom field."))
            continue
        try:
            value = clean_value(definition, raw, user_ok=user_ok)
        except ValidationError as exc:
            errors.setdefault(error_key(definition.key), []).extend(exc.messages)
            continue
        if value is None:
            result.pop(definition.key, None)
        else:
            result[definition.key] = value
    for definition in definitions:
        asked = current is None or definition.key in (given or {})
        refused = error_key(definition.key) in errors  # its own error says enough
        if definition.required and asked and not refused and is_empty(result.get(definition.key)):
            errors.setdefault(error_key(definition.key), []).append(_("This field is required."))
    if errors:
        raise ValidationError(errors)
    return result


def custom_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The audit log's changes between two sets of values: ``custom.<key>`` -> [old, new]."""
    keys = sorted(set(before) | set(after))
    return {
        error_key(key): [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


# --- shown --------------------------------------------------------------------------------


def typed_value(definition: Definition, value: Any) -> Any:
    """The stored value as Python reads it: a Decimal, a date, a bool, a list, an id."""
    if is_empty(value):
        return None
    try:
        if definition.type in NUMERIC_TYPES:
            return Decimal(str(value))
        if definition.type == FieldType.DATE:
            return dt.date.fromisoformat(str(value))
    except (InvalidOperation, ValueError):
        return None
    return value


def display_value(
    definition: Definition,
    value: Any,
    language: str | None,
    *,
    user_name: Callable[[int], str] | None = None,
) -> str:
    """The value as a reader sees it in ``language`` (Jalali dates and Persian digits in
    Persian); the same text an export writes and an import reads back."""
    typed = typed_value(definition, value)
    if typed is None:
        return ""
    kind = definition.type
    if kind in NUMERIC_TYPES:
        grouped = _grouped(typed)
        return to_persian_digits(grouped) if jalali.uses_jalali(language) else grouped
    if kind == FieldType.DATE:
        return jalali.format_date(typed, language)
    if kind == FieldType.YES_NO:
        return str(_("yes") if typed else _("no"))
    if kind == FieldType.CHOICE:
        option = definition.choice(str(typed))
        return option.label(language) if option else str(typed)
    if kind == FieldType.MULTI_CHOICE:
        labels = [(definition.choice(k) or Choice(k, k, k)).label(language) for k in typed]
        return "، ".join(labels) if (language or "").startswith("fa") else ", ".join(labels)
    if kind == FieldType.USER:
        return user_name(int(typed)) if user_name else str(typed)
    return str(typed)


def _grouped(number: Decimal) -> str:
    whole, _dot, fraction = format_decimal(number).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


# --- definitions --------------------------------------------------------------------------


def parse_choices(text: str) -> tuple[Choice, ...]:
    """Options typed one a line as «key | Persian label | English label» (the labels may be
    left out). ``ValidationError`` on a bad key, a repeated key or too many options."""
    options: list[Choice] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [clean_text(p) for p in line.split("|")]
        key = to_ascii_digits(parts[0]).strip().lower()
        if not KEY_PATTERN.match(key):
            raise ValidationError(
                _(
                    "Line %(line)d: an option's key is lower-case Latin letters, digits and _, "
                    "starting with a letter."
                )
                % {"line": number}
            )
        if any(o.key == key for o in options):
            raise ValidationError(_("Line %(line)d: this key is already an option.") % {"line": number})
        label_fa = parts[1] if len(parts) > 1 else ""
        label_en = parts[2] if len(parts) > 2 else ""
        if max(len(label_fa), len(label_en)) > 100:
            raise ValidationError(_("Line %(line)d: a label has at most 100 characters.") % {"line": number})
        options.append(Choice(key, label_fa or label_en or key, label_en or label_fa or key))
    if len(options) > MAX_CHOICES:
        raise ValidationError(_("At most %(count)d options.") % {"count": MAX_CHOICES})
    return tuple(options)


def choices_text(choices: Sequence[Choice]) -> str:
    return "\n".join(f"{c.key} | {c.label_fa} | {c.label_en}" for c in choices)


def clean_key(raw: str) -> str:
    key = to_ascii_digits(clean_text(raw)).lower()
    if not KEY_PATTERN.match(key):
        raise ValidationError(
            _("Use lower-case Latin letters, digits and _, starting with a letter (at most 40).")
        )
    return key


def export_value(
    definition: Definition, value: Any, language: str | None, *, username: Callable[[int], str] | None = None
) -> Any:
    """The value as an export writes it, for an import to read back unchanged: dates and
    numbers as such (real dates and numbers in XLSX), a user by username, the rest as shown."""
    typed = typed_value(definition, value)
    if typed is None:
        return ""
    if definition.type in NUMERIC_TYPES or definition.type == FieldType.DATE:
        return typed
    if definition.type == FieldType.USER:
        return username(int(typed)) if username else str(typed)
    return display_value(definition, value, language)
