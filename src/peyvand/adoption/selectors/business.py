"""The business case in figures: the yearly cash flows of its lines, their net present value,
internal rate of return, payback period and the sensitivity of the NPV to each line (the
tornado: each assumption with every line it drives, and each line no assumption drives); the
list of cases; and their charts.

The maths are pure functions of ``Flow`` rows (tested against figures worked by hand); rates
are fractions here (0.2 is 20%), percentages only in the models and forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series
from peyvand.core.jalali import local_digits
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms
from peyvand.sales.money import currency_name

from ..metrics import METRICS, last_months, measured_lately
from ..models import Assumption, BusinessCase, CaseLine, LineKind

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
IRR_LOW, IRR_HIGH = Decimal("-0.99"), Decimal(100)
IRR_TOLERANCE = Decimal("1e-10")
IRR_STEPS = 200

SORTS = {
    "title": ["title", "id"],
    "-title": ["-title", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "-updated"


@dataclass(frozen=True)
class Driver:
    """An assumption several lines may rest on."""

    key: int
    label: str


@dataclass(frozen=True, kw_only=True)
class Flow:
    """One line of a business case: a benefit or a cost, per year (growing by ``growth`` a year
    from year 1), or once in year 0."""

    label: str = ""
    benefit: bool
    amount: Decimal
    growth: Decimal = ZERO  # a fraction: 0.1 is 10% more each year
    one_off: bool = False
    # What the tornado moves: the lines sharing a driver (an assumption) move together.
    driver: Driver | None = None

    def yearly(self, horizon: int) -> list[Decimal]:
        """What the line brings (benefit, positive) or takes (cost, negative) in years 0…horizon."""
        sign = ONE if self.benefit else -ONE
        if self.one_off:
            return [sign * self.amount] + [ZERO] * horizon
        return [ZERO] + [
            sign * self.amount * (ONE + self.growth) ** (year - 1) for year in range(1, horizon + 1)
        ]

    def scaled(self, factor: Decimal) -> Flow:
        return Flow(
            label=self.label,
            benefit=self.benefit,
            amount=self.amount * factor,
            growth=self.growth,
            one_off=self.one_off,
            driver=self.driver,
        )


def net_flows(flows: Iterable[Flow], horizon: int) -> list[Decimal]:
    """The net cash flow of each year 0…horizon: benefits less costs."""
    totals = [ZERO] * (horizon + 1)
    for flow in flows:
        for year, value in enumerate(flow.yearly(horizon)):
            totals[year] += value
    return totals


def npv(cash: Sequence[Decimal], rate: Decimal) -> Decimal:
    """The net present value of ``cash`` (year 0 first) at ``rate`` a year."""
    base = ONE + rate
    return sum((value / base**year for year, value in enumerate(cash)), ZERO)


def irr(cash: Sequence[Decimal]) -> Decimal | None:
    """The rate at which the NPV is zero, by bisection between −99% and 10,000%; None when the
    flows never change sign or the NPV has no root in that range."""
    if not (any(v > 0 for v in cash) and any(v < 0 for v in cash)):
        return None
    low, high = IRR_LOW, IRR_HIGH
    at_low, at_high = npv(cash, low), npv(cash, high)
    if at_low == 0:
        return low
    if at_high == 0:
        return high
    if (at_low > 0) == (at_high > 0):
        return None
    for _step in range(IRR_STEPS):
        middle = (low + high) / 2
        at_middle = npv(cash, middle)
        if at_middle == 0 or (high - low) / 2 < IRR_TOLERANCE:
            return middle
        if (at_middle > 0) == (at_low > 0):
            low, at_low = middle, at_middle
        else:
            high = middle
    return (low + high) / 2


def payback(cash: Sequence[Decimal]) -> Decimal | None:
    """Years until the running total of ``cash`` is no longer negative, counting the part of
    the last year by straight interpolation; 0 if it never was; None if it never recovers."""
    if not cash:
        return None
    running = cash[0]
    if running >= 0:
        return ZERO
    for year in range(1, len(cash)):
        value = cash[year]
        if running + value >= 0:
            return Decimal(year - 1) + (-running) / value
        running += value
    return None


@dataclass(frozen=True)
class Swing:
    label: str
    benefit: bool
    low: Decimal  # the NPV with the line's amount (or the assumption) at (1 − range)
    high: Decimal  # … and at (1 + range)
    assumption: bool = False  # the swing of an assumption and every line it drives

    @property
    def spread(self) -> Decimal:
        return abs(self.high - self.low)

    @property
    def title(self) -> str:
        """How the tornado and its table name the swing."""
        return _("Assumption: %(label)s") % {"label": self.label} if self.assumption else self.label


def sensitivity(flows: Sequence[Flow], horizon: int, rate: Decimal, share: Decimal) -> list[Swing]:
    """Each assumption, and each line no assumption drives, moved by ±``share`` (a fraction),
    the rest kept: the NPV at each end, the widest swing first (a tornado's order). Moving an
    assumption moves every line it drives, as its value is a factor of their amounts."""
    groups: dict[object, list[int]] = {}
    for index, flow in enumerate(flows):
        groups.setdefault(flow.driver or index, []).append(index)
    swings = []
    for key, members in groups.items():
        ends = []
        for factor in (ONE - share, ONE + share):
            varied = [f.scaled(factor) if i in members else f for i, f in enumerate(flows)]
            ends.append(npv(net_flows(varied, horizon), rate))
        first = flows[members[0]]
        if isinstance(key, Driver):
            benefit = any(flows[i].benefit for i in members)
            swings.append(Swing(key.label, benefit, min(ends), max(ends), assumption=True))
        else:
            swings.append(Swing(first.label, first.benefit, min(ends), max(ends)))
    return sorted(swings, key=lambda s: s.spread, reverse=True)


@dataclass(frozen=True)
class Figures:
    cash: list[Decimal]
    benefits: list[Decimal]
    costs: list[Decimal]
    npv: Decimal
    irr: Decimal | None
    payback: Decimal | None
    swings: list[Swing]

    @property
    def cumulative(self) -> list[Decimal]:
        running, out = ZERO, []
        for value in self.cash:
            running += value
            out.append(running)
        return out

    @property
    def irr_percent(self) -> Decimal | None:
        return None if self.irr is None else self.irr * HUNDRED


def flows_of(lines: Iterable[CaseLine]) -> list[Flow]:
    return [
        Flow(
            label=line.name,
            benefit=line.kind == LineKind.BENEFIT,
            amount=line.amount,
            growth=line.growth / HUNDRED,
            one_off=line.one_off,
            driver=Driver(line.assumption.pk, line.assumption.label) if line.assumption else None,
        )
        for line in lines
    ]


def figures(case: BusinessCase, lines: Sequence[CaseLine]) -> Figures:
    flows = flows_of(lines)
    horizon, rate = case.horizon_years, case.discount_rate / HUNDRED
    cash = net_flows(flows, horizon)
    return Figures(
        cash=cash,
        benefits=net_flows([f for f in flows if f.benefit], horizon),
        costs=[-v for v in net_flows([f for f in flows if not f.benefit], horizon)],
        npv=npv(cash, rate),
        irr=irr(cash),
        payback=payback(cash),
        swings=sensitivity(flows, horizon, rate, case.sensitivity / HUNDRED),
    )


def year_label(year: int) -> str:
    return _("Year %(year)s") % {"year": local_digits(year)}


def cash_chart(case: BusinessCase, found: Figures) -> Chart:
    return Chart(
        key="cash",
        title=_("Cash flow by year"),
        kind="bar",
        labels=tuple(year_label(y) for y in range(len(found.cash))),
        series=(
            Series(_("Benefits"), tuple(float(v) for v in found.benefits), in_chart=False),
            Series(_("Costs"), tuple(float(v) for v in found.costs), in_chart=False),
            Series(_("Net cash flow"), tuple(float(v) for v in found.cash)),
            Series(_("Cumulative"), tuple(float(v) for v in found.cumulative), kind="line"),
        ),
        label_heading=_("Year"),
        unit=currency_name(case.currency),
    )


def tornado_payload(case: BusinessCase, found: Figures, *, rtl: bool, locale: str) -> dict[str, Any]:
    """What charts.js draws as a tornado: for each assumption or line, the NPV at its low and high ends as a
    change from the base NPV, the widest on top."""
    swings = found.swings
    return {
        "kind": "tornado",
        "labels": [s.title for s in swings],
        "unit": currency_name(case.currency),
        "locale": locale,
        "rtl": rtl,
        "base": float(found.npv),
        "series": [
            {
                "name": _("NPV at the low end"),
                "values": [float(s.low - found.npv) for s in swings],
                "format": "count",
                "decimals": 0,
            },
            {
                "name": _("NPV at the high end"),
                "values": [float(s.high - found.npv) for s in swings],
                "format": "count",
                "decimals": 0,
            },
        ],
    }


def cases_visible(user: User) -> QuerySet[BusinessCase]:
    return policy.visible(user, BusinessCase.objects.all())


def case_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[BusinessCase]:
    queryset = cases_visible(user).annotate(
        benefit_count=Count("lines", filter=Q(lines__kind=LineKind.BENEFIT)),
        cost_count=Count("lines", filter=Q(lines__kind=LineKind.COST)),
    )
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(Q(title__icontains=term) | Q(notes__icontains=term))
    if filters.get("currency"):
        queryset = queryset.filter(currency=filters["currency"])
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def case_get(*, user: User, pk: Any) -> BusinessCase:
    return policy.get_visible(user, BusinessCase.objects.all(), pk)


def case_lines(case: BusinessCase) -> list[CaseLine]:
    return list(case.lines.select_related("assumption").order_by("kind", "order", "id"))


@dataclass(frozen=True)
class AssumptionRow:
    """An assumption beside what Peyvand measures of it: the difference is measured less
    assumed (and as a share of the assumed value)."""

    assumption: Assumption
    metric_label: str
    measured: Decimal | None
    period: tuple[dt.date, dt.date] | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.measured is None else self.measured - self.assumption.value

    @property
    def difference_percent(self) -> Decimal | None:
        if self.difference is None or not self.assumption.value:
            return None
        return (self.difference / abs(self.assumption.value) * HUNDRED).quantize(Decimal("0.1"))

    @property
    def adoptable(self) -> bool:
        return self.measured is not None and self.measured != self.assumption.value


def assumption_rows(case: BusinessCase, *, today: dt.date | None = None) -> list[AssumptionRow]:
    rows = []
    for assumption in case.assumptions.order_by("order", "id"):
        metric = METRICS.get(assumption.metric)
        rows.append(
            AssumptionRow(
                assumption,
                str(metric.label) if metric else "",
                measured_lately(assumption.metric, assumption.months, today) if metric else None,
                last_months(assumption.months, today) if metric else None,
            )
        )
    return rows
