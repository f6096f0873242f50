"""A campaign's content, pure: sanitising the email's HTML, finding and rewriting its links,
the tracking tokens, and the language a customer reads.

Tracking tokens are short (an SMS pays by the character): the recipient's id and the link's
number in base 36 and a truncated HMAC under the site's secret key, so a token cannot be
forged or pointed at another link, and a click leads only to the campaign's own links.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import html
import re
from collections.abc import Mapping

import nh3
import phonenumbers
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.http import base36_to_int, int_to_base36

TRACK_SALT = "peyvand.marketing.track"
# What an email's HTML may hold: text formatting, links, images, tables, and the styling an
# email needs (colours, alignment, spacing); no scripts, forms, frames or event handlers.
ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "div", "em", "font"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small"),
        *("span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"),
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang", "style", "align", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "width", "valign", "bgcolor"},
    "th": {"colspan", "rowspan", "width", "valign", "bgcolor"},
    "table": {"width", "cellpadding", "cellspacing", "border", "bgcolor"},
    "font": {"color", "size", "face"},
}
STYLE_PROPERTIES = frozenset(
    {
        *("color", "background", "background-color", "text-align", "direction", "font-size"),
        *("font-weight", "font-style", "font-family", "line-height", "margin", "margin-top"),
        *("margin-bottom", "margin-left", "margin-right", "padding", "padding-top", "padding-bottom"),
        *("padding-left", "padding-right", "border", "border-radius", "width", "max-width", "height"),
        *("text-decoration", "display"),
    }
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_HREF = re.compile(r'(<a\b[^>]*?\bhref=")(https?://[^"]+)(")', re.IGNORECASE)
# A web address in an SMS: up to the next space (or the end), without trailing punctuation.
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?؟،؛)»]")
_PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]")
_LATIN_LETTERS = re.compile(r"[A-Za-z]")


def sanitize_html(text: str) -> str:
    """The email's HTML with everything that could run or mislead taken out (nh3)."""
    return nh3.clean(
        text or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,
        strip_comments=True,
    ).strip()


def html_text(fragment: str) -> str:
    """The plain-text part of an email: its HTML as text, links written out after their words."""
    with_links = re.sub(
        r'<a\b[^>]*?\bhref="([^"]+)"[^>]*>(.*?)</a>',
        lambda m: (
            f"{m.group(2)} ({html.unescape(m.group(1))})"
            if html.unescape(m.group(1)) != strip_tags(m.group(2)).strip()
            else m.group(2)
        ),
        fragment,
        flags=re.IGNORECASE | re.DOTALL,
    )
    with_breaks = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>|</li\s*>|</h[1-6]\s*>", "\n", with_links)
    text = html.unescape(strip_tags(with_breaks)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def email_links(fragment: str) -> list[str]:
    """The web addresses an email links to, in order, each once."""
    return list(dict.fromkeys(html.unescape(m.group(2)) for m in _HREF.finditer(fragment)))


def sms_links(text: str) -> list[str]:
    return list(dict.fromkeys(_URL.findall(text or "")))


# --- content split once, filled for each reader --------------------------------------------

# The placeholders as interactions.placeholders reads them ({first_name}); a name it does not
# know is left as it is, as there.
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
LINK_MARK = "\ue001"


def split_placeholders(text: str) -> list[str]:
    """``text`` cut at its placeholders: literal, name, literal, name, …, literal."""
    return PLACEHOLDER.split(text or "")


def fill(pieces: list[str], values: Mapping[str, str]) -> str:
    """The pieces of ``split_placeholders`` with each placeholder's value put in."""
    return "".join(
        piece if n % 2 == 0 else values.get(piece, "{" + piece + "}") for n, piece in enumerate(pieces)
    )


def mark_links(text: str, links: list[str], *, email: bool) -> str:
    """Each of the campaign's ``links`` in ``text`` replaced by a mark of its number, for
    ``put_links`` to point where this reader's message should."""
    numbers = {link: n for n, link in enumerate(links)}

    def mark(link: str) -> str | None:
        number = numbers.get(link)
        return None if number is None else f"{LINK_MARK}{number}{LINK_MARK}"

    if email:
        return _HREF.sub(
            lambda m: (
                f"{m.group(1)}{marked}{m.group(3)}"
                if (marked := mark(html.unescape(m.group(2))))
                else m.group(0)
            ),
            text,
        )
    return _URL.sub(lambda m: mark(m.group(0)) or m.group(0), text)


def put_links(text: str, targets: list[str]) -> str:
    for number, target in enumerate(targets):
        text = text.replace(f"{LINK_MARK}{number}{LINK_MARK}", target)
    return text


# --- tracking tokens ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    """The HMAC key for our salt, derived once as Django's salted_hmac derives it: a campaign
    signs a token for every message, and the derivation cost as much as the signing."""
    return hashlib.sha256((TRACK_SALT + secret).encode()).digest()


def _mac(value: str) -> str:
    digest = hmac.digest(_key(settings.SECRET_KEY), value.encode(), "sha256")[:9]
    return base64.urlsafe_b64encode(digest).decode()


def link_token(recipient_id: int, index: int) -> str:
    value = f"{int_to_base36(recipient_id)}.{int_to_base36(index)}"
    return f"{value}.{_mac('c' + value)}"


def read_link_token(token: str) -> tuple[int, int] | None:
    """(recipient id, link number) of a genuine token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not hmac.compare_digest(parts[2], _mac(f"c{parts[0]}.{parts[1]}")):
        return None
    try:
        return base36_to_int(parts[0]), base36_to_int(parts[1])
    except ValueError:
        return None


def open_token(recipient_id: int) -> str:
    value = int_to_base36(recipient_id)
    return f"{value}.{_mac('o' + value)}"


def read_open_token(token: str) -> int | None:
    parts = token.split(".")
    if len(parts) != 2 or not hmac.compare_digest(parts[1], _mac(f"o{parts[0]}")):
        return None
    try:
        return base36_to_int(parts[0])
    except ValueError:
        return None


# --- the reader ---------------------------------------------------------------------------


def reader_language(*, name: str, phone: str, email: str, default: str) -> str:
    """The language a customer reads, as far as the record tells: a name written in Persian
    letters says Persian, one in Latin letters English; without a name, an Iranian mobile or
    an .ir address says Persian; otherwise the campaign's default. (Customers have no
    language of their own yet.)"""
    if _PERSIAN_LETTERS.search(name or ""):
        return "fa"
    if _LATIN_LETTERS.search(name or ""):
        return "en"
    if (phone or "").startswith("+98") or (email or "").lower().endswith(".ir"):
        return "fa"
    return default


def is_mobile(e164: str) -> bool:
    """Whether the number can take an SMS; Iran's mobiles (+989…) without a full parse."""
    if not e164:
        return False
    if e164.startswith("+989") and len(e164) == 13:
        return True
    if e164.startswith("+98"):
        return False
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
