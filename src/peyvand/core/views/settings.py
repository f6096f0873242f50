"""Each user's own settings: language, time zone, password, API tokens, signed-in sessions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import (
    PasswordForm,
    PreferencesForm,
    TokenForm,
    add_service_errors,
)
from ..http import request_user
from ..jalali import local_digits
from ..models import ApiToken, UserSession


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    initial = {"language": user.language or get_language(), "time_zone": user.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.users.user_set_preferences(user=user, **form.cleaned_data)
        messages.success(request, _("Your settings were saved."))
        response = redirect("settings")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600, samesite="Lax"
        )
        return response
    return render(request, "core/settings.html", {"form": form, "section": "preferences"})


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The form checks the old password; the service sets the new one, logs it, and ends
        # every other session of the user.
        old_key = request.session.session_key
        services.users.user_set_password(
            user=user, password=form.cleaned_data["new_password1"], actor=user, keep_session_key=old_key
        )
        if form.cleaned_data.get("revoke_tokens"):
            services.tokens.api_tokens_revoke_all(user=user, actor=user)
        update_session_auth_hash(request, user)  # this session stays, under a new key
        services.sessions.user_session_moved(old_key=old_key, new_key=request.session.session_key)
        messages.success(request, _("Your password was changed."))
        return redirect("settings")
    return render(request, "core/password.html", {"form": form, "section": "password"})


@login_required
def tokens_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.tokens.api_token_create(user=user, name=form.cleaned_data["name"])
            form = TokenForm()
        except ValidationError as exc:
            add_service_errors(form, exc)
    tokens = ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
    return render(
        request, "core/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key, "section": "tokens"}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.tokens.api_token_revoke(token=token, actor=request_user(request))
    messages.success(request, _("The token was revoked."))
    return redirect("tokens")


@login_required
def sessions_view(request: HttpRequest) -> HttpResponse:
    """The browsers where the user is signed in; a POST signs out all but this one."""
    user = request_user(request)
    if request.method == "POST":
        ended = services.sessions.user_sessions_revoke_others(
            user=user, actor=user, keep_key=request.session.session_key
        )
        messages.success(
            request,
            ngettext(
                "Signed out everywhere else (%(count)s session).",
                "Signed out everywhere else (%(count)s sessions).",
                ended,
            )
            % {"count": local_digits(ended)},
        )
        return redirect("sessions")
    sessions = selectors.sessions.user_session_list(user=user, current_key=request.session.session_key)
    return render(request, "core/sessions.html", {"sessions": sessions, "section": "sessions"})


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own: another user's session is not found.
    session = get_object_or_404(UserSession, pk=pk, user=request.user, ended_at__isnull=True)
    try:
        services.sessions.user_session_revoke(
            session=session, actor=request_user(request), current_key=request.session.session_key
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("That session was signed out."))
    return redirect("sessions")
