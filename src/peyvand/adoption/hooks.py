"""The adoption app's registrations with core: its row of the permission matrix, its records
in the policy, its menu item and the notification a colleague gets when asked to answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import hooks, policy
from peyvand.core.models import Role, Scope
from peyvand.notifications import kinds

from .models import (
    Assessment,
    BusinessCase,
    FeedbackPeriod,
    Objective,
    Risk,
    Roadmap,
    Selection,
    Stakeholder,
    StakeholderAction,
)
from .selectors.assessments import may_see

# The adoption area is the project team's: administrators and managers see and change all of
# it; the other roles nothing unless an administrator allows it. A colleague asked to answer
# reaches their own questionnaire whatever their role (it is not governed by this row).
_PROJECT_TEAM: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},
    Role.SALES: {"view": Scope.NONE, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.NONE, "change": Scope.NONE},
    Role.MARKETING: {"view": Scope.NONE, "change": Scope.NONE},
    Role.READONLY: {"view": Scope.NONE, "change": Scope.NONE},
}


def register() -> None:
    policy.register_resource("adoption", gettext_lazy("CRM adoption"), order=90, defaults=_PROJECT_TEAM)
    policy.register(Assessment, resource="adoption", owner="created_by_id")
    policy.register(Risk, resource="adoption", owner="owner_id", change_owner="owner_id")
    policy.register(BusinessCase, resource="adoption", owner="created_by_id")
    policy.register(Roadmap, resource="adoption", owner="created_by_id")
    policy.register(Objective, resource="adoption", owner="owner_id")
    policy.register(Stakeholder, resource="adoption", owner="created_by_id")
    policy.register(StakeholderAction, resource="adoption", owner="stakeholder__created_by_id")
    policy.register(Selection, resource="adoption", owner="created_by_id")
    policy.register(FeedbackPeriod, resource="adoption", owner="created_by_id")
    hooks.register_nav(
        hooks.NavItem(
            "adoption",
            gettext_lazy("CRM adoption"),
            "adoption:assessment_list",
            "bi-clipboard-data",
            order=80,
            visible=may_see,
        )
    )
    kinds.register(
        "adoption_invited",
        kinds.Kind(
            gettext_lazy("Questionnaire to answer"), "bi-clipboard-check", kinds.ALERTS, _invited_text
        ),
    )


def _invited_text(data: Mapping[str, Any]) -> str:
    return _("You are asked to answer the readiness questionnaire “%(title)s”.") % {
        "title": str(data.get("title") or "")
    }
