"""Helpers of the control-group and A/B-test tests: a crowd of customers who agree to SMS."""

from __future__ import annotations

from peyvand.core.models import User
from peyvand.customers.models import Kind, Party


def crowd(owner: User, count: int, *, consent: bool = True, start: int = 0) -> list[Party]:
    """``count`` people with a mobile number, agreeing to SMS (or not)."""
    return Party.objects.bulk_create(
        [
            Party(
                kind=Kind.PERSON,
                first_name=f"مشتری{i}",
                last_name="آزمون",
                display_name=f"مشتری{i} آزمون",
                sort_key=f"{i:06d}",
                owner=owner,
                primary_phone=f"+98912{i:07d}",
                sms_consent=consent,
                sms_consent_source="web form" if consent else "",
            )
            for i in range(start, start + count)
        ]
    )
