"""The steps of signing in that the views and the middleware share: a password that waits
for its second factor, the session that begins, and what the session remembers about it.

Kept in the session (never trusted from the browser, which sees only the session's key):

- ``PENDING_KEY``: after a right password, who is waiting to type their code, until when,
  and where they were going. They are not signed in until the code is right.
- ``SEEN_KEY``: the session key and the time its last-seen was written (once a minute).
- ``SETUP_KEY``: the user's role requires two-factor sign-in and they have not set it up;
  until they do, every page sends them to the set-up page.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import services
from .http import client_address
from .models import User

PENDING_KEY = "_peyvand_2fa_pending"
SEEN_KEY = "_peyvand_seen"
SETUP_KEY = "_peyvand_2fa_setup"
# How long a right password waits for its code.
PENDING_SECONDS = 5 * 60


def session_input(request: HttpRequest) -> services.sessions.SessionInput:
    return services.sessions.SessionInput(
        session_key=request.session.session_key or "",
        user_agent=request.headers.get("User-Agent", ""),
        address=client_address(request),
    )


def safe_next(request: HttpRequest, next_url: str) -> str:
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    return next_url if safe and next_url else reverse("home")


def pending_begin(request: HttpRequest, user: User, next_url: str) -> None:
    """A right password of a user with a second factor: wait for the code."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", None),
        "until": int(time.time()) + PENDING_SECONDS,
        "next": next_url,
    }


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user waiting to type their code, or None (nobody, or the five minutes are up)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending


def complete_sign_in(
    request: HttpRequest, user: User, next_url: str, backend: str | None = None
) -> HttpResponse:
    """Sign the user in, record the session, and send them on (or to set up their second
    factor first, if their role requires it and they have none)."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)  # session_started runs here
    if request.session.get(SETUP_KEY):
        return HttpResponseRedirect(reverse("two_factor_setup"))
    return HttpResponseRedirect(safe_next(request, next_url))


def session_started(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Django's ``user_logged_in``: every sign-in, whatever signed in (the sign-in page, a
    test's ``force_login``), records its session and whether a second factor must be set
    up first. Connected in ``CoreConfig.ready``."""
    if request is None or not getattr(request, "session", None) or not request.session.session_key:
        return
    services.sessions.user_session_start(user=user, data=session_input(request))
    request.session[SEEN_KEY] = [request.session.session_key, int(time.time())]
    if services.two_factor.two_factor_setup_required(user):
        request.session[SETUP_KEY] = True
    else:
        request.session.pop(SETUP_KEY, None)
