"""Which language a customer writes in, from what they wrote: Persian when any of it is in
the Arabic script, English when it has Latin letters and none of that, else the default."""

from __future__ import annotations

import re

from django.conf import settings

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")
LANGUAGES = ("fa", "en")


def installation_language() -> str:
    language = settings.LANGUAGE_CODE[:2]
    return language if language in LANGUAGES else "fa"


def language_of(*texts: str, default: str | None = None) -> str:
    text = " ".join(t for t in texts if t)
    if _ARABIC_SCRIPT.search(text):
        return "fa"
    if _LATIN.search(text):
        return "en"
    return default or installation_language()
