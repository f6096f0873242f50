from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from .hooks import nav_entries, nav_items
from .jalali import uses_jalali


def peyvand(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "html_dir": "rtl" if get_language_bidi() else "ltr",
        "jalali": uses_jalali(get_language()),
        "languages": settings.LANGUAGES,
        "nav_entries": nav_entries(user) if user is not None else [],
        "admin_nav_items": nav_items(user, "admin") if user is not None else [],
    }
