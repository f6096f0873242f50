"""The portal's own session: the signed-in account's id under its own key.

Django's authentication never sees a portal account, so a portal session is anonymous to
every staff page (they send it to the staff sign-in) and to the API (401); and a staff
user's session holds no portal key, so it opens no portal page. Signing in to the portal
starts a fresh session (a new key, nothing of a staff session carried over). A hash of the
account's password and state is kept beside the id: setting a new password or revoking the
account ends every other session of it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import PortalAccount

SESSION_KEY = "_portal_account_id"
HASH_KEY = "_portal_account_hash"


def _state_hash(account: PortalAccount) -> str:
    state = f"{account.pk}:{account.password}:{account.revoked_at}"
    return salted_hmac("peyvand.portal.session", state, algorithm="sha256").hexdigest()


def portal_login(request: HttpRequest, account: PortalAccount) -> None:
    request.session.flush()  # a new key, and no staff sign-in alongside
    request.session[SESSION_KEY] = account.pk
    request.session[HASH_KEY] = _state_hash(account)


def portal_logout(request: HttpRequest) -> None:
    request.session.flush()


def current_account(request: HttpRequest) -> PortalAccount | None:
    """The signed-in portal account, or None (an anonymous visitor, a staff user, a revoked one)."""
    if hasattr(request, "_portal_account"):
        cached: PortalAccount | None = request._portal_account
        return cached
    account = None
    pk = request.session.get(SESSION_KEY)
    if isinstance(pk, int):
        found = PortalAccount.objects.select_related("party").filter(pk=pk, revoked_at__isnull=True).first()
        if found is not None and constant_time_compare(request.session.get(HASH_KEY, ""), _state_hash(found)):
            account = found
    request._portal_account = account  # type: ignore[attr-defined]
    return account


def portal_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page: without a portal account, to the portal's sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = current_account(request)
        if account is None:
            return redirect("portal:sign_in")
        response = view(request, account, *args, **kwargs)
        response.headers["Cache-Control"] = "private, no-store"  # a customer's own data
        return response

    return wrapped
