"""Private calendar feeds and teams' follow-up settings."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot

from ..models import CalendarFeed, TeamSettings

FEED_PREFIX = "cal_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new secret address for the user's calendar; the old one stops working. The key is
    returned once and never stored."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    key = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, key_hash=_hash(key))
    audit_log(actor=user, kind=AuditEvent.Kind.CREATE, obj=feed)
    return feed, key


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_log(actor=user, kind=AuditEvent.Kind.DELETE, obj=user, changes={"calendar_feed": ["***", None]})
    return revoked


def calendar_feed_user(key: str) -> User | None:
    """Whose feed ``key`` opens, or None (unknown, revoked, or an inactive user)."""
    if not key.startswith(FEED_PREFIX) or len(key) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    # Phones poll feeds often: note the use at most once an hour.
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


TEAM_FIELDS = ("escalate", "escalation_delay_minutes", "escalate_to")
MAX_DELAY = 60 * 24 * 60


@transaction.atomic
def team_settings_update(*, team: Team, actor: User, data: Mapping[str, Any]) -> TeamSettings:
    policy.require_admin(actor)
    unknown = set(data) - set(TEAM_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    delay = data.get("escalation_delay_minutes")
    if "escalation_delay_minutes" in data and (not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY):
        errors["escalation_delay_minutes"] = [
            _("Enter a number of minutes from 0 to %(max)d.") % {"max": MAX_DELAY}
        ]
    target = data.get("escalate_to")
    if target is not None and (not isinstance(target, User) or not target.is_active):
        errors["escalate_to"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    row, _created = TeamSettings.objects.select_for_update().get_or_create(team=team)
    before = snapshot(row, TEAM_FIELDS)
    for name, value in data.items():
        setattr(row, name, bool(value) if name == "escalate" else value)
    row.save()
    changes = changes_between(before, snapshot(row, TEAM_FIELDS))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=team, changes=changes)
    return row
