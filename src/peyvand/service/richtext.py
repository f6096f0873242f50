"""Rich text of the knowledge base: what an author writes (plain text, or a little HTML) made
safe to show (nh3 keeps a short list of tags and attributes, and only web and mail links),
and its plain text for searching."""

from __future__ import annotations

import html
import re

import nh3

TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "code",
        "pre",
    }
)
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_BLOCK_END = re.compile(r"</(p|h[2-4]|li|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def sanitize(text: str) -> str:
    """Safe HTML from what was written; plain text (no tags) becomes paragraphs, its blank
    lines separating them and its single line breaks kept."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def to_text(fragment: str) -> str:
    """The words of sanitised HTML, for the search column and previews."""
    text = _BLOCK_END.sub("\n", fragment or "")
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())
