"""The strategy cube (issue 11): segments × offers × channels, each cell with its customers
contacted, those who responded, those who bought the offer, and the revenue of the offer.

- A *segment* is one of marketing's saved segments or lists, evaluated exactly as a campaign
  evaluates it (``segments.segment_parties``), and only the customers the user may see.
- A *channel* is the channel a campaign contacted a customer on in the period (email or SMS):
  a recipient queued into the outbox in the period, of a campaign the user may see.
- *Contacts*: the segment's customers contacted on the channel in the period.
- *Responders*: those of them who responded as a campaign's report counts it: clicked,
  replied on the campaign's channel within its attribution window, or (the message
  delivered) ordered within that window.
- An *offer* is a product (the top ``top`` by revenue, the rest as "other"): its *buyers* are
  the contacted customers who ordered it in the period, its *revenue* the net of those order
  lines (orders not cancelled), in the base currency at the rate of the period's last day.

Every figure is counted by the engine: a few queries per segment (the number of segments is
capped), however many customers, recipients or orders there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import charts, policy
from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.interactions.models import Direction, Interaction, OutboundMessage
from peyvand.sales import conf as sales_conf
from peyvand.sales.models import Order, OrderLine, OrderStatus, Product
from peyvand.sales.services.common import rate_on

from ..models import Campaign, Channel, Recipient, Segment
from . import segments as segment_selectors

ALL = ""  # the channel "any channel"
MAX_SEGMENTS = 10
DEFAULT_SEGMENTS = 5
DEFAULT_TOP = 8
OTHER = 0  # the offer "every other product" (and lines without a product)
ZERO = Decimal(0)


@dataclass(frozen=True)
class CubeFilters:
    start: dt.date
    end: dt.date
    segment_ids: tuple[int, ...] = ()
    top: int = DEFAULT_TOP


@dataclass(frozen=True)
class Offer:
    key: int  # a product's id, or OTHER
    label: str


@dataclass
class Cell:
    contacts: int = 0
    responders: int = 0
    buyers: int = 0
    revenue: Decimal = ZERO

    @property
    def conversion(self) -> float | None:
        """Buyers of the offer as a percentage of the customers contacted."""
        return 100.0 * self.buyers / self.contacts if self.contacts else None


@dataclass
class Cube:
    filters: CubeFilters
    segments: list[Segment]
    offers: list[Offer]
    channels: list[tuple[str, str]]  # (code, label), ALL first
    # (segment id, channel) -> contacts, responders; (segment id, offer key, channel) -> cell
    reach: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    cells: dict[tuple[int, int, str], Cell] = field(default_factory=dict)
    currency: str = ""
    unconverted: list[str] = field(default_factory=list)

    def cell(self, segment_id: int, offer_key: int, channel: str) -> Cell:
        contacts, responders = self.reach.get((segment_id, channel), (0, 0))
        found = self.cells.get((segment_id, offer_key, channel))
        return Cell(
            contacts=contacts,
            responders=responders,
            buyers=found.buyers if found else 0,
            revenue=found.revenue if found else ZERO,
        )

    def revenue(self, segment_id: int, channel: str) -> Decimal:
        return sum(
            (c.revenue for (s, _o, ch), c in self.cells.items() if s == segment_id and ch == channel), ZERO
        )

    def rows(self) -> list[list[Any]]:
        """Every cell as a row of the CSV: segment, offer, channel, then the figures."""
        labels = dict(self.channels)
        return [
            [
                segment.name,
                offer.label,
                labels[channel],
                cell.contacts,
                cell.responders,
                cell.buyers,
                cell.revenue,
            ]
            for segment in self.segments
            for offer in self.offers
            for channel, _label in self.channels
            for cell in [self.cell(segment.pk, offer.key, channel)]
        ]

    def header(self) -> list[str]:
        return [
            _("Segment"),
            _("Offer"),
            _("Channel"),
            _("Contacted"),
            _("Responded"),
            _("Bought the offer"),
            _("Revenue (%(currency)s)") % {"currency": self.currency},
        ]


def default_filters(*, today: dt.date | None = None) -> CubeFilters:
    """The last twelve months, this one included (months of the reader's calendar)."""
    today = today or timezone.localdate()
    return CubeFilters(start=charts.months_back(today, 11), end=today)


def cube_segments(*, user: User) -> QuerySet[Segment]:
    """The segments and lists ``user`` may compare, by name."""
    return segment_selectors.segments_for_choice(user=user)


def channel_choices() -> list[tuple[str, str]]:
    return [(ALL, _("Any channel")), *((code, str(label)) for code, label in Channel.choices)]


# --- the pieces of the queries --------------------------------------------------------------


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _contacted(user: User, filters: CubeFilters) -> QuerySet[Recipient]:
    """The recipients queued into the outbox in the period, of the campaigns ``user`` may see."""
    return Recipient.objects.filter(
        state=Recipient.State.QUEUED,
        queued_at__gte=_moment(filters.start),
        queued_at__lt=_moment(filters.end + dt.timedelta(days=1)),
        campaign__in=policy.visible(user, Campaign.objects.all()),
    )


def _responded(contacted: QuerySet[Recipient]) -> Q:
    """Whether a recipient responded, as its campaign's report counts it: clicked; replied on
    the campaign's channel from when it was queued to the end of the attribution window
    (``attribution_days`` after the campaign started); or, delivered, ordered in the window's
    days. A branch per attribution window in use (one query finds them; they are few)."""
    zone = timezone.get_current_timezone()
    started = ExpressionWrapper(OuterRef("campaign__started_at"), output_field=DateTimeField())
    windows = (
        Campaign.objects.filter(pk__in=contacted.values("campaign_id"), started_at__isnull=False)
        .values_list("attribution_days", flat=True)
        .distinct()
        .order_by("attribution_days")
    )
    test = Q(clicked_at__isnull=False)
    for days in windows:
        end = ExpressionWrapper(started + Value(dt.timedelta(days=days)), output_field=DateTimeField())
        replies = Interaction.objects.filter(
            party_id=OuterRef("party_id"),
            direction=Direction.INBOUND,
            channel=OuterRef("campaign__channel"),
            occurred_at__gte=OuterRef("queued_at"),
            occurred_at__lt=end,
        )
        orders = Order.objects.filter(
            party_id=OuterRef("party_id"),
            deleted_at__isnull=True,
            ordered_on__gte=TruncDate(started, tzinfo=zone),
            ordered_on__lte=TruncDate(end, tzinfo=zone),
        ).exclude(status=OrderStatus.CANCELLED)
        test |= Q(campaign__attribution_days=days) & (
            Q(Exists(replies)) | Q(Exists(orders), delivery=OutboundMessage.Status.SENT)
        )
    return test


def _lines(filters: CubeFilters) -> QuerySet[OrderLine]:
    """The order lines that count: orders in the period, not cancelled, not deleted."""
    return OrderLine.objects.filter(
        order__ordered_on__gte=filters.start,
        order__ordered_on__lte=filters.end,
        order__deleted_at__isnull=True,
    ).exclude(order__status=OrderStatus.CANCELLED)


def _on(contacted: QuerySet[Recipient], channel: str, party: str) -> Q:
    """Whether the customer at ``party`` (a path on the outer row) was contacted on ``channel``."""
    reached = contacted.filter(party_id=OuterRef(party))
    if channel != ALL:
        reached = reached.filter(campaign__channel=channel)
    return Q(Exists(reached))


def _rates(currencies: set[str], day: dt.date, unconverted: list[str]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for currency in sorted(currencies):
        try:
            found[currency] = rate_on(currency, day)
        except ValidationError:
            found[currency] = ZERO
            unconverted.append(currency)
    return found


def _top_products(
    lines: QuerySet[OrderLine], parties: QuerySet[Party], contacted: QuerySet[Recipient], cube: Cube
) -> list[int]:
    """The ids of the ``top`` products by revenue from the contacted customers of any segment."""
    if cube.filters.top <= 0:
        return []
    rows: list[tuple[Any, ...]] = list(
        lines.filter(order__party_id__in=parties.values("pk"), product_id__isnull=False)
        .filter(_on(contacted, ALL, "order__party_id"))
        .values_list("product_id", "order__currency")
        .annotate(total=Sum("net"))
        .order_by()
    )
    rates = _rates({currency for _p, currency, _t in rows}, cube.filters.end, cube.unconverted)
    totals: dict[int, Decimal] = {}
    for product_id, currency, total in rows:
        totals[product_id] = totals.get(product_id, ZERO) + (total or ZERO) * rates[currency]
    ranked = sorted(totals, key=lambda pk: (-totals[pk], pk))
    return ranked[: cube.filters.top]


# --- the cube -------------------------------------------------------------------------------


def strategy_cube(*, user: User, filters: CubeFilters, now: dt.datetime | None = None) -> Cube:
    """The cube for ``user``: only the segments, campaigns and customers they may see."""
    now = now or timezone.now()
    chosen = list(cube_segments(user=user).filter(pk__in=filters.segment_ids[:MAX_SEGMENTS]))
    chosen.sort(key=lambda s: filters.segment_ids.index(s.pk))
    channels = channel_choices()
    cube = Cube(filters, chosen, [], channels, currency=sales_conf.base_currency())
    if not chosen:
        return cube
    contacted = _contacted(user, filters)
    members = {s.pk: segment_selectors.segment_parties(user=user, segment=s, now=now) for s in chosen}
    in_any = Q()
    for segment in chosen:
        in_any |= segment_selectors.segment_q(segment, now=now)
    anyone = policy.visible(user, Party.objects.filter(in_any))
    lines = _lines(filters)
    top = _top_products(lines, anyone, contacted, cube)
    names = {p.pk: p.name for p in Product.objects.filter(pk__in=top)}
    cube.offers = [Offer(pk, names[pk]) for pk in top if pk in names]
    cube.offers.append(Offer(OTHER, _("Other products")))
    offer = Case(
        When(product_id__in=top, then=F("product_id")),
        default=Value(OTHER),
        output_field=BigIntegerField(),
    )
    responded = _responded(contacted)
    codes = [code for code, _label in channels]
    rates: dict[str, Decimal] = {}
    for segment in chosen:
        parties = members[segment.pk].values("pk")
        # Contacted and responded, on each channel and on any.
        reached = contacted.filter(party_id__in=parties)
        sums: dict[str, Any] = {}
        for n, code in enumerate(codes):
            on = Q(campaign__channel=code) if code != ALL else Q()
            sums[f"c{n}"] = Count("party_id", distinct=True, filter=on)
            sums[f"r{n}"] = Count("party_id", distinct=True, filter=on & responded)
        figures = reached.aggregate(**sums)
        for n, code in enumerate(codes):
            cube.reach[(segment.pk, code)] = (figures[f"c{n}"] or 0, figures[f"r{n}"] or 0)
        # Buyers and revenue of each offer, on each channel and on any.
        bought: Any = lines.filter(order__party_id__in=parties).annotate(offer=offer)
        buyers: dict[str, Any] = {}
        revenue: dict[str, Any] = {}
        for n, code in enumerate(codes):
            on = _on(contacted, code, "order__party_id")
            buyers[f"b{n}"] = Count("order__party_id", distinct=True, filter=on)
            revenue[f"v{n}"] = Sum("net", filter=on)
        for row in bought.values("offer").annotate(**buyers).order_by():
            for n, code in enumerate(codes):
                cube.cells.setdefault((segment.pk, row["offer"], code), Cell()).buyers = row[f"b{n}"] or 0
        money = list(bought.values("offer", "order__currency").annotate(**revenue).order_by())
        missing = {row["order__currency"] for row in money} - set(rates)
        rates.update(_rates(missing, filters.end, cube.unconverted))
        for row in money:
            rate = rates[row["order__currency"]]
            for n, code in enumerate(codes):
                cell = cube.cells.setdefault((segment.pk, row["offer"], code), Cell())
                cell.revenue += (row[f"v{n}"] or ZERO) * rate
    cube.unconverted = sorted(set(cube.unconverted))
    return cube


def revenue_chart(cube: Cube) -> charts.Chart:
    """Revenue by segment, a bar per channel (a customer reached on both counts in each)."""
    channels = [(code, label) for code, label in cube.channels if code != ALL]
    return charts.Chart(
        key="revenue",
        title=_("Revenue by segment and channel"),
        kind="bar",
        labels=tuple(s.name for s in cube.segments),
        series=tuple(
            charts.Series(label, tuple(float(cube.revenue(s.pk, code)) for s in cube.segments))
            for code, label in channels
        ),
        label_heading=_("Segment"),
        unit=cube.currency,
        note=_("Revenue in %(currency)s of the customers contacted on each channel in the period.")
        % {"currency": cube.currency},
    )
