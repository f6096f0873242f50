"""A user's signed-in sessions as their settings list them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import User, UserSession

# Checked in this order: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chromium", re.compile(r"Chromium/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux|X11")),
)


def device_label(user_agent: str) -> str:
    """ "Firefox on Windows" from a browser's User-Agent; the raw text's start otherwise."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return str(browser or system)
    return user_agent[:60] or _("Unknown device")


@dataclass(frozen=True)
class SessionView:
    session: UserSession
    device: str
    current: bool


def user_session_list(
    *, user: User, current_key: str | None, now: dt.datetime | None = None
) -> list[SessionView]:
    """The user's live sessions, the one in use first, then the most recently seen."""
    since = (now or timezone.now()) - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True, last_seen_at__gte=since).order_by(
        "-last_seen_at", "-pk"
    )
    views = [SessionView(row, device_label(row.user_agent), row.session_key == current_key) for row in rows]
    return sorted(views, key=lambda view: not view.current)
