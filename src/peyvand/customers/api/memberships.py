"""A person's organisations, with job titles.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import visible_or_404
from peyvand.core.apikit.schemas import (
    ERRORS,
    Id,
    PageOut,
)
from peyvand.core.models import User

from .. import selectors, services
from ..models import Kind, Membership
from .common import visible_party
from .schemas import MembershipCreate, MembershipOut, MembershipUpdate, visible_memberships

router = Router(tags=["customers"])

# --- memberships --------------------------------------------------------------------------


@router.get(
    "/people/{party_id}/memberships",
    response={200: PageOut[MembershipOut], **ERRORS},
    summary="A person's organisations (all in one page)",
)
def membership_list(request: HttpRequest, party_id: Id) -> dict[str, Any]:
    # A person belongs to a handful of organisations: one page, through the selector that
    # also hides organisations the caller may not see.
    user = actor(request)
    person = selectors.parties.party_get(user=user, pk=party_id, kind=Kind.PERSON)
    return {"items": visible_memberships(user, person), "next_cursor": None, "previous_cursor": None}


@router.post(
    "/people/{party_id}/memberships",
    response={201: MembershipOut, **ERRORS},
    summary="Add a person to an organisation",
)
def membership_create(request: HttpRequest, party_id: Id, payload: MembershipCreate) -> Status[Membership]:
    user = actor(request)
    person = selectors.parties.party_get(user=user, pk=party_id, kind=Kind.PERSON)
    organisation = visible_party(user, payload.organisation_id, "organisation_id", Kind.ORGANISATION)
    membership = services.memberships.membership_add(
        person=person, organisation=organisation, actor=user, title=payload.title
    )
    return Status(201, membership)


def _membership(user: User, pk: int) -> Membership:
    return visible_or_404(user, Membership.objects.select_related("person", "organisation"), pk)


@router.patch(
    "/memberships/{membership_id}",
    response={200: MembershipOut, **ERRORS},
    summary="Change a person's job title",
)
def membership_update(request: HttpRequest, membership_id: Id, payload: MembershipUpdate) -> Membership:
    user = actor(request)
    return services.memberships.membership_update(
        membership=_membership(user, membership_id), actor=user, title=payload.title
    )


@router.delete(
    "/memberships/{membership_id}",
    response={204: None, **ERRORS},
    summary="Remove a person from an organisation",
)
def membership_delete(request: HttpRequest, membership_id: Id) -> Status[None]:
    user = actor(request)
    services.memberships.membership_remove(membership=_membership(user, membership_id), actor=user)
    return Status(204, None)
