"""Every non-trivial read of the core app: users and teams, the audit log and how it reads,
signed-in sessions."""

from . import audit, company, sessions, users

__all__ = ["audit", "company", "sessions", "users"]
