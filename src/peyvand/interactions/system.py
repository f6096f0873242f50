"""The user automatic writes are made as, where a service needs one (creating a suspect,
withdrawing consent on an opt-out reply)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from peyvand.core.models import Role, User


def system_actor() -> User:
    """PEYVAND_SYSTEM_USER, or else the first active administrator."""
    if settings.PEYVAND_SYSTEM_USER:
        user = User.objects.filter(username__iexact=settings.PEYVAND_SYSTEM_USER, is_active=True).first()
    else:
        user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    if user is None:
        raise ImproperlyConfigured(
            "No active user for automatic records: set PEYVAND_SYSTEM_USER or create an administrator."
        )
    return user
