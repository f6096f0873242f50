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

from ..models import Campaign, Channel, Criterion, Goal
from ..models import Status as CampaignState
from ..selectors import attribution, results
from ..selectors import campaigns as selectors
from ..selectors import segments as segment_selectors
from ..services import abtest
from ..services import campaigns as services

router = Router(tags=["marketing"])

CampaignGoal = Annotated[Goal, SchemaName("CampaignGoal")]
CampaignChannel = Annotated[Channel, SchemaName("CampaignChannel")]
CampaignStatus = Annotated[CampaignState, SchemaName("CampaignStatus")]
AbCriterion = Annotated[Criterion, SchemaName("CampaignAbCriterion")]
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
    control_percent: int = Field(description="Share of the eligible customers held out as a control group")
    ab_test: bool = Field(description="Whether a sample gets A or B first, and the rest the winner")
    subject_b_fa: str
    body_b_fa: str = Field(description="Variant B; what B leaves empty is A's")
    subject_b_en: str
    body_b_en: str
    ab_sample_percent: int = Field(description="The test's sample, half A and half B")
    ab_criterion: str = Field(description="opens, clicks or replies: the winner has the higher share")
    ab_hours: int = Field(description="How long the test runs after its sample is queued")
    ab_ends_at: dt.datetime | None = Field(description="When the test ends (once its sample is queued)")
    ab_winner: str = Field(description="a, b, or empty while the test runs")
    ab_decided_at: dt.datetime | None
    ab_result: dict[str, Any] = Field(
        description="The figures the winner was chosen on: criterion, manual, and for a and b "
        "the sample sent and the count by the criterion"
    )
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
    control_percent: Annotated[StrictInt, Field(ge=0, le=services.CONTROL_MAX)] | None = None
    ab_test: bool | None = None
    subject_b_fa: Subject | None = None
    body_b_fa: Body | None = None
    subject_b_en: Subject | None = None
    body_b_en: Body | None = None
    ab_sample_percent: Annotated[StrictInt, Field(ge=services.SAMPLE_MIN, le=services.SAMPLE_MAX)] | None = (
        None
    )
    ab_criterion: AbCriterion | None = None
    ab_hours: Annotated[StrictInt, Field(ge=services.HOURS_MIN, le=services.HOURS_MAX)] | None = None


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


class VariantOut(Schema):
    sent: int
    delivered: int
    opened: int
    clicked: int
    replied: int


class AbOut(Schema):
    criterion: str
    a: VariantOut
    b: VariantOut
    winner: str = Field(description="a, b, or empty while the test runs")
    ends_at: dt.datetime | None
    decided_at: dt.datetime | None
    manual: bool = Field(description="Picked by hand before the test ended")


class DifferenceOut(Schema):
    sent_percent: float
    control_percent: float
    difference: float = Field(description="In percentage points")
    low: float = Field(description="95 % confidence interval, lower bound")
    high: float


class LiftGroupOut(Schema):
    size: int
    bought: int
    responded: int = Field(description="Replied on the channel or bought, in the window")
    revenue: MoneyOut
    revenue_per_customer: MoneyOut | None


class LiftOut(Schema):
    sent: LiftGroupOut
    control: LiftGroupOut
    bought: DifferenceOut | None
    responded: DifferenceOut | None
    verdict: Literal["better", "worse", "unclear"] = Field(
        description="better: the interval of the difference in buying lies above zero"
    )
    verdict_text: str


class CampaignCreditOut(Schema):
    leads: int
    deals: int
    orders: int
    revenue: MoneyOut = Field(description="In the base currency")


class CampaignAttributionOut(Schema):
    first_touch: CampaignCreditOut
    last_touch: CampaignCreditOut


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
    held_out: int = Field(description="The control group, kept out of the send")
    lift: LiftOut | None = Field(description="Against the control group (none without one)")
    ab: AbOut | None = Field(description="The A/B test (none without one)")
    attribution: CampaignAttributionOut | None = Field(
        description="Leads, deals, orders and revenue owed to it as the first and as the last touch "
        "within its attribution window (none before it was sent)"
    )


class WinnerIn(InputSchema):
    variant: Literal["a", "b"]


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
    variant: str = Field(description="The A/B variant it got (empty without a test)")
    in_test: bool = Field(description="In the A/B test's sample")


class RecipientQuery(PageQuery):
    state: Literal["pending", "queued", "skipped", "held_out", "rest"] | None = None
    reason: Literal["no_consent", "unsubscribed", "no_address", "bounced", "control"] | None = None
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
        elif value is None and name in ("description", *services.FIELDS_TEXT):
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
    campaign = _campaign(request, campaign_id)
    stats = selectors.campaign_stats(campaign=campaign)
    return {
        **{name: getattr(stats, name) for name in StatsOut.model_fields if hasattr(stats, name)},
        "sent": stats.queued,
        "failed": stats.failed + stats.cancelled,
        "skipped_by_reason": stats.skipped_by,
        "cost": stats.cost,
        "cost_per_response": stats.cost_per_response,
        "roi_percent": stats.roi,
        "lift": _lift(campaign),
        "ab": _ab(campaign),
        "attribution": _attribution(campaign),
    }


def _attribution(campaign: Campaign) -> dict[str, Any] | None:
    found = attribution.campaign_attribution(campaign=campaign)
    if found is None:
        return None
    return {"first_touch": found[0].first, "last_touch": found[0].last}


def _difference(found: results.Difference | None) -> dict[str, float] | None:
    if found is None:
        return None
    return {
        "sent_percent": round(found.first, 4),
        "control_percent": round(found.second, 4),
        "difference": round(found.difference, 4),
        "low": round(found.low, 4),
        "high": round(found.high, 4),
    }


def _lift(campaign: Campaign) -> dict[str, Any] | None:
    lift = results.campaign_lift(campaign=campaign)
    if lift is None:
        return None
    groups = {
        name: {
            "size": group.size,
            "bought": group.bought,
            "responded": group.responded,
            "revenue": group.revenue,
            "revenue_per_customer": group.revenue_each,
        }
        for name, group in (("sent", lift.sent), ("control", lift.control))
    }
    return {
        **groups,
        "bought": _difference(lift.bought),
        "responded": _difference(lift.responded),
        "verdict": lift.verdict,
        "verdict_text": lift.verdict_text,
    }


def _ab(campaign: Campaign) -> dict[str, Any] | None:
    if not campaign.ab_test:
        return None
    figures = results.ab_figures(campaign=campaign)
    return {
        "criterion": campaign.ab_criterion,
        "a": figures["a"],
        "b": figures["b"],
        "winner": campaign.ab_winner,
        "ends_at": campaign.ab_ends_at,
        "decided_at": campaign.ab_decided_at,
        "manual": bool(campaign.ab_result.get("manual")),
    }


@router.post(
    "/marketing/campaigns/{campaign_id}/winner",
    response={200: CampaignOut, **ERRORS},
    summary="Pick the A/B test's winner now; the rest of the customers get it",
)
def campaign_winner(request: HttpRequest, campaign_id: Id, payload: WinnerIn) -> Campaign:
    campaign = _campaign(request, campaign_id)
    return abtest.campaign_pick_winner(campaign=campaign, actor=actor(request), variant=payload.variant)


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
