"""Roles over the API, for administrators: the built-in and custom ones with their row of the
permission matrix and two-factor rule; a custom role copied from another and changed, renamed,
deleted while nobody holds it. The same services as the /admin/roles/ pages.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from .. import policy, selectors
from ..apikit.auth import actor
from ..apikit.schemas import ERRORS, InputSchema, NoNul
from ..inputs import UNSET, Unset
from ..models import CustomRole, Role
from ..selectors.roles import RoleRow
from ..services import roles as services

router = Router(tags=["roles"])

RoleKey = Annotated[
    str, Field(max_length=40, description='A built-in role ("sales") or a custom one ("custom-3")')
]
ScopeValue = Literal["none", "own", "team", "all"]
Name = Annotated[str, Field(max_length=100), NoNul]
# resource -> action -> scope; a resource is a row of the matrix (party, deal, ticket…).
Scopes = Annotated[
    dict[Annotated[str, Field(max_length=40), NoNul], dict[Literal["view", "change"], ScopeValue]],
    Field(max_length=200, description="resource -> action (view, change) -> none, own, team or all"),
]


class RoleOut(Schema):
    key: str
    name: str = Field(description="In the caller's language")
    name_fa: str
    name_en: str
    custom: bool
    base: str = Field(
        description="The built-in role a custom role behaves as wherever a kind of user is asked"
    )
    two_factor_required: bool
    holders: int = Field(description="How many users (active or not) hold the role")


class RoleDetailOut(RoleOut):
    scopes: dict[str, dict[str, str]] = Field(
        description="Its row of the permission matrix: resource -> action -> none, own, team or all"
    )


class RoleIn(InputSchema):
    source: RoleKey = Field(
        description="The role copied: a built-in one but the administrator's, or a custom one"
    )
    name_fa: Name
    name_en: Name
    scopes: Scopes | None = Field(None, description="Cells changed from the copy")
    two_factor_required: StrictBool | None = Field(None, description="null: as the role copied")


class RolePatch(InputSchema):
    name_fa: Name | None = Field(None, description="A custom role's only; send both names")
    name_en: Name | None = None
    scopes: Scopes | None = Field(None, description="The cells to change; the others stay")
    two_factor_required: StrictBool | None = None


def _row(key: str) -> RoleRow:
    row = selectors.roles.role_get(key)
    if row is None:
        raise Http404
    return row


def _custom(key: str) -> CustomRole:
    role = services.custom_role_from_key(key)
    if role is None:
        raise Http404
    return role


def _scopes(sent: dict[str, dict[Any, Any]]) -> dict[str, dict[str, str]]:
    return {resource: {str(a): str(s) for a, s in actions.items()} for resource, actions in sent.items()}


def _change(payload: RoleIn | RolePatch, key: str = "") -> services.RoleChange:
    names: services.CustomRoleNames | Unset = UNSET
    if isinstance(payload, RolePatch) and (payload.name_fa is not None or payload.name_en is not None):
        # A name not sent stays; a built-in role's names are refused by the service.
        current = services.custom_role_from_key(key)
        names = services.CustomRoleNames(
            name_fa=payload.name_fa if payload.name_fa is not None else (current.name_fa if current else ""),
            name_en=payload.name_en if payload.name_en is not None else (current.name_en if current else ""),
        )
    return services.RoleChange(
        names=names,
        scopes=_scopes(payload.scopes) if payload.scopes is not None else UNSET,
        two_factor_required=payload.two_factor_required if payload.two_factor_required is not None else UNSET,
    )


@router.get("/roles", response={200: list[RoleOut], **ERRORS}, summary="Roles, built-in and custom")
def role_list(request: HttpRequest) -> list[RoleRow]:
    policy.require_admin(actor(request))
    return selectors.roles.role_list()


@router.get(
    "/roles/{role_key}", response={200: RoleDetailOut, **ERRORS}, summary="A role and its permissions"
)
def role_detail(request: HttpRequest, role_key: RoleKey) -> RoleRow:
    policy.require_admin(actor(request))
    return _row(role_key)


@router.post("/roles", response={201: RoleDetailOut, **ERRORS}, summary="Copy a role into a new custom role")
def role_create(request: HttpRequest, payload: RoleIn) -> Status[RoleRow]:
    user = actor(request)
    policy.require_admin(user)
    role = services.role_create(
        actor=user,
        source=payload.source,
        names=services.CustomRoleNames(name_fa=payload.name_fa, name_en=payload.name_en),
        change=_change(payload),
    )
    return Status(201, _row(role.key))


@router.patch("/roles/{role_key}", response={200: RoleDetailOut, **ERRORS}, summary="Change a role")
def role_update(request: HttpRequest, role_key: RoleKey, payload: RolePatch) -> RoleRow:
    user = actor(request)
    policy.require_admin(user)
    _row(role_key)  # 404 for a role that does not exist
    services.role_update(actor=user, key=role_key, change=_change(payload, role_key))
    return _row(role_key)


@router.delete(
    "/roles/{role_key}", response={204: None, **ERRORS}, summary="Delete a custom role nobody holds"
)
def role_delete(request: HttpRequest, role_key: RoleKey) -> Status[None]:
    user = actor(request)
    policy.require_admin(user)
    if role_key in Role.values:
        raise ValidationError({"role": _("A built-in role cannot be deleted.")})
    services.custom_role_delete(actor=user, role=_custom(role_key))
    return Status(204, None)
