"""Administration: users, teams, the permission matrix and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from .. import policy, selectors, services
from ..forms import (
    AuditFilterForm,
    CustomRoleCopyForm,
    CustomRoleForm,
    TeamForm,
    TwoFactorRolesForm,
    UserCreateForm,
    UserForm,
    add_service_errors,
    all_role_choices,
)
from ..http import request_user
from ..models import Action, CustomRole, Role, Scope, Team, User
from ..pagination import InvalidCursor

# --- administration -----------------------------------------------------------------------


def admin_required(view: Any) -> Any:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policy.require_admin(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@admin_required
def users_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "role", "team", "active", "sort")}
    try:
        page = selectors.users.user_list(filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("users")
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "filters": filters,
            "roles": all_role_choices(),
            "teams": Team.objects.all(),
        },
    )


@admin_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, initial={"time_zone": "Asia/Tehran", "role": Role.SALES})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("is_active")
        invite = data.pop("invite")
        try:
            if invite:
                user = services.invitations.user_invite(actor=request_user(request), **data)
            else:
                user, password = services.users.user_create(actor=request_user(request), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not invite:
                return render(request, "core/user_password.html", {"target": user, "password": password})
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": user.email})
            return redirect("users")
    return render(request, "core/user_form.html", {"form": form, "creating": True})


@admin_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    initial = {name: getattr(target, name) for name in UserForm.base_fields}
    if target.custom_role_id is not None:
        initial["role"] = policy.custom_role_key(target.custom_role_id)
    form = UserForm(request.POST or None, initial=initial)
    form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            services.users.user_update(user=target, actor=request_user(request), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The user was saved."))
            return redirect("users")
    return render(
        request,
        "core/user_form.html",
        {
            "form": form,
            "target": target,
            "creating": False,
            "two_factor": services.two_factor.two_factor_enabled(target),
            "invitation_pending": services.invitations.invitation_pending(target),
        },
    )


@admin_required
@require_POST
def user_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    try:
        services.invitations.invitation_resend(user=target, actor=request_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A new invitation was sent to %(email)s.") % {"email": target.email})
    return redirect("user_edit", pk=target.pk)


@admin_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    password = services.users.user_set_password(user=target, actor=request_user(request))
    return render(request, "core/user_password.html", {"target": target, "password": password})


@admin_required
@require_POST
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """A user lost their phone and their recovery codes: their second factor is removed."""
    target = get_object_or_404(User, pk=pk)
    if services.two_factor.two_factor_reset(user=target, actor=request_user(request)):
        messages.success(
            request, _("Two-factor sign-in of %(user)s was reset.") % {"user": target.get_username()}
        )
    else:
        messages.info(request, _("This user has no two-factor sign-in."))
    return redirect("user_edit", pk=target.pk)


@admin_required
def teams_view(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.users.team_create(name=form.cleaned_data["name"], actor=request_user(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team was created."))
            return redirect("teams")
    return render(request, "core/teams.html", {"form": form, "teams": selectors.users.team_list()})


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
                services.users.role_scope_set(
                    role=role, resource=resource, action=action, scope=value, actor=request_user(request)
                )
        messages.success(request, _("The permissions were saved."))
        return redirect("permissions")
    labels = dict(all_role_choices())
    rows = [
        {
            "role": role,
            "label": labels.get(role, role),
            "custom": role not in Role.values,
            "cells": [
                {
                    "name": f"{role}.{resource}.{action}",
                    "value": matrix[role][resource][action],
                    "label": selectors.audit.permission_label(
                        role, resource, action, role_label=labels.get(role, role)
                    ),
                }
                for resource in policy.resources()
                for action in Action.values
            ],
        }
        for role in matrix
    ]
    return render(
        request,
        "core/permissions.html",
        {
            "two_factor_form": TwoFactorRolesForm(
                initial={"roles": sorted(services.two_factor.two_factor_required_roles())}
            ),
            "rows": rows,
            "resources": policy.resources(),
            "actions": Action.choices,
            "scopes": [(scope, SCOPE_SHORT[scope], label) for scope, label in Scope.choices],
        },
    )


@admin_required
@require_POST
def two_factor_roles_view(request: HttpRequest) -> HttpResponse:
    """Which roles must sign in with a second factor (on the permissions page)."""
    form = TwoFactorRolesForm(request.POST)
    if form.is_valid():
        services.two_factor.two_factor_roles_set(
            roles=set(form.cleaned_data["roles"]), actor=request_user(request)
        )
        messages.success(request, _("The roles that must use two-factor sign-in were saved."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("permissions")


@admin_required
def roles_view(request: HttpRequest) -> HttpResponse:
    """The custom roles, and copying a role into a new one."""
    form = CustomRoleCopyForm(request.POST or None, initial={"source": request.GET.get("source", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role = services.roles.custom_role_copy(
                actor=request_user(request),
                source=data["source"],
                names=services.roles.CustomRoleNames(name_fa=data["name_fa"], name_en=data["name_en"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The role was created: change what it may do below."))
            return redirect(f"{reverse('permissions')}#role-{policy.custom_role_key(role.pk)}")
    return render(request, "core/roles.html", {"form": form, "roles": selectors.users.custom_role_list()})


@admin_required
def role_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a custom role; delete it when nobody has it."""
    role = get_object_or_404(CustomRole, pk=pk)
    form = CustomRoleForm(request.POST or None, initial={"name_fa": role.name_fa, "name_en": role.name_en})
    if request.method == "POST" and form.is_valid():
        names = services.roles.CustomRoleNames(
            name_fa=form.cleaned_data["name_fa"], name_en=form.cleaned_data["name_en"]
        )
        try:
            services.roles.custom_role_rename(actor=request_user(request), role=role, names=names)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The role was saved."))
            return redirect("roles")
    holders = User.objects.filter(custom_role=role).count()
    return render(request, "core/role_form.html", {"form": form, "role": role, "holders": holders})


@admin_required
@require_POST
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(CustomRole, pk=pk)
    try:
        services.roles.custom_role_delete(actor=request_user(request), role=role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("role_edit", pk=role.pk)
    messages.success(request, _("The role was deleted."))
    return redirect("roles")


# The matrix has ten columns of choices: one word each keeps them apart at any width
# (the full names, shown in the legend and the audit log, truncated to "Own rec…").
SCOPE_SHORT: dict[str, Any] = {
    Scope.NONE: pgettext_lazy("permission scope", "None"),
    Scope.OWN: pgettext_lazy("permission scope", "Own"),
    Scope.TEAM: pgettext_lazy("permission scope", "Team"),
    Scope.ALL: pgettext_lazy("permission scope", "All"),
}


@admin_required
def audit_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = selectors.audit.audit_list(filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("audit")
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "entries": selectors.audit.describe_events(page.items)},
    )


@admin_required
def sign_ins_view(request: HttpRequest) -> HttpResponse:
    """Addresses waiting after failed sign-ins, and lifting a wait."""
    if request.method == "POST":
        services.logins.login_wait_lift(
            actor=request_user(request),
            username=request.POST.get("username", ""),
            address=request.POST.get("address") or None,
        )
        messages.success(request, _("They may sign in again at once."))
        return redirect("sign_ins")
    return render(request, "core/sign_ins.html", {"waits": services.logins.login_waits(), "nav": "admin"})
