"""A list endpoint's custom fields, read from the query string as the list pages read them.

``cf_<key>=value`` keeps the records whose filterable field ``key`` holds it: a choice's key,
``true``/``false`` for yes/no, a user's id, text the value contains; ``cf_<key>_from`` and
``cf_<key>_to`` bound a date, number or amount (any digits, Jalali dates). ``sort=cf_<key>``
(``-cf_<key>`` going down) sorts by a filterable field. Unlike a page, which shows a filter it
cannot read beside the list, the API answers 422 naming the parameter.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ..custom_fields import KEY_PATTERN, RANGE_TYPES, Definition, FieldType, clean_value
from ..selectors.custom_fields import SORT_PREFIX, CustomFilter, definitions_for, sortable
from .errors import field_error

_CUSTOM_SORT = re.compile(rf"^-?{SORT_PREFIX}[a-z][a-z0-9_]{{0,39}}$")
_BOUNDS = ("_from", "_to")


class SortChoice:
    """A list query's ``sort`` (``Annotated[str, SortChoice(…)]``): one of ``choices`` or a
    custom field's ``cf_<key>`` (``custom_filters`` checks that the field can be sorted by)."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def check(self, value: str) -> str:
        if value in self.choices or _CUSTOM_SORT.match(value):
            return value
        expected = ", ".join(f"'{choice}'" for choice in self.choices)
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        described = ", ".join(self.choices)
        return {
            "type": "string",
            "description": f"One of {described}; or cf_<key> (-cf_<key> going down): a custom field's",
        }


def custom_filters(request: HttpRequest, entity: str, sort: str = "") -> list[CustomFilter]:
    """The ``cf_…`` filters of the request for records of ``entity``; 422 for a parameter
    naming no filterable field, a value that cannot be read, or a custom sort that is not one."""
    names = [name for name in request.GET if name.startswith(SORT_PREFIX)]
    if not names and SORT_PREFIX not in sort:
        return []
    definitions = {d.key: d for d in definitions_for(entity) if d.filterable}
    given: dict[str, dict[str, str]] = {}
    for name in names:
        key, part = _parameter(name[len(SORT_PREFIX) :], definitions)
        if key is None:
            raise field_error(name, _("No filterable custom field of these records has this key."))
        given.setdefault(key, {})[part] = request.GET[name]
    found = [_filter(definitions[key], parts) for key, parts in given.items()]
    if SORT_PREFIX in sort and sort.lstrip("-") not in sortable(definitions.values()):
        raise field_error("sort", _("No custom field of these records can be sorted by this key."))
    return [wanted for wanted in found if wanted is not None]


def _parameter(name: str, definitions: dict[str, Definition]) -> tuple[str | None, str]:
    """(field key, "value" | "from" | "to") of a parameter's name after ``cf_``."""
    if name in definitions:
        return name, "value"
    for suffix in _BOUNDS:
        key = name.removesuffix(suffix)
        if key != name and KEY_PATTERN.match(key) and key in definitions:
            return key, suffix[1:]
    return None, ""


def _filter(definition: Definition, parts: dict[str, str]) -> CustomFilter | None:
    name = f"{SORT_PREFIX}{definition.key}"
    ranged = definition.type in RANGE_TYPES
    for part in parts:
        if (part == "value") == ranged:
            wrong = name if part == "value" else f"{name}_{part}"
            hint = (
                _("Filter this field with %(name)s_from and %(name)s_to.")
                if ranged
                else _("Filter this field with %(name)s.")
            )
            raise field_error(wrong, hint % {"name": name})
    read: dict[str, Any] = {}
    for part, raw in parts.items():
        try:
            read[part] = clean_value(definition, raw)
        except ValidationError as exc:
            raise field_error(name if part == "value" else f"{name}_{part}", exc.messages[0]) from exc
    if ranged:
        if read.get("from") is None and read.get("to") is None:
            return None
        return CustomFilter(definition.key, low=read.get("from"), high=read.get("to"))
    value = read.get("value")
    if value is None or value == []:
        return None
    if definition.type == FieldType.MULTI_CHOICE:
        value = value[0]
    return CustomFilter(definition.key, value=value)
