"""The customers API's bodies: what it answers and what it accepts.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import SortChoice
from peyvand.core.apikit.schemas import (
    CUSTOM_IN,
    CUSTOM_OUT,
    ERRORS,
    ApiDate,
    ApiDateTime,
    BodyId,
    CustomValuesIn,
    CustomValuesOut,
    ErrorDetail,
    Id,
    InputSchema,
    NoNul,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.models import User
from peyvand.core.selectors.custom_fields import CustomFilter
from peyvand.core.text import to_ascii_digits

from .. import selectors, services
from ..models import ContactPoint, Kind, Membership, Note, Party, Source, Stage
from ..rules import ContactChanges, ContactInput
from ..selectors.parties import NO_OWNER, SORTS, PartyFilters

Text20 = Annotated[str, Field(max_length=20), NoNul]
Text100 = Annotated[str, Field(max_length=100), NoNul]
Text200 = Annotated[str, Field(max_length=200), NoNul]
Text255 = Annotated[str, Field(max_length=255), NoNul]
Text254 = Annotated[str, Field(max_length=254), NoNul]
TagName = Annotated[str, Field(max_length=50), NoNul]
NoteBody = Annotated[str, Field(max_length=services.notes.NOTE_MAX_LENGTH), NoNul]
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
SORT_CHOICES = ("relevance", "name", "-name", "created", "-created", "updated", "-updated")
assert set(SORT_CHOICES) == set(SORTS), "keep the API's sorts in step with the selector's"


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
    economic_code: str = Field(description="«کد اقتصادی»: 10 to 12 digits, or empty")
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
    custom: CustomValuesOut = Field(description=CUSTOM_OUT)
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


def visible_memberships(user: User, party: Party) -> list[Membership]:
    rows = selectors.parties.party_relations(user=user, party=party)
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
        return selectors.parties.party_contacts(party=obj)

    @staticmethod
    def resolve_memberships(obj: Party, context: dict[str, Any]) -> list[Membership]:
        return visible_memberships(actor(context["request"]), obj)


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
        return selectors.parties.note_text(obj)  # a merge's note is data, written out in your language


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

    def contact_input(self) -> ContactInput:
        return ContactInput(**self.model_dump(exclude={"allow_duplicate"}))


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

    def changes(self) -> ContactChanges:
        """The fields sent; a null address part clears it, a null label or flag keeps it."""
        sent = self.model_dump(exclude_unset=True, exclude={"allow_duplicate"})
        keep_on_null = ("label", "is_primary")
        changes: dict[str, Any] = {
            k: "" if v is None else v for k, v in sent.items() if v is not None or k not in keep_on_null
        }
        return ContactChanges(**changes)


CONSENT_AT = "When it was given (not in the future); now when consent changes without one"


class PartyFieldsIn(InputSchema):
    """Fields both kinds have. Only the fields sent are set; null clears a field."""

    national_id: Text20 | None = None
    economic_code: Text20 | None = Field(
        None, description="12 digits; or the 11-digit national ID / 10-digit national code"
    )
    owner: BodyId | None = Field(None, description="A user's id; null for nobody")
    source: Source | None = None
    stage: Stage | None = None
    email_consent: StrictBool | None = None
    email_consent_at: ApiDateTime | None = Field(None, description=CONSENT_AT)
    email_consent_source: Text100 | None = None
    sms_consent: StrictBool | None = None
    sms_consent_at: ApiDateTime | None = Field(None, description=CONSENT_AT)
    sms_consent_source: Text100 | None = None
    custom: CustomValuesIn | None = Field(None, description=CUSTOM_IN)


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
    sort: Annotated[str, SortChoice(*SORT_CHOICES)] = "name"

    def to_filters(self, custom: list[CustomFilter]) -> PartyFilters:
        return PartyFilters(
            custom=custom,
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
