"""The activities app's registrations: its records in the permission policy, its menu items,
the "Next steps" card on the customer page and the "Activities" card on a deal's page, and
customer anniversaries among the reminders' occasions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, jalali, policy
from peyvand.core.http import request_user
from peyvand.core.selectors import search

from .models import Activity, Status
from .occasions import first_deal_won
from .presets import PRESETS, preset_due
from .selectors.activities import party_next_steps
from .selectors.deals import deal_activities
from .selectors.home import day_card
from .services.alerts import register_occasion_source


def _find_activities(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
    return search.hits(
        user,
        search.matching(Activity.objects.all(), query),
        limit,
        url=lambda activity: reverse("activity_detail", args=[activity.pk]),
        detail=lambda activity: activity.get_kind_display(),
    )


def register() -> None:
    hooks.register_search(
        hooks.SearchSource(
            "activity",
            _("Activities"),
            "bi-check2-square",
            _find_activities,
            order=30,
            more=lambda query: f"{reverse('activity_list')}?{urlencode({'q': query})}",
        )
    )
    policy.register_resource("activity", _("Activities"), order=30)
    # An activity belongs to whoever is to do it: they (and, by the policy's scopes,
    # their team or manager) see and change it.
    policy.register(Activity, resource="activity", owner="assignee_id")

    def may_plan(user: object) -> bool:
        return policy.can_create(user, Activity)

    hooks.register_nav_group(hooks.NavGroup("follow_up", _("Follow-up"), "bi-check2-square", order=30))
    hooks.register_nav(
        hooks.NavItem("my_day", _("My day"), "my_day", "bi-sun", order=5, visible=may_plan, group="follow_up")
    )
    hooks.register_nav(
        hooks.NavItem(
            "calendar",
            _("Calendar"),
            "calendar",
            "bi-calendar3",
            order=6,
            visible=may_plan,
            group="follow_up",
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "follow_up_settings", _("Follow-up and escalation"), "team_settings", menu="admin", order=60
        )
    )
    register_occasion_source(first_deal_won)
    hooks.register_panel(
        "party", hooks.Panel("next_steps", "activities/_party_panel.html", _next_steps, "side", 10)
    )
    hooks.register_panel(
        "deal", hooks.Panel("activities", "activities/_deal_panel.html", _deal_panel, "side", 10)
    )
    hooks.register_panel(
        "home", hooks.Panel("my_day", "activities/_home_day.html", _home_day, "main", 15, charts=True)
    )


def _next_steps(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The "Next steps" card: open activities and the two-click "schedule next contact"."""
    user = request_user(request)
    may_plan = policy.can_create(user, Activity)
    activities, total = party_next_steps(user=user, party=party)
    if not may_plan and not activities:
        return None
    uses_jalali = jalali.uses_jalali()
    return {
        "activities": activities,
        "total": total,
        "may_plan": may_plan,
        "presets": [(name, label, preset_due(name, jalali=uses_jalali)) for name, label in PRESETS.items()],
        # Coming back from logging a call: offer to plan the next one.
        "offer": _offered(request, party),
        "open_status": Status.OPEN,
    }


def _offered(request: HttpRequest, party: Any) -> bool:
    session = getattr(request, "session", None)
    if session is None or session.get("follow_up_offer") != party.pk:
        return False
    del session["follow_up_offer"]
    return True


def _home_day(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    """The home page's "My day" card, for those who plan their own follow-up."""
    card = day_card(user=request_user(request))
    return {"card": card} if card is not None else None


def _deal_panel(request: HttpRequest, deal: Any) -> dict[str, Any]:
    """The deal page's "Activities" card."""
    user = request_user(request)
    activities, total = deal_activities(user=user, deal=deal)
    return {"activities": activities, "total": total, "may_plan": policy.can_create(user, Activity)}
