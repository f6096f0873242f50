"""The portal app's registrations with core: its records in the permission policy, its menu items."""

from __future__ import annotations


def register() -> None:
    pass
