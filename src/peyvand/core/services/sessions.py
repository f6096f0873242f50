"""Each user's signed-in sessions: recorded at sign-in, seen at most once a minute, and
ended by signing out, by the user from another browser, or by a new password.

Ending one deletes it from the session store (its next request is signed out at once) and
marks its row ended, which the once-a-minute check also reads, so a session engine that
cannot delete (signed cookies) still signs it out within a minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, User, UserSession
from .audit import audit_log

# The last-seen time is written at most this often per session.
SEEN_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SessionInput:
    """Where a request comes from: its session, its browser and its address."""

    session_key: str
    user_agent: str = ""
    address: str | None = None


def user_session_start(*, user: User, data: SessionInput, now: dt.datetime | None = None) -> UserSession:
    """Record a session that has just signed in."""
    now = now or timezone.now()
    session, _created = UserSession.objects.update_or_create(
        session_key=data.session_key,
        defaults={
            "user": user,
            "user_agent": data.user_agent[:300],
            "address": data.address,
            "signed_in_at": now,
            "last_seen_at": now,
            "ended_at": None,
        },
    )
    return session


def user_session_touch(*, user: User, data: SessionInput, now: dt.datetime | None = None) -> bool:
    """Note that a session was seen now; False when it was ended and must be signed out."""
    now = now or timezone.now()
    seen = UserSession.objects.filter(session_key=data.session_key, user=user, ended_at__isnull=True).update(
        last_seen_at=now, address=data.address
    )
    if seen:
        return True
    if UserSession.objects.filter(session_key=data.session_key).exists():
        return False  # ended (or, impossibly, another user's): sign it out
    try:
        with transaction.atomic():
            # A session signed in before sessions were recorded, or by a test's force_login.
            UserSession.objects.create(
                session_key=data.session_key,
                user=user,
                user_agent=data.user_agent[:300],
                address=data.address,
                signed_in_at=now,
                last_seen_at=now,
            )
    except IntegrityError:  # a parallel request of the same session recorded it first
        pass
    return True


def user_session_moved(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (a new password keeps the browser signed in under one)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def user_session_end(*, session_key: str | None, now: dt.datetime | None = None) -> None:
    """Signing out: the row is kept, marked ended."""
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=now or timezone.now()
        )


@transaction.atomic
def user_session_revoke(*, session: UserSession, actor: User, current_key: str | None = None) -> None:
    """Sign one of a user's other browsers out."""
    if session.user_id != actor.pk:
        raise PermissionDenied(_("You do not have permission to change this record."))
    if current_key and session.session_key == current_key:
        raise ValidationError(_("This is the session you are using: log out instead."))
    if session.ended_at is not None:
        return
    _end([session], actor=actor, now=timezone.now())


@transaction.atomic
def user_sessions_revoke_others(*, user: User, actor: User, keep_key: str | None) -> int:
    """Sign out everywhere but the session ``keep_key`` (the one in use); how many ended."""
    if user.pk != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("You do not have permission to change this record."))
    sessions = list(
        UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=keep_key or "")
    )
    _end(sessions, actor=actor, now=timezone.now())
    return len(sessions)


def _end(sessions: list[UserSession], *, actor: User | None, now: dt.datetime) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in sessions:
        store(session_key=session.session_key).delete()
        UserSession.objects.filter(pk=session.pk).update(ended_at=now)
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.DELETE,
            obj=session,
            changes={"user_agent": [session.user_agent, None], "address": [session.address, None]},
            at=now,
        )


def user_sessions_end_for_password(*, user: User, actor: User | None, keep_key: str | None = None) -> int:
    """A new password: every other session of the user ends (Django's session hash already
    refuses them; this deletes them and takes them off the list)."""
    sessions = list(
        UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=keep_key or "")
    )
    _end(sessions, actor=actor, now=timezone.now())
    return len(sessions)
