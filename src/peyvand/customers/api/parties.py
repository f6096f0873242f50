"""People and organisations: one resource with two kinds. ``add_party_routes`` registers
the same endpoints for each with its own schemas; tags too.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import custom_filters
from peyvand.core.apikit.endpoints import page_of, page_out, resolve_user, typed
from peyvand.core.apikit.schemas import (
    ERRORS,
    Id,
    InputSchema,
    PageOut,
)
from peyvand.core.apikit.serialize import page_response
from peyvand.core.pagination import keyset_page
from peyvand.core.text import search_key

from .. import selectors, services
from ..models import Kind, Party
from ..rules import PartyInput
from .common import visible_party
from .schemas import (
    CREATE_EXTRAS,
    WRITE_ERRORS,
    MergeIn,
    OrganisationCreate,
    OrganisationDetailOut,
    OrganisationOut,
    OrganisationUpdate,
    PartyCreateIn,
    PartyQuery,
    PartyUpdateIn,
    PersonCreate,
    PersonDetailOut,
    PersonOut,
    PersonUpdate,
    TagOut,
    TagQuery,
    TagsIn,
)

router = Router(tags=["customers"])

# --- people and organisations -------------------------------------------------------------


# Fields a null clears to empty text; other fields take null as their own value.
_TEXT_FIELDS = frozenset(
    ("first_name", "last_name", "name", "website", "industry", "national_id", "economic_code")
) | {"email_consent_source", "sms_consent_source"}


def _party_input(payload: InputSchema, *, exclude: set[str]) -> PartyInput:
    data = payload.model_dump(exclude_unset=True, exclude=exclude)
    if "owner" in data:
        data["owner"] = resolve_user(data["owner"], "owner")
    values: dict[str, Any] = {k: "" if v is None and k in _TEXT_FIELDS else v for k, v in data.items()}
    return PartyInput(**values)


@dataclass(frozen=True)
class PartyResource:
    kind: str
    path: str
    name: str
    plural: str
    out: type[Schema]
    detail: type[Schema]
    create: type[InputSchema]
    update: type[InputSchema]


def add_party_routes(resource: PartyResource) -> None:
    """The list, create, read, update, delete and merge endpoints of one kind of customer."""
    kind, name = resource.kind, resource.name
    item = f"{resource.path}/{{party_id}}"

    def list_parties(request: HttpRequest, filters: Query[PartyQuery]) -> HttpResponse:
        page = selectors.parties.party_list(
            user=actor(request),
            kind=kind,
            filters=filters.to_filters(custom_filters(request, kind, filters.sort)),
            sort=filters.sort,
            cursor=filters.cursor,
            limit=filters.limit,
            with_count=False,
        )
        return page_response(request, page, resource.out)

    def create_party(request: HttpRequest, payload: PartyCreateIn) -> Status[Party]:
        user = actor(request)
        links = getattr(payload, "organisations", [])
        organisations = [
            (visible_party(user, link.id, f"organisations.{i}.id", Kind.ORGANISATION), link.title)
            for i, link in enumerate(links)
        ]
        party = services.parties.party_create(
            actor=user,
            kind=kind,
            data=_party_input(payload, exclude=CREATE_EXTRAS),
            contacts=[contact.contact_input() for contact in payload.contacts],
            organisations=organisations,
            tags=payload.tags,
            allow_duplicate=payload.allow_duplicate,
        )
        return Status(201, party)

    def get_party(request: HttpRequest, party_id: Id) -> Party:
        return selectors.parties.party_get(user=actor(request), pk=party_id, kind=kind)

    def update_party(request: HttpRequest, party_id: Id, payload: PartyUpdateIn) -> Party:
        user = actor(request)
        party = selectors.parties.party_get(user=user, pk=party_id, kind=kind)
        data = _party_input(payload, exclude={"allow_duplicate"})
        return services.parties.party_update(
            party=party, actor=user, data=data, allow_duplicate=payload.allow_duplicate
        )

    def delete_party(request: HttpRequest, party_id: Id) -> Status[None]:
        user = actor(request)
        services.parties.party_delete(
            party=selectors.parties.party_get(user=user, pk=party_id, kind=kind), actor=user
        )
        return Status(204, None)

    def merge_party(request: HttpRequest, party_id: Id, payload: MergeIn) -> Party:
        user = actor(request)
        survivor = selectors.parties.party_get(user=user, pk=party_id, kind=kind)
        other = visible_party(user, payload.other_id, "other_id", kind)
        return services.merge.party_merge(survivor=survivor, other=other, actor=user)

    plural = resource.plural
    router.get(
        resource.path,
        response={200: page_of(resource.out), **ERRORS},
        operation_id=f"{name}_list",
        url_name=f"{name}_list",
        summary=f"List {plural}",
    )(list_parties)
    router.post(
        resource.path,
        response={201: resource.detail, **WRITE_ERRORS},
        operation_id=f"{name}_create",
        url_name=f"{name}_create",
        summary=f"Create a {name}",
    )(typed(create_party, payload=resource.create))
    router.get(
        item,
        response={200: resource.detail, **ERRORS},
        operation_id=f"{name}_get",
        url_name=f"{name}_get",
        summary=f"Get a {name}",
    )(get_party)
    router.patch(
        item,
        response={200: resource.detail, **WRITE_ERRORS},
        operation_id=f"{name}_update",
        url_name=f"{name}_update",
        summary=f"Change a {name}",
    )(typed(update_party, payload=resource.update))
    router.delete(
        item,
        response={204: None, **ERRORS},
        operation_id=f"{name}_delete",
        url_name=f"{name}_delete",
        summary=f"Delete a {name}",
    )(delete_party)
    router.post(
        f"{item}/merge",
        response={200: resource.detail, **ERRORS},
        operation_id=f"{name}_merge",
        url_name=f"{name}_merge",
        summary=f"Merge another {name} into this one",
    )(merge_party)


add_party_routes(
    PartyResource(
        kind=Kind.PERSON,
        path="/people",
        name="person",
        plural="people",
        out=PersonOut,
        detail=PersonDetailOut,
        create=PersonCreate,
        update=PersonUpdate,
    )
)
add_party_routes(
    PartyResource(
        kind=Kind.ORGANISATION,
        path="/organisations",
        name="organisation",
        plural="organisations",
        out=OrganisationOut,
        detail=OrganisationDetailOut,
        create=OrganisationCreate,
        update=OrganisationUpdate,
    )
)


# --- tags ---------------------------------------------------------------------------------


@router.get("/tags", response={200: PageOut[TagOut], **ERRORS}, summary="Tags, by name")
def tag_list(request: HttpRequest, filters: Query[TagQuery]) -> dict[str, Any]:
    tags = selectors.parties.tags_all()
    if filters.q:
        tags = tags.filter(key__contains=search_key(filters.q))
    return page_out(keyset_page(tags, order=["name", "id"], cursor=filters.cursor, limit=filters.limit))


@router.put(
    "/parties/{party_id}/tags",
    response={200: list[TagOut], **ERRORS},
    summary="Replace a customer's tags; new names create tags",
)
def tags_set(request: HttpRequest, party_id: Id, payload: TagsIn) -> Any:
    user = actor(request)
    party = selectors.parties.party_get(user=user, pk=party_id)
    services.tags.party_set_tags(party=party, actor=user, names=payload.names)
    return list(party.tags.order_by("name"))
