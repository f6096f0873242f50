"""First-touch and last-touch attribution: which campaign (or programme) a response is owed to.

A contact is a message queued to a customer (a campaign's recipient, or a programme step's).
A response is a lead or a deal made for the customer, or an order (not cancelled) of theirs.
A contact counts for a response within its attribution window (its campaign's, or its
programme's, in days):
- a lead or a deal created at moment m: the contact's time t ≤ m ≤ t + window;
- an order dated d: the contact's local day ≤ d ≤ that day + window (orders are dated by day,
  as in the campaign's own figures).
Of the contacts that count, the earliest gets the first-touch credit and the latest the
last-touch credit (ties by the order they were queued in); a single contact gets both. A
programme's steps are credited to the programme. Revenue is the orders' totals in the base
currency at the rate of each order's day.

The work is done a few thousand customers at a time: two queries for their contacts and
three for their responses, then a pass in Python over each customer's short timeline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.sales.models import Deal, Lead, Order, OrderStatus
from peyvand.sales.services.common import rate_on

from ..models import Campaign, Programme, Recipient

CHUNK = 2000
MAX_WINDOW = dt.timedelta(days=366)
Key = tuple[str, int]  # ("campaign", id) or ("programme", id)


@dataclass(frozen=True)
class Touch:
    at: dt.datetime
    order: int  # the recipient row's id: ties broken by the order they were queued in
    key: Key
    window: int  # days

    def covers_moment(self, moment: dt.datetime) -> bool:
        return self.at <= moment <= self.at + dt.timedelta(days=self.window)

    def covers_day(self, day: dt.date) -> bool:
        first = timezone.localdate(self.at)
        return first <= day <= first + dt.timedelta(days=self.window)


@dataclass(frozen=True)
class Response:
    kind: str  # lead, deal or order
    moment: dt.datetime | None = None  # a lead's or a deal's
    day: dt.date | None = None  # an order's
    revenue: Decimal = Decimal(0)


@dataclass
class Credit:
    leads: int = 0
    deals: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)

    def add(self, response: Response) -> None:
        if response.kind == "lead":
            self.leads += 1
        elif response.kind == "deal":
            self.deals += 1
        else:
            self.orders += 1
            self.revenue += response.revenue


@dataclass
class Attribution:
    first: Credit = field(default_factory=Credit)
    last: Credit = field(default_factory=Credit)


def credit(touches: Iterable[Touch], responses: Iterable[Response]) -> dict[Key, Attribution]:
    """One customer's responses credited to the first and last of their contacts that count."""
    ordered = sorted(touches, key=lambda t: (t.at, t.order))
    found: dict[Key, Attribution] = {}
    for response in responses:
        if response.moment is not None:
            moment = response.moment
            counted = [t for t in ordered if t.covers_moment(moment)]
        else:
            assert response.day is not None
            day = response.day
            counted = [t for t in ordered if t.covers_day(day)]
        if not counted:
            continue
        found.setdefault(counted[0].key, Attribution()).first.add(response)
        found.setdefault(counted[-1].key, Attribution()).last.add(response)
    return found


def _key(campaign_id: int, programme_id: int | None) -> Key:
    return ("programme", programme_id) if programme_id else ("campaign", campaign_id)


def _chunks(party_ids: QuerySet[Recipient, int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for party_id in party_ids.iterator(chunk_size=CHUNK):
        chunk.append(party_id)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Result:
    by_key: dict[Key, Attribution] = field(default_factory=dict)
    unconverted: list[str] = field(default_factory=list)

    def of(self, key: Key) -> Attribution:
        return self.by_key.get(key, Attribution())


def attribute(*, parties: QuerySet[Recipient, int], since: dt.datetime, until: dt.datetime) -> Result:
    """Credit the responses dated from ``since`` to ``until`` of the customers in ``parties``
    (a query of party ids) to their contacts."""
    result = Result()
    rates: dict[tuple[str, dt.date], Decimal | None] = {}
    for chunk in _chunks(parties):
        touches: dict[int, list[Touch]] = defaultdict(list)
        rows = Recipient.objects.filter(
            party_id__in=chunk,
            state=Recipient.State.QUEUED,
            queued_at__gte=since - MAX_WINDOW,
            queued_at__lte=until,
        ).values_list(
            "party_id",
            "id",
            "queued_at",
            "campaign_id",
            "campaign__programme_id",
            "campaign__attribution_days",
        )
        for party_id, pk, at, campaign_id, programme_id, days in rows:
            assert at is not None  # queued_at__gte filters out the rows without one
            touches[party_id].append(Touch(at, pk, _key(campaign_id, programme_id), days))
        responses: dict[int, list[Response]] = defaultdict(list)
        for model, kind in ((Lead, "lead"), (Deal, "deal")):
            moments = model.objects.filter(
                party_id__in=list(touches), deleted_at=None, created_at__gte=since, created_at__lte=until
            ).values_list("party_id", "created_at")
            for party_id, moment in moments:
                responses[party_id].append(Response(kind, moment=moment))
        orders = (
            Order.objects.filter(
                party_id__in=list(touches),
                ordered_on__gte=timezone.localdate(since),
                ordered_on__lte=timezone.localdate(until),
            )
            .exclude(status=OrderStatus.CANCELLED)
            .values_list("party_id", "ordered_on", "total", "currency")
        )
        for party_id, day, total, currency in orders:
            if (currency, day) not in rates:
                try:
                    rates[currency, day] = rate_on(currency, day)
                except ValidationError:
                    rates[currency, day] = None
                    if currency not in result.unconverted:
                        result.unconverted.append(currency)
            rate = rates[currency, day]
            revenue = total * rate if rate is not None else Decimal(0)
            responses[party_id].append(Response("order", day=day, revenue=revenue))
        for party_id, found in responses.items():
            for key, attribution in credit(touches[party_id], found).items():
                mine = result.by_key.setdefault(key, Attribution())
                for side in ("first", "last"):
                    total_credit, more = getattr(mine, side), getattr(attribution, side)
                    total_credit.leads += more.leads
                    total_credit.deals += more.deals
                    total_credit.orders += more.orders
                    total_credit.revenue += more.revenue
    return result


def campaign_attribution(*, campaign: Campaign) -> tuple[Attribution, list[str]] | None:
    """The campaign's first-touch and last-touch figures; None before it was sent."""
    reached = Recipient.objects.filter(campaign=campaign, state=Recipient.State.QUEUED)
    span = reached.filter(queued_at__isnull=False).order_by("queued_at").values_list("queued_at", flat=True)
    start = span.first()
    if start is None:
        return None
    end = span.last()
    assert end is not None
    until = min(end + dt.timedelta(days=campaign.attribution_days), timezone.now())
    result = attribute(
        parties=reached.order_by("party_id").values_list("party_id", flat=True).distinct(),
        since=start,
        until=max(until, start),
    )
    key = _key(campaign.pk, campaign.programme_id)
    return result.of(key), result.unconverted


@dataclass
class Row:
    key: Key
    name: str
    url: str
    attribution: Attribution

    @property
    def sides(self) -> tuple[Credit, Credit]:
        return self.attribution.first, self.attribution.last


def comparison(*, user: User, since: dt.datetime, until: dt.datetime) -> tuple[list[Row], list[str]]:
    """Each campaign and programme ``user`` may see that reached anyone, with its first- and
    last-touch figures for the responses from ``since`` to ``until`` (most revenue first)."""
    campaigns = policy.visible(user, Campaign.objects.all())
    reached = Recipient.objects.filter(
        campaign__in=campaigns,
        state=Recipient.State.QUEUED,
        queued_at__gte=since - MAX_WINDOW,
        queued_at__lte=until,
    )
    result = attribute(
        parties=reached.order_by("party_id").values_list("party_id", flat=True).distinct(),
        since=since,
        until=until,
    )
    names = {
        ("campaign", pk): name
        for pk, name in campaigns.filter(
            programme=None, pk__in=[k[1] for k in result.by_key if k[0] == "campaign"]
        ).values_list("pk", "name")
    }
    names.update(
        {
            ("programme", pk): name
            for pk, name in policy.visible(user, Programme.objects.all())
            .filter(pk__in=[k[1] for k in result.by_key if k[0] == "programme"])
            .values_list("pk", "name")
        }
    )
    rows = [
        Row(
            key,
            names[key],
            reverse(f"marketing:{key[0]}_detail", args=[key[1]]),
            attribution,
        )
        for key, attribution in result.by_key.items()
        if key in names
    ]
    rows.sort(key=lambda row: (-row.attribution.last.revenue, -row.attribution.first.revenue, row.name))
    return rows, result.unconverted
