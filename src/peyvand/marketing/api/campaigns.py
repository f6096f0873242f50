"""Campaigns: CRUD, the estimate before sending, a test send, scheduling or sending, stopping,
the recipients and the figures after.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictInt

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    ERRORS,
    ApiDateTime,
    BodyId,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import PartyRef
from peyvand.sales.api.common import MoneyOut

from ..models import Campaign, Channel, Goal
from ..models import Status as CampaignState
from ..selectors import campaigns as selectors
from ..selectors import segments as segment_selectors
from ..services import campaigns as services

router = Router(tags=["marketing"])

CampaignGoal = Annotated[Goal, SchemaName("CampaignGoal")]
CampaignChannel = Annotated[Channel, SchemaName("CampaignChannel")]
CampaignStatus = Annotated[CampaignState, SchemaName("CampaignStatus")]
Name = Annotated[str, Field(max_length=200), NoNul]
Subject = Annotated[str, Field(max_length=200), NoNul]
Body = Annotated[str, Field(max_length=services.EMAIL_MAX_LENGTH), NoNul]
AmountText = Annotated[str, Field(max_length=40), NoNul]


class SegmentRef(Schema):
    id: int
    name: str
    kind: str


class CampaignOut(Schema):
    id: int
    name: str
    goal: str
    description: str
    channel: str
    status: str
    owner: UserRef | None
    segments: list[SegmentRef]
    exclusions: list[SegmentRef]
    default_language: str
    subject_fa: str
    body_fa: str = Field(description="Email: sanitised HTML; SMS: the text")
    subject_en: str
    body_en: str
    budget: MoneyOut | None
    other_cost: MoneyOut
    currency: str
    attribution_days: int
    track_links: bool
    track_opens: bool
    send_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    total: int = Field(description="Customers targeted (once sending started)")
    processed: int = Field(description="Of them, queued or skipped so far")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_segments(obj: Campaign) -> list[Any]:
        return [row.segment for row in obj.audience.all() if not row.exclude]

    @staticmethod
    def resolve_exclusions(obj: Campaign) -> list[Any]:
        return [row.segment for row in obj.audience.all() if row.exclude]


class CampaignFields(InputSchema):
    goal: CampaignGoal | None = None
    description: Annotated[str, Field(max_length=5000), NoNul] | None = None
    owner_id: BodyId | None = None
    segment_ids: list[BodyId] | None = Field(None, max_length=50, description="The audience")
    exclusion_ids: list[BodyId] | None = Field(None, max_length=50, description="Left out of the audience")
    default_language: Literal["fa", "en"] | None = None
    subject_fa: Subject | None = None
    body_fa: Body | None = None
    subject_en: Subject | None = None
    body_en: Body | None = None
    budget: AmountText | None = Field(None, description="In the base currency, as text; null for none")
    other_cost: AmountText | None = None
    attribution_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = None
    track_links: bool | None = None
    track_opens: bool | None = None


class CampaignCreate(CampaignFields):
    name: Name
    channel: CampaignChannel = Channel.SMS


class CampaignUpdate(CampaignFields):
    name: Name | None = None
    channel: CampaignChannel | None = None


class CampaignQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    status: CampaignStatus | None = None
    channel: CampaignChannel | None = None
    sort: Literal["name", "-name", "created", "-created"] = "-created"


class ScheduleIn(InputSchema):
    send_at: ApiDateTime | None = Field(None, description="null or a past time: now")


class TestIn(InputSchema):
    to: Annotated[str, Field(max_length=254), NoNul] = Field(
        description="Your email address or mobile number"
    )
    party_id: BodyId | None = Field(None, description="Render it as this customer would receive it")
    language: Literal["fa", "en", ""] = ""


class TestOut(Schema):
    id: int
    to_address: str
    status: str


class EstimateOut(Schema):
    audience: int
    reachable: int = Field(description="With consent and an address on the channel")
    segments: int = Field(description="SMS parts a message takes, at most")
    cost: MoneyOut | None = Field(description="SMS: the cost of sending to everyone reachable, at most")
    currency: str
    budget_left: MoneyOut | None
    over_budget: bool


class StatsOut(Schema):
    targeted: int
    sent: int = Field(description="Queued into the outbox")
    delivered: int
    failed: int
    waiting: int
    skipped: int
    skipped_by_reason: dict[str, int]
    opened: int
    clicked: int
    clicks: int
    replied: int
    unsubscribed: int
    orders: int
    buyers: int
    revenue: MoneyOut = Field(description="Orders within the attribution window, in the base currency")
    message_cost: MoneyOut
    other_cost: MoneyOut
    cost: MoneyOut
    responders: int = Field(description="Recipients who clicked, replied or bought")
    cost_per_response: MoneyOut | None
    roi_percent: Decimal | None = Field(description="(revenue − cost) ÷ cost × 100")
    window_start: dt.date | None
    window_end: dt.date | None


class RecipientOut(Schema):
    id: int
    party: PartyRef
    state: str
    reason: str
    address: str
    language: str
    delivery: str
    cost: MoneyOut | None
    queued_at: dt.datetime | None
    opened_at: dt.datetime | None
    clicked_at: dt.datetime | None
    clicks: int


class RecipientQuery(PageQuery):
    state: Literal["pending", "queued", "skipped"] | None = None
    reason: Literal["no_consent", "unsubscribed", "no_address", "bounced"] | None = None
    delivery: Literal["queued", "sending", "sent", "failed", "cancelled"] | None = None
    clicked: bool = False


def _segments(user: Any, ids: list[int], field: str) -> tuple[Any, ...]:
    rows = {s.pk: s for s in segment_selectors.segments_for_choice(user=user).filter(pk__in=ids)}
    if len(rows) != len(set(ids)):
        raise field_error(field, _("Choose segments you can see."))
    return tuple(rows[pk] for pk in dict.fromkeys(ids))


def _input(request: HttpRequest, payload: CampaignFields) -> services.CampaignInput:
    user = actor(request)
    values: dict[str, Any] = {}
    for name, value in payload.model_dump(exclude_unset=True).items():
        if name == "segment_ids":
            values["segments"] = _segments(user, value or [], name)
        elif name == "exclusion_ids":
            values["exclusions"] = _segments(user, value or [], name)
        elif name == "owner_id":
            values["owner"] = resolve_user(value, name)
        elif value is None and name in ("description", "subject_fa", "body_fa", "subject_en", "body_en"):
            values[name] = ""
        elif value is None and name != "budget":
            continue
        else:
            values[name] = value.value if hasattr(value, "value") else value
    return services.CampaignInput(**values)


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return selectors.campaign_get(user=actor(request), pk=campaign_id)


@router.get("/marketing/campaigns", response={200: PageOut[CampaignOut], **ERRORS}, summary="Campaigns")
def campaign_list(request: HttpRequest, filters: Query[CampaignQuery]) -> dict[str, Any]:
    page = selectors.campaign_list(
        user=actor(request),
        filters=filters.model_dump(include={"q", "status", "channel"}),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/marketing/campaigns", response={201: CampaignOut, **ERRORS}, summary="Create a campaign")
def campaign_create(request: HttpRequest, payload: CampaignCreate) -> Status[Campaign]:
    return Status(201, services.campaign_create(actor=actor(request), data=_input(request, payload)))


@router.get(
    "/marketing/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="Get a campaign"
)
def campaign_get(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _campaign(request, campaign_id)


@router.patch(
    "/marketing/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="Change a campaign"
)
def campaign_update(request: HttpRequest, campaign_id: Id, payload: CampaignUpdate) -> Campaign:
    campaign = _campaign(request, campaign_id)
    return services.campaign_update(campaign=campaign, actor=actor(request), data=_input(request, payload))


@router.delete(
    "/marketing/campaigns/{campaign_id}",
    response={204: None, **ERRORS},
    summary="Move a campaign to the trash",
)
def campaign_delete(request: HttpRequest, campaign_id: Id) -> Status[None]:
    services.campaign_delete(campaign=_campaign(request, campaign_id), actor=actor(request))
    return Status(204, None)


@router.get(
    "/marketing/campaigns/{campaign_id}/estimate",
    response={200: EstimateOut, **ERRORS},
    summary="Whom it would reach and what it would cost",
)
def campaign_estimate(request: HttpRequest, campaign_id: Id) -> Any:
    return services.campaign_estimate(user=actor(request), campaign=_campaign(request, campaign_id))


@router.post(
    "/marketing/campaigns/{campaign_id}/test",
    response={201: TestOut, **ERRORS},
    summary="Send yourself a test (a few an hour)",
)
def campaign_test(request: HttpRequest, campaign_id: Id, payload: TestIn) -> Status[Any]:
    user = actor(request)
    campaign = _campaign(request, campaign_id)
    party = visible_party(user, payload.party_id, "party_id") if payload.party_id else None
    message = services.campaign_test_send(
        campaign=campaign, actor=user, to=payload.to, party=party, language=payload.language
    )
    return Status(201, message)


@router.post(
    "/marketing/campaigns/{campaign_id}/schedule",
    response={200: CampaignOut, **ERRORS},
    summary="Send at a time (or now)",
)
def campaign_schedule(request: HttpRequest, campaign_id: Id, payload: ScheduleIn) -> Campaign:
    campaign = _campaign(request, campaign_id)
    return services.campaign_schedule(campaign=campaign, actor=actor(request), send_at=payload.send_at)


@router.post(
    "/marketing/campaigns/{campaign_id}/send", response={202: CampaignOut, **ERRORS}, summary="Send now"
)
def campaign_send(request: HttpRequest, campaign_id: Id) -> Status[Campaign]:
    campaign = _campaign(request, campaign_id)
    return Status(202, services.campaign_send(campaign=campaign, actor=actor(request)))


@router.post(
    "/marketing/campaigns/{campaign_id}/cancel",
    response={200: CampaignOut, **ERRORS},
    summary="Stop it (a scheduled one goes back to draft)",
)
def campaign_cancel(request: HttpRequest, campaign_id: Id) -> Campaign:
    return services.campaign_cancel(campaign=_campaign(request, campaign_id), actor=actor(request))


@router.get(
    "/marketing/campaigns/{campaign_id}/stats",
    response={200: StatsOut, **ERRORS},
    summary="Responses, costs and ROI",
)
def campaign_stats(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    stats = selectors.campaign_stats(campaign=_campaign(request, campaign_id))
    return {
        **{name: getattr(stats, name) for name in StatsOut.model_fields if hasattr(stats, name)},
        "sent": stats.queued,
        "failed": stats.failed + stats.cancelled,
        "skipped_by_reason": stats.skipped_by,
        "cost": stats.cost,
        "cost_per_response": stats.cost_per_response,
        "roi_percent": stats.roi,
    }


@router.get(
    "/marketing/campaigns/{campaign_id}/recipients",
    response={200: PageOut[RecipientOut], **ERRORS},
    summary="Whom it reached or skipped (customers you may see)",
)
def campaign_recipients(
    request: HttpRequest, campaign_id: Id, filters: Query[RecipientQuery]
) -> dict[str, Any]:
    user = actor(request)
    page = selectors.recipient_list(
        user=user,
        campaign=_campaign(request, campaign_id),
        filters=filters.model_dump(include={"state", "reason", "delivery", "clicked"}),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)
