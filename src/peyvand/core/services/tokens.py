"""Personal API tokens: only a hash of each is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    ApiToken,
    AuditEvent,
    User,
)
from ..text import clean_text
from .audit import audit_log

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


def api_tokens_revoke_all(*, user: User, actor: User) -> int:
    """Revoke every live token of ``user`` (on deactivation, or with a new password)."""
    if user.pk != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("You do not have permission to change this record."))
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        api_token_revoke(token=token, actor=actor)
        revoked += 1
    return revoked


def api_token_authenticate(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    # The user's team and custom role come along: /me shows them without a query more.
    token = (
        ApiToken.objects.select_related("user__team", "user__custom_role")
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
