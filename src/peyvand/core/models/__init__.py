"""Users, teams and roles; the audit log; API tokens and sign-in attempts; the base of
every tracked record."""

from .access import ApiToken, LoginAttempt
from .audit import AuditEvent
from .records import AliveManager, Searchable, TrackedModel
from .site import SiteFlag
from .users import Action, Role, RoleScope, Scope, Team, User

__all__ = [
    "Action",
    "AliveManager",
    "ApiToken",
    "AuditEvent",
    "LoginAttempt",
    "Role",
    "RoleScope",
    "Scope",
    "Searchable",
    "SiteFlag",
    "Team",
    "TrackedModel",
    "User",
]
