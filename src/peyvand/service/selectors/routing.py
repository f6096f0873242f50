"""The assignment rules and skills as the settings pages and the API show them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from peyvand.core.models import Role, User

from ..models import AssignmentRule, Skill


def rules() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.select_related(
        "team", "category", "product", "skill", "last_user"
    ).order_by("order", "id")


def skills() -> QuerySet[Skill]:
    agents = User.objects.select_related("team").order_by("first_name", "last_name", "username")
    return Skill.objects.prefetch_related(Prefetch("agents", queryset=agents)).order_by("name", "id")


def support_agents() -> QuerySet[User]:
    """Who a skill can be given to: the active support agents, by team and name."""
    return (
        User.objects.filter(is_active=True, role=Role.SUPPORT)
        .select_related("team")
        .order_by("team__name", "first_name", "last_name", "username")
    )
