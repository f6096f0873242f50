"""A customer's contact points: phones, emails and addresses.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, visible_or_404
from peyvand.core.apikit.schemas import (
    ERRORS,
    Id,
    PageOut,
    PageQuery,
)
from peyvand.core.pagination import keyset_page

from .. import selectors, services
from ..models import ContactPoint
from .schemas import WRITE_ERRORS, ContactPointCreate, ContactPointOut, ContactPointUpdate

router = Router(tags=["customers"])

# --- contact points -----------------------------------------------------------------------


@router.get(
    "/parties/{party_id}/contact-points",
    response={200: PageOut[ContactPointOut], **ERRORS},
    summary="A customer's contact points",
)
def contact_point_list(request: HttpRequest, party_id: Id, filters: Query[PageQuery]) -> dict[str, Any]:
    user = actor(request)
    party = selectors.parties.party_get(user=user, pk=party_id)
    points = policy.visible(user, ContactPoint.objects.filter(party=party))
    return page_out(
        keyset_page(points, order=["kind", "-is_primary", "id"], cursor=filters.cursor, limit=filters.limit)
    )


@router.post(
    "/parties/{party_id}/contact-points",
    response={201: ContactPointOut, **WRITE_ERRORS},
    summary="Add a contact point",
)
def contact_point_create(
    request: HttpRequest, party_id: Id, payload: ContactPointCreate
) -> Status[ContactPoint]:
    user = actor(request)
    party = selectors.parties.party_get(user=user, pk=party_id)
    point = services.contacts.contact_point_add(
        party=party,
        actor=user,
        data=payload.contact_input(),
        allow_duplicate=payload.allow_duplicate,
    )
    return Status(201, point)


@router.get(
    "/contact-points/{point_id}",
    response={200: ContactPointOut, **ERRORS},
    summary="Get a contact point",
)
def contact_point_get(request: HttpRequest, point_id: Id) -> ContactPoint:
    return visible_or_404(actor(request), ContactPoint.objects.all(), point_id)


@router.patch(
    "/contact-points/{point_id}",
    response={200: ContactPointOut, **WRITE_ERRORS},
    summary="Change a contact point",
)
def contact_point_update(request: HttpRequest, point_id: Id, payload: ContactPointUpdate) -> ContactPoint:
    user = actor(request)
    point = visible_or_404(user, ContactPoint.objects.select_related("party"), point_id)
    return services.contacts.contact_point_update(
        point=point,
        actor=user,
        data=payload.changes(),
        allow_duplicate=payload.allow_duplicate,
    )


@router.delete("/contact-points/{point_id}", response={204: None, **ERRORS}, summary="Delete a contact point")
def contact_point_delete(request: HttpRequest, point_id: Id) -> Status[None]:
    user = actor(request)
    point = visible_or_404(user, ContactPoint.objects.select_related("party"), point_id)
    services.contacts.contact_point_delete(point=point, actor=user)
    return Status(204, None)
