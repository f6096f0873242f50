"""Custom roles: copied from a role, renamed, given their own scopes, deleted when unused.

A custom role is named ``custom-<id>`` wherever a role is chosen beside the built-in ones
(the user form, the permission matrix, the two-factor roles); ``resolve_role`` turns such a
choice into the user's base role and custom role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import policy
from ..converters import is_id
from ..inputs import UNSET, Unset
from ..models import Action, AuditEvent, CustomRole, Role, RoleScope, RoleSecurity, Scope, User
from ..text import clean_text
from .audit import audit_log
from .two_factor import two_factor_required_roles, two_factor_roles_set

PREFIX = "custom-"


@dataclass(frozen=True)
class CustomRoleNames:
    name_fa: str
    name_en: str


def custom_role_from_key(key: str) -> CustomRole | None:
    """The custom role a ``custom-<id>`` choice names, or None for anything else."""
    if not key.startswith(PREFIX) or not is_id(key.removeprefix(PREFIX)):
        return None
    return CustomRole.objects.filter(pk=int(key.removeprefix(PREFIX))).first()


def resolve_role(key: str) -> tuple[str, CustomRole | None]:
    """A role chosen in a form or a call (built-in value or ``custom-<id>``) as the user's
    ``role`` and ``custom_role``."""
    if key in Role.values:
        return key, None
    custom = custom_role_from_key(key)
    if custom is None:
        raise ValidationError({"role": _("Choose a valid role.")})
    return custom.base, custom


def _builtin_names() -> set[str]:
    """The built-in roles' names in every language Peyvand speaks, whichever is active now."""
    names: set[str] = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names |= {str(label).casefold() for _value, label in Role.choices}
    return names


def _clean_names(names: CustomRoleNames, *, exclude: int | None = None) -> tuple[str, str]:
    name_fa, name_en = clean_text(names.name_fa)[:100], clean_text(names.name_en)[:100]
    errors: dict[str, str] = {}
    others = CustomRole.objects.exclude(pk=exclude) if exclude else CustomRole.objects.all()
    builtin = _builtin_names()
    for field, name in (("name_fa", name_fa), ("name_en", name_en)):
        if not name:
            errors[field] = _("Enter a name.")
        elif name.casefold() in builtin or others.filter(**{f"{field}__iexact": name}).exists():
            errors[field] = _("A role with this name already exists.")
    if errors:
        raise ValidationError(errors)
    return name_fa, name_en


@transaction.atomic
def custom_role_copy(*, actor: User, source: str, names: CustomRoleNames) -> CustomRole:
    """A new role with ``source``'s scopes as they are now (a built-in role but the
    administrator's, or a custom role), its base and its two-factor rule."""
    policy.require_admin(actor)
    copied = custom_role_from_key(source)
    if copied is None and source not in policy.ROLE_DEFAULTS:
        raise ValidationError({"source": _("Choose a role to copy.")})
    name_fa, name_en = _clean_names(names)
    if copied is not None:
        base, two_factor = copied.base, copied.two_factor_required
    else:
        base = source
        two_factor = RoleSecurity.objects.filter(role=source, two_factor_required=True).exists()
    role = CustomRole.objects.create(
        name_fa=name_fa, name_en=name_en, base=base, two_factor_required=two_factor
    )
    scopes = policy.effective_matrix()[source]
    RoleScope.objects.bulk_create(
        RoleScope(custom_role=role, resource=resource, action=action, scope=value)
        for resource, actions in scopes.items()
        for action, value in actions.items()
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=role,
        changes={"name_fa": [None, name_fa], "name_en": [None, name_en], "base": [None, base]},
    )
    return role


@transaction.atomic
def custom_role_rename(*, actor: User, role: CustomRole, names: CustomRoleNames) -> CustomRole:
    policy.require_admin(actor)
    name_fa, name_en = _clean_names(names, exclude=role.pk)
    changes = {
        field: [getattr(role, field), value]
        for field, value in (("name_fa", name_fa), ("name_en", name_en))
        if getattr(role, field) != value
    }
    if changes:
        role.name_fa, role.name_en = name_fa, name_en
        role.save(update_fields=["name_fa", "name_en"])
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=role, changes=changes)
    return role


@transaction.atomic
def custom_role_delete(*, actor: User, role: CustomRole) -> None:
    """Delete a role nobody has (active or not); its scopes go with it."""
    policy.require_admin(actor)
    holders = User.objects.filter(custom_role=role).count()
    if holders:
        raise ValidationError(
            ngettext(
                "%(count)d user has this role: give them another role before deleting it.",
                "%(count)d users have this role: give them another role before deleting it.",
                holders,
            )
            % {"count": holders}
        )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        obj=role,
        changes={"name_fa": [role.name_fa, None], "name_en": [role.name_en, None]},
    )
    role.delete()


def custom_role_scope_set(*, actor: User, role: CustomRole, resource: str, action: str, scope: str) -> None:
    """One cell of a custom role's row in the matrix (the caller checked the values)."""
    policy.require_admin(actor)
    current = policy.effective_matrix()[policy.custom_role_key(role.pk)][resource][action]
    if current == scope:
        return
    row, _created = RoleScope.objects.update_or_create(
        custom_role=role, resource=resource, action=action, defaults={"scope": scope}
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=row,
        changes={f"{policy.custom_role_key(role.pk)}.{resource}.{action}": [current, scope]},
    )


@transaction.atomic
def role_scope_set(*, role: str, resource: str, action: str, scope: str, actor: User) -> None:
    """One cell of the matrix: of a built-in role, or of a custom one ("custom-<id>")."""
    policy.require_admin(actor)
    custom = custom_role_from_key(role)
    if (role not in policy.ROLE_DEFAULTS and custom is None) or resource not in policy.resources():
        raise ValidationError(_("Choose a valid role and resource."))
    if action not in Action.values or scope not in Scope.values:
        raise ValidationError(_("Choose a valid scope."))
    if custom is not None:
        custom_role_scope_set(actor=actor, role=custom, resource=resource, action=action, scope=scope)
        return
    current = policy.effective_matrix()[role][resource][action]
    if current == scope:
        return
    row, _created = RoleScope.objects.update_or_create(
        role=role, custom_role=None, resource=resource, action=action, defaults={"scope": scope}
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=row,
        changes={f"{role}.{resource}.{action}": [current, scope]},
    )


# --- a role as one record (the API): copied with its changes, changed, deleted ------------


@dataclass(frozen=True)
class RoleChange:
    """What a role becomes; a field left UNSET stays as it is. ``scopes`` names only the
    cells to change: resource -> action -> scope."""

    names: CustomRoleNames | Unset = UNSET
    scopes: Mapping[str, Mapping[str, str]] | Unset = UNSET
    two_factor_required: bool | Unset = UNSET


def _check_scopes(scopes: Mapping[str, Mapping[str, str]]) -> None:
    """Every cell names a resource of the matrix, an action and a scope, before any is written."""
    known = policy.resources()
    for resource, actions in scopes.items():
        if resource not in known:
            raise ValidationError({"scopes": _("Unknown resource: %(name)s.") % {"name": resource}})
        for action, value in actions.items():
            if action not in Action.values:
                raise ValidationError({"scopes": _("Unknown action: %(name)s.") % {"name": action}})
            if value not in Scope.values:
                raise ValidationError({"scopes": _("Choose a valid scope.")})


def _apply(*, actor: User, key: str, change: RoleChange) -> None:
    # The administrator's two-factor rule may change; its reach may not.
    if key == Role.ADMIN and change.scopes:
        raise ValidationError({"scopes": _("The administrator reaches everything; this cannot be changed.")})
    if not isinstance(change.scopes, Unset):
        _check_scopes(change.scopes)
        for resource, actions in change.scopes.items():
            for action, value in actions.items():
                role_scope_set(role=key, resource=resource, action=action, scope=value, actor=actor)
    if not isinstance(change.two_factor_required, Unset):
        required = two_factor_required_roles()
        wanted = required | {key} if change.two_factor_required else required - {key}
        if wanted != required:
            two_factor_roles_set(roles=wanted, actor=actor)


@transaction.atomic
def role_create(*, actor: User, source: str, names: CustomRoleNames, change: RoleChange) -> CustomRole:
    """A custom role copied from ``source`` with ``change`` made to its copy, all or nothing."""
    role = custom_role_copy(actor=actor, source=source, names=names)
    _apply(actor=actor, key=role.key, change=change)
    return role


@transaction.atomic
def role_update(*, actor: User, key: str, change: RoleChange) -> None:
    """Change a role (built-in or ``custom-<id>``): a custom role's names, its row of the
    matrix, whether it must use two-factor sign-in. All or nothing."""
    policy.require_admin(actor)
    custom = custom_role_from_key(key)
    if custom is None and key not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if not isinstance(change.names, Unset):
        if custom is None:
            raise ValidationError({"name_fa": _("A built-in role keeps its name.")})
        custom_role_rename(actor=actor, role=custom, names=change.names)
    _apply(actor=actor, key=key, change=change)
