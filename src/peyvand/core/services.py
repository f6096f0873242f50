"""Every write of the core app: audit events, users and teams, API tokens, logins."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import secrets
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .models import (
    Action,
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Role,
    RoleScope,
    Scope,
    SiteFlag,
    Team,
    TrackedModel,
    User,
)
from .text import clean_text

# --- audit log ----------------------------------------------------------------------------


def audit_value(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the audit log."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(audit_value(item) for item in value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: audit_value(getattr(obj, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_event(
    *,
    actor: User | None,
    kind: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    party_id: int | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor if actor and actor.pk else None,
        kind=kind,
        model=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        party_id=party_id,
        changes=dict(changes or {}),
    )


def audit_log(**kwargs: Any) -> AuditEvent:
    event = audit_event(**kwargs)
    event.save()
    return event


def audit_log_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=500)


# --- soft delete --------------------------------------------------------------------------


def soft_delete_rows(
    queryset: models.QuerySet, *, actor: User | None, batch: uuid.UUID, at: dt.datetime
) -> int:
    """Mark alive rows deleted as part of ``batch``; restoring the batch brings them back."""
    if not issubclass(queryset.model, TrackedModel):
        raise TypeError(f"{queryset.model.__name__} has no soft delete")
    return queryset.filter(deleted_at__isnull=True).update(
        deleted_at=at, deleted_by=actor, deletion_batch=batch, updated_at=at
    )


def soft_delete_record(
    obj: TrackedModel, *, actor: User | None, party_id: int | None, changes: Mapping[str, Any]
) -> None:
    """Move one record to the trash on its own, and log it on its customer's timeline."""
    batch, now = TrackedModel.new_batch(), timezone.now()
    soft_delete_rows(type(obj).objects.filter(pk=obj.pk), actor=actor, batch=batch, at=now)
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=obj, party_id=party_id, changes=changes)


def restore_rows(queryset: models.QuerySet, *, batch: uuid.UUID) -> int:
    return queryset.filter(deletion_batch=batch).update(
        deleted_at=None, deleted_by=None, deletion_batch=None, updated_at=timezone.now()
    )


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
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    _validate_time_zone(time_zone)
    user = User(
        username=username,
        role=role,
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


def _user_fields(user: User) -> dict[str, Any]:
    return {k: [None, v] for k, v in snapshot(user, USER_FIELDS).items()}


@transaction.atomic
def user_update(*, user: User, actor: User, **fields: Any) -> User:
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if "time_zone" in fields:
        _validate_time_zone(fields["time_zone"])
    if user.pk == actor.pk and (
        fields.get("role", user.role) != user.role or fields.get("is_active", True) is False
    ):
        raise ValidationError(_("You cannot change your own role or deactivate yourself."))
    before = snapshot(user, USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, clean_text(value) if name in ("first_name", "last_name") else value)
    user.is_staff = user.is_superuser = user.role == Role.ADMIN
    user.save()
    changes = changes_between(before, snapshot(user, USER_FIELDS))
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
def user_set_password(*, user: User, password: str | None = None, actor: User | None = None) -> str:
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"password": ["***", "***"]})
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


@transaction.atomic
def role_scope_set(*, role: str, resource: str, action: str, scope: str, actor: User) -> None:
    policy.require_admin(actor)
    if role not in policy.DEFAULT_SCOPES or resource not in policy.RESOURCES:
        raise ValidationError(_("Choose a valid role and resource."))
    if action not in Action.values or scope not in Scope.values:
        raise ValidationError(_("Choose a valid scope."))
    current = policy.effective_matrix()[role][resource][action]
    if current == scope:
        return
    RoleScope.objects.update_or_create(role=role, resource=resource, action=action, defaults={"scope": scope})
    row = RoleScope.objects.get(role=role, resource=resource, action=action)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=row,
        changes={f"{role}.{resource}.{action}": [current, scope]},
    )


# --- API tokens ---------------------------------------------------------------------------

TOKEN_PREFIX = "pvd_"  # noqa: S105 - a public marker that tells tokens apart, not a secret


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the plain key is returned once and never stored."""
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter a name for the token.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:12], key_hash=_token_hash(key))
    audit_log(actor=user, kind=AuditEvent.Kind.CREATE, obj=token, changes={"name": [None, token.name]})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    if token.user_id != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("You do not have permission to change this record."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=token)


def api_token_authenticate(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Note the use at most once a minute: a busy integration must not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- login throttling ---------------------------------------------------------------------


def login_is_locked(*, username: str, address: str | None) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    limit = settings.LOGIN_MAX_FAILURES
    if failures.filter(username__iexact=username).count() >= limit:
        return True
    # An address gets more room than a username: several people may share one office NAT.
    return bool(address) and failures.filter(address=address).count() >= limit * 4


def login_attempt_record(*, username: str, address: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], address=address, succeeded=succeeded)
    if succeeded:
        # A successful login forgives that username's earlier failures.
        LoginAttempt.objects.filter(username__iexact=username, succeeded=False).delete()


# --- site flags ---------------------------------------------------------------------------


def site_flag(key: str) -> str | None:
    return SiteFlag.objects.filter(key=key).values_list("value", flat=True).first()


def site_flag_set(key: str, value: str) -> None:
    SiteFlag.objects.update_or_create(key=key, defaults={"value": value})
