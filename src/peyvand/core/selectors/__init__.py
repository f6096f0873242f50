"""Every non-trivial read of the core app: users and teams, the audit log and how it reads."""

from . import audit, users

__all__ = ["audit", "users"]
