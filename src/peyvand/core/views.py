"""Sign-in, personal settings and administration pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import policy, selectors, services
from .forms import BootstrapMixin, LocalDateField, add_service_errors
from .http import request_user
from .jalali import uses_jalali
from .models import Action, ApiToken, AuditEvent, Role, Scope, Team, User
from .pagination import InvalidCursor

COMMON_TIME_ZONES = sorted(
    {
        "Asia/Tehran",
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Istanbul",
        "Asia/Dubai",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Kabul",
        "Asia/Dushanbe",
        "Australia/Sydney",
        "Asia/Tokyo",
        "Asia/Baku",
        "Europe/Paris",
        "Canada/Eastern",
    }
)


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- signing in and out -------------------------------------------------------------------


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request, data=request.POST or None)
    locked = False
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        address = _client_address(request)
        locked = services.login_is_locked(username=username, address=address)
        if locked:
            form = LoginForm(request)
        elif form.is_valid():
            services.login_attempt_record(username=username, address=address, succeeded=True)
            login(request, form.get_user())
            safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
            return HttpResponseRedirect(next_url if safe and next_url else reverse("home"))
        else:
            services.login_attempt_record(username=username, address=address, succeeded=False)
    status = 429 if locked else 200
    return render(
        request, "core/login.html", {"form": form, "locked": locked, "next": next_url}, status=status
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
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
            services.user_set_preferences(user=request_user(request), language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from peyvand.interactions.selectors import home_summary

    return render(request, "core/home.html", home_summary(user=request_user(request)))


# --- personal settings --------------------------------------------------------------------


class PreferencesForm(BootstrapMixin, forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=User.Language.choices)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(z, z) for z in COMMON_TIME_ZONES]
    )


class PasswordForm(BootstrapMixin, PasswordChangeForm):
    pass


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("For example the name of the system that will use it."),
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    initial = {"language": user.language or get_language(), "time_zone": user.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(user=user, **form.cleaned_data)
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
        services.user_set_password(user=user, password=form.cleaned_data["new_password1"], actor=user)
        update_session_auth_hash(request, user)
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
            _token, new_key = services.api_token_create(user=user, name=form.cleaned_data["name"])
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
    services.api_token_revoke(token=token, actor=request_user(request))
    messages.success(request, _("The token was revoked."))
    return redirect("tokens")


# --- administration -----------------------------------------------------------------------


def admin_required(view: Any) -> Any:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policy.require_admin(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class UserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.all(), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("Follow the browser")), *User.Language.choices],
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(z, z) for z in COMMON_TIME_ZONES]
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


@admin_required
def users_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "role", "team", "active", "sort")}
    try:
        page = selectors.user_list(filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("users")
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "filters": filters,
            "roles": Role.choices,
            "teams": Team.objects.all(),
        },
    )


@admin_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, initial={"time_zone": "Asia/Tehran", "role": Role.SALES})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("is_active")
        try:
            user, password = services.user_create(actor=request_user(request), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "core/user_password.html", {"target": user, "password": password})
    return render(request, "core/user_form.html", {"form": form, "creating": True})


@admin_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    initial = {name: getattr(target, name) for name in UserForm.base_fields}
    form = UserForm(request.POST or None, initial=initial)
    form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            services.user_update(user=target, actor=request_user(request), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The user was saved."))
            return redirect("users")
    return render(request, "core/user_form.html", {"form": form, "target": target, "creating": False})


@admin_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    password = services.user_set_password(user=target, actor=request_user(request))
    return render(request, "core/user_password.html", {"target": target, "password": password})


class TeamForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=100)


@admin_required
def teams_view(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(name=form.cleaned_data["name"], actor=request_user(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team was created."))
            return redirect("teams")
    return render(request, "core/teams.html", {"form": form, "teams": selectors.team_list()})


@admin_required
def permissions_view(request: HttpRequest) -> HttpResponse:
    """The role × resource × action matrix, defaults merged with the administrator's choices."""
    matrix = policy.effective_matrix()
    if request.method == "POST":
        changes = [
            (role, resource, action, request.POST[f"{role}.{resource}.{action}"])
            for role, resources in matrix.items()
            for resource, actions in resources.items()
            for action in actions
            if request.POST.get(f"{role}.{resource}.{action}", actions[action]) != actions[action]
        ]
        if any(value not in Scope.values for *_key, value in changes):
            messages.error(request, _("Choose a valid scope."))
            return redirect("permissions")
        with transaction.atomic():
            for role, resource, action, value in changes:
                services.role_scope_set(
                    role=role, resource=resource, action=action, scope=value, actor=request_user(request)
                )
        messages.success(request, _("The permissions were saved."))
        return redirect("permissions")
    rows = [
        {
            "role": role,
            "label": Role(role).label,
            "cells": [
                {
                    "name": f"{role}.{resource}.{action}",
                    "value": matrix[role][resource][action],
                    "label": selectors.permission_label(role, resource, action),
                }
                for resource in policy.RESOURCES
                for action in Action.values
            ],
        }
        for role in matrix
    ]
    return render(
        request,
        "core/permissions.html",
        {
            "rows": rows,
            "resources": policy.RESOURCES,
            "actions": Action.choices,
            "scopes": [(scope, SCOPE_SHORT[scope], label) for scope, label in Scope.choices],
        },
    )


# The matrix has ten columns of choices: one word each keeps them apart at any width
# (the full names, shown in the legend and the audit log, truncated to "Own rec…").
SCOPE_SHORT: dict[str, Any] = {
    Scope.NONE: pgettext_lazy("permission scope", "None"),
    Scope.OWN: pgettext_lazy("permission scope", "Own"),
    Scope.TEAM: pgettext_lazy("permission scope", "Team"),
    Scope.ALL: pgettext_lazy("permission scope", "All"),
}


class AuditFilterForm(BootstrapMixin, forms.Form):
    actor = forms.ModelChoiceField(label=gettext_lazy("Who"), queryset=User.objects.all(), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Any change")), *AuditEvent.Kind.choices],
    )
    date_from = LocalDateField(label=gettext_lazy("From"), required=False)
    date_to = LocalDateField(label=gettext_lazy("To"), required=False)


@admin_required
def audit_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = selectors.audit_list(filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("audit")
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "entries": selectors.describe_events(page.items)},
    )


# --- error pages --------------------------------------------------------------------------


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: whatever failed must not fail again while we apologise.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"rtl": uses_jalali()}), status=500)
