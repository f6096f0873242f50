"""Small facts about this installation, such as whether the demo data was loaded."""

from __future__ import annotations

from ..models import (
    SiteFlag,
)

# --- site flags ---------------------------------------------------------------------------


def site_flag(key: str) -> str | None:
    return SiteFlag.objects.filter(key=key).values_list("value", flat=True).first()


def site_flag_set(key: str, value: str) -> None:
    SiteFlag.objects.update_or_create(key=key, defaults={"value": value})
