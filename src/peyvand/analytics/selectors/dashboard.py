"""The executive dashboard and the customer card, read from what the runs precomputed.

Nothing here opens the snapshot: every figure comes from the ``Figure`` and ``CellCount``
rows the last run left (kept by the customers' owner) and the customers' ``CustomerInsight``,
filtered through the permission policy as customers are. So a salesperson's dashboard adds up
the customers they may see, an administrator's all of them, each chart in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series, format_value, months_back, period_label, periods
from peyvand.core.jalali import format_date, uses_jalali
from peyvand.core.models import Scope, User
from peyvand.customers.models import PHASE_OF_STAGE, CustomerInsight, LifecycleStage, Party, RfmCell
from peyvand.sales import conf as sales_conf
from peyvand.sales.money import display_parts

from .. import rfm
from ..models import CellCount, ChurnFit, ClvFit, Figure, FigureKind, Run, RunStatus
from .actions import customers_to_keep

TOP = 10
HISTORY_RUNS = 8
RETENTION_OFFSETS = (1, 2, 3, 6, 12)
ALIVE_LABELS = tuple(f"{i * 10}–{(i + 1) * 10}" for i in range(10))


def may_see(user: Any) -> bool:
    return policy.scope(user, "analytics", "view") != Scope.NONE


def may_run(user: Any) -> bool:
    return policy.scope(user, "analytics", "change") != Scope.NONE


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: str


@dataclass
class Dashboard:
    charts: dict[str, Chart]
    figures: list[KeyFigure]
    top: list[CustomerInsight]
    last_run: Run | None
    active_run: Run | None
    fit: ClvFit | None
    may_run: bool
    unit: str
    holdout: Chart | None = None
    churn: ChurnFit | None = None
    churn_quality: Chart | None = None
    to_keep: list[CustomerInsight] = field(default_factory=list)


def last_run() -> Run | None:
    return Run.objects.filter(status=RunStatus.DONE).select_related("scored_with").order_by("-id").first()


def active_run() -> Run | None:
    return Run.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).order_by("-id").first()


def current_fit() -> ClvFit | None:
    return ClvFit.objects.filter(fitted_at__isnull=False).order_by("-fitted_at", "-id").first()


def current_churn() -> ChurnFit | None:
    """The churn model of the last run that trained one (or said why it could not)."""
    return ChurnFit.objects.order_by("-run_id").first()


def dashboard(*, user: User, today: dt.date | None = None) -> Dashboard:
    language = get_language() or "fa"
    run = last_run()
    today = today or _as_of(run)
    divisor, unit = money_unit()
    charts = {key: build(user, run, today, language, divisor, unit) for key, build in CHARTS.items()}
    fit = current_fit()
    manager = may_run(user)
    churned = current_churn() if manager else None
    return Dashboard(
        charts=charts,
        figures=_key_figures(charts, language),
        top=top_customers(user=user),
        to_keep=customers_to_keep(user=user),
        last_run=run,
        active_run=active_run(),
        fit=fit,
        may_run=manager,
        unit=unit,
        holdout=holdout_chart(fit) if manager and fit is not None else None,
        churn=churned,
        churn_quality=churn_chart(churned) if churned is not None and churned.auc is not None else None,
    )


def dashboard_chart(*, user: User, key: str, today: dt.date | None = None) -> Chart | None:
    """One chart alone (for its CSV); None for an unknown key."""
    if key == "holdout":
        fit = current_fit()
        return holdout_chart(fit) if may_run(user) and fit is not None else None
    if key == "churn_quality":
        churned = current_churn()
        usable = churned is not None and churned.auc is not None
        return churn_chart(churned) if may_run(user) and churned is not None and usable else None
    build = CHARTS.get(key)
    if build is None:
        return None
    divisor, unit = money_unit()
    run = last_run()
    return build(user, run, today or _as_of(run), get_language() or "fa", divisor, unit)


def _as_of(run: Run | None) -> dt.date:
    """The figures' day: the last run's (the figures are as of it), else today."""
    return run.as_of if run is not None else timezone.localdate()


def money_unit() -> tuple[int, str]:
    """What amounts are shown in: the base currency, or Toman for Rial where asked."""
    base = sales_conf.base_currency()
    shown, unit = display_parts(Decimal(10), base)
    return (10 if shown == 1 else 1), str(unit)


def _visible_figures(user: User, kind: str) -> QuerySet[Figure]:
    return policy.visible(user, Figure.objects.filter(kind=kind)).order_by()


def _cell_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in RfmCell.choices}


# --- the charts -----------------------------------------------------------------------------


def _revenue(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    start = months_back(today, 11, language=language)
    months = periods(start, today, language=language, grain="month")
    whens = [When(day__gte=p.start, day__lt=p.end, then=Value(i)) for i, p in enumerate(months)]
    rows = (
        _visible_figures(user, FigureKind.REVENUE)
        .filter(day__gte=start, day__lte=today)
        .annotate(period=Case(*whens, default=Value(-1), output_field=IntegerField()))
        .values("period")
        .annotate(orders=Sum("count"), revenue=Sum("amount"))
    )
    revenue, orders = [0.0] * len(months), [0] * len(months)
    for row in rows:
        if row["period"] >= 0:
            revenue[row["period"]] = float(row["revenue"] or 0) / divisor
            orders[row["period"]] = int(row["orders"] or 0)
    return Chart(
        key="revenue",
        title=_("Net revenue by month"),
        kind="bar",
        labels=tuple(p.label for p in months),
        series=(
            Series(_("Revenue (%(unit)s)") % {"unit": unit}, tuple(revenue), format="decimal", decimals=0),
            Series(_("Purchases"), tuple(orders), in_chart=False),
        ),
        label_heading=_("Month"),
        unit=unit,
        note=_("Orders not cancelled, net of discounts and before tax, in the base currency."),
    )


def _cells(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    counts: dict[str, int] = {}
    if run is not None:
        rows = (
            policy.visible(user, CellCount.objects.filter(run=run))
            .order_by()
            .values("cell")
            .annotate(n=Sum("customers"))
        )
        counts = {row["cell"]: int(row["n"]) for row in rows}
    names = _cell_labels()
    return Chart(
        key="cells",
        title=_("Customers by RFM cell"),
        kind="bar",
        labels=tuple(names[cell] for cell in rfm.CELL_ORDER),
        series=(Series(_("Customers"), tuple(counts.get(cell, 0) for cell in rfm.CELL_ORDER)),),
        label_heading=_("RFM cell"),
    )


def _history(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    runs = list(
        Run.objects.filter(status=RunStatus.DONE).order_by("-id").values_list("pk", "as_of")[:HISTORY_RUNS]
    )
    runs.reverse()
    index = {pk: i for i, (pk, _day) in enumerate(runs)}
    rows = (
        policy.visible(user, CellCount.objects.filter(run_id__in=list(index)))
        .order_by()
        .values("run_id", "cell")
        .annotate(n=Sum("customers"))
    )
    table = {cell: [0] * len(runs) for cell in rfm.CELL_ORDER}
    for row in rows:
        if row["cell"] in table:
            table[row["cell"]][index[row["run_id"]]] = int(row["n"])
    names = _cell_labels()
    return Chart(
        key="history",
        title=_("RFM cells over time"),
        kind="line",
        labels=tuple(format_date(day, language) for _pk, day in runs),
        series=tuple(Series(names[cell], tuple(table[cell])) for cell in rfm.CELL_ORDER),
        label_heading=_("Run"),
    )


def _moves(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    rows = _visible_figures(user, FigureKind.RFM_MOVE).values("key").annotate(n=Sum("count"))
    names = _cell_labels()
    came: dict[str, dict[str, int]] = {}
    for row in rows:
        previous, _sep, current = row["key"].partition(">")
        if current:
            came.setdefault(previous, {}).setdefault(current, 0)
            came[previous][current] += int(row["n"])
    sources = [cell for cell in rfm.CELL_ORDER if cell in came]
    series = [
        Series(names[previous], tuple(came[previous].get(cell, 0) for cell in rfm.CELL_ORDER))
        for previous in sources
    ]
    if "" in came:
        series.append(Series(_("New to RFM"), tuple(came[""].get(cell, 0) for cell in rfm.CELL_ORDER)))
    return Chart(
        key="moves",
        title=_("Where each cell's customers were at the previous run"),
        kind="stacked",
        labels=tuple(names[cell] for cell in rfm.CELL_ORDER),
        series=tuple(series),
        label_heading=_("RFM cell now"),
    )


def _clv(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    edges = [float(edge) / divisor for edge in (run.clv_edges if run is not None else [])]
    rows = _visible_figures(user, FigureKind.CLV).values("key").annotate(n=Sum("count"), value=Sum("amount"))
    counts = [0] * (len(edges) + 1)
    values = [0.0] * (len(edges) + 1)
    for row in rows:
        if row["key"].isdigit() and int(row["key"]) < len(counts):
            counts[int(row["key"])] = int(row["n"])
            values[int(row["key"])] = float(row["value"] or 0) / divisor
    labels = _bucket_labels(edges, language)
    return Chart(
        key="clv",
        title=_("Customers by predicted lifetime value"),
        kind="bar",
        labels=tuple(labels) if edges else (),
        series=(
            Series(_("Customers"), tuple(counts) if edges else ()),
            Series(
                _("Their value (%(unit)s)") % {"unit": unit},
                tuple(values) if edges else (),
                format="decimal",
                decimals=0,
                in_chart=False,
            ),
        ),
        label_heading=_("Lifetime value (%(unit)s)") % {"unit": unit},
        note=_("Customers who have bought, valued with the current model."),
    )


def _bucket_labels(edges: list[float], language: str) -> list[str]:
    def shown(value: float) -> str:
        return format_value(value, "count", language)

    if not edges:
        return []
    labels = [_("under %(edge)s") % {"edge": shown(edges[0])}]
    labels += [f"{shown(low)}–{shown(high)}" for low, high in pairwise(edges)]
    labels.append(_("%(edge)s or more") % {"edge": shown(edges[-1])})
    return labels


def _churn(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    rows = (
        _visible_figures(user, FigureKind.CHURN).values("key").annotate(n=Sum("count"), value=Sum("amount"))
    )
    counts = [0] * len(ALIVE_LABELS)
    values = [0.0] * len(ALIVE_LABELS)
    for row in rows:
        if row["key"].isdigit() and int(row["key"]) < len(counts):
            counts[int(row["key"])] = int(row["n"])
            values[int(row["key"])] = float(row["value"] or 0) / divisor
    return Chart(
        key="churn",
        title=_("Active customers by churn risk"),
        kind="bar",
        labels=_tenths(language),
        series=(
            Series(_("Customers"), tuple(counts)),
            Series(
                _("Their predicted value (%(unit)s)") % {"unit": unit},
                tuple(values),
                format="decimal",
                decimals=0,
                in_chart=False,
            ),
        ),
        label_heading=_("Churn risk"),
        note=_("The chance that a customer who bought in the last year buys nothing over the churn horizon."),
    )


def _tenths(language: str) -> tuple[str, ...]:
    """0–10%, 10–20%, … 90–100%."""
    return tuple(
        format_value(i * 10, "count", language)
        + "–"
        + format_value((i + 1) * 10, "percent", language, decimals=0)
        for i in range(10)
    )


def _alive(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    rows = _visible_figures(user, FigureKind.ALIVE).values("key").annotate(n=Sum("count"))
    counts = [0] * len(ALIVE_LABELS)
    for row in rows:
        if row["key"].isdigit() and int(row["key"]) < len(counts):
            counts[int(row["key"])] = int(row["n"])
    return Chart(
        key="alive",
        title=_("Customers by probability of being active"),
        kind="bar",
        labels=_tenths(language),
        series=(Series(_("Customers"), tuple(counts)),),
        label_heading=_("Probability active"),
    )


def _cohorts(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    kind = FigureKind.COHORT_JALALI if uses_jalali(language) else FigureKind.COHORT_GREGORIAN
    rows = _visible_figures(user, kind).values("day", "key").annotate(n=Sum("count"))
    matrix: dict[dt.date, dict[int, int]] = {}
    for row in rows:
        if row["day"] is not None and row["key"].isdigit():
            matrix.setdefault(row["day"], {})[int(row["key"])] = int(row["n"])
    cohorts = sorted(matrix)
    size = tuple(matrix[c].get(0, 0) for c in cohorts)
    series = [Series(_("Customers"), size, in_chart=False)]
    for offset in RETENTION_OFFSETS:
        shares = tuple(
            (100.0 * matrix[c].get(offset, 0) / matrix[c][0])
            if matrix[c].get(0) and _reached(c, offset, today, language)
            else None
            for c in cohorts
        )
        series.append(
            Series(
                _("Month %(n)s") % {"n": format_value(offset, "count", language)}, shares, format="percent"
            )
        )
    return Chart(
        key="cohorts",
        title=_("Retention by first-purchase month"),
        kind="line",
        labels=tuple(period_label(c, "month", language) for c in cohorts),
        series=tuple(series),
        label_heading=_("First purchase"),
        unit="%",
        note=_("The share of each month's new customers who bought again so many months later."),
    )


def _reached(cohort: dt.date, offset: int, today: dt.date, language: str) -> bool:
    """Whether the month ``offset`` months after ``cohort`` has begun (else no share yet)."""
    return months_back(cohort, -offset, language=language) <= today


def _profit_bands(user: User, run: Run | None, divisor: int) -> list[tuple[int, int, float]]:
    """(band, customers, profit) of the last run's profit bands, most profitable first."""
    edges = len(run.profit_edges) if run is not None else 0
    rows = (
        _visible_figures(user, FigureKind.PROFIT).values("key").annotate(n=Sum("count"), value=Sum("amount"))
    )
    bands = [
        (int(row["key"]), int(row["n"]), float(row["value"] or 0) / divisor)
        for row in rows
        if row["key"].isdigit() and int(row["key"]) <= edges
    ]
    return sorted(bands, reverse=True)


def _profitability(
    user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str
) -> Chart:
    bands = _profit_bands(user, run, divisor)
    zero = run.profit_edges.index(0.0) if run is not None and 0.0 in run.profit_edges else -1
    gains = [b for b in bands if b[0] > zero]
    losses = [b for b in bands if b[0] <= zero]
    return Chart(
        key="profitability",
        title=_("Profitable and unprofitable customers"),
        kind="bar",
        labels=(_("Profitable"), _("Unprofitable")),
        series=(
            Series(_("Customers"), (sum(b[1] for b in gains), sum(b[1] for b in losses))),
            Series(
                _("Their profit (%(unit)s)") % {"unit": unit},
                (sum(b[2] for b in gains), sum(b[2] for b in losses)),
                format="decimal",
                decimals=0,
                in_chart=False,
            ),
        ),
        label_heading=_("Customers"),
        note=_(
            "Over the analysis window: net revenue less the products' cost and the cost of serving "
            "each customer (their interactions at each channel's unit cost)."
        ),
    )


def _whale(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    """The whale curve: cumulative profit against customers ranked by profit, drawn through
    the edges of the profit bands (exact at each edge, straight between them)."""
    bands = _profit_bands(user, run, divisor)
    customers = sum(b[1] for b in bands)
    labels, cumulative, shares = [], [], []
    seen, total = 0, 0.0
    for _band, count, profit in bands:
        seen += count
        total += profit
        share = 100.0 * seen / customers
        labels.append(format_value(share, "percent", language, decimals=1))
        cumulative.append(total)
        shares.append(share)
    return Chart(
        key="whale",
        title=_("Whale curve: cumulative profit, most profitable customers first"),
        kind="line",
        labels=tuple(labels),
        series=(
            Series(
                _("Cumulative profit (%(unit)s)") % {"unit": unit},
                tuple(cumulative),
                format="decimal",
                decimals=0,
            ),
            Series(_("Share of customers"), tuple(shares), format="percent", in_chart=False),
        ),
        label_heading=_("Customers, most profitable first"),
        unit=unit,
        note=_(
            "The curve climbs while customers add profit and falls where unprofitable ones take it "
            "back; its end is the total profit."
        ),
    )


def _lifecycle(user: User, run: Run | None, today: dt.date, language: str, divisor: int, unit: str) -> Chart:
    rows = (
        _visible_figures(user, FigureKind.LIFECYCLE)
        .values("key")
        .annotate(n=Sum("count"), value=Sum("amount"))
    )
    found = {row["key"]: (int(row["n"]), float(row["value"] or 0) / divisor) for row in rows}
    stages = list(LifecycleStage)
    return Chart(
        key="lifecycle",
        title=_("Customers by lifecycle stage"),
        kind="bar",
        labels=tuple(
            _("%(stage)s (%(phase)s)") % {"stage": stage.label, "phase": PHASE_OF_STAGE[stage].label}
            for stage in stages
        ),
        series=(
            Series(_("Customers"), tuple(found.get(stage, (0, 0.0))[0] for stage in stages)),
            Series(
                _("Their predicted value (%(unit)s)") % {"unit": unit},
                tuple(found.get(stage, (0, 0.0))[1] for stage in stages),
                format="decimal",
                decimals=0,
                in_chart=False,
            ),
        ),
        label_heading=_("Lifecycle stage (phase)"),
        note=_("Worked out from each customer's purchases; the stage set by hand is kept beside it."),
    )


CHARTS = {
    "revenue": _revenue,
    "cells": _cells,
    "history": _history,
    "moves": _moves,
    "clv": _clv,
    "alive": _alive,
    "cohorts": _cohorts,
    "profitability": _profitability,
    "whale": _whale,
    "lifecycle": _lifecycle,
    "churn": _churn,
}


def holdout_chart(fit: ClvFit) -> Chart | None:
    """Predicted and actual purchases in the holdout period, by purchases in the calibration
    period (FHL 2005, figure 3): how well the model tells the future."""
    if not fit.holdout:
        return None
    labels = tuple((format_value(g["x"], "count") + ("+" if g["x"] >= 7 else "")) for g in fit.holdout)
    return Chart(
        key="holdout",
        title=_("Purchases in the holdout period: predicted and actual"),
        kind="bar",
        labels=labels,
        series=(
            Series(_("Actual"), tuple(g["actual"] for g in fit.holdout), format="decimal"),
            Series(_("Predicted"), tuple(g["predicted"] for g in fit.holdout), format="decimal", kind="line"),
            Series(_("Customers"), tuple(g["customers"] for g in fit.holdout), in_chart=False),
        ),
        label_heading=_("Repeat purchases in the calibration period"),
    )


def churn_chart(fit: ChurnFit) -> Chart:
    """How well the churn model ranks who leaves, beside recency alone, on the holdout."""
    return Chart(
        key="churn_quality",
        title=_("Churn model on the holdout: the model and recency alone"),
        kind="bar",
        labels=(_("The model"), _("Recency alone")),
        series=(
            Series(_("AUC"), (fit.auc, fit.baseline_auc), format="decimal", decimals=3),
            Series(
                _("Lift in the riskiest tenth"),
                (fit.lift, fit.baseline_lift),
                format="decimal",
                in_chart=False,
            ),
        ),
        label_heading=_("Ranked by"),
        note=_(
            "AUC: the chance that a customer who left is ranked riskier than one who stayed (0.5 is "
            "a coin's toss, 1 perfect). Lift: how many times the overall rate of leaving the "
            "riskiest tenth left."
        ),
    )


def _key_figures(charts: dict[str, Chart], language: str) -> list[KeyFigure]:
    def total(key: str, index: int = 0) -> float:
        chart = charts[key]
        return sum(v or 0 for v in chart.series[index].values) if chart.series else 0

    cells = dict(zip(rfm.CELL_ORDER, charts["cells"].series[0].values, strict=True))
    unprofitable = charts["profitability"].series[0].values[1]
    leaving = sum(v or 0 for v in charts["churn"].series[0].values[5:])
    slipping = (cells.get(RfmCell.AT_RISK) or 0) + (cells.get(RfmCell.CANT_LOSE) or 0)
    return [
        KeyFigure(
            "revenue", _("Net revenue, last 12 months"), format_value(total("revenue"), "count", language)
        ),
        KeyFigure("customers", _("Customers valued"), format_value(total("clv"), "count", language)),
        KeyFigure("clv", _("Their predicted value"), format_value(total("clv", 1), "count", language)),
        KeyFigure(
            "champions", _("Champions"), format_value(cells.get(RfmCell.CHAMPIONS) or 0, "count", language)
        ),
        KeyFigure("slipping", _("At risk or can't lose"), format_value(slipping, "count", language)),
        KeyFigure(
            "leaving",
            _("Likely to leave (%(share)s or more)")
            % {"share": format_value(50, "percent", language, decimals=0)},
            format_value(leaving, "count", language),
        ),
        KeyFigure(
            "unprofitable", _("Unprofitable customers"), format_value(unprofitable or 0, "count", language)
        ),
    ]


def top_customers(*, user: User, limit: int = TOP) -> list[CustomerInsight]:
    visible = policy.visible(
        user, CustomerInsight.objects.filter(predicted_clv__isnull=False, party__deleted_at__isnull=True)
    )
    return list(visible.select_related("party").order_by("-predicted_clv", "party_id")[:limit])


def party_insight(*, user: User, party: Party) -> CustomerInsight | None:
    return policy.visible(user, CustomerInsight.objects.filter(party=party)).first()
