"""The signed-in user, and the users they may pick (owner pickers).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import (
    Field,
)

from .. import policy, selectors
from ..apikit.auth import actor
from ..apikit.endpoints import page_out
from ..apikit.errors import field_error
from ..apikit.schemas import ERRORS, NoNul, PageOut, PageQuery, UserRef
from ..models import Action, User
from ..pagination import keyset_page

# --- the caller and the users they may choose ---------------------------------------------

router = Router(tags=["users"])


class TeamRef(Schema):
    id: int
    name: str


class CustomRoleRef(Schema):
    key: str = Field(description='"custom-<id>", as /roles names it')
    name: str = Field(description="In the caller's language")
    name_fa: str
    name_en: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    display_name: str
    email: str
    role: str = Field(description="The built-in role; with a custom role, the one it is based on")
    custom_role: CustomRoleRef | None = Field(description="The custom role, if the user has one")
    team: TeamRef | None
    language: str
    time_zone: str
    is_administrator: bool
    scopes: dict[str, dict[str, str]] = Field(
        description="For each resource and action (view, change): none, own, team or all: the user's "
        "effective reach, their custom role's where they have one."
    )

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_custom_role(obj: User) -> CustomRoleRef | None:
        role = obj.custom_role
        if role is None:
            return None
        return CustomRoleRef(key=role.key, name=str(role), name_fa=role.name_fa, name_en=role.name_en)

    @staticmethod
    def resolve_scopes(obj: User) -> dict[str, dict[str, str]]:
        return {
            resource: {action: str(policy.scope(obj, resource, action)) for action in Action.values}
            for resource in policy.resources()
        }


class UserOut(UserRef):
    team_id: int | None
    assignable: bool = Field(
        description="Whether you may make this user the owner of a record of the resource asked about."
    )


class UserQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    resource: Annotated[str, Field(max_length=40, description="party (the default), deal, lead…")] = ""


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return selectors.users.with_team_and_role(actor(request))


@router.get("/users", response={200: PageOut[UserOut], **ERRORS}, summary="Active users, for owner pickers")
def users(request: HttpRequest, filters: Query[UserQuery]) -> dict[str, Any]:
    known = list(policy.resources())
    resource = filters.resource or known[0]  # the first row of the matrix: customers
    if resource not in known:
        raise field_error("resource", _("Choose one of %(expected)s.") % {"expected": ", ".join(known)})
    user = actor(request)
    queryset = selectors.users.users_matching(User.objects.filter(is_active=True), filters.q)
    page = keyset_page(queryset, order=["username", "id"], cursor=filters.cursor, limit=filters.limit)
    for other in page.items:
        other.assignable = policy.may_give(user, resource, other)  # type: ignore[attr-defined]
    return page_out(page)
