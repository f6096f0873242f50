"""The automation app's registrations with core (filled in below)."""

from __future__ import annotations


def register() -> None:
    pass
