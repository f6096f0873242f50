"""Users and teams, for the administration pages and user pickers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from django.db import models
from django.db.models import Count, QuerySet

from .. import policy
from ..converters import is_id
from ..models import CustomRole, Role, Team, User
from ..pagination import Page, keyset_page
from ..text import search_terms, to_ascii_digits

USER_SORTS = {
    "name": ["username", "id"],
    "-name": ["-username", "-id"],
    "joined": ["date_joined", "id"],
    "-joined": ["-date_joined", "-id"],
}


def users_matching(queryset: QuerySet[User], query: str | None) -> QuerySet[User]:
    """Users whose username, names or email hold every term of ``query``, compared in the
    search form on both sides (Arabic letters, hamza forms and digits folded)."""
    for term in search_terms(query):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def user_list(*, filters: Mapping[str, str], cursor: str | None, limit: int = 50) -> Page[User]:
    queryset = users_matching(User.objects.select_related("team", "custom_role"), filters.get("q"))
    role = filters.get("role") or ""
    custom = role.removeprefix("custom-")
    if role in Role.values:  # the built-in role itself, not the custom roles based on it
        queryset = queryset.filter(role=role, custom_role__isnull=True)
    elif role.startswith("custom-") and is_id(custom):
        queryset = queryset.filter(custom_role_id=int(custom))
    elif role:
        queryset = queryset.none()
    team = to_ascii_digits(filters.get("team") or "")
    if is_id(team):
        queryset = queryset.filter(team_id=int(team))
    if filters.get("active") in ("yes", "no"):
        queryset = queryset.filter(is_active=filters["active"] == "yes")
    order = USER_SORTS.get(filters.get("sort") or "name", USER_SORTS["name"])
    return keyset_page(queryset, order=order, cursor=cursor, limit=limit)


def custom_role_list() -> QuerySet[CustomRole]:
    """The custom roles with how many users have each (``holder_count``)."""
    return CustomRole.objects.annotate(holder_count=Count("users"))


def team_list() -> QuerySet[Team]:
    return Team.objects.annotate(member_count=Count("members")).order_by("name")


def managers_of(team_id: int | None, *, exclude: int | None = None) -> list[User]:
    """Who hears of what a team lets slip: its managers, else the administrators."""
    others = User.objects.filter(is_active=True).exclude(pk__in=[exclude] if exclude else [])
    managers = list(others.filter(team_id=team_id, role=Role.MANAGER)) if team_id else []
    return managers or list(others.filter(role=Role.ADMIN))


def assignable(*, user: User, model: type[models.Model]) -> list[User]:
    """The active users ``user`` may give a record of ``model`` to, by name (owner pickers)."""
    people = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
    )
    return [other for other in people if policy.may_own(user, model, other)]


def with_team_and_role(user: User) -> User:
    """``user`` with their team and custom role loaded: one query at most, none where the
    token's or session's read loaded them already or the user has neither."""
    relations = {
        name: cast(models.ForeignKey, User._meta.get_field(name)) for name in ("team", "custom_role")
    }
    missing = [
        name
        for name, field in relations.items()
        if getattr(user, field.attname) is not None and not field.is_cached(user)
    ]
    if missing:
        loaded = User.objects.select_related(*missing).get(pk=user.pk)
        for name in missing:
            relations[name].set_cached_value(user, getattr(loaded, name))
    return user
