"""The one permission policy: who may see and change which record.

Each kind of record is registered with the matrix row (resource) that governs it and the
path to the user who owns it. A role's scope for a resource and action is one of
none / own / team / all; the defaults below apply unless an administrator overrides them
(``RoleScope``). Administrators always reach everything, and inactive or anonymous users
nothing. Every list, page, export and endpoint filters through ``visible``/``changeable``
or asks ``can_view``/``can_change``; nothing else decides.

Team scope also covers records nobody owns yet, so an unassigned customer is not lost.

A custom role (``CustomRole``, a copy an administrator made of another role) reaches records
by its own ``RoleScope`` rows and, where it has none, by its base built-in role's defaults;
its users' ``role`` is that base, which decides everything but the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from .converters import is_id
from .models import Action, AuditEvent, CustomRole, Role, RoleScope, Scope, User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Resource:
    """A row of the permission matrix, registered by the app whose records it governs."""

    key: str
    label: Any  # a lazy translation
    order: int
    # role -> action -> scope, where this resource differs from the role's usual reach.
    defaults: Mapping[str, Mapping[str, Scope]]


# Each role's usual reach (view, change); a resource may register its own for some roles.
_V, _C = Action.VIEW, Action.CHANGE
ROLE_DEFAULTS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {_V: Scope.TEAM, _C: Scope.TEAM},
    Role.SALES: {_V: Scope.TEAM, _C: Scope.OWN},
    Role.SUPPORT: {_V: Scope.TEAM, _C: Scope.OWN},
    Role.MARKETING: {_V: Scope.ALL, _C: Scope.OWN},
    Role.READONLY: {_V: Scope.NONE, _C: Scope.NONE},
}

_RESOURCES: dict[str, Resource] = {}


def register_resource(
    key: str, label: Any, *, order: int = 100, defaults: Mapping[str, Mapping[str, Scope]] | None = None
) -> None:
    """Add a row to the matrix (from an app's ``AppConfig.ready``)."""
    _RESOURCES[key] = Resource(key, label, order, defaults or {})


def resources() -> dict[str, Any]:
    """resource -> label, in the matrix's order."""
    ordered = sorted(_RESOURCES.values(), key=lambda r: (r.order, r.key))
    return {r.key: r.label for r in ordered}


def default_scope(role: str, resource: str, action: str) -> Scope:
    """What ``role`` reaches of ``resource`` unless an administrator changed it."""
    registered = _RESOURCES.get(resource)
    if registered is None or role not in ROLE_DEFAULTS:
        return Scope.NONE
    own = registered.defaults.get(role, {}).get(action)
    return Scope(own if own is not None else ROLE_DEFAULTS[role][action])


@dataclass(frozen=True)
class Rule:
    resource: str
    # Lookup paths to the user whose record it is, e.g. "owner_id" or "party__owner_id":
    # one for seeing, one for changing (a call is seen with its customer but belongs to
    # whoever handled it).
    view_owner: str
    change_owner: str

    def owner(self, action: str) -> str:
        return self.view_owner if action == Action.VIEW else self.change_owner


_RULES: dict[type[models.Model], Rule] = {}


def register(
    model: type[models.Model], *, resource: str, owner: str, change_owner: str | None = None
) -> None:
    if resource not in _RESOURCES:
        raise ValueError(f"unknown resource {resource!r}")
    _RULES[model] = Rule(resource, owner, change_owner or owner)


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the permission policy") from None


def scope(user: Any, resource: str, action: str) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    if user.role == Role.ADMIN:
        return Scope.ALL
    custom = getattr(user, "custom_role_id", None)
    overrides = _cached(user, "_policy_overrides", lambda: _load_overrides(user.role, custom))
    return Scope(overrides.get((resource, action), default_scope(user.role, resource, action)))


def custom_role_key(pk: int) -> str:
    """How the matrix names a custom role beside the built-in ones."""
    return f"custom-{pk}"


def effective_matrix() -> dict[str, dict[str, dict[str, Scope]]]:
    """role -> resource -> action -> scope, defaults merged with overrides, for the admin page:
    the built-in roles, then each custom role (keyed ``custom-<id>``)."""
    bases = {role: role for role in ROLE_DEFAULTS}
    for pk, base in CustomRole.objects.values_list("pk", "base"):
        bases[custom_role_key(pk)] = base
    matrix = {
        key: {res: {a: default_scope(base, res, a) for a in Action.values} for res in resources()}
        for key, base in bases.items()
    }
    for row in RoleScope.objects.all():
        key = custom_role_key(row.custom_role_id) if row.custom_role_id else row.role
        if key in matrix and row.resource in matrix[key]:
            matrix[key][row.resource][row.action] = Scope(row.scope)
    return matrix


def visible(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    return _filter(user, queryset, Action.VIEW)


def changeable(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    return _filter(user, queryset, Action.CHANGE)


def visible_events(user: Any, events: models.QuerySet[AuditEvent]) -> models.QuerySet[AuditEvent]:
    """The audit events about records ``user`` may see.

    An event of a governed model shows when the user may see that kind of record and, where
    their scope is own or team, that very record (a deleted one too: its history stays
    readable). Events of models the policy does not govern are left to the caller, which
    limits them by customer.
    """
    for model, rule in _RULES.items():
        label = model._meta.label_lower
        reach = scope(user, rule.resource, Action.VIEW)
        if reach == Scope.NONE:
            events = events.exclude(model=label)
        elif reach != Scope.ALL:
            record = _filter(user, model._base_manager.filter(pk=OuterRef("object_id")), Action.VIEW)
            events = events.filter(~Q(model=label) | Exists(record))
    return events


def get_visible(user: Any, queryset: models.QuerySet[M], pk: Any) -> M:
    """The record ``user`` may see, or 404 exactly as if it did not exist."""
    if not is_id(pk):
        raise Http404
    obj = visible(user, queryset).filter(pk=int(str(pk))).first()
    if obj is None:
        raise Http404
    return obj


def can_view(user: Any, obj: models.Model) -> bool:
    return _allows(user, obj, Action.VIEW)


def can_change(user: Any, obj: models.Model) -> bool:
    return _allows(user, obj, Action.CHANGE)


def can_create(user: Any, model: type[models.Model]) -> bool:
    return scope(user, rule_for(model).resource, Action.CHANGE) != Scope.NONE


def may_own(user: Any, model: type[models.Model], owner: User | None) -> bool:
    """Whether ``user`` may give a record of ``model`` to ``owner`` (on create or reassign)."""
    return may_give(user, rule_for(model).resource, owner)


def may_give(user: Any, resource: str, owner: User | None) -> bool:
    """Whether ``user`` may give a record of ``resource`` to ``owner``."""
    return _reaches(user, scope(user, resource, Action.CHANGE), owner.pk if owner else None)


def require_view(user: Any, obj: models.Model) -> None:
    if not can_view(user, obj):
        raise PermissionDenied(_("You do not have permission to see this record."))


def require_change(user: Any, obj: models.Model) -> None:
    if not can_change(user, obj):
        raise PermissionDenied(_("You do not have permission to change this record."))


def require_create(user: Any, model: type[models.Model]) -> None:
    if not can_create(user, model):
        raise PermissionDenied(_("You do not have permission to create this record."))


def require_admin(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_administrator:
        raise PermissionDenied(_("Only an administrator may do this."))


def team_member_ids(user: Any) -> frozenset[int]:
    def load() -> frozenset[int]:
        if user.team_id is None:
            return frozenset({user.pk})
        ids = User.objects.filter(team_id=user.team_id).values_list("pk", flat=True)
        return frozenset(ids) | {user.pk}

    return _cached(user, "_policy_team", load)


def _filter(user: Any, queryset: models.QuerySet[M], action: str) -> models.QuerySet[M]:
    rule = rule_for(queryset.model)
    reach = scope(user, rule.resource, action)
    if reach == Scope.ALL:
        return queryset
    if reach == Scope.NONE:
        return queryset.none()
    owner = rule.owner(action)
    if reach == Scope.OWN:
        return queryset.filter(**{owner: user.pk})
    return queryset.filter(
        Q(**{f"{owner}__in": sorted(team_member_ids(user))}) | Q(**{f"{owner}__isnull": True})
    )


def _allows(user: Any, obj: models.Model, action: str) -> bool:
    rule = rule_for(type(obj))
    reach = scope(user, rule.resource, action)
    if reach in (Scope.ALL, Scope.NONE):
        return reach == Scope.ALL
    return _reaches(user, reach, _owner_id(obj, rule.owner(action)))


def _reaches(user: Any, reach: Scope, owner_id: int | None) -> bool:
    if reach == Scope.ALL:
        return True
    if reach == Scope.OWN:
        return owner_id is not None and owner_id == user.pk
    if reach == Scope.TEAM:
        return owner_id is None or owner_id in team_member_ids(user)
    return False


def _owner_id(obj: models.Model, path: str) -> int | None:
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)


def _load_overrides(role: str, custom_role_id: int | None) -> dict[tuple[str, str], str]:
    if custom_role_id is not None:
        mine = RoleScope.objects.filter(custom_role_id=custom_role_id)
    else:
        mine = RoleScope.objects.filter(role=role, custom_role__isnull=True)
    rows = mine.values_list("resource", "action", "scope")
    return {(resource, action): value for resource, action, value in rows}


def _cached(user: Any, attr: str, load: Any) -> Any:
    if not hasattr(user, attr):
        setattr(user, attr, load())
    return getattr(user, attr)
