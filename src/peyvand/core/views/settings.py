"""Each user's own settings: language, time zone, password, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import (
    PasswordForm,
    PreferencesForm,
    TokenForm,
    add_service_errors,
)
from ..http import request_user
from ..models import ApiToken


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
        # The form checks the old password; the service sets the new one and logs it.
        services.users.user_set_password(user=user, password=form.cleaned_data["new_password1"], actor=user)
        if form.cleaned_data.get("revoke_tokens"):
            services.tokens.api_tokens_revoke_all(user=user, actor=user)
        update_session_auth_hash(request, user)  # this session stays; the others are signed out
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
