"""Leads over the API. No ``from __future__ import annotations``: ninja reads the annotations."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.custom import SortChoice, custom_filters
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.schemas import (
    CUSTOM_IN,
    CUSTOM_OUT,
    ERRORS,
    ApiDate,
    BodyId,
    CustomValuesIn,
    CustomValuesOut,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    UserRef,
)
from peyvand.core.custom_fields import Entity
from peyvand.customers.models import Kind, Source
from peyvand.interactions.models import Channel

from ..models import Lead, LeadStage, Pipeline
from ..selectors import leads as selectors
from ..services import conversion, leads
from .common import Amount, Currency, LongText, PartyRef, Reason, Text, one_of, visible_party
from .deals import DealOut

router = Router(tags=["leads"])


class ScoreItem(Schema):
    label: str
    points: int


class LeadOut(Schema):
    id: int
    display_name: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    email: str
    phone: str = Field(description="E.164")
    province: str
    city: str
    message: str
    source: str
    stage: str
    disqualify_reason: str
    owner: UserRef | None
    score: int
    score_explained: list[ScoreItem] = Field(description="Each rule that counted, with its points")
    email_consent: bool
    sms_consent: bool
    consent_at: dt.datetime | None
    party_id: int | None
    organisation_id: int | None
    deal_id: int | None
    converted_at: dt.datetime | None
    created_at: dt.datetime
    custom: CustomValuesOut = Field(description=CUSTOM_OUT)

    @staticmethod
    def resolve_score_explained(obj: Lead) -> list[dict[str, Any]]:
        return [vars(line) for line in selectors.score_explained(obj)]


class LeadFields(InputSchema):
    first_name: Annotated[str, Field(max_length=100), NoNul] | None = None
    last_name: Annotated[str, Field(max_length=100), NoNul] | None = None
    company: Text | None = None
    job_title: Annotated[str, Field(max_length=100), NoNul] | None = None
    email: Annotated[str, Field(max_length=254), NoNul] | None = None
    phone: Annotated[str, Field(max_length=40), NoNul] | None = None
    province: Annotated[str, Field(max_length=100), NoNul] | None = None
    city: Annotated[str, Field(max_length=100), NoNul] | None = None
    message: LongText | None = None
    source: Source | None = None
    owner: BodyId | None = Field(
        None, description="A user's id; leave out to let the assignment rules choose"
    )
    email_consent: StrictBool | None = None
    sms_consent: StrictBool | None = None
    custom: CustomValuesIn | None = Field(None, description=CUSTOM_IN)


class LeadStageIn(InputSchema):
    stage: LeadStage
    reason: Reason = ""


class TouchIn(InputSchema):
    channel: Channel
    note: Reason = ""


class TouchOut(Schema):
    id: int
    channel: str
    note: str
    at: dt.datetime
    actor: UserRef | None


class DealDraft(InputSchema):
    title: Text | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    expected_close: ApiDate | None = None
    pipeline_id: BodyId | None = None


class ConvertIn(InputSchema):
    person_id: BodyId | None = Field(
        None, description="Link this existing person instead of a match or a new one"
    )
    organisation_id: BodyId | None = None
    create_deal: StrictBool = True
    deal: DealDraft | None = None


class ConversionOut(Schema):
    lead: LeadOut
    person: PartyRef | None
    organisation: PartyRef | None
    deal: DealOut | None
    reused_person: bool
    reused_organisation: bool


class LeadQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    stage: LeadStage | Literal["all"] | None = Field(
        None, description="Open leads unless given; `all` for every stage"
    )
    source: Source | None = None
    owner: Annotated[str, Field(max_length=20)] | None = Field(None, description="A user's id, or `none`")
    sort: Annotated[str, SortChoice("score", "-score", "created", "-created")] = "-score"


def _data(payload: LeadFields, *, creating: bool = False) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if creating:
        data.setdefault("custom", None)  # a new lead's required custom fields are checked
    # null clears a text field; the owner, consents and custom values keep null's meaning.
    keep = ("owner", "email_consent", "sms_consent", "custom")
    data = {k: "" if v is None and k not in keep else v for k, v in data.items()}
    if "owner" in data:
        data["owner"] = resolve_user(data["owner"], "owner")
    return data


@router.get("/leads", response={200: PageOut[LeadOut], **ERRORS}, summary="Leads you may see")
def lead_list(request: HttpRequest, filters: Query[LeadQuery]) -> dict[str, Any]:
    page = selectors.lead_list(
        user=actor(request),
        filters=filters.model_dump(),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
        custom=custom_filters(request, Entity.LEAD, filters.sort),
    )
    return page_out(page)


@router.post("/leads", response={201: LeadOut, **ERRORS}, summary="Capture a lead")
def lead_create(request: HttpRequest, payload: LeadFields) -> Status[Lead]:
    return Status(201, leads.lead_create(actor=actor(request), data=_data(payload, creating=True)))


@router.get("/leads/{lead_id}", response={200: LeadOut, **ERRORS}, summary="One lead")
def lead_get(request: HttpRequest, lead_id: Id) -> Lead:
    return selectors.lead_get(user=actor(request), pk=lead_id)


@router.patch("/leads/{lead_id}", response={200: LeadOut, **ERRORS}, summary="Change a lead")
def lead_update(request: HttpRequest, lead_id: Id, payload: LeadFields) -> Lead:
    user = actor(request)
    return leads.lead_update(lead=selectors.lead_get(user=user, pk=lead_id), actor=user, data=_data(payload))


@router.post("/leads/{lead_id}/stage", response={200: LeadOut, **ERRORS}, summary="Qualify or disqualify")
def lead_stage(request: HttpRequest, lead_id: Id, payload: LeadStageIn) -> Lead:
    user = actor(request)
    lead = selectors.lead_get(user=user, pk=lead_id)
    return leads.lead_set_stage(lead=lead, actor=user, stage=payload.stage, reason=payload.reason)


@router.get("/leads/{lead_id}/touches", response={200: list[TouchOut], **ERRORS}, summary="Contacts logged")
def lead_touches(request: HttpRequest, lead_id: Id) -> list[Any]:
    """The calls, emails and meetings with a lead, newest first (the latest 50)."""
    lead = selectors.lead_get(user=actor(request), pk=lead_id)
    return selectors.lead_touches(lead=lead)


@router.post("/leads/{lead_id}/touches", response={201: TouchOut, **ERRORS}, summary="Log a contact")
def lead_touch(request: HttpRequest, lead_id: Id, payload: TouchIn) -> Status[Any]:
    user = actor(request)
    lead = selectors.lead_get(user=user, pk=lead_id)
    return Status(201, leads.lead_touch(lead=lead, actor=user, channel=payload.channel, note=payload.note))


@router.post(
    "/leads/{lead_id}/convert", response={200: ConversionOut, **ERRORS}, summary="Convert a qualified lead"
)
def lead_convert(request: HttpRequest, lead_id: Id, payload: ConvertIn) -> Any:
    user = actor(request)
    lead = selectors.lead_get(user=user, pk=lead_id)
    deal: dict[str, Any] = {}
    if payload.deal is not None:
        draft = payload.deal.model_dump(exclude_unset=True, exclude_none=True)
        if "pipeline_id" in draft:
            draft["pipeline"] = one_of(
                Pipeline.objects.filter(active=True),
                draft.pop("pipeline_id"),
                "deal.pipeline_id",
                _("Choose an active pipeline."),
            )
        deal = draft
    return conversion.lead_convert(
        lead=lead,
        actor=user,
        person=visible_party(user, payload.person_id, "person_id", Kind.PERSON),
        organisation=visible_party(user, payload.organisation_id, "organisation_id", Kind.ORGANISATION),
        create_deal=payload.create_deal,
        deal=deal,
    )
