"""Users' telephony extensions."""

from __future__ import annotations

from django.db.models import QuerySet

from peyvand.core.models import User

from ..models import TelephonyProfile


def extension_list() -> QuerySet[TelephonyProfile]:
    return TelephonyProfile.objects.select_related("user").order_by("extension")


def has_extension(*, user: User) -> bool:
    """Whether calls to some extension pop up for ``user`` (their page then watches for them)."""
    return TelephonyProfile.objects.filter(user=user).exists()
