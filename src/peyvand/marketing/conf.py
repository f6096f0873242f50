"""Marketing settings, read from the environment so settings.py stays the same for every app.

PEYVAND_CAMPAIGN_BATCH          recipients queued per transaction while a campaign is sent (2000)
PEYVAND_CAMPAIGN_TEST_LIMIT     test sends a user may make per hour (10)
PEYVAND_CAMPAIGN_ATTRIBUTION    days after a send in which an order counts for it, by default (30)
PEYVAND_CAMPAIGN_BOUNCE_DAYS    an address whose message failed for good within these days is
                                skipped as bounced (180)
PEYVAND_SMS_OPT_OUT_FA          the opt-out line every Persian marketing SMS ends with («لغو۱۱»)
PEYVAND_SMS_OPT_OUT_EN          the same for English ("Reply STOP to opt out")
"""

from __future__ import annotations

import os

# A campaign's sending run holds its lease this long without a heartbeat; after that the
# periodic check takes it over (a worker that died).
LEASE_SECONDS = 120


def _int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, str(default))))
    except ValueError:
        return default


def batch_size() -> int:
    return _int("PEYVAND_CAMPAIGN_BATCH", 2000)


def test_send_limit() -> int:
    return _int("PEYVAND_CAMPAIGN_TEST_LIMIT", 10)


def attribution_days() -> int:
    return _int("PEYVAND_CAMPAIGN_ATTRIBUTION", 30)


def bounce_days() -> int:
    return _int("PEYVAND_CAMPAIGN_BOUNCE_DAYS", 180)


def sms_opt_out(language: str) -> str:
    """The line that tells the reader how to stop: an operator's rule for advertising SMS, and
    a reply the inbox recognises (interactions.consent.is_opt_out)."""
    if language == "fa":
        return os.environ.get("PEYVAND_SMS_OPT_OUT_FA", "لغو۱۱")
    return os.environ.get("PEYVAND_SMS_OPT_OUT_EN", "Reply STOP to opt out")
