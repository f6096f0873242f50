"""Brute-force protection on sign-in, that no one can turn against a user.

Failures are counted per pair of account and address (the real client behind trusted
proxies): five wrong passwords from one address make that address wait before trying that
account again, and the wait doubles with each further failure; the account stays open from
everywhere else, so nobody locks the administrator out by guessing their password. One
address failing on many accounts (a password-spraying script) waits too, with more room,
since an office may share one address. A success forgives its pair; an administrator may
lift a wait at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from .. import policy
from ..models import AuditEvent, LoginAttempt, User
from .audit import audit_log

# How much more room an address gets across all accounts than on one account.
ADDRESS_ROOM = 4
# The longest wait, however many failures.
LONGEST_WAIT = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Wait:
    """Why a sign-in must wait, and until when."""

    until: dt.datetime
    per_address: bool  # the address failed on many accounts, not just this one


def login_wait(*, username: str, address: str | None, now: dt.datetime | None = None) -> Wait | None:
    """How long this address must wait before trying this account again; None: try now."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False, address=address)
    limit = settings.LOGIN_MAX_FAILURES
    pair = failures.filter(username__iexact=username).aggregate(count=Count("id"), last=Max("at"))
    if pair["count"] >= limit:
        until = pair["last"] + _wait_after(pair["count"] - limit)
        if until > now:
            return Wait(until, per_address=False)
    if address:
        spread = failures.aggregate(count=Count("id"), last=Max("at"))
        if spread["count"] >= limit * ADDRESS_ROOM:
            until = spread["last"] + _wait_after(spread["count"] - limit * ADDRESS_ROOM)
            if until > now:
                return Wait(until, per_address=True)
    return None


def _wait_after(extra_failures: int) -> dt.timedelta:
    """A minute after the limit is reached, doubling with each further failure."""
    return min(dt.timedelta(minutes=1) * 2 ** min(extra_failures, 10), LONGEST_WAIT)


def login_attempt_record(*, username: str, address: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], address=address, succeeded=succeeded)
    if succeeded:
        # A success forgives the failures of this account from this address.
        LoginAttempt.objects.filter(username__iexact=username, address=address, succeeded=False).delete()


def login_waits(*, now: dt.datetime | None = None) -> list[dict[str, object]]:
    """The pairs and addresses waiting now, for the administrator's page."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    rows = (
        LoginAttempt.objects.filter(at__gte=since, succeeded=False)
        .values("username", "address")
        .annotate(count=Count("id"), last=Max("at"))
        .order_by("-last")
    )
    waiting = []
    for row in rows:
        wait = login_wait(username=row["username"], address=row["address"], now=now)
        if wait is not None:
            waiting.append({**row, "until": wait.until, "per_address": wait.per_address})
    return waiting


def login_wait_lift(*, actor: User, username: str, address: str | None) -> int:
    """An administrator lets this address try this account (and others) again at once."""
    policy.require_admin(actor)
    failures = LoginAttempt.objects.filter(succeeded=False, address=address)
    lifted, _kinds = failures.filter(username__iexact=username).delete()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=actor,
        changes={"sign_in_wait": [f"{username} {address}", None]},
    )
    return lifted
