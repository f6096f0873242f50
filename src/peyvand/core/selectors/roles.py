"""The roles as the API reads them: the built-in ones and the custom ones, each with its row
of the permission matrix, its two-factor rule and how many users hold it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import translation

from .. import policy
from ..models import Action, CustomRole, Role, Scope, User
from ..services.two_factor import two_factor_required_roles


@dataclass(frozen=True)
class RoleRow:
    key: str  # a built-in role's value, or "custom-<id>"
    name: str  # in the reader's language
    name_fa: str
    name_en: str
    custom: bool
    base: str
    two_factor_required: bool
    holders: int
    scopes: dict[str, dict[str, str]]  # resource -> action -> scope


def _names(label: object) -> tuple[str, str]:
    found = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found[language] = str(label)
    return found.get("fa", ""), found.get("en", "")


def role_list() -> list[RoleRow]:
    """Every role: the built-in ones in their order, then the custom ones by English name."""
    matrix = policy.effective_matrix()
    required = two_factor_required_roles()
    builtin_holders = dict(
        User.objects.filter(custom_role__isnull=True)
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    # The administrator is not in the matrix: they reach everything.
    everything = {resource: dict.fromkeys(Action.values, Scope.ALL) for resource in policy.resources()}
    rows = []
    for value, label in Role.choices:
        name_fa, name_en = _names(label)
        scopes = everything if value == Role.ADMIN else matrix[value]
        rows.append(
            RoleRow(
                key=value,
                name=str(label),
                name_fa=name_fa,
                name_en=name_en,
                custom=False,
                base=value,
                two_factor_required=value in required,
                holders=builtin_holders.get(value, 0),
                scopes={r: {a: str(s) for a, s in actions.items()} for r, actions in scopes.items()},
            )
        )
    for role in CustomRole.objects.annotate(holder_count=Count("users")):
        rows.append(
            RoleRow(
                key=role.key,
                name=str(role),
                name_fa=role.name_fa,
                name_en=role.name_en,
                custom=True,
                base=role.base,
                two_factor_required=role.two_factor_required,
                holders=role.holder_count,
                scopes={
                    r: {a: str(s) for a, s in actions.items()} for r, actions in matrix[role.key].items()
                },
            )
        )
    return rows


def role_get(key: str) -> RoleRow | None:
    return next((row for row in role_list() if row.key == key), None)
