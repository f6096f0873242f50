"""Every non-trivial read of the core app: users and teams, the audit log and how it reads,
signed-in sessions, the first-run set-up."""

from . import audit, company, roles, saved_views, sessions, setup, users

__all__ = ["audit", "company", "roles", "saved_views", "sessions", "setup", "users"]
