"""The service analysis: volume, speed against the SLA, backlog, complaints, satisfaction
and load, each as a chart with its table (``core.charts``).

Every figure is counted in the database, through the permission policy: a user's figures
come only from the tickets they may see. Durations are wall-clock hours (not business
hours); their median and 90th percentile are read off a histogram whose buckets are
counted by SQL (``histogram_percentile``), so no ticket is loaded into Python. Periods
(weeks, months or years, Jalali in Persian) are a CASE over the date ranges, which SQLite
and PostgreSQL run alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import (
    Chart,
    Grain,
    Period,
    Series,
    format_value,
    grain_for,
    histogram_percentile,
    months_back,
    percentages,
    periods,
)
from peyvand.core.jalali import local_digits
from peyvand.core.models import User

from ..models import OPEN_STATUSES, Channel, Kind, SlaEvent, Survey, Ticket

# The histogram of durations: a bucket's upper edge, in minutes (the last bucket is open).
EDGES_MINUTES: tuple[int, ...] = (
    15, 30, 60, 2 * 60, 4 * 60, 8 * 60, 12 * 60, 24 * 60, 2 * 1440, 3 * 1440, 5 * 1440, 7 * 1440,
    14 * 1440, 30 * 1440,
)  # fmt: skip
EDGES_HOURS: tuple[float, ...] = tuple(m / 60 for m in EDGES_MINUTES)
# Open tickets by age: the upper edge of each bucket, in days (the last bucket is open).
AGE_EDGES_DAYS: tuple[int, ...] = (1, 3, 7, 30)
# Bars of a breakdown (by category, product, team) before the rest go under "Other".
TOP = 12


@dataclass(frozen=True)
class AnalysisFilters:
    start: dt.date  # the first day
    end: dt.date  # the last day, included
    team_id: int | None = None


def default_filters(*, today: dt.date | None = None) -> AnalysisFilters:
    """The last twelve months, this one included (months of the reader's calendar)."""
    today = today or timezone.localdate()
    return AnalysisFilters(start=months_back(today, 11), end=today)


@dataclass(frozen=True)
class Figure:
    """A key figure over the whole range, shown above the charts."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class Analysis:
    filters: AnalysisFilters
    grain: Grain
    charts: dict[str, Chart]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class _Section:
    charts: tuple[Chart, ...]
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class _Scope:
    tickets: QuerySet[Ticket]  # those the user may see, of the team chosen
    periods: list[Period]
    grain: Grain
    start_at: dt.datetime
    end_at: dt.datetime
    now: dt.datetime
    language: str

    def created(self) -> QuerySet[Ticket]:
        return self.tickets.filter(created_at__gte=self.start_at, created_at__lt=self.end_at)

    def between(self, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        return queryset.filter(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})

    def period_of(self, field: str) -> Case:
        """Which period ``field`` falls in, as the period's index."""
        whens = [
            When(**{f"{field}__gte": _midnight(p.start), f"{field}__lt": _midnight(p.end)}, then=Value(i))
            for i, p in enumerate(self.periods)
        ]
        return Case(*whens, default=Value(-1), output_field=IntegerField())

    @property
    def period_heading(self) -> str:
        return {"week": _("Week"), "month": _("Month"), "year": _("Year")}[self.grain]

    def zeros(self) -> list[int]:
        return [0] * len(self.periods)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.periods)


def analysis(*, user: User, filters: AnalysisFilters, now: dt.datetime | None = None) -> Analysis:
    """Every section, for the page."""
    scope = _scope(user, filters, now)
    charts: dict[str, Chart] = {}
    figures: list[Figure] = []
    for build in dict.fromkeys(SECTIONS.values()):
        section = build(scope)
        charts.update((chart.key, chart) for chart in section.charts)
        figures.extend(section.figures)
    ranked = tuple(sorted(figures, key=lambda f: FIGURES.index(f.key)))
    return Analysis(filters=filters, grain=scope.grain, charts=charts, figures=ranked)


def analysis_chart(
    *, user: User, filters: AnalysisFilters, key: str, now: dt.datetime | None = None
) -> Chart | None:
    """One chart (for its CSV), counting only its own section; None for an unknown key."""
    build = SECTIONS.get(key)
    if build is None:
        return None
    section = build(_scope(user, filters, now))
    return next(chart for chart in section.charts if chart.key == key)


def _scope(user: User, filters: AnalysisFilters, now: dt.datetime | None) -> _Scope:
    tickets = policy.visible(user, Ticket.objects.filter(merged_into__isnull=True))
    if filters.team_id is not None:
        tickets = tickets.filter(team_id=filters.team_id)
    language = get_language() or "fa"
    start, end = sorted((filters.start, filters.end))
    grain = grain_for(start, end)
    return _Scope(
        tickets=tickets.order_by(),
        periods=periods(start, end, language=language, grain=grain),
        grain=grain,
        start_at=_midnight(start),
        end_at=_midnight(end + dt.timedelta(days=1)),
        now=now or timezone.now(),
        language=language,
    )


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- volume ----------------------------------------------------------------------------------


def _volume_over_time(scope: _Scope) -> _Section:
    rows = (
        scope.created()
        .annotate(period=scope.period_of("created_at"))
        .values("period", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_channel: dict[str, list[int]] = {}
    for row in rows:
        if row["period"] >= 0:
            by_channel.setdefault(row["channel"], scope.zeros())[row["period"]] += row["n"]
    names = dict(Channel.choices)
    series = [
        Series(str(names.get(channel, channel)), tuple(by_channel[channel]))
        for channel in [*Channel.values, *sorted(set(by_channel) - set(Channel.values))]
        if channel in by_channel
    ]
    totals = [sum(column) for column in zip(*(s.values for s in series), strict=True)] or scope.zeros()
    chart = Chart(
        key="volume",
        title=_("Tickets opened, by channel"),
        kind="stacked",
        labels=scope.labels,
        series=(*series, Series(_("Total"), tuple(totals), in_chart=False)),
        label_heading=scope.period_heading,
    )
    total = sum(totals)
    return _Section((chart,), (Figure("tickets", _("Tickets opened"), format_value(total, "count")),))


def _breakdown(*, key: str, title: str, heading: str, rows: list[tuple[str | None, int]]) -> Chart:
    """Bars from the largest down: the first ``TOP`` by name, then "Other", then "Not set"."""
    named = sorted(((label, n) for label, n in rows if label), key=lambda pair: (-pair[1], pair[0]))
    unset = sum(n for label, n in rows if not label)
    shown = named[:TOP]
    rest = sum(n for _label, n in named[TOP:])
    if rest:
        shown.append((_("Other"), rest))
    if unset:
        shown.append((_("Not set"), unset))
    return Chart(
        key=key,
        title=title,
        kind="bar",
        labels=tuple(label for label, _n in shown),
        series=(Series(_("Tickets"), tuple(n for _label, n in shown)),),
        label_heading=heading,
    )


def _by_category(scope: _Scope) -> _Section:
    rows = scope.created().values("category__name").annotate(n=Count("id")).order_by()
    return _Section(
        (
            _breakdown(
                key="category",
                title=_("Tickets by category"),
                heading=_("Category"),
                rows=[(row["category__name"], row["n"]) for row in rows],
            ),
        )
    )


def _by_product(scope: _Scope) -> _Section:
    rows = (
        scope.created()
        .values("product_id", "product__name_fa", "product__name_en")
        .annotate(n=Count("id"))
        .order_by()
    )
    english = not scope.language.startswith("fa")

    def name(row: Mapping[str, Any]) -> str | None:
        if row["product_id"] is None:
            return None
        first, second = (
            ("product__name_en", "product__name_fa") if english else ("product__name_fa", "product__name_en")
        )
        return str(row[first] or row[second] or row["product_id"])

    return _Section(
        (
            _breakdown(
                key="product",
                title=_("Tickets by product"),
                heading=_("Product"),
                rows=[(name(row), row["n"]) for row in rows],
            ),
        )
    )


def _by_team(scope: _Scope) -> _Section:
    rows = scope.created().values("team__name").annotate(n=Count("id")).order_by()
    return _Section(
        (
            _breakdown(
                key="team",
                title=_("Tickets by team"),
                heading=_("Team"),
                rows=[(row["team__name"], row["n"]) for row in rows],
            ),
        )
    )


# --- speed against the SLA -----------------------------------------------------------------------


class _Minutes(Func):
    """The minutes from the second datetime to the first, as a number, by the database's own
    date arithmetic (SQLite's julianday, PostgreSQL's epoch): no Python function per row,
    which Django's duration expressions need on SQLite (measured: 15 s against 0.3 s for
    200,000 tickets)."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Rounded (to 0.6 ms): julianday's doubles would put 15 minutes at 14.9999…
        template = "ROUND((julianday(%(expressions)s)) * 1440.0, 5)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


def _durations(
    scope: _Scope, *, done: str, due: str
) -> tuple[list[int], list[list[int]], tuple[float | None, ...]]:
    """Per period (of ``done``): how many, the histogram's cumulative counts (how many took
    under each edge), and the share that met their due time among those that had one.

    One query counts the tickets by (period, bucket): a bucket is the first edge the
    duration is under, the last bucket is beyond every edge.
    """
    buckets = [When(took__lt=minutes, then=Value(i)) for i, minutes in enumerate(EDGES_MINUTES)]
    rows = (
        scope.between(scope.tickets, done)
        .alias(took=_Minutes(F(done), F("created_at")))
        .annotate(
            period=scope.period_of(done),
            bucket=Case(*buckets, default=Value(len(EDGES_MINUTES)), output_field=IntegerField()),
        )
        .values("period", "bucket")
        .annotate(
            n=Count("id"),
            with_due=Count("id", filter=Q(**{f"{due}__isnull": False})),
            met=Count("id", filter=Q(**{f"{due}__isnull": False, f"{done}__lte": F(due)})),
        )
        .order_by()
    )
    totals, met, with_due = scope.zeros(), scope.zeros(), scope.zeros()
    counts = [[0] * (len(EDGES_MINUTES) + 1) for _period in scope.periods]
    for row in rows:
        index = row["period"]
        if index < 0:
            continue
        counts[index][row["bucket"]] += row["n"]
        totals[index] += row["n"]
        met[index] += row["met"]
        with_due[index] += row["with_due"]
    below = [list(accumulate(period[:-1])) for period in counts]
    within = tuple(100.0 * m / d if d else None for m, d in zip(met, with_due, strict=True))
    return totals, below, within


def _speed(scope: _Scope, *, key: str, done: str, due: str, title: str, note: str) -> _Section:
    totals, below, within = _durations(scope, done=done, due=due)
    medians = tuple(histogram_percentile(EDGES_HOURS, b, n, 0.5) for b, n in zip(below, totals, strict=True))
    nineties = tuple(histogram_percentile(EDGES_HOURS, b, n, 0.9) for b, n in zip(below, totals, strict=True))
    chart = Chart(
        key=key,
        title=title,
        kind="line",
        labels=scope.labels,
        series=(
            Series(_("Median"), medians, format="decimal", decimals=2),
            Series(_("90th percentile"), nineties, format="decimal", decimals=2),
            Series(_("Tickets"), tuple(totals), in_chart=False),
            Series(_("Within the SLA"), within, format="percent", in_chart=False),
        ),
        label_heading=scope.period_heading,
        unit=_("hours"),
        note=note,
    )
    overall = [sum(column) for column in zip(*below, strict=True)] if below else [0] * len(EDGES_MINUTES)
    median = histogram_percentile(EDGES_HOURS, overall, sum(totals), 0.5)
    label = _("Median first response") if key == "first_response" else _("Median resolution")
    if median is None:
        value = format_value(None, "decimal")
    else:
        value = _("%(hours)s h") % {"hours": format_value(median, "decimal")}
    return _Section((chart,), (Figure(key, label, value),))


def _first_response(scope: _Scope) -> _Section:
    return _speed(
        scope,
        key="first_response",
        done="first_responded_at",
        due="first_response_due",
        title=_("First response time"),
        note=_(
            "Hours from opening to the first reply (wall-clock hours, not business hours), by "
            "when the reply was sent; the median and 90th percentile are estimated from a histogram."
        ),
    )


def _resolution(scope: _Scope) -> _Section:
    return _speed(
        scope,
        key="resolution",
        done="resolved_at",
        due="resolution_due",
        title=_("Resolution time"),
        note=_(
            "Hours from opening to resolution (wall-clock hours, not business hours), by when the "
            "ticket was resolved; the median and 90th percentile are estimated from a histogram."
        ),
    )


def _breaches(scope: _Scope) -> _Section:
    breached = Exists(SlaEvent.objects.filter(ticket=OuterRef("pk"), kind=SlaEvent.Kind.BREACH))
    rows = (
        scope.created()
        .filter(sla_policy__isnull=False)
        .annotate(period=scope.period_of("created_at"))
        .values("period")
        .annotate(n=Count("id"), breached=Count("id", filter=Q(breached)))
        .order_by()
    )
    totals, missed = scope.zeros(), scope.zeros()
    for row in rows:
        if row["period"] >= 0:
            totals[row["period"]], missed[row["period"]] = row["n"], row["breached"]
    rates = tuple(100.0 * m / n if n else None for m, n in zip(missed, totals, strict=True))
    chart = Chart(
        key="breach",
        title=_("SLA breach rate"),
        kind="line",
        labels=scope.labels,
        series=(
            Series(_("Breach rate"), rates, format="percent"),
            Series(_("Tickets with an SLA"), tuple(totals), in_chart=False),
            Series(_("Breached"), tuple(missed), in_chart=False),
        ),
        label_heading=scope.period_heading,
        unit="%",
        note=_("Tickets opened in each period under an SLA policy, and the share that missed a target."),
    )
    total = sum(totals)
    rate = 100.0 * sum(missed) / total if total else None
    return _Section((chart,), (Figure("breach", _("SLA breach rate"), format_value(rate, "percent")),))


# --- backlog and load ------------------------------------------------------------------------------


def _backlog(scope: _Scope) -> _Section:
    moments = [scope.now - dt.timedelta(days=days) for days in AGE_EDGES_DAYS]
    buckets = [Q(created_at__gt=moments[0])]
    buckets += [Q(created_at__gt=moments[i + 1], created_at__lte=moments[i]) for i in range(len(moments) - 1)]
    buckets.append(Q(created_at__lte=moments[-1]))
    found = scope.tickets.filter(status__in=OPEN_STATUSES).aggregate(
        **{f"age_{i}": Count("id", filter=q) for i, q in enumerate(buckets)}
    )
    days = [local_digits(d) for d in AGE_EDGES_DAYS]
    labels = [_("Under a day")]
    labels += [
        _("%(low)s–%(high)s days") % {"low": days[i], "high": days[i + 1]} for i in range(len(days) - 1)
    ]
    labels.append(_("Over %(days)s days") % {"days": days[-1]})
    chart = Chart(
        key="backlog",
        title=_("Open tickets by age"),
        kind="bar",
        labels=tuple(labels),
        series=(Series(_("Open tickets"), tuple(found[f"age_{i}"] for i in range(len(buckets)))),),
        label_heading=_("Age"),
        note=_("The tickets open now, whatever the dates chosen."),
    )
    open_now = sum(found.values())
    return _Section((chart,), (Figure("backlog", _("Open now"), format_value(open_now, "count")),))


def _load(scope: _Scope) -> _Section:
    rows = (
        scope.tickets.filter(status__in=OPEN_STATUSES)
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(n=Count("id"))
        .order_by("-n", "assignee__username")
    )
    agents: list[tuple[str, int]] = []
    unassigned = 0
    for row in rows:
        if row["assignee_id"] is None:
            unassigned = row["n"]
            continue
        full_name = f"{row['assignee__first_name'] or ''} {row['assignee__last_name'] or ''}".strip()
        agents.append((full_name or row["assignee__username"], row["n"]))
    if unassigned:
        agents.append((_("Unassigned"), unassigned))
    chart = Chart(
        key="load",
        title=_("Open tickets per agent"),
        kind="bar",
        labels=tuple(name for name, _n in agents),
        series=(Series(_("Open tickets"), tuple(n for _name, n in agents)),),
        label_heading=_("Assignee"),
        note=_("The tickets open now, whatever the dates chosen."),
    )
    return _Section((chart,))


# --- complaints and satisfaction -----------------------------------------------------------------


def _complaint_causes(scope: _Scope) -> _Section:
    rows = (
        scope.created()
        .filter(kind=Kind.COMPLAINT)
        .values("cause__name")
        .annotate(n=Count("id"))
        .order_by("-n", "cause__name")
    )
    causes = [(row["cause__name"], row["n"]) for row in rows if row["cause__name"]]
    unknown = sum(row["n"] for row in rows if not row["cause__name"])
    counts = [n for _name, n in causes]
    note = _("Complaints opened in the period, by cause, the most frequent first.")
    if unknown:
        note += " " + _("Complaints without a cause: %(count)s.") % {"count": format_value(unknown, "count")}
    chart = Chart(
        key="causes",
        title=_("Causes of complaints (Pareto)"),
        kind="pareto",
        labels=tuple(name for name, _n in causes),
        series=(
            Series(_("Complaints"), tuple(counts)),
            Series(_("Cumulative share"), percentages(counts), format="percent", kind="line", axis=1),
        ),
        label_heading=_("Cause"),
        note=note,
    )
    return _Section((chart,))


def _satisfaction(scope: _Scope) -> _Section:
    csat = Q(kind=Survey.Kind.CSAT, score__gte=1, score__lte=5)
    nps = Q(kind=Survey.Kind.NPS, score__gte=0, score__lte=10)
    rows = (
        scope.between(Survey.objects.filter(ticket__in=scope.tickets.values("pk")), "answered_at")
        .filter(score__isnull=False)
        .annotate(period=scope.period_of("answered_at"))
        .values("period")
        .annotate(
            csat_n=Count("id", filter=csat),
            csat_sum=Sum("score", filter=csat),
            nps_n=Count("id", filter=nps),
            promoters=Count("id", filter=nps & Q(score__gte=9)),
            detractors=Count("id", filter=nps & Q(score__lte=6)),
        )
        .order_by()
    )
    names = ("csat_n", "csat_sum", "nps_n", "promoters", "detractors")
    found = {name: scope.zeros() for name in names}
    for row in rows:
        if row["period"] >= 0:
            for name in names:
                found[name][row["period"]] = row[name] or 0

    def share(part: int, whole: int) -> float | None:
        return 100.0 * part / whole if whole else None

    averages = tuple(s / n if n else None for s, n in zip(found["csat_sum"], found["csat_n"], strict=True))
    promoters = [share(p, n) for p, n in zip(found["promoters"], found["nps_n"], strict=True)]
    detractors = [share(d, n) for d, n in zip(found["detractors"], found["nps_n"], strict=True)]
    scores = tuple(
        None if p is None or d is None else p - d for p, d in zip(promoters, detractors, strict=True)
    )
    csat_chart = Chart(
        key="csat",
        title=_("Customer satisfaction (CSAT)"),
        kind="line",
        labels=scope.labels,
        series=(
            Series(_("Average score (1–5)"), averages, format="decimal"),
            Series(_("Answers"), tuple(found["csat_n"]), in_chart=False),
        ),
        label_heading=scope.period_heading,
        note=_("Answered satisfaction surveys, by when they were answered."),
    )
    nps_chart = Chart(
        key="nps",
        title=_("Net promoter score (NPS)"),
        kind="line",
        labels=scope.labels,
        series=(
            Series(_("NPS"), scores, format="decimal"),
            Series(_("Answers"), tuple(found["nps_n"]), in_chart=False),
            Series(_("Promoters (9–10)"), tuple(promoters), format="percent", in_chart=False),
            Series(_("Detractors (0–6)"), tuple(detractors), format="percent", in_chart=False),
        ),
        label_heading=scope.period_heading,
        note=_("NPS is the share of promoters minus the share of detractors, from −100 to 100."),
    )
    csat_n, nps_n = sum(found["csat_n"]), sum(found["nps_n"])
    average = sum(found["csat_sum"]) / csat_n if csat_n else None
    overall_nps = 100.0 * (sum(found["promoters"]) - sum(found["detractors"])) / nps_n if nps_n else None
    figures = (
        Figure("csat", _("CSAT"), format_value(average, "decimal")),
        Figure("nps", _("NPS"), format_value(overall_nps, "decimal")),
    )
    return _Section((csat_chart, nps_chart), figures)


# chart key -> the section that counts it (a section may draw several charts).
SECTIONS: dict[str, Callable[[_Scope], _Section]] = {
    "volume": _volume_over_time,
    "category": _by_category,
    "product": _by_product,
    "team": _by_team,
    "first_response": _first_response,
    "resolution": _resolution,
    "breach": _breaches,
    "backlog": _backlog,
    "causes": _complaint_causes,
    "csat": _satisfaction,
    "nps": _satisfaction,
    "load": _load,
}
# The key figures' order above the charts.
FIGURES = ("tickets", "first_response", "resolution", "breach", "backlog", "csat", "nps")
