"""The marketing app's registrations: its records in the permission policy, its menu items,
its card on the customer page, and its jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, policy
from peyvand.core.http import request_user
from peyvand.core.models import Role, Scope
from peyvand.core.selectors import search

from . import tasks
from .models import Campaign, Enrolment, Programme, Recipient, Segment, Step
from .selectors.campaigns import party_campaigns
from .selectors.home import campaigns_card

# Marketing owns segments and campaigns, whoever made them; sales sees them (the responses
# of their customers, the lists they may use), support works elsewhere.
_MARKETING_OWNS: dict[str, dict[str, Scope]] = {
    Role.MARKETING: {"view": Scope.ALL, "change": Scope.ALL},
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.TEAM},
    Role.SALES: {"view": Scope.ALL, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.NONE, "change": Scope.NONE},
}


def _finder(model: type[Any], url_name: str, **only: Any) -> Any:
    def find(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
        return search.hits(
            user,
            search.matching(model.objects.filter(**only), query),
            limit,
            url=lambda obj: reverse(url_name, args=[obj.pk]),
        )

    return find


def register() -> None:
    tasks.register_jobs()
    hooks.register_search(
        hooks.SearchSource(
            "campaign",
            _("Campaigns"),
            "bi-megaphone",
            _finder(Campaign, "marketing:campaign_detail", programme=None),
            order=50,
        )
    )
    hooks.register_search(
        hooks.SearchSource(
            "programme",
            _("Programmes"),
            "bi-diagram-3",
            _finder(Programme, "marketing:programme_detail"),
            order=52,
        )
    )
    hooks.register_search(
        hooks.SearchSource(
            "segment",
            _("Segments and lists"),
            "bi-people",
            _finder(Segment, "marketing:segment_detail"),
            order=51,
        )
    )
    policy.register_resource("segment", _("Segments and lists"), order=70, defaults=_MARKETING_OWNS)
    policy.register_resource("campaign", _("Campaigns"), order=75, defaults=_MARKETING_OWNS)
    policy.register(Segment, resource="segment", owner="owner_id")
    policy.register(Campaign, resource="campaign", owner="owner_id")
    policy.register(Recipient, resource="campaign", owner="campaign__owner_id")
    # Programmes are campaigns in several steps: the same rows of the matrix.
    policy.register(Programme, resource="campaign", owner="owner_id")
    policy.register(Step, resource="campaign", owner="programme__owner_id")
    policy.register(Enrolment, resource="campaign", owner="programme__owner_id")

    def sees(resource: str) -> Any:
        return lambda user: policy.scope(user, resource, "view") != Scope.NONE

    hooks.register_nav_group(hooks.NavGroup("marketing", _("Marketing"), "bi-megaphone", order=38))
    hooks.register_nav(
        hooks.NavItem(
            "campaigns", _("Campaigns"), "marketing:campaign_list", "bi-send", 10, visible=sees("campaign"),
            group="marketing",
        )
    )  # fmt: skip
    hooks.register_nav(
        hooks.NavItem(
            "programmes", _("Programmes"), "marketing:programme_list", "bi-diagram-3", 15,
            visible=sees("campaign"), group="marketing",
        )
    )  # fmt: skip
    hooks.register_nav(
        hooks.NavItem(
            "segments", _("Segments and lists"), "marketing:segment_list", "bi-funnel", 20,
            visible=sees("segment"), group="marketing",
        )
    )  # fmt: skip
    hooks.register_nav(
        hooks.NavItem(
            "strategy_cube", _("Strategy cube"), "marketing:strategy_cube", "bi-grid-3x3", 30,
            visible=sees("campaign"), group="marketing",
        )
    )  # fmt: skip
    hooks.register_nav(
        hooks.NavItem(
            "attribution", _("Attribution"), "marketing:attribution", "bi-diagram-2", 35,
            visible=sees("campaign"), group="marketing",
        )
    )  # fmt: skip
    hooks.register_list_action(
        "party_list",
        hooks.ListAction(
            "to_list", _("Save as a list"), "marketing:list_from_selection", "bi-list-check",
            visible=lambda user: policy.can_create(user, Segment),
        ),
    )  # fmt: skip
    hooks.register_panel(
        "party", hooks.Panel("campaigns", "marketing/_party_panel.html", _party_panel, "side", 40)
    )
    hooks.register_panel(
        "home",
        hooks.Panel("campaigns", "marketing/_home_campaigns.html", _home_campaigns, "main", 40, charts=True),
    )
    hooks.register_value_display("marketing.segment", "rule", lambda value: "…" if value else "")


def _home_campaigns(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    """The home page's running campaigns, for marketing and administrators."""
    card = campaigns_card(user=request_user(request))
    return {"card": card} if card is not None else None


def _party_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The campaigns that reached this customer and what the customer did with them."""
    user = request_user(request)
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        return None
    recipients = party_campaigns(user=user, party=party)
    return {"recipients": recipients} if recipients else None
