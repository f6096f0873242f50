"""The automation app's registrations with core: its row of the permission matrix, its menu
item, its notification, and the record-event listener that sets rules off."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import hooks, policy
from peyvand.core.models import Role, Scope
from peyvand.notifications import kinds

from . import tasks
from .models import Rule
from .services.engine import record_events_listen
from .services.rules import may_manage

# Rules act on every kind of record as their owner: administrators and managers write them;
# the other roles do not see them unless an administrator allows it.
_MANAGERS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},
    Role.SALES: {"view": Scope.NONE, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.NONE, "change": Scope.NONE},
    Role.MARKETING: {"view": Scope.NONE, "change": Scope.NONE},
    Role.READONLY: {"view": Scope.NONE, "change": Scope.NONE},
}


def register() -> None:
    policy.register_resource("automation", gettext_lazy("Workflow automation"), order=95, defaults=_MANAGERS)
    policy.register(Rule, resource="automation", owner="created_by_id")
    tasks.register_jobs()
    hooks.on_record_event(record_events_listen)
    hooks.register_nav(
        hooks.NavItem(
            "automation",
            gettext_lazy("Automation"),
            "automation:rule_list",
            "bi-lightning-charge",
            order=85,
            visible=may_manage,
        )
    )
    kinds.register(
        "automation_rule",
        kinds.Kind(gettext_lazy("Automation rule"), "bi-lightning-charge", kinds.ALERTS, _rule_text),
    )


def _rule_text(data: Mapping[str, Any]) -> str:
    return _("%(rule)s: %(text)s (%(record)s)") % {
        "rule": str(data.get("rule") or ""),
        "text": str(data.get("text") or ""),
        "record": str(data.get("record") or ""),
    }
