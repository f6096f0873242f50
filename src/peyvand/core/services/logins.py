"""Brute-force protection on sign-in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from ..models import (
    LoginAttempt,
)

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
