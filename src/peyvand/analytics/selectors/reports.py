"""The report builder's reads: running a report in the database, through the permission
policy, into a pivot (rows × columns with totals) and its chart; and the saved reports.

A report counts only the records its reader may see: the entity's queryset starts from
``policy.visible``, so two salespeople of different teams running one shared report each get
their own figures. The grouping and the sums run in the database (one ``GROUP BY``): Gregorian
months, quarters and years with ``Trunc``; Jalali ones with a ``CASE`` over the Gregorian days
the Jalali periods start on, since a Jalali month does not start on a Gregorian month's first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Max, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Trunc
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as SpecError

from peyvand.core import policy
from peyvand.core.charts import Chart, Series, format_value
from peyvand.core.converters import is_id
from peyvand.core.models import Scope, Team, User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms, to_ascii_digits
from peyvand.customers.models import ContactPoint
from peyvand.sales.models import Order, Pipeline, Product, Stage

from ..models import SavedReport, Visibility
from ..reporting import (
    ENTITIES,
    Bucket,
    Dimension,
    Entity,
    Grain,
    ReportSpec,
    bucket_label,
    buckets,
    choices_of,
    is_datetime,
)

RESOURCE = "report"
MAX_ROWS = 400
MAX_COLUMNS = 24
OTHER = "\0other"  # the key of the row or column that gathers the rest
SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "-updated"


def may_use(user: Any) -> bool:
    """Whether ``user`` builds and reads reports at all."""
    return policy.scope(user, RESOURCE, "view") != Scope.NONE


def entity_resource(entity: Entity) -> str:
    return policy.rule_for(Order if entity.visible_through else entity.model).resource


def entities_for(user: Any) -> list[Entity]:
    """The kinds of records ``user`` may report on: those they may see at all."""
    return [e for e in ENTITIES.values() if policy.scope(user, entity_resource(e), "view") != Scope.NONE]


def _base(user: Any, entity: Entity) -> models.QuerySet[Any]:
    if entity.visible_through:
        orders = policy.visible(user, Order.objects.all())
        return entity.model.objects.filter(order__in=orders.values("pk"))  # type: ignore[attr-defined]
    return policy.visible(user, entity.model.objects.all())  # type: ignore[attr-defined]


# --- the pivot --------------------------------------------------------------------------------


@dataclass
class Cell:
    """A cell's figures: how many records, the sum of the field and how many had one."""

    count: int = 0
    total: Decimal = Decimal(0)
    counted: int = 0

    def add(self, other: Cell) -> None:
        self.count += other.count
        self.total += other.total
        self.counted += other.counted

    def value(self, measure: str) -> Decimal | int | None:
        if measure == "count":
            return self.count
        if measure == "sum":
            return self.total if self.counted else None
        return self.total / self.counted if self.counted else None


@dataclass(frozen=True)
class Header:
    key: Any
    label: str


@dataclass
class Pivot:
    spec: ReportSpec
    title: str
    measure_label: str
    row_heading: str
    column_heading: str
    rows: list[Header]
    columns: list[Header]  # one column (key None) when the report has no second dimension
    cells: dict[tuple[Any, Any], Cell]
    decimals: int
    row_totals: dict[Any, Cell] = field(default_factory=dict)
    column_totals: dict[Any, Cell] = field(default_factory=dict)
    grand: Cell = field(default_factory=Cell)

    def __post_init__(self) -> None:
        for (row, column), cell in self.cells.items():
            self.row_totals.setdefault(row, Cell()).add(cell)
            self.column_totals.setdefault(column, Cell()).add(cell)
            self.grand.add(cell)

    @property
    def two_dimensional(self) -> bool:
        return bool(self.spec.columns)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def value(self, row: Any, column: Any) -> Decimal | int | None:
        cell = self.cells.get((row, column))
        return cell.value(self.spec.measure) if cell else None

    def _format(self, value: Decimal | int | None, language: str | None = None) -> str:
        if value is None:
            return ""
        if self.spec.measure == "count":
            return format_value(float(value), "count", language)
        return format_value(float(value), "decimal", language, decimals=self.decimals)

    def header(self) -> list[str]:
        if not self.two_dimensional:
            return [self.row_heading, self.measure_label]
        return [self.row_heading, *(c.label for c in self.columns), _("Total")]

    def table(self, language: str | None = None) -> list[list[str]]:
        """The rows as shown (the reader's digits), the totals row last."""
        lines = []
        for row in self.rows:
            figures = [self._format(self.value(row.key, c.key), language) for c in self.columns]
            if self.two_dimensional:
                figures.append(self._format(self.row_totals[row.key].value(self.spec.measure), language))
            lines.append([row.label, *figures])
        return lines

    def totals(self, language: str | None = None) -> list[str]:
        figures = [
            self._format(self.column_totals.get(c.key, Cell()).value(self.spec.measure), language)
            for c in self.columns
        ]
        if self.two_dimensional:
            figures.append(self._format(self.grand.value(self.spec.measure), language))
        return [_("Total"), *figures]

    def export(self) -> tuple[list[str], list[list[Any]]]:
        """The header and rows for CSV and XLSX: labels as shown, numbers as numbers."""

        def raw(value: Decimal | int | None) -> Any:
            if value is None or isinstance(value, int):
                return value
            return round(value, self.decimals) if self.decimals else int(value.to_integral_value())

        rows: list[list[Any]] = []
        for row in self.rows:
            figures = [raw(self.value(row.key, c.key)) for c in self.columns]
            if self.two_dimensional:
                figures.append(raw(self.row_totals[row.key].value(self.spec.measure)))
            rows.append([row.label, *figures])
        totals = [raw(self.column_totals.get(c.key, Cell()).value(self.spec.measure)) for c in self.columns]
        if self.two_dimensional:
            totals.append(raw(self.grand.value(self.spec.measure)))
        rows.append([_("Total"), *totals])
        return self.header(), rows

    def chart(self) -> Chart:
        kind = self.spec.chart if self.two_dimensional or self.spec.chart == "line" else "bar"
        fmt = "count" if self.spec.measure == "count" else "decimal"
        series = tuple(
            Series(
                column.label if self.two_dimensional else self.measure_label,
                tuple(_float(self.value(row.key, column.key)) for row in self.rows),
                format=fmt,  # type: ignore[arg-type]
                decimals=self.decimals,
            )
            for column in self.columns
        )
        return Chart(
            key="report",
            title=self.title,
            kind=kind,
            labels=tuple(row.label for row in self.rows),
            series=series,
            label_heading=self.row_heading,
            unit=self.measure_label,
        )


def _float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


# --- running a report ----------------------------------------------------------------------------


def measure_label(spec: ReportSpec) -> str:
    return measure_label_for(spec.entity_def, spec.measure, spec.measure_field)


def measure_label_for(entity: Entity, measure: str, name: str) -> str:
    if measure == "count":
        return _("Number of %(records)s") % {"records": str(entity.label)}
    text = str(entity.numbers[name])
    return (_("Sum of %(field)s") if measure == "sum" else _("Average of %(field)s")) % {"field": text}


def dimension_label(entity: Entity, dimension: Dimension) -> str:
    if dimension.kind != "date":
        return str(dimension.label)
    grain = dimension.key.split(":")[1]
    names = {"month": _("month"), "quarter": _("quarter"), "year": _("year")}
    return _("%(date)s, by %(grain)s") % {"date": str(dimension.label), "grain": names[grain]}


def default_title(spec: ReportSpec) -> str:
    entity = spec.entity_def
    rows = dimension_label(entity, entity.dimension(spec.rows))  # type: ignore[arg-type]
    if not spec.columns:
        return _("%(measure)s by %(rows)s") % {"measure": measure_label(spec), "rows": rows}
    columns = dimension_label(entity, entity.dimension(spec.columns))  # type: ignore[arg-type]
    return _("%(measure)s by %(rows)s and %(columns)s") % {
        "measure": measure_label(spec),
        "rows": rows,
        "columns": columns,
    }


def _moment(day: dt.date, as_datetime: bool) -> dt.date | dt.datetime:
    if not as_datetime:
        return day
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _address_part(path: str, part: str) -> Subquery:
    """The city or province of the customer at ``path``: their primary address's first."""
    return Subquery(
        ContactPoint.objects.filter(party=OuterRef(path or "pk"), kind=ContactPoint.Kind.ADDRESS)
        .order_by("-is_primary", "id")
        .values(part)[:1]
    )


def _filtered(user: Any, spec: ReportSpec) -> models.QuerySet[Any]:
    entity = spec.entity_def
    queryset = _base(user, entity)
    if spec.date_field and (spec.date_from or spec.date_to):
        as_datetime = is_datetime(entity, spec.date_field)
        if spec.date_from:
            queryset = queryset.filter(**{f"{spec.date_field}__gte": _moment(spec.date_from, as_datetime)})
        if spec.date_to:
            end = spec.date_to + dt.timedelta(days=1)
            queryset = queryset.filter(**{f"{spec.date_field}__lt": _moment(end, as_datetime)})
    for index, condition in enumerate(spec.filters):
        dimension = entity.dimension(condition.dimension)
        assert dimension is not None  # the spec was validated
        path = dimension.path
        if dimension.kind == "text":
            path = f"report_filter_{index}"
            queryset = queryset.annotate(**{path: _address_part(dimension.path, condition.dimension)})
        values = [to_ascii_digits(v).strip() for v in condition.values]
        present = [v for v in values if v]
        if dimension.kind in ("user", "team", "stage", "pipeline", "product"):
            present = [int(v) for v in present]  # type: ignore[misc]
        wanted = Q(**{f"{path}__in": present}) if present else Q(pk__in=[])
        if "" in values:
            wanted |= Q(**{f"{path}__isnull": True})
            if dimension.kind in ("choice", "text"):
                wanted |= Q(**{path: ""})
        queryset = queryset.filter(wanted)
    return queryset


@dataclass(frozen=True)
class _Grouping:
    expression: Any
    buckets: tuple[Bucket, ...] = ()  # Jalali: the CASE's index is the position here
    grain: Grain | None = None


def _grouping(spec: ReportSpec, queryset: models.QuerySet[Any], dimension: Dimension) -> _Grouping:
    entity = spec.entity_def
    if dimension.kind == "text":
        return _Grouping(_address_part(dimension.path, dimension.key))
    if dimension.kind != "date":
        return _Grouping(models.F(dimension.path))
    grain: Grain = dimension.key.split(":")[1]  # type: ignore[assignment]
    as_datetime = is_datetime(entity, dimension.path)
    if spec.calendar == "gregorian":
        zone = timezone.get_current_timezone() if as_datetime else None
        truncated = Trunc(dimension.path, grain, output_field=models.DateField(), tzinfo=zone)
        return _Grouping(truncated, grain=grain)
    first, last = _span(spec, queryset, dimension.path, as_datetime)
    if first is None or last is None:
        return _Grouping(Value(None, output_field=models.IntegerField()), grain=grain)
    periods = tuple(buckets(first, last, grain, "jalali"))
    whens = [
        When(**{f"{dimension.path}__lt": _moment(period.end, as_datetime), "then": Value(index)})
        for index, period in enumerate(periods)
    ]
    return _Grouping(Case(*whens, default=Value(None), output_field=models.IntegerField()), periods, grain)


def _span(
    spec: ReportSpec, queryset: models.QuerySet[Any], path: str, as_datetime: bool
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day the report's records fall on for this date (the date range
    where it is this date's; else the data's, one query)."""
    first = spec.date_from if spec.date_field == path else None
    last = spec.date_to if spec.date_field == path else None
    if first is None or last is None:
        found = queryset.aggregate(first=Min(path), last=Max(path))
        first = first or _day(found["first"])
        last = last or _day(found["last"])
    return first, last


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def run(*, user: Any, spec: ReportSpec, title: str = "") -> Pivot:
    """Run ``spec`` over what ``user`` may see: one aggregate query (and one for a Jalali
    date's span, and one per kind of label)."""
    entity = spec.entity_def
    queryset = _filtered(user, spec)
    row_dimension = entity.dimension(spec.rows)
    assert row_dimension is not None
    column_dimension = entity.dimension(spec.columns) if spec.columns else None
    row_group = _grouping(spec, queryset, row_dimension)
    column_group = _grouping(spec, queryset, column_dimension) if column_dimension else None
    annotations = {"report_row": row_group.expression}
    if column_group is not None:
        annotations["report_column"] = column_group.expression
    figures: dict[str, Any] = {"report_count": Count("pk")}
    if spec.measure != "count":
        figures["report_sum"] = Sum(spec.measure_field)
        figures["report_counted"] = Count(spec.measure_field)
    grouped = queryset.annotate(**annotations).values(*annotations).annotate(**figures).order_by()
    cells: dict[tuple[Any, Any], Cell] = {}
    for found in grouped:
        key = (found["report_row"], found.get("report_column"))
        cells[key] = Cell(
            found["report_count"],
            Decimal(found.get("report_sum") or 0),
            found.get("report_counted", found["report_count"]),
        )
    rows = _headers(spec, row_dimension, row_group, {row for row, _c in cells})
    columns = (
        _headers(spec, column_dimension, column_group, {column for _r, column in cells})
        if column_dimension is not None and column_group is not None
        else [Header(None, measure_label(spec))]
    )
    rows, columns, cells = _capped(rows, columns, cells)
    return Pivot(
        spec=spec,
        title=title or default_title(spec),
        measure_label=measure_label(spec),
        row_heading=dimension_label(entity, row_dimension),
        column_heading=dimension_label(entity, column_dimension) if column_dimension else "",
        rows=rows,
        columns=columns,
        cells=cells,
        decimals=0 if spec.measure_field in entity.money else 2,
    )


def _capped(
    rows: list[Header], columns: list[Header], cells: dict[tuple[Any, Any], Cell]
) -> tuple[list[Header], list[Header], dict[tuple[Any, Any], Cell]]:
    """At most MAX_ROWS rows and MAX_COLUMNS columns: the rest gathered in «Other»."""
    if len(rows) <= MAX_ROWS and len(columns) <= MAX_COLUMNS:
        return rows, columns, cells
    kept_rows = {h.key for h in rows[:MAX_ROWS]} if len(rows) > MAX_ROWS else None
    kept_columns = {h.key for h in columns[: MAX_COLUMNS - 1]} if len(columns) > MAX_COLUMNS else None
    merged: dict[tuple[Any, Any], Cell] = {}
    for (row, column), cell in cells.items():
        row = row if kept_rows is None or row in kept_rows else OTHER
        column = column if kept_columns is None or column in kept_columns else OTHER
        merged.setdefault((row, column), Cell()).add(cell)
    other = Header(OTHER, _("Other"))
    if kept_rows is not None:
        rows = [*rows[:MAX_ROWS], other]
    if kept_columns is not None:
        columns = [*columns[: MAX_COLUMNS - 1], other]
    return rows, columns, merged


def _headers(spec: ReportSpec, dimension: Dimension, grouping: _Grouping, keys: set[Any]) -> list[Header]:
    """The labels of the values found, in their natural order; «Not set» last."""
    entity = spec.entity_def
    unset = _("Not set")
    present = [k for k in keys if k is not None and k != ""]
    ordered: list[Header] = []
    if dimension.kind == "date":
        if grouping.buckets:
            ordered = [Header(i, grouping.buckets[i].label) for i in sorted(present)]
        else:
            assert grouping.grain is not None
            ordered = [Header(d, bucket_label(_day(d), grouping.grain, "gregorian")) for d in sorted(present)]  # type: ignore[arg-type]
    elif dimension.kind == "choice":
        choices = choices_of(entity, dimension)
        order = list(choices)
        ordered = [
            Header(k, str(choices.get(str(k), k)))
            for k in sorted(present, key=lambda k: order.index(str(k)) if str(k) in order else len(order))
        ]
    elif dimension.kind == "text":
        ordered = [Header(k, str(k)) for k in sorted(present, key=lambda k: str(k).casefold())]
    else:
        ordered = _named(dimension, present)
    if len(present) != len(keys):
        ordered.append(Header(None, unset))
    return ordered


def _named(dimension: Dimension, ids: list[Any]) -> list[Header]:
    if dimension.kind == "user":
        users = User.objects.filter(pk__in=ids).only("first_name", "last_name", "username")
        names = {u.pk: str(u) for u in users}
    elif dimension.kind == "team":
        names = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension.kind == "pipeline":
        found = Pipeline.objects.filter(pk__in=ids).order_by("order", "name")
        return [Header(p.pk, p.name) for p in found]
    elif dimension.kind == "stage":
        stages = list(
            Stage.objects.filter(pk__in=ids).select_related("pipeline").order_by("pipeline__order", "order")
        )
        several = len({s.pipeline_id for s in stages}) > 1
        return [Header(s.pk, f"{s.pipeline.name} · {s.name}" if several else s.name) for s in stages]
    else:
        names = {p.pk: str(p) for p in Product.all_objects.filter(pk__in=ids)}
    return sorted((Header(pk, names.get(pk, str(pk))) for pk in ids), key=lambda h: h.label.casefold())


# --- saved reports -----------------------------------------------------------------------------


def reports_visible(user: Any) -> models.QuerySet[SavedReport]:
    """Reports ``user`` owns (or reaches by their scope) and those shared with their team."""
    if not may_use(user):
        return SavedReport.objects.none()
    mine = policy.visible(user, SavedReport.objects.all())
    team_id = getattr(user, "team_id", None)
    if team_id is None:
        return mine
    return mine | SavedReport.objects.filter(visibility=Visibility.TEAM, team_id=team_id)


def report_list(
    *,
    user: Any,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[SavedReport]:
    queryset = reports_visible(user).select_related("owner", "team")
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(name__icontains=term)
    if filters.get("mine"):
        queryset = queryset.filter(owner_id=user.pk)
    if filters.get("entity") in ENTITIES:
        queryset = queryset.filter(definition__entity=filters["entity"])
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def report_get(*, user: Any, pk: Any) -> SavedReport:
    """A report ``user`` may read, or 404 exactly as if it did not exist."""
    if not is_id(pk):
        raise Http404
    report = reports_visible(user).filter(pk=int(str(pk))).select_related("owner", "team").first()
    if report is None:
        raise Http404
    return report


def report_spec(report: SavedReport) -> ReportSpec:
    """The saved definition, checked again: one saved by an earlier Peyvand may name a
    field or a choice that is no longer offered. Raises a ValidationError that says so."""
    try:
        return ReportSpec.model_validate(report.definition)
    except SpecError as exc:
        raise ValidationError(
            _(
                "This report's settings no longer hold: something it counts or groups by is no "
                "longer offered. Open it in the builder, choose again and save it."
            ),
            code="stale",
        ) from exc


def report_run(*, user: Any, report: SavedReport) -> Pivot:
    return run(user=user, spec=report_spec(report), title=report.name)


# --- the builder's choices --------------------------------------------------------------------


def user_choices() -> list[tuple[str, str]]:
    users = User.objects.filter(is_active=True).only("first_name", "last_name", "username")
    return sorted(((str(u.pk), str(u)) for u in users), key=lambda c: c[1].casefold())


def team_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Team.objects.order_by("name").values_list("pk", "name")]


def filter_choices(user: Any, entity: Entity, dimension: Dimension, limit: int) -> list[tuple[str, str]]:
    """The values a dimension may be filtered by; «Not set» first."""
    unset = [("", _("Not set"))]
    if dimension.kind == "choice":
        return unset + [(key, str(label)) for key, label in choices_of(entity, dimension).items()]
    if dimension.kind == "pipeline":
        return [(str(p.pk), p.name) for p in Pipeline.objects.order_by("order", "name")[:limit]]
    if dimension.kind == "stage":
        stages = Stage.objects.select_related("pipeline").order_by("pipeline__order", "order")[:limit]
        return [(str(s.pk), f"{s.pipeline.name} · {s.name}") for s in stages]
    if dimension.kind == "product":
        return unset + [(str(p.pk), str(p)) for p in Product.objects.order_by("sku")[:limit]]
    if dimension.kind == "text":
        cities = (
            ContactPoint.objects.filter(kind=ContactPoint.Kind.ADDRESS)
            .exclude(**{dimension.key: ""})
            .values_list(dimension.key, flat=True)
            .distinct()
            .order_by(dimension.key)[:limit]
        )
        return unset + [(c, c) for c in cities]
    return []
