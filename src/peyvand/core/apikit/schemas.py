"""Building blocks of request and response bodies: ids, dates typed in Jalali or Gregorian,
pages, references to users and the error envelope's schema.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, cast

from django.utils import timezone
from django.utils.dateparse import parse_datetime as parse_iso_datetime
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictInt,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .. import jalali
from ..models import User
from ..text import to_ascii_digits

T = TypeVar("T")

MAX_ID = 2**63 - 1  # the largest value a BigAutoField holds on every engine
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Dates outside these years are typing mistakes, and near the ends of Python's range a
# conversion to UTC would overflow inside the database driver.
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(9000, 12, 31)

# --- schema building blocks ---------------------------------------------------------------


@dataclass(frozen=True)
class SchemaName:
    """``Annotated[Outcome, SchemaName("DealOutcome")]``: the enum's name in the OpenAPI schema.

    django-ninja files every enum under its class name, and two apps' ``Outcome`` or
    ``Kind`` would overwrite each other there, publishing the wrong values for one of them.
    Validation is unchanged: the values are still the model's choices.
    """

    name: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = dict(handler.resolve_ref_schema(handler(source)))
        schema["ref"] = f"{self.name}:{id(source)}"  # pydantic names a definition by its ref
        return cast(CoreSchema, schema)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        handler.resolve_ref_schema(json_schema)["title"] = self.name
        return json_schema


class InputSchema(Schema):
    """A request body: a field the endpoint does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here, as a field error rather than a 500 there.
    if "\x00" in value:
        raise ValueError(_("Remove the NUL character from this text."))
    return value


NoNul = AfterValidator(_no_nul)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a path or query string, where numbers arrive as text."""
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
"""An id in a JSON body: a number, not a string that looks like one."""
Cursor = Annotated[str | None, Field(max_length=1000)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


def _out_of_range() -> ValueError:
    return ValueError(
        _("Enter a date between the years %(start)d and %(end)d.")
        % {"start": EARLIEST.year, "end": LATEST.year}
    )


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range()
    return day


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError(_("Enter a date without a time."))
    if isinstance(value, dt.date):
        return _in_range(value)
    if not isinstance(value, str):
        raise ValueError(_("Enter a date as text, for example 1403/05/12 or 2024-08-02."))
    return _in_range(jalali.parse_date(value))


def _to_datetime(value: Any) -> Any:
    """ISO 8601 with or without an offset, or a Jalali or Gregorian "Y/M/D H:M"."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = to_ascii_digits(value.strip())
        try:
            parsed = parse_iso_datetime(text)
        except ValueError:
            parsed = None
        moment = parsed or jalali.parse_datetime(text)
        if moment.year < jalali.GREGORIAN_YEAR_FROM:
            # "1403-05-12T14:30+03:30" reads as ISO; its year says the date is Jalali.
            day = jalali.parse_date(f"{moment.year:04d}/{moment.month}/{moment.day}")
            moment = moment.replace(year=day.year, month=day.month, day=day.day)
    else:
        raise ValueError(_("Enter a date and time as text, for example 2024-08-02T14:30:00+03:30."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # in the caller's time zone
    try:
        moment = moment.astimezone(dt.UTC)  # what the API answers in, whatever was sent
    except OverflowError:
        raise _out_of_range() from None
    _in_range(moment.date())
    return moment


ApiDate = Annotated[dt.date, BeforeValidator(_to_date)]
"""A date typed in Jalali or Gregorian (ISO 8601), in any digits."""
ApiDateTime = Annotated[dt.datetime, BeforeValidator(_to_datetime)]
"""An ISO 8601 date and time, or a Jalali one such as "1403/05/12 14:30" (local time)."""


class PageQuery(Schema):
    cursor: Cursor = None
    limit: Limit = DEFAULT_LIMIT


class PageOut(Schema, Generic[T]):
    """One page of a list: follow ``next_cursor`` until it is null."""

    items: list[T]
    next_cursor: str | None = None
    previous_cursor: str | None = None


class UserRef(Schema):
    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return str(obj)


class FieldError(Schema):
    field: str
    message: str


class ErrorDetail(Schema):
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 422), ErrorOut)


def _whole_number(value: Any) -> Any:
    """A whole number, from JSON or a form's text (any digits); never a boolean or a fraction."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_("Enter a whole number."))
    if isinstance(value, str):
        text = to_ascii_digits(value.strip())
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise ValueError(_("Enter a whole number."))
        return int(text)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number sent as JSON or as a form field ("73", "۷۳")."""


# --- custom fields (``core.custom_fields``): a record's ``custom`` object --------------------

CustomValue = str | int | float | bool | list[str] | None
CustomValuesOut = dict[str, CustomValue]
CustomValuesIn = Annotated[dict[Annotated[str, Field(max_length=40)], CustomValue], Field(max_length=200)]
CUSTOM_OUT = (
    "The record's custom field values by key; `GET /api/v1/custom-fields` describes each key and "
    "how its type is written. A field without a value is left out."
)
CUSTOM_IN = (
    "Custom field values by key (see `GET /api/v1/custom-fields`): the keys sent are set, null "
    "clears one, the others stay. Checked as the form checks them; an error names `custom.<key>`."
)
