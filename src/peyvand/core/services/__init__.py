"""Every write of the core app. Import the area's module: ``services.audit.audit_log``."""

from . import (
    audit,
    company,
    invitations,
    logins,
    roles,
    saved_views,
    sessions,
    site,
    tokens,
    two_factor,
    users,
)

__all__ = [
    "audit",
    "company",
    "invitations",
    "logins",
    "roles",
    "saved_views",
    "sessions",
    "site",
    "tokens",
    "two_factor",
    "users",
]
