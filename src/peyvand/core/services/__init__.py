"""Every write of the core app. Import the area's module: ``services.audit.audit_log``."""

from . import audit, logins, site, tokens, users

__all__ = ["audit", "logins", "site", "tokens", "users"]
