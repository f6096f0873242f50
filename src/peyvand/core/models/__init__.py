"""Users, teams and roles; the audit log; API tokens and sign-in attempts; the base of
every tracked record."""

from .access import ApiToken, LoginAttempt
from .audit import AuditEvent
from .records import AliveManager, TrackedModel
from .site import SiteFlag
from .users import SEARCHED_USER_FIELDS, Action, Role, RoleScope, Scope, Team, User, user_search_text

__all__ = [
    "SEARCHED_USER_FIELDS",
    "Action",
    "AliveManager",
    "ApiToken",
    "AuditEvent",
    "LoginAttempt",
    "Role",
    "RoleScope",
    "Scope",
    "SiteFlag",
    "Team",
    "TrackedModel",
    "User",
    "user_search_text",
]
