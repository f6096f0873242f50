"""Persian-aware text handling: cleaning what users type, and the keys we search and sort by.

Three levels, each for one purpose:
- ``clean_text`` keeps what the user meant but fixes what keyboards and old systems break:
  Arabic ي/ك become Persian ی/ک, kashida and stray zero-width marks go, spaces collapse.
  It is applied to names and other display text on the way in.
- ``search_key`` is the loose form everything searchable is compared in: also digits to
  ASCII, diacritics dropped, hamza forms folded, case folded.
- ``collation_key`` orders text in Persian alphabetical order (پ after ب, گ after ک),
  as an ASCII string that sorts the same under every database collation.
"""

from __future__ import annotations

import functools
import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)

ZWNJ = "\u200c"
# Zero-width and direction marks that only ever sneak in by copy and paste. ZWNJ is not
# here: in Persian it is part of the spelling (می‌خواهم).
_CLEAN = str.maketrans(
    {
        **dict.fromkeys(
            "\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"
        ),
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf
        "ۀ": "ه\u0654",
        "ـ": None,  # kashida (tatweel)
    }
)
_SEARCH_FOLD = str.maketrans(
    {
        **dict(zip(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2, strict=True)),
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ة": "ه",
        "ۀ": "ه",
        ZWNJ: " ",
        "\u0654": None,  # hamza above
    }
)
_WHITESPACE = re.compile(r"\s+")
# Every combining mark of the Basic Multilingual Plane, to delete in one C-level pass.
_COMBINING = dict.fromkeys(i for i in range(0x10000) if unicodedata.combining(chr(i)))
# Control characters other than whitespace: never meant, and PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZWNJ_RUN = re.compile(rf"\s*{ZWNJ}[\s{ZWNJ}]*")


def to_ascii_digits(value: str) -> str:
    """Persian and Arabic-Indic digits to ASCII, everything else unchanged."""
    return value.translate(_TO_ASCII_DIGITS)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN_DIGITS)


def clean_text(value: str | None) -> str:
    """Normalise user-typed text for storage without changing its meaning."""
    if not value:
        return ""
    if value.isascii():
        return _clean_ascii(value)
    if len(value) <= _MEMO_LENGTH:
        return _clean_short(value)
    return _clean(value)


# Names repeat: a million imported people have a few thousand first and last names between
# them. Short texts are remembered; long ones (notes) are not worth keeping, nor ASCII ones
# (emails are unique, and their cleaning costs less than remembering it).
_MEMO_LENGTH = 40


def _clean_ascii(value: str) -> str:
    return " ".join((value if value.isprintable() else _CONTROL.sub("", value)).split())


@functools.lru_cache(maxsize=100_000)
def _clean_short(value: str) -> str:
    return _clean(value)


def _clean(value: str) -> str:
    # NFKC folds Arabic presentation forms (ﻋﻠﯽ) and full-width letters into plain ones.
    value = _CONTROL.sub("", unicodedata.normalize("NFKC", value)).translate(_CLEAN)
    if ZWNJ in value:
        value = _ZWNJ_RUN.sub(ZWNJ, value).strip(ZWNJ)
    return " ".join(value.split())


def search_key(value: str | None, *, clean: bool = False) -> str:
    """The form searchable text is stored and compared in.

    ``clean=True`` says ``value`` already went through ``clean_text`` (names as stored), which
    spares doing it twice for each of a million imported rows.
    """
    if not clean:
        value = clean_text(value)
    if not value:
        return ""
    if value.isascii():
        return " ".join(value.casefold().split())
    if len(value) <= _MEMO_LENGTH:
        return _fold_short(value)
    return _fold(value)


def search_text(*parts: str | None) -> str:
    """A record's search column: the search form of each part, the empty ones left out."""
    return " ".join(key for key in (search_key(part) for part in parts) if key)


@functools.lru_cache(maxsize=100_000)
def _fold_short(value: str) -> str:
    return _fold(value)


def _fold(value: str) -> str:
    value = value.translate(_SEARCH_FOLD)
    # Drop combining marks (Arabic harakat, Latin accents): «عَلی» and «علی» are one name.
    value = unicodedata.normalize("NFD", value).translate(_COMBINING)
    value = unicodedata.normalize("NFC", value).casefold()
    return " ".join(value.split())


def search_terms(query: str | None) -> list[str]:
    """Split a user's query into normalised terms; every term must match."""
    return [term for term in search_key(query).split(" ") if term]


PERSIAN_ALPHABET = "اآبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_COLLATION_RANK: dict[str, int] = {" ": 0}
_COLLATION_RANK.update({d: 0x10 + i for i, d in enumerate("0123456789")})
_COLLATION_RANK.update({c: 0x20 + i for i, c in enumerate(PERSIAN_ALPHABET)})
_COLLATION_RANK.update({c: 0x60 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")})
COLLATION_KEY_CHARS = 40


class _CollationTable(dict[int, str]):
    """ord -> hex digits: two for a letter of our alphabet, "f" and four for anything else."""

    def __missing__(self, code: int) -> str:
        self[code] = f"f{min(code, 0xFFFF):04x}"
        return self[code]


_COLLATION_TABLE = _CollationTable({ord(ch): f"{rank:02x}" for ch, rank in _COLLATION_RANK.items()})


def collation_key(value: str | None, *, search_form: str | None = None) -> str:
    """An ASCII key that sorts digits, then Persian, then Latin letters, in any collation.

    Each character becomes hex digits: two (below 80) for its rank in our alphabet, or "f"
    and its code point for anything else, which sorts after every ranked letter. No code is
    the start of another, so keys compare as their texts would. Hex digits compare the same
    under SQLite's binary collation and PostgreSQL's locale collations, which raw Persian
    text does not (پ, چ, ژ and گ sit outside the Arabic block's order). Pass
    ``search_form`` when the search key of the text is already at hand.
    """
    key = search_form if search_form is not None else search_key(value)
    return _collate(key[:COLLATION_KEY_CHARS])


@functools.lru_cache(maxsize=100_000)
def _collate(key: str) -> str:
    return key.translate(_COLLATION_TABLE)
