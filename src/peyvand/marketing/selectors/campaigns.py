"""Campaigns through the permission policy: the lists, one campaign, its audience and cost
before sending, its recipients, and what came of it (responses and ROI) after.

Responses are counted by the engine, a query each, from what the customers did:
- opened, clicked: the recipient rows (the pixel and the tracking links write them);
- replied: an email or SMS from the customer on the campaign's channel after it was queued
  and within the attribution window (they are on the customer's timeline already);
- unsubscribed: the channel's consent withdrawn in that window;
- orders and revenue: orders (not cancelled) of customers the message reached, dated in
  the window, in the base currency at the rate of the day the campaign started.
(Sales has no campaign field on leads or deals yet, so leads and deals are not counted.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from peyvand.core import charts, jalali, policy
from peyvand.core.models import Scope, User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.text import search_terms
from peyvand.customers.models import Party
from peyvand.interactions.models import Direction, Interaction, OutboundMessage
from peyvand.sales.models import Order, OrderStatus
from peyvand.sales.services.common import rate_on

from ..models import Campaign, Channel, Recipient, Status
from . import segments

SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "-created"
State, Reason = Recipient.State, Recipient.Reason


def campaign_queryset(*, user: User, filters: dict[str, Any]) -> QuerySet[Campaign]:
    # A programme's steps are read and written through their programme.
    queryset = policy.visible(user, Campaign.objects.filter(programme=None))
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("status") in Status.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("channel") in Channel.values:
        queryset = queryset.filter(channel=filters["channel"])
    return queryset


def campaign_list(
    *,
    user: User,
    filters: dict[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Campaign]:
    queryset = campaign_queryset(user=user, filters=filters)
    page = keyset_page(
        queryset.select_related("owner"),
        order=SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def campaign_get(*, user: User, pk: Any) -> Campaign:
    return policy.get_visible(
        user, Campaign.objects.filter(programme=None).select_related("owner", "sent_by"), pk
    )


def audience_segments(campaign: Campaign) -> tuple[list[Any], list[Any]]:
    """The segments it goes to and those it leaves out (alive ones)."""
    rows = list(campaign.audience.select_related("segment").order_by("segment__name", "segment_id"))
    include = [r.segment for r in rows if not r.exclude and r.segment.deleted_at is None]
    exclude = [r.segment for r in rows if r.exclude and r.segment.deleted_at is None]
    return include, exclude


def campaign_audience(*, user: User, campaign: Campaign, now: dt.datetime | None = None) -> QuerySet[Party]:
    """Every customer the campaign targets, as ``user`` sees them: in any of its segments and
    in none of its exclusions. One query; a customer ``user`` may not see is never in it."""
    include, exclude = audience_segments(campaign)
    if not include:
        return Party.objects.none()
    now = now or timezone.now()
    wanted = Q()
    for segment in include:
        wanted |= segments.segment_q(segment, now=now)
    for segment in exclude:
        wanted &= ~segments.segment_q(segment, now=now)
    return policy.visible(user, Party.objects.filter(wanted))


def reachable(parties: QuerySet[Party], channel: str) -> QuerySet[Party]:
    """Those with consent and an address on ``channel`` (an estimate: the send checks each)."""
    if channel == Channel.EMAIL:
        return parties.filter(email_consent=True).exclude(primary_email="")
    return parties.filter(sms_consent=True).exclude(primary_phone="")


# --- recipients ---------------------------------------------------------------------------


def recipient_queryset(*, user: User, campaign: Campaign, filters: dict[str, Any]) -> QuerySet[Recipient]:
    """The campaign's recipients whose customers ``user`` may see."""
    queryset = Recipient.objects.filter(
        campaign=campaign, party__in=policy.visible(user, Party.objects.all())
    )
    if filters.get("state") in State.values:
        queryset = queryset.filter(state=filters["state"])
    if filters.get("reason") in Reason.values:
        queryset = queryset.filter(reason=filters["reason"])
    if filters.get("delivery") in OutboundMessage.Status.values:
        queryset = queryset.filter(delivery=filters["delivery"])
    if filters.get("clicked"):
        queryset = queryset.filter(clicked_at__isnull=False)
    return queryset


def recipient_list(
    *, user: User, campaign: Campaign, filters: dict[str, Any], cursor: str | None = None, limit: int = 50
) -> Page[Recipient]:
    queryset = recipient_queryset(user=user, campaign=campaign, filters=filters)
    page = keyset_page(queryset.select_related("party"), order=["id"], cursor=cursor, limit=limit)
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def party_campaigns(*, user: User, party: Party, limit: int = 5) -> list[Recipient]:
    """The last campaigns that reached a customer, for the customer page."""
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        return []
    campaigns = policy.visible(user, Campaign.objects.all())
    rows = Recipient.objects.filter(party=party, state=State.QUEUED, campaign__in=campaigns)
    return list(rows.select_related("campaign").order_by("-id")[:limit])


# --- responses and ROI --------------------------------------------------------------------


@dataclass
class Stats:
    targeted: int = 0
    queued: int = 0
    skipped: int = 0
    skipped_by: dict[str, int] = field(default_factory=dict)
    held_out: int = 0  # the control group
    waiting_test: int = 0  # the rest of an A/B test, until its winner is chosen
    delivered: int = 0
    failed: int = 0
    cancelled: int = 0
    waiting: int = 0
    opened: int = 0
    clicked: int = 0
    clicks: int = 0
    replied: int = 0
    unsubscribed: int = 0
    buyers: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)
    message_cost: Decimal = Decimal(0)
    other_cost: Decimal = Decimal(0)
    responders: int = 0
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    unconverted: list[str] = field(default_factory=list)  # currencies without a rate

    @property
    def cost(self) -> Decimal:
        return self.message_cost + self.other_cost

    @property
    def cost_per_response(self) -> Decimal | None:
        return (self.cost / self.responders).quantize(Decimal("0.01")) if self.responders else None

    @property
    def roi(self) -> Decimal | None:
        """(revenue − cost) ÷ cost, as a percentage; none without a cost."""
        if not self.cost:
            return None
        return ((self.revenue - self.cost) * 100 / self.cost).quantize(Decimal("0.1"))

    def rate(self, count: int) -> float | None:
        return 100.0 * count / self.queued if self.queued else None


def _window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime] | None:
    if campaign.started_at is None:
        return None
    return campaign.started_at, campaign.started_at + dt.timedelta(days=campaign.attribution_days)


def _replies(campaign: Campaign, end: dt.datetime) -> QuerySet[Interaction]:
    return Interaction.objects.filter(
        party_id=OuterRef("party_id"),
        direction=Direction.INBOUND,
        channel=campaign.channel,
        occurred_at__gte=OuterRef("queued_at"),
        occurred_at__lt=end,
    )


def _orders(campaign: Campaign, start: dt.date, end: dt.date) -> QuerySet[Order]:
    return Order.objects.filter(ordered_on__gte=start, ordered_on__lte=end).exclude(
        status=OrderStatus.CANCELLED
    )


def campaign_stats(*, campaign: Campaign) -> Stats:
    """Every figure of the campaign's report, a handful of queries however many recipients."""
    stats = Stats(other_cost=campaign.other_cost)
    rows = (
        Recipient.objects.filter(campaign=campaign)
        .values("state", "reason", "delivery")
        .annotate(n=Count("id"), cost=Sum("cost"))
        .order_by()
    )
    for row in rows:
        n = row["n"]
        stats.targeted += n
        if row["state"] == State.SKIPPED:
            stats.skipped += n
            stats.skipped_by[row["reason"]] = stats.skipped_by.get(row["reason"], 0) + n
        elif row["state"] == State.HELD_OUT:
            stats.held_out += n
        elif row["state"] == State.REST:
            stats.waiting_test += n
        elif row["state"] == State.QUEUED:
            stats.queued += n
            stats.message_cost += row["cost"] or Decimal(0)
            delivery = row["delivery"]
            if delivery == OutboundMessage.Status.SENT:
                stats.delivered += n
            elif delivery == OutboundMessage.Status.FAILED:
                stats.failed += n
            elif delivery == OutboundMessage.Status.CANCELLED:
                stats.cancelled += n
            else:
                stats.waiting += n
    queued = Recipient.objects.filter(campaign=campaign, state=State.QUEUED)
    seen = queued.aggregate(
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        clicks=Sum("clicks"),
    )
    stats.opened, stats.clicked, stats.clicks = seen["opened"], seen["clicked"], seen["clicks"] or 0
    window = _window(campaign)
    if window is None:
        return stats
    start, end = window
    first_day, last_day = timezone.localdate(start), timezone.localdate(end)
    stats.window_start, stats.window_end = first_day, last_day
    stats.replied = queued.filter(Exists(_replies(campaign, end))).count()
    consent = f"party__{campaign.channel}_consent"
    stats.unsubscribed = queued.filter(
        **{consent: False, f"{consent}_at__gte": F("queued_at"), f"{consent}_at__lt": end}
    ).count()
    reached = queued.filter(delivery=OutboundMessage.Status.SENT)
    bought = _orders(campaign, first_day, last_day).filter(party_id__in=reached.values("party_id"))
    sums = bought.values_list("currency").annotate(n=Count("id"), total=Sum("total")).order_by("currency")
    for currency, n, total in sums:
        stats.orders += n
        try:
            stats.revenue += total * rate_on(currency, first_day)
        except ValidationError:
            stats.unconverted.append(currency)
    stats.buyers = bought.values("party_id").distinct().count()
    ordered = _orders(campaign, first_day, last_day).filter(party_id=OuterRef("party_id"))
    stats.responders = (
        queued.filter(
            Q(clicked_at__isnull=False)
            | Q(Exists(_replies(campaign, end)))
            | Q(Exists(ordered), delivery=OutboundMessage.Status.SENT)
        )
        .distinct()
        .count()
    )
    return stats


# --- the report's charts ------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _by_day(queryset: QuerySet[Any], moment: str) -> dict[dt.date, int]:
    zone = timezone.get_current_timezone()
    rows = (
        queryset.annotate(day=TruncDate(moment, tzinfo=zone)).values("day").annotate(n=Count("id")).order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def counts_opens(campaign: Campaign) -> bool:
    """Whether opens mean anything: an email campaign with its tracking pixel (an SMS has none)."""
    return campaign.channel == Channel.EMAIL and campaign.track_opens


def campaign_charts(*, campaign: Campaign, stats: Stats) -> dict[str, charts.Chart]:
    """The report's charts: the funnel, why customers were skipped, responses day by day."""
    steps = [
        (_("Targeted"), stats.targeted),
        (_("Sent"), stats.queued),
        (_("Delivered"), stats.delivered),
        *([(pgettext("an email", "Opened"), stats.opened)] if counts_opens(campaign) else []),
        (_("Clicked"), stats.clicked),
        (_("Replied"), stats.replied),
        (_("Bought"), stats.buyers),
    ]
    found = {
        "funnel": charts.Chart(
            key="funnel",
            title=_("From targeted to bought"),
            kind="bar",
            labels=tuple(str(label) for label, _n in steps),
            series=(charts.Series(_("Customers"), tuple(float(n) for _label, n in steps)),),
            label_heading=_("Step"),
        ),
        "skipped": charts.Chart(
            key="skipped",
            title=_("Skipped, by reason"),
            kind="pie",
            labels=tuple(
                str(Reason(reason).label) for reason in Reason.values if stats.skipped_by.get(reason)
            ),
            series=(
                charts.Series(
                    _("Customers"),
                    tuple(float(stats.skipped_by[r]) for r in Reason.values if stats.skipped_by.get(r)),
                ),
            ),
            label_heading=_("Reason"),
        ),
    }
    if stats.window_start and stats.window_end:
        last = min(stats.window_end, timezone.localdate())
        days = _days(stats.window_start, max(last, stats.window_start))
        queued = Recipient.objects.filter(campaign=campaign, state=State.QUEUED)
        clicks = _by_day(queued.filter(clicked_at__isnull=False), "clicked_at")
        window = _window(campaign)
        assert window is not None
        replies = Interaction.objects.filter(
            party_id__in=queued.values("party_id"),
            direction=Direction.INBOUND,
            channel=campaign.channel,
            occurred_at__gte=window[0],
            occurred_at__lt=window[1],
        )
        replied = _by_day(replies, "occurred_at")
        reached = queued.filter(delivery=OutboundMessage.Status.SENT).values("party_id")
        orders = _orders(campaign, stats.window_start, stats.window_end).filter(party_id__in=reached)
        ordered = {
            row["ordered_on"]: row["n"]
            for row in orders.values("ordered_on").annotate(n=Count("id")).order_by()
        }
        found["daily"] = charts.Chart(
            key="daily",
            title=_("Responses day by day"),
            kind="line",
            labels=tuple(jalali.format_date(day) for day in days),
            series=(
                charts.Series(_("Clicked"), tuple(float(clicks.get(d, 0)) for d in days)),
                charts.Series(_("Replied"), tuple(float(replied.get(d, 0)) for d in days)),
                charts.Series(_("Orders"), tuple(float(ordered.get(d, 0)) for d in days)),
            ),
            label_heading=_("Day"),
        )
    return found
