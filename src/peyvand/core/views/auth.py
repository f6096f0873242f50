"""Signing in and out (with brute-force protection), and the interface language."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import InvitationForm, LoginForm, TwoFactorCodeForm
from ..http import client_address, request_user
from ..jalali import local_digits
from ..services.logins import Wait
from ..signin import complete_sign_in, pending_begin, pending_user


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request, data=request.POST or None)
    wait = None
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        address = client_address(request)
        wait = services.logins.login_wait(username=username, address=address)
        if wait is not None:
            form = LoginForm(request)
        elif form.is_valid():
            user = form.get_user()
            if services.two_factor.two_factor_enabled(user):
                # Not signed in yet, and the failures of this pair not forgiven: a wrong code
                # counts as a wrong password would.
                pending_begin(request, user, next_url)
                return redirect("login_code")
            services.logins.login_attempt_record(username=username, address=address, succeeded=True)
            return complete_sign_in(request, user, next_url)
        else:
            services.logins.login_attempt_record(username=username, address=address, succeeded=False)
    return _with_wait(
        render(
            request,
            "core/login.html",
            {"form": form, "wait": wait, "next": next_url},
            status=429 if wait else 200,
        ),
        wait,
    )


def invitation_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """An invited colleague chooses their password, then signs in as everyone does."""
    if request.user.is_authenticated:
        logout(request)  # the link is someone's invitation: not a way into a session left open
    user = services.invitations.invitation_user(uidb64, token)
    if user is None:
        return render(request, "core/invitation.html", {"expired": True}, status=404)
    form = InvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitations.invitation_accept(
                uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"]
            )
        except PermissionDenied:
            return render(request, "core/invitation.html", {"expired": True}, status=404)
        messages.success(request, _("Your password is set. Sign in with it now."))
        return redirect("login")
    return render(request, "core/invitation.html", {"form": form, "invited": user})


def login_code_view(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the authenticator app, or a recovery code."""
    if request.user.is_authenticated:
        return redirect("home")
    found = pending_user(request)
    if found is None:
        messages.info(
            request, _("Enter your username and password again: the time to type the code ran out.")
        )
        return redirect("login")
    user, pending = found
    form = TwoFactorCodeForm(request.POST or None)
    wait = None
    if request.method == "POST":
        address = client_address(request)
        wait = services.logins.login_wait(username=user.username, address=address)
        if wait is not None:
            form = TwoFactorCodeForm()
        elif form.is_valid():
            used = services.two_factor.two_factor_verify(user=user, data=form.input())
            if used is not None:
                services.logins.login_attempt_record(username=user.username, address=address, succeeded=True)
                if used == "recovery":
                    left = services.two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; it will not work again. "
                            "Recovery codes left: %(count)s."
                        )
                        % {"count": local_digits(left)},
                    )
                return complete_sign_in(
                    request, user, pending.get("next") or "", backend=pending.get("backend")
                )
            services.logins.login_attempt_record(username=user.username, address=address, succeeded=False)
            form.add_error("code", _("That code is not right, or it was used already."))
    return _with_wait(
        render(request, "core/login_code.html", {"form": form, "wait": wait}, status=429 if wait else 200),
        wait,
    )


def _with_wait(response: HttpResponse, wait: Wait | None) -> HttpResponse:
    if wait is not None:
        response["Retry-After"] = str(max(1, int((wait.until - timezone.now()).total_seconds())))
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.sessions.user_session_end(session_key=request.session.session_key)
    logout(request)
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user, or in a cookie before sign-in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)  # a path, not a view's name as redirect() may take it
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.users.user_set_preferences(user=request_user(request), language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
