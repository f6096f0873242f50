"""Each request's language and time zone, every response's security headers, and each
signed-in session's record (and the hold on a user who must set up two-factor sign-in).

Signed-in users get the language and time zone they chose. Anyone else gets the
language cookie, then the browser's Accept-Language, then Persian.
"""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import services, signin

SUPPORTED = {code for code, _name in settings.LANGUAGES}
# A session's last-seen time is written at most this often.
SEEN_EVERY_SECONDS = 60


def _browser_language(request: HttpRequest) -> str:
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in SUPPORTED:
        return cookie
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED:
            return code
    return settings.LANGUAGE_CODE


class ServerTimingMiddleware:
    """Say how long the app took (``Server-Timing: app;dur=…``): browsers' developer tools
    show it, and the benchmark tells server time from the network's and the client's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response


class UserLocaleMiddleware:
    """Before authentication: the anonymous choice (cookie, browser, Persian)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _browser_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response


class UserPreferencesMiddleware:
    """After authentication: a signed-in user's own language and time zone win."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in SUPPORTED:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Scripts only from Peyvand itself, never inline (no handler attribute, no <script> body):
# an injected tag or attribute cannot run. Styles may be inline (Bootstrap and the date
# picker set some); images and fonts may be data: URLs.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response (with ``frame-ancestors 'none'`` unless
    the view may be framed, as the public web form is), and no caching of what a signed-in
    user sees: customer pages, exports and PDFs stay out of shared and disk caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            framed = getattr(response, "xframe_options_exempt", False)
            policy = (
                CONTENT_SECURITY_POLICY if framed else f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
            )
            response.headers["Content-Security-Policy"] = policy
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


class SessionSecurityMiddleware:
    """After authentication: keep the list of each user's sessions, and hold a user whose
    role requires two-factor sign-in on its set-up page until it is done.

    Once a minute per session (not on every request) it writes the session's last-seen time,
    signs out a session that was ended from another browser, and asks again whether the
    user must set up their second factor (an administrator may have just required it). API
    calls with a token are not touched: a token is its own proof.
    """

    # What a user held on the set-up page may still open.
    OPEN_DURING_SETUP = frozenset({"two_factor_setup", "logout", "set_language", "login", "login_code"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            now = int(time.time())
            seen = request.session.get(signin.SEEN_KEY)
            key = request.session.session_key
            if not (isinstance(seen, list) and seen[:1] == [key] and now - seen[1] < SEEN_EVERY_SECONDS):
                if not services.sessions.user_session_touch(user=user, data=signin.session_input(request)):
                    logout(request)
                    return redirect_to_login(request.get_full_path())
                request.session[signin.SEEN_KEY] = [key, now]
                if services.two_factor.two_factor_setup_required(user):
                    request.session[signin.SETUP_KEY] = True
                else:
                    request.session.pop(signin.SETUP_KEY, None)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not request.session.get(signin.SETUP_KEY):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN_DURING_SETUP and not match.namespace:
            return None
        message = _("Set up two-factor sign-in first: your role requires it.")
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization"):
                return None  # a token's call, not the browser's session
            return JsonResponse(
                {"error": {"code": "two_factor_setup_required", "message": str(message)}}, status=403
            )
        if request.headers.get("HX-Request"):
            return HttpResponse(status=403)  # a fragment would put the set-up page inside this one
        return redirect("two_factor_setup")
