"""Who is calling: a personal API token, or the web UI's session with its CSRF token.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import contextlib
import zoneinfo

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .. import services
from ..models import User
from .errors import ApiError

# --- authentication -----------------------------------------------------------------------


def _adopt(request: HttpRequest, user: User) -> None:
    """Act as a token's user: the language and time zone they chose apply, as in the UI."""
    request.user = user
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):  # else the default zone
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pvd_...``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.tokens.api_token_authenticate(token)
        if user is not None:
            _adopt(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The web UI's session, so its pages can call the API; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: 401, not a CSRF complaint
        if check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", _("The CSRF check failed. Reload the page and try again."))
        return user


def actor(request: HttpRequest) -> User:
    """The user an authenticated endpoint acts for."""
    user: User = request.auth  # type: ignore[attr-defined]  # set by django-ninja
    return user
