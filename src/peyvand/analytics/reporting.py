"""The report builder's catalogue and a report's definition.

A report counts, sums or averages the records of one entity (customers, deals, orders, order
lines, interactions, activities, tickets) by one or two dimensions, under filters. What may
be asked is a whitelist: each entity names its dimensions (an ORM path the code wrote, never
one a user typed), its numeric fields for a sum or an average and its date fields, and
``ReportSpec`` accepts only keys from it. So no name from a request ever reaches the ORM.

Dates are bucketed by month, quarter or year of the Jalali calendar (the year starts at
Nowruz, 1 Farvardin) or the Gregorian one; ``buckets`` cuts a date range into those periods
with their labels (pure: no database here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import jdatetime
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from peyvand.activities.models import Activity
from peyvand.core import jalali
from peyvand.core.text import to_ascii_digits, to_persian_digits
from peyvand.customers.models import Party
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Deal, Order, OrderLine
from peyvand.service.models import Ticket

Grain = Literal["month", "quarter", "year"]
Calendar = Literal["jalali", "gregorian"]
MeasureKind = Literal["count", "sum", "avg"]
ChartKind = Literal["bar", "stacked", "line"]
DimensionKind = Literal["user", "team", "stage", "pipeline", "product", "choice", "text", "date"]

GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")
MAX_FILTER_VALUES = 50
MAX_BUCKETS = 600  # fifty years of months


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Any  # lazy
    kind: DimensionKind
    path: str  # the ORM path grouped by (for "text": the customer path whose address is read)


@dataclass(frozen=True)
class Entity:
    key: str
    label: Any
    model: type[models.Model]
    dimensions: tuple[Dimension, ...]
    numbers: dict[str, Any]  # field -> label, for sums and averages
    dates: dict[str, Any]  # field -> label
    money: frozenset[str] = field(default_factory=frozenset)  # numbers shown without decimals
    # The path to the order whose visibility an order line follows (lines have no rule).
    visible_through: str = ""

    def dimension(self, key: str) -> Dimension | None:
        for dimension in self.all_dimensions():
            if dimension.key == key:
                return dimension
        return None

    def date_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(
            Dimension(f"{name}:{grain}", label, "date", name)
            for name, label in self.dates.items()
            for grain in GRAINS
        )

    def all_dimensions(self) -> tuple[Dimension, ...]:
        return self.dimensions + self.date_dimensions()


def _customer_dimensions(party: str) -> tuple[Dimension, ...]:
    """What every entity with a customer may be grouped by through it."""
    prefix = f"{party}__" if party else ""
    return (
        Dimension("source", gettext_lazy("Source"), "choice", f"{prefix}source"),
        Dimension("lifecycle", gettext_lazy("Lifecycle stage"), "choice", f"{prefix}stage"),
        Dimension("province", gettext_lazy("Province"), "text", party),
        Dimension("city", gettext_lazy("City"), "text", party),
    )


def _owner_dimensions(user: str, label: Any) -> tuple[Dimension, ...]:
    return (
        Dimension("owner", label, "user", f"{user}_id"),
        Dimension("team", gettext_lazy("Team"), "team", f"{user}__team_id"),
    )


ENTITIES: dict[str, Entity] = {
    entity.key: entity
    for entity in (
        Entity(
            "customer",
            gettext_lazy("Customers"),
            Party,
            (
                *_owner_dimensions("owner", gettext_lazy("Owner")),
                Dimension("kind", gettext_lazy("Kind"), "choice", "kind"),
                *_customer_dimensions(""),
            ),
            numbers={},
            dates={"created_at": gettext_lazy("Created")},
        ),
        Entity(
            "deal",
            gettext_lazy("Deals"),
            Deal,
            (
                *_owner_dimensions("owner", gettext_lazy("Owner")),
                Dimension("pipeline", gettext_lazy("Pipeline"), "pipeline", "pipeline_id"),
                Dimension("stage", gettext_lazy("Stage"), "stage", "stage_id"),
                Dimension("status", gettext_lazy("Status"), "choice", "status"),
                *_customer_dimensions("party"),
            ),
            numbers={"amount_base": gettext_lazy("Value (base currency)")},
            dates={
                "closed_at": gettext_lazy("Closed"),
                "expected_close": gettext_lazy("Expected close date"),
                "created_at": gettext_lazy("Created"),
            },
            money=frozenset({"amount_base"}),
        ),
        Entity(
            "order",
            gettext_lazy("Orders"),
            Order,
            (
                *_owner_dimensions("owner", gettext_lazy("Owner")),
                Dimension("status", gettext_lazy("Status"), "choice", "status"),
                Dimension("currency", gettext_lazy("Currency"), "choice", "currency"),
                *_customer_dimensions("party"),
            ),
            numbers={
                "total": gettext_lazy("Total"),
                "subtotal": gettext_lazy("Subtotal"),
                "discount_total": gettext_lazy("Discount"),
            },
            dates={"ordered_on": gettext_lazy("Order date")},
            money=frozenset({"total", "subtotal", "discount_total"}),
        ),
        Entity(
            "order_line",
            gettext_lazy("Order lines"),
            OrderLine,
            (
                *_owner_dimensions("order__owner", gettext_lazy("Owner")),
                Dimension("product", gettext_lazy("Product"), "product", "product_id"),
                Dimension("status", gettext_lazy("Order status"), "choice", "order__status"),
                Dimension("currency", gettext_lazy("Currency"), "choice", "order__currency"),
                *_customer_dimensions("order__party"),
            ),
            numbers={"quantity": gettext_lazy("Quantity"), "total": gettext_lazy("Total")},
            dates={"order__ordered_on": gettext_lazy("Order date")},
            money=frozenset({"total"}),
            visible_through="order",
        ),
        Entity(
            "interaction",
            gettext_lazy("Interactions"),
            Interaction,
            (
                *_owner_dimensions("handled_by", gettext_lazy("Handled by")),
                Dimension("channel", gettext_lazy("Channel"), "choice", "channel"),
                Dimension("direction", gettext_lazy("Direction"), "choice", "direction"),
                Dimension("outcome", gettext_lazy("Outcome"), "choice", "outcome"),
                *_customer_dimensions("party"),
            ),
            numbers={},
            dates={"occurred_at": gettext_lazy("Date and time")},
        ),
        Entity(
            "activity",
            gettext_lazy("Activities"),
            Activity,
            (
                *_owner_dimensions("assignee", gettext_lazy("Assignee")),
                Dimension("kind", gettext_lazy("Type"), "choice", "kind"),
                Dimension("status", gettext_lazy("Status"), "choice", "status"),
                Dimension("priority", gettext_lazy("Priority"), "choice", "priority"),
                Dimension("outcome", gettext_lazy("Outcome"), "choice", "outcome"),
                *_customer_dimensions("party"),
            ),
            numbers={},
            dates={"due_at": gettext_lazy("Due"), "completed_at": gettext_lazy("Completed")},
        ),
        Entity(
            "ticket",
            gettext_lazy("Tickets"),
            Ticket,
            (
                Dimension("owner", gettext_lazy("Assignee"), "user", "assignee_id"),
                Dimension("team", gettext_lazy("Team"), "team", "team_id"),
                Dimension("channel", gettext_lazy("Channel"), "choice", "channel"),
                Dimension("kind", gettext_lazy("Type"), "choice", "kind"),
                Dimension("status", gettext_lazy("Status"), "choice", "status"),
                Dimension("priority", gettext_lazy("Priority"), "choice", "priority"),
                Dimension("product", gettext_lazy("Product"), "product", "product_id"),
                *_customer_dimensions("party"),
            ),
            numbers={"compensation_amount": gettext_lazy("Compensation")},
            dates={"created_at": gettext_lazy("Created"), "resolved_at": gettext_lazy("Resolved")},
            money=frozenset({"compensation_amount"}),
        ),
    )
}


def field_of(model: type[models.Model], path: str) -> Any:
    """The model field at the end of ``path`` (``party__source``, ``owner_id``)."""
    current: Any = model
    found: Any = None
    for part in path.split("__"):
        found = current._meta.get_field(part[:-3] if part.endswith("_id") else part)
        current = found.related_model
    return found


def choices_of(entity: Entity, dimension: Dimension) -> dict[str, Any]:
    """A choice dimension's values as text, each with its label."""
    return {str(value): label for value, label in field_of(entity.model, dimension.path).flatchoices}


def is_datetime(entity: Entity, name: str) -> bool:
    return isinstance(field_of(entity.model, name), models.DateTimeField)


# --- the definition --------------------------------------------------------------------------


def _date_text(value: Any) -> Any:
    """A date given as text in either calendar and any digits ("1404/01/01", "۲۰۲۵-۰۳-۲۱")."""
    if value is None or isinstance(value, dt.date) or value == "":
        return value or None
    if not isinstance(value, str):
        raise ValueError(_("Enter a date as year/month/day, for example 1403/05/12 or 2024-08-02."))
    return jalali.parse_date(value)


ReportDate = Annotated[dt.date | None, Field(default=None)]
Value = Annotated[str, Field(max_length=200)]


class FilterSpec(BaseModel):
    """Keep only the records whose ``dimension`` is one of ``values`` ("" for not set)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dimension: Annotated[str, Field(max_length=40)]
    values: Annotated[list[Value], Field(min_length=1, max_length=MAX_FILTER_VALUES)]


class ReportSpec(BaseModel):
    """What a report counts: the typed, whitelisted definition a saved report stores."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: Literal["customer", "deal", "order", "order_line", "interaction", "activity", "ticket"]
    measure: MeasureKind = "count"
    measure_field: Annotated[str, Field(max_length=40)] = ""
    rows: Annotated[str, Field(max_length=40)]
    columns: Annotated[str, Field(max_length=40)] = ""
    calendar: Calendar = "jalali"
    date_field: Annotated[str, Field(max_length=40)] = ""
    date_from: ReportDate = None
    date_to: ReportDate = None
    filters: Annotated[list[FilterSpec], Field(max_length=20)] = []
    chart: ChartKind = "bar"

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _date_text(value)

    @model_validator(mode="after")
    def _whitelisted(self) -> ReportSpec:
        entity = ENTITIES[self.entity]
        if self.measure == "count":
            if self.measure_field:
                raise ValueError(_("A count takes no field."))
        elif self.measure_field not in entity.numbers:
            raise ValueError(_("Choose a number field of these records to sum or average."))
        if entity.dimension(self.rows) is None:
            raise ValueError(_("Choose what the rows are grouped by."))
        if self.columns:
            if entity.dimension(self.columns) is None:
                raise ValueError(_("Choose what the columns are grouped by, or nothing."))
            if self.columns == self.rows:
                raise ValueError(_("Group the columns by something other than the rows."))
        if self.date_field and self.date_field not in entity.dates:
            raise ValueError(_("Choose a date of these records for the date range."))
        if (self.date_from or self.date_to) and not self.date_field:
            raise ValueError(_("Choose which date the date range applies to."))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(_("The date range ends before it starts."))
        for condition in self.filters:
            dimension = entity.dimension(condition.dimension)
            if dimension is None or dimension.kind == "date":
                raise ValueError(_("A filter names something these records are not grouped by."))
            for value in condition.values:
                if value and dimension.kind in ("user", "team", "stage", "pipeline", "product"):
                    if not to_ascii_digits(value).isdigit():
                        raise ValueError(_("A filter's value is not one of its choices."))
                elif value and dimension.kind == "choice" and value not in choices_of(entity, dimension):
                    raise ValueError(_("A filter's value is not one of its choices."))
        return self

    @property
    def entity_def(self) -> Entity:
        return ENTITIES[self.entity]


def spec_errors(exc: Exception) -> list[str]:
    """A pydantic ValidationError's messages, as sentences for a form or an API error."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [str(exc)]
    messages = []
    for error in errors():
        text = str(error.get("msg", ""))
        messages.append(text.removeprefix("Value error, "))
    return messages


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    start: dt.date
    end: dt.date  # the day after
    label: str


def bucket_start(day: dt.date, grain: Grain, calendar: Calendar) -> dt.date:
    if calendar == "jalali":
        jday = jdatetime.date.fromgregorian(date=day)
        month = {"month": jday.month, "quarter": (jday.month - 1) // 3 * 3 + 1, "year": 1}[grain]
        return jdatetime.date(jday.year, month, 1).togregorian()
    month = {"month": day.month, "quarter": (day.month - 1) // 3 * 3 + 1, "year": 1}[grain]
    return dt.date(day.year, month, 1)


def _following(start: dt.date, grain: Grain, calendar: Calendar) -> dt.date:
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    if calendar == "jalali":
        jday = jdatetime.date.fromgregorian(date=start)
        index = jday.year * 12 + jday.month - 1 + step
        return jdatetime.date(index // 12, index % 12 + 1, 1).togregorian()
    index = start.year * 12 + start.month - 1 + step
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_label(start: dt.date, grain: Grain, calendar: Calendar, language: str | None = None) -> str:
    """ "آذر ۱۴۰۴", "فصل ۳ ۱۴۰۴", "۱۴۰۴" in Persian; "Azar 1404", "Q3 1404" or "Nov 2025",
    "Q4 2025", "2025" in English."""
    persian = jalali.uses_jalali(language)
    if calendar == "jalali":
        jday = jdatetime.date.fromgregorian(date=start)
        year, month = jday.year, jday.month
        month_name = (jalali.JALALI_MONTHS if persian else jdatetime.date.j_months_en)[month - 1]
    else:
        year, month = start.year, start.month
        month_name = f"{month:02d}" if persian else start.strftime("%b")
    if grain == "year":
        text = str(year)
    elif grain == "quarter":
        text = _("Q%(quarter)s %(year)s") % {"quarter": (month - 1) // 3 + 1, "year": year}
    elif persian and calendar == "gregorian":
        text = f"{year}/{month_name}"
    else:
        text = f"{month_name} {year}"
    return to_persian_digits(text) if persian else text


def buckets(
    first: dt.date, last: dt.date, grain: Grain, calendar: Calendar, language: str | None = None
) -> list[Bucket]:
    """The periods from the one holding ``first`` to the one holding ``last``."""
    found: list[Bucket] = []
    cursor = bucket_start(first, grain, calendar)
    while cursor <= last and len(found) < MAX_BUCKETS:
        following = _following(cursor, grain, calendar)
        found.append(Bucket(cursor, following, bucket_label(cursor, grain, calendar, language)))
        cursor = following
    return found
