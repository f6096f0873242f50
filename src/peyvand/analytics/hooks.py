"""The analytics app's registrations: its row of the permission matrix, the figures it keeps
by customer owner, its menu item and its card on the customer page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, policy
from peyvand.core.http import request_user
from peyvand.core.models import Role, Scope
from peyvand.customers.models import CustomerInsight
from peyvand.sales.selectors import billing

from . import tasks
from .models import CellCount, Figure, SavedReport
from .selectors import actions, dashboard
from .selectors import reports as report_selectors

# Who opens the dashboard and who starts a run: managers (and administrators) both;
# salespeople and marketing see the figures of the customers they may see; support and
# read-only users neither, unless an administrator allows it.
_DEFAULTS: dict[str, dict[str, Scope]] = {
    Role.SALES: {"view": Scope.OWN, "change": Scope.NONE},
    Role.MARKETING: {"view": Scope.ALL, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.NONE, "change": Scope.NONE},
}
# Saved reports: each user keeps their own (a manager also sees their team's), and shares one
# with their team; the figures in any report are only those its reader may see.
_REPORT_DEFAULTS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.TEAM, "change": Scope.OWN},
    Role.SALES: {"view": Scope.OWN, "change": Scope.OWN},
    Role.SUPPORT: {"view": Scope.OWN, "change": Scope.OWN},
    Role.MARKETING: {"view": Scope.OWN, "change": Scope.OWN},
}


def register() -> None:
    tasks.register_jobs()
    policy.register_resource("analytics", _("Customer analytics"), order=70, defaults=_DEFAULTS)
    # Each figure counts the customers of one owner, and each insight is one customer's: both
    # are seen exactly as far as the user sees customers.
    policy.register(CustomerInsight, resource="party", owner="party__owner_id")
    policy.register(Figure, resource="party", owner="owner_id")
    policy.register(CellCount, resource="party", owner="owner_id")
    policy.register_resource("report", _("Reports"), order=71, defaults=_REPORT_DEFAULTS)
    policy.register(SavedReport, resource="report", owner="owner_id")
    hooks.register_nav(
        hooks.NavItem(
            "analytics",
            _("Customer analytics"),
            "analytics:dashboard",
            "bi-graph-up",
            order=55,
            visible=dashboard.may_see,
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "reports",
            _("Reports"),
            "analytics:report_list",
            "bi-table",
            order=56,
            visible=report_selectors.may_use,
        )
    )
    hooks.register_panel(
        "party", hooks.Panel("analytics", "analytics/_party_panel.html", _party_panel, "side", 25)
    )
    hooks.register_panel(
        "home", hooks.Panel("executive", "analytics/_home_executive.html", _home_executive, "main", 12)
    )


def _home_executive(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    """A way to the executive dashboard from a manager's or an administrator's home page."""
    user = request_user(request)
    if user.role not in (Role.MANAGER, Role.ADMIN) or not dashboard.may_see(user):
        return None
    return {}


def _party_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    user = request_user(request)
    if not dashboard.may_see(user):
        return None
    insight = dashboard.party_insight(user=user, party=party)
    suggestions = billing.cross_sell(party=party) if insight and billing.may_see_sales(user) else []
    return {
        "insight": insight,
        "actions": actions.next_best_actions(
            insight=insight, suggestions=suggestions, valuable=actions.valuable_line() if insight else None
        ),
    }
