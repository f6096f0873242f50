"""The customers API: people and organisations, their contact points, memberships, notes, tags.

People and organisations are one resource with two kinds: ``add_party_routes`` registers
the same endpoints for each with its own schemas. Every read goes through the selectors or
the permission policy and every write through the services; a record the caller may not
see answers 404 exactly as one that does not exist.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field, StrictBool

from peyvand.core import policy
from peyvand.core.api import (
    ERRORS,
    ApiDate,
    ApiDateTime,
    BodyId,
    ErrorDetail,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
    actor,
    error_response,
    field_error,
    page_of,
    page_out,
    resolve_user,
    typed,
    visible_or_404,
)
from peyvand.core.models import User
from peyvand.core.pagination import keyset_page
from peyvand.core.serialize import page_response
from peyvand.core.text import search_key, to_ascii_digits

from . import selectors, services
from .models import ContactPoint, Kind, Membership, Note, Party, Source, Stage
from .selectors import NO_OWNER, SORTS, PartyFilters

router = Router(tags=["customers"])

Text20 = Annotated[str, Field(max_length=20), NoNul]
Text100 = Annotated[str, Field(max_length=100), NoNul]
Text200 = Annotated[str, Field(max_length=200), NoNul]
Text255 = Annotated[str, Field(max_length=255), NoNul]
Text254 = Annotated[str, Field(max_length=254), NoNul]
TagName = Annotated[str, Field(max_length=50), NoNul]
NoteBody = Annotated[str, Field(max_length=services.NOTE_MAX_LENGTH), NoNul]
MAX_ITEMS = 50


def _owner_filter(value: Any) -> Any:
    if value is None or value == "":
        return None
    text = to_ascii_digits(str(value)).strip().lower()
    if text == NO_OWNER:
        return NO_OWNER
    if text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) < 2**63:
        return int(text)
    raise ValueError(_("Enter a user's id, or “none” for customers nobody owns."))


OwnerFilter = Annotated[int | str | None, BeforeValidator(_owner_filter)]
Sort = Literal["relevance", "name", "-name", "created", "-created", "updated", "-updated"]
assert set(get_args(Sort)) == set(SORTS), "keep the API's sorts in step with the selector's"


# --- schemas: output ----------------------------------------------------------------------


class PartyRef(Schema):
    id: int
    kind: str
    display_name: str


class TagOut(Schema):
    id: int
    name: str


class PartyOut(Schema):
    id: int
    kind: str
    display_name: str
    national_id: str
    owner: UserRef | None
    source: str
    stage: str
    email_consent: bool
    email_consent_at: dt.datetime | None
    email_consent_source: str
    sms_consent: bool
    sms_consent_at: dt.datetime | None
    sms_consent_source: str
    primary_email: str
    primary_phone: str = Field(description="E.164, e.g. +989121234567")
    tags: list[TagOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonOut(PartyOut):
    first_name: str
    last_name: str
    date_of_birth: dt.date | None


class OrganisationOut(PartyOut):
    name: str
    website: str
    industry: str


class ContactPointOut(Schema):
    id: int
    party_id: int
    kind: str
    label: str
    value: str = Field(description="E.164 for phones, lower case for email addresses")
    is_primary: bool
    country: str
    province: str
    city: str
    street: str
    postal_code: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MembershipOut(Schema):
    id: int
    person: PartyRef
    organisation: PartyRef
    title: str
    created_at: dt.datetime


def _memberships(user: User, party: Party) -> list[Membership]:
    rows = selectors.party_relations(user=user, party=party)
    # The selector loads the other side; this side is the party itself, not another query.
    for membership in rows:
        setattr(membership, "person" if party.kind == Kind.PERSON else "organisation", party)
    return rows


class DetailOut(Schema):
    """A customer's contact points and memberships, on the single-record responses only."""

    contact_points: list[ContactPointOut]
    memberships: list[MembershipOut] = Field(
        description="A person's organisations, or an organisation's people"
    )

    @staticmethod
    def resolve_contact_points(obj: Party) -> list[ContactPoint]:
        return selectors.party_contacts(party=obj)

    @staticmethod
    def resolve_memberships(obj: Party, context: dict[str, Any]) -> list[Membership]:
        return _memberships(actor(context["request"]), obj)


class PersonDetailOut(DetailOut, PersonOut):
    pass


class OrganisationDetailOut(DetailOut, OrganisationOut):
    pass


class NoteOut(Schema):
    id: int
    party_id: int
    body: str
    created_by: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_body(obj: Note) -> str:
        return selectors.note_text(obj)  # a merge's note is data, written out in your language


class DuplicateOut(Schema):
    id: int
    kind: str
    display_name: str
    reasons: list[str]


class DuplicateErrorDetail(ErrorDetail):
    duplicates: list[DuplicateOut] = Field(description="The look-alikes you may see")
    hidden_duplicates: int = Field(description="How many more look-alikes you may not see")


class DuplicateErrorOut(Schema):
    error: DuplicateErrorDetail


WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 409: DuplicateErrorOut}


def duplicate_found(request: HttpRequest, exc: services.DuplicateFound) -> HttpResponse:
    """409 with the look-alikes: details only of those the caller may see, a count of the rest."""
    user = actor(request)
    shown = [d for d in exc.duplicates if policy.can_view(user, d.party)]
    return error_response(
        409,
        "duplicate",
        str(exc),
        duplicates=[
            {
                "id": d.party.pk,
                "kind": d.party.kind,
                "display_name": d.party.display_name,
                "reasons": d.reasons,
            }
            for d in shown
        ],
        hidden_duplicates=len(exc.duplicates) - len(shown),
    )


# --- schemas: input -----------------------------------------------------------------------


class ContactPointIn(InputSchema):
    kind: Annotated[ContactPoint.Kind, SchemaName("ContactPointKind")]
    value: Text254 = Field("", description="Phones in any format and digits; stored as E.164")
    label: ContactPoint.Label = ContactPoint.Label.OTHER
    is_primary: StrictBool = False
    country: Annotated[str, Field(max_length=2), NoNul] = ""
    province: Text100 = ""
    city: Text100 = ""
    street: Text255 = ""
    postal_code: Text20 = ""


class ContactPointCreate(ContactPointIn):
    allow_duplicate: StrictBool = False


class ContactPointUpdate(InputSchema):
    label: ContactPoint.Label | None = None
    value: Text254 | None = None
    is_primary: StrictBool | None = None
    country: Annotated[str, Field(max_length=2), NoNul] | None = None
    province: Text100 | None = None
    city: Text100 | None = None
    street: Text255 | None = None
    postal_code: Text20 | None = None
    allow_duplicate: StrictBool = False


CONSENT_AT = "When it was given (not in the future); now when consent changes without one"


class PartyFieldsIn(InputSchema):
    """Fields both kinds have. Only the fields sent are set; null clears a field."""

    national_id: Text20 | None = None
    owner: BodyId | None = Field(None, description="A user's id; null for nobody")
    source: Source | None = None
    stage: Stage | None = None
    email_consent: StrictBool | None = None
    email_consent_at: ApiDateTime | None = Field(None, description=CONSENT_AT)
    email_consent_source: Text100 | None = None
    sms_consent: StrictBool | None = None
    sms_consent_at: ApiDateTime | None = Field(None, description=CONSENT_AT)
    sms_consent_source: Text100 | None = None


class PersonFieldsIn(PartyFieldsIn):
    first_name: Text100 | None = None
    last_name: Text100 | None = None
    date_of_birth: ApiDate | None = Field(None, description="ISO 8601 or Jalali, e.g. 1370/05/12")


class OrganisationFieldsIn(PartyFieldsIn):
    name: Text200 | None = None
    website: Text200 | None = None
    industry: Text100 | None = None


class OrganisationLink(InputSchema):
    id: BodyId
    title: Text100 = ""


class PartyCreateIn(PartyFieldsIn):
    contacts: list[ContactPointIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    tags: list[TagName] = Field(default_factory=list, max_length=MAX_ITEMS)
    allow_duplicate: StrictBool = Field(
        False, description="Save even when it looks like an existing customer"
    )


class PersonCreate(PersonFieldsIn, PartyCreateIn):
    organisations: list[OrganisationLink] = Field(default_factory=list, max_length=MAX_ITEMS)


class OrganisationCreate(OrganisationFieldsIn, PartyCreateIn):
    pass


class PartyUpdateIn(PartyFieldsIn):
    allow_duplicate: StrictBool = False


class PersonUpdate(PersonFieldsIn, PartyUpdateIn):
    pass


class OrganisationUpdate(OrganisationFieldsIn, PartyUpdateIn):
    pass


CREATE_EXTRAS = {"contacts", "tags", "organisations", "allow_duplicate"}


class MergeIn(InputSchema):
    other_id: BodyId = Field(description="The record merged away; the one in the path survives")


class PartyQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = Field(
        "", description="Name, phone (any format or digits), email, national ID"
    )
    owner: OwnerFilter = Field(None, description="A user's id, or `none`")
    tag: Id | None = None
    stage: Stage | None = None
    source: Source | None = None
    created_from: ApiDate | None = None
    created_to: ApiDate | None = None
    sort: Sort = "name"

    def to_filters(self) -> PartyFilters:
        return PartyFilters(
            q=self.q,
            owner=self.owner,
            tag=self.tag,
            stage=self.stage or "",
            source=self.source or "",
            created_from=self.created_from,
            created_to=self.created_to,
        )


class MembershipCreate(InputSchema):
    organisation_id: BodyId
    title: Text100 = ""


class MembershipUpdate(InputSchema):
    title: Text100


class NoteIn(InputSchema):
    body: NoteBody


class TagsIn(InputSchema):
    names: list[TagName] = Field(max_length=MAX_ITEMS)


class TagQuery(PageQuery):
    q: Annotated[str, Field(max_length=50), NoNul] = ""


# --- people and organisations -------------------------------------------------------------


def _with_owner(data: dict[str, Any]) -> dict[str, Any]:
    if "owner" in data:
        data["owner"] = resolve_user(data["owner"], "owner")
    return data


def visible_party(user: User, pk: int, field: str, kind: str | None = None) -> Party:
    """A customer a body refers to: one the caller cannot see is a field error."""
    try:
        return selectors.party_get(user=user, pk=pk, kind=kind)
    except Http404:
        raise field_error(field, _("Choose a customer you can see.")) from None


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
        page = selectors.party_list(
            user=actor(request),
            kind=kind,
            filters=filters.to_filters(),
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
        party = services.party_create(
            actor=user,
            kind=kind,
            data=_with_owner(payload.model_dump(exclude_unset=True, exclude=CREATE_EXTRAS)),
            contacts=[contact.model_dump() for contact in payload.contacts],
            organisations=organisations,
            tags=payload.tags,
            allow_duplicate=payload.allow_duplicate,
        )
        return Status(201, party)

    def get_party(request: HttpRequest, party_id: Id) -> Party:
        return selectors.party_get(user=actor(request), pk=party_id, kind=kind)

    def update_party(request: HttpRequest, party_id: Id, payload: PartyUpdateIn) -> Party:
        user = actor(request)
        party = selectors.party_get(user=user, pk=party_id, kind=kind)
        data = _with_owner(payload.model_dump(exclude_unset=True, exclude={"allow_duplicate"}))
        return services.party_update(
            party=party, actor=user, data=data, allow_duplicate=payload.allow_duplicate
        )

    def delete_party(request: HttpRequest, party_id: Id) -> Status[None]:
        user = actor(request)
        services.party_delete(party=selectors.party_get(user=user, pk=party_id, kind=kind), actor=user)
        return Status(204, None)

    def merge_party(request: HttpRequest, party_id: Id, payload: MergeIn) -> Party:
        user = actor(request)
        survivor = selectors.party_get(user=user, pk=party_id, kind=kind)
        other = visible_party(user, payload.other_id, "other_id", kind)
        return services.party_merge(survivor=survivor, other=other, actor=user)

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


# --- contact points -----------------------------------------------------------------------


@router.get(
    "/parties/{party_id}/contact-points",
    response={200: PageOut[ContactPointOut], **ERRORS},
    summary="A customer's contact points",
)
def contact_point_list(request: HttpRequest, party_id: Id, filters: Query[PageQuery]) -> dict[str, Any]:
    user = actor(request)
    party = selectors.party_get(user=user, pk=party_id)
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
    party = selectors.party_get(user=user, pk=party_id)
    point = services.contact_point_add(
        party=party,
        actor=user,
        data=payload.model_dump(exclude={"allow_duplicate"}),
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
    return services.contact_point_update(
        point=point,
        actor=user,
        data=payload.model_dump(exclude_unset=True, exclude={"allow_duplicate"}),
        allow_duplicate=payload.allow_duplicate,
    )


@router.delete("/contact-points/{point_id}", response={204: None, **ERRORS}, summary="Delete a contact point")
def contact_point_delete(request: HttpRequest, point_id: Id) -> Status[None]:
    user = actor(request)
    point = visible_or_404(user, ContactPoint.objects.select_related("party"), point_id)
    services.contact_point_delete(point=point, actor=user)
    return Status(204, None)


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
    person = selectors.party_get(user=user, pk=party_id, kind=Kind.PERSON)
    return {"items": _memberships(user, person), "next_cursor": None, "previous_cursor": None}


@router.post(
    "/people/{party_id}/memberships",
    response={201: MembershipOut, **ERRORS},
    summary="Add a person to an organisation",
)
def membership_create(request: HttpRequest, party_id: Id, payload: MembershipCreate) -> Status[Membership]:
    user = actor(request)
    person = selectors.party_get(user=user, pk=party_id, kind=Kind.PERSON)
    organisation = visible_party(user, payload.organisation_id, "organisation_id", Kind.ORGANISATION)
    membership = services.membership_add(
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
    return services.membership_update(
        membership=_membership(user, membership_id), actor=user, title=payload.title
    )


@router.delete(
    "/memberships/{membership_id}",
    response={204: None, **ERRORS},
    summary="Remove a person from an organisation",
)
def membership_delete(request: HttpRequest, membership_id: Id) -> Status[None]:
    user = actor(request)
    services.membership_remove(membership=_membership(user, membership_id), actor=user)
    return Status(204, None)


# --- notes --------------------------------------------------------------------------------


@router.get(
    "/parties/{party_id}/notes",
    response={200: PageOut[NoteOut], **ERRORS},
    summary="A customer's notes, newest first",
)
def note_list(request: HttpRequest, party_id: Id, filters: Query[PageQuery]) -> dict[str, Any]:
    user = actor(request)
    party = selectors.party_get(user=user, pk=party_id)
    notes = policy.visible(user, Note.objects.filter(party=party)).select_related("created_by")
    return page_out(
        keyset_page(notes, order=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit)
    )


@router.post("/parties/{party_id}/notes", response={201: NoteOut, **ERRORS}, summary="Add a note")
def note_create(request: HttpRequest, party_id: Id, payload: NoteIn) -> Status[Note]:
    user = actor(request)
    party = selectors.party_get(user=user, pk=party_id)
    return Status(201, services.note_add(party=party, actor=user, body=payload.body))


def _note(user: User, pk: int) -> Note:
    return visible_or_404(user, Note.objects.select_related("created_by"), pk)


@router.patch("/notes/{note_id}", response={200: NoteOut, **ERRORS}, summary="Change a note")
def note_update(request: HttpRequest, note_id: Id, payload: NoteIn) -> Note:
    user = actor(request)
    return services.note_update(note=_note(user, note_id), actor=user, body=payload.body)


@router.delete("/notes/{note_id}", response={204: None, **ERRORS}, summary="Delete a note")
def note_delete(request: HttpRequest, note_id: Id) -> Status[None]:
    user = actor(request)
    services.note_delete(note=_note(user, note_id), actor=user)
    return Status(204, None)


# --- tags ---------------------------------------------------------------------------------


@router.get("/tags", response={200: PageOut[TagOut], **ERRORS}, summary="Tags, by name")
def tag_list(request: HttpRequest, filters: Query[TagQuery]) -> dict[str, Any]:
    tags = selectors.tags_all()
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
    party = selectors.party_get(user=user, pk=party_id)
    services.party_set_tags(party=party, actor=user, names=payload.names)
    return list(party.tags.order_by("name"))
