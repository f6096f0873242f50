"""Users, teams and roles; the audit log; API tokens, sign-in attempts, two-factor sign-in
and sessions; saved views of lists; the base of every tracked record."""

from .access import ApiToken, LoginAttempt
from .audit import AuditEvent
from .custom_fields import CustomField, CustomValues
from .records import AliveManager, Searchable, TrackedModel
from .security import RecoveryCode, RoleSecurity, TwoFactorDevice, UserSession
from .site import CompanyProfile, SiteFlag
from .users import Action, CustomRole, Role, RoleScope, Scope, Team, User
from .views import DefaultView, ListColumns, SavedView

__all__ = [
    "Action",
    "AliveManager",
    "ApiToken",
    "AuditEvent",
    "CompanyProfile",
    "CustomField",
    "CustomRole",
    "CustomValues",
    "DefaultView",
    "ListColumns",
    "LoginAttempt",
    "RecoveryCode",
    "Role",
    "RoleScope",
    "RoleSecurity",
    "SavedView",
    "Scope",
    "Searchable",
    "SiteFlag",
    "Team",
    "TrackedModel",
    "TwoFactorDevice",
    "User",
    "UserSession",
]
