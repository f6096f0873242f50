"""Users, teams and the permission matrix's overrides."""

from __future__ import annotations

import secrets
import zoneinfo
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    AuditEvent,
    Role,
    Team,
    User,
)
from ..text import clean_text
from .audit import audit_log, changes_between, snapshot
from .roles import resolve_role, role_scope_set  # noqa: F401 - role_scope_set: named here by its callers
from .sessions import user_sessions_end_for_password
from .tokens import api_tokens_revoke_all

# --- users, teams and roles ---------------------------------------------------------------


def generate_password() -> str:
    """A password people can read aloud: four groups of letters and digits, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    actor: User | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    language: str = "",
    time_zone: str = "Asia/Tehran",
    can_log_in: bool = True,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given).

    ``can_log_in=False`` makes an account nobody can sign in to until an administrator
    gives it a password (demo users, people imported before they are invited).
    """
    username = clean_text(username)
    if not username:
        raise ValidationError({"username": _("Enter a username.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this username already exists.")})
    role, custom_role = resolve_role(role)  # a built-in role or "custom-<id>"
    _validate_time_zone(time_zone)
    user = User(
        username=username,
        role=role,
        custom_role=custom_role,
        first_name=clean_text(first_name),
        last_name=clean_text(last_name),
        email=email.strip().lower(),
        team=team,
        language=language,
        time_zone=time_zone,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if can_log_in:
        password = password or generate_password()
        password_validation.validate_password(password, user)
        user.set_password(password)
    else:
        password = ""
        user.set_unusable_password()
    user.save()
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=user, changes=_user_fields(user))
    return user, password


USER_FIELDS = ("first_name", "last_name", "email", "role", "team", "is_active", "language", "time_zone")
AUDITED = (*USER_FIELDS, "custom_role")


def _user_fields(user: User) -> dict[str, Any]:
    return {k: [None, v] for k, v in snapshot(user, AUDITED).items() if k != "custom_role" or v}


@transaction.atomic
def user_update(*, user: User, actor: User, **fields: Any) -> User:
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if "time_zone" in fields:
        _validate_time_zone(fields["time_zone"])
    role, custom_role = (user.role, user.custom_role)
    if "role" in fields:  # a built-in role or "custom-<id>"
        role, custom_role = resolve_role(fields.pop("role"))
    if user.pk == actor.pk and (
        role != user.role or custom_role != user.custom_role or fields.get("is_active", True) is False
    ):
        raise ValidationError(_("You cannot change your own role or deactivate yourself."))
    before = snapshot(user, AUDITED)
    user.role, user.custom_role = role, custom_role
    for name, value in fields.items():
        setattr(user, name, clean_text(value) if name in ("first_name", "last_name") else value)
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    user.save()
    if fields.get("is_active") is False:
        api_tokens_revoke_all(user=user, actor=actor)  # a deactivated user's tokens die with them
    changes = changes_between(before, snapshot(user, AUDITED))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes=changes)
    return user


def user_set_preferences(*, user: User, language: str | None = None, time_zone: str | None = None) -> User:
    if language is not None:
        if language not in User.Language.values:
            raise ValidationError({"language": _("Choose Persian or English.")})
        user.language = language
    if time_zone is not None:
        _validate_time_zone(time_zone)
        user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user


@transaction.atomic
def user_set_password(
    *,
    user: User,
    password: str | None = None,
    actor: User | None = None,
    keep_session_key: str | None = None,
) -> str:
    """Set a password (generated when none is given); every session of the user ends but
    ``keep_session_key``, the browser of someone changing their own."""
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"password": ["***", "***"]})
    user_sessions_end_for_password(user=user, actor=actor, keep_key=keep_session_key)
    return password


def _validate_time_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Choose a valid time zone.")}) from None


@transaction.atomic
def team_create(*, name: str, actor: User) -> Team:
    policy.require_admin(actor)
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    team = Team.objects.create(name=name)
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=team, changes={"name": [None, name]})
    return team
