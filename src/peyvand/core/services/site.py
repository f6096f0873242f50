"""Small facts about this installation, such as whether the demo data was loaded, and the
settings an administrator chooses on the set-up page (how money is shown, the fiscal calendar).
"""

from __future__ import annotations

import time

from django.db import transaction

from ..models import AuditEvent, CompanyProfile, SiteFlag, User
from ..selectors.company import PROFILE_PK
from .audit import audit_log

# --- site flags ---------------------------------------------------------------------------


def site_flag(key: str) -> str | None:
    return SiteFlag.objects.filter(key=key).values_list("value", flat=True).first()


def site_flag_set(key: str, value: str) -> None:
    SiteFlag.objects.update_or_create(key=key, defaults={"value": value})


# --- settings -----------------------------------------------------------------------------

# Read for every amount shown, so each process keeps what it read for a few seconds: another
# web worker sees an administrator's change within SETTING_SECONDS.
SETTING_SECONDS = 5.0
_read: dict[str, tuple[float, str | None]] = {}


def site_setting(key: str) -> str | None:
    """An installation setting chosen by an administrator, None while never chosen."""
    now = time.monotonic()
    kept = _read.get(key)
    if kept is not None and now - kept[0] < SETTING_SECONDS:
        return kept[1]
    value = site_flag(f"setting:{key}")
    _read[key] = (now, value)
    return value


def remember_settings(values: dict[str, str | None]) -> None:
    """Take these as read (a test without a database: a fresh installation's settings)."""
    now = time.monotonic()
    _read.update({key: (now, value) for key, value in values.items()})


def site_settings_forget() -> None:
    """Read the settings afresh (after a change, and between tests)."""
    _read.clear()


@transaction.atomic
def site_settings_save(*, actor: User, values: dict[str, str]) -> dict[str, list[str | None]]:
    """Keep the chosen settings; the audit log records them as changes of the company's
    settings (the company profile's record). Returns what changed."""
    changes: dict[str, list[str | None]] = {}
    for key, value in values.items():
        before = site_flag(f"setting:{key}")
        if before != value:
            site_flag_set(f"setting:{key}", value)
            changes[key] = [before, value]
    if changes:
        profile, _created = CompanyProfile.objects.get_or_create(pk=PROFILE_PK)
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=profile, changes=changes)
        transaction.on_commit(site_settings_forget)
    site_settings_forget()
    return changes
