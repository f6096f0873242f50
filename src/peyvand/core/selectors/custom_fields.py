"""Reading custom fields: their definitions, and filtering and sorting records by a value.

A value is read in SQL as ``custom ->> 'key'`` on PostgreSQL and ``json_extract(custom,
'$.key')`` on SQLite, numbers cast to a float; a field marked filterable has an index on
exactly that expression (``services.custom_fields``), so a filter on it is an index range
scan. The key is written into the SQL as a literal, never a parameter: an index on an
expression is used only when the query's expression is the same text, and keys are checked
to be ``[a-z][a-z0-9_]*`` when a field is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from ..custom_fields import (
    KEY_PATTERN,
    NUMERIC_TYPES,
    RANGE_TYPES,
    Definition,
    FieldType,
    clean_value,
)
from ..models import CustomField, User

# --- which records take custom fields -----------------------------------------------------


@dataclass(frozen=True)
class EntityTable:
    """Where an entity's records are: their model and what picks them out of its table
    (people and organisations share one)."""

    model: type[models.Model]
    scope: Mapping[str, Any] = field(default_factory=dict)
    # The list's default order: a filterable field's index is (value, *order), so a filter
    # on one value reads the first page in order without sorting its matches.
    order: tuple[str, ...] = ()


_ENTITIES: dict[str, EntityTable] = {}


def register_entity(
    entity: str, model: type[models.Model], *, order: tuple[str, ...] = (), **scope: Any
) -> None:
    """Called by the app owning the records, in its ``hooks.register()``."""
    _ENTITIES[entity] = EntityTable(model, scope, order)


def entity_table(entity: str) -> EntityTable | None:
    return _ENTITIES.get(entity)


def registered_entities() -> list[str]:
    return list(_ENTITIES)


# --- definitions --------------------------------------------------------------------------


def custom_fields_for(entity: str, *, active: bool = True) -> list[CustomField]:
    queryset = CustomField.objects.filter(entity=entity)
    if active:
        queryset = queryset.filter(active=True)
    return list(queryset.order_by("position", "id"))


def definitions_for(entity: str) -> list[Definition]:
    """The active fields of ``entity``, in their order, as the rules take them."""
    return [f.definition() for f in custom_fields_for(entity)]


def custom_field_list(*, filters: Mapping[str, str]) -> QuerySet[CustomField]:
    """The administration's list: by record type and state, searched by key or label."""
    queryset = CustomField.objects.all()
    if filters.get("entity"):
        queryset = queryset.filter(entity=filters["entity"])
    if filters.get("active") in ("yes", "no"):
        queryset = queryset.filter(active=filters["active"] == "yes")
    if filters.get("q"):
        q = filters["q"]
        queryset = queryset.filter(Q(key__icontains=q) | Q(label_fa__icontains=q) | Q(label_en__icontains=q))
    return queryset


def user_ok(user_id: int) -> bool:
    """A user field's value must be an active user."""
    return User.objects.filter(pk=user_id, is_active=True).exists()


def user_names(ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return {u.pk: str(u) for u in User.objects.filter(pk__in=wanted)}


def usernames(ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int)}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "username")) if wanted else {}


def user_ids_in(values: Iterable[Mapping[str, Any]], definitions: Iterable[Definition]) -> set[int]:
    keys = [d.key for d in definitions if d.type == FieldType.USER]
    return {v[k] for v in values for k in keys if isinstance(v.get(k), int)}


# --- in SQL -------------------------------------------------------------------------------


class CustomValue(models.Expression):
    """A record's custom value under ``key`` as the database reads it: text, or a float."""

    def __init__(self, key: str, *, numeric: bool = False, column: str = "custom") -> None:
        if not KEY_PATTERN.match(key):
            raise ValueError(f"not a custom field key: {key!r}")
        self.key, self.numeric, self.column = key, numeric, column
        super().__init__(output_field=models.FloatField() if numeric else models.TextField())

    def __repr__(self) -> str:
        return f"CustomValue({self.key!r}, numeric={self.numeric})"

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> Any:
        clone = self.copy()
        clone.is_summary = False
        clone.source = models.F(self.column).resolve_expression(query, *args, **kwargs)
        return clone

    def get_source_expressions(self) -> list[Any]:
        source = getattr(self, "source", None)
        return [source] if source is not None else []

    def set_source_expressions(self, exprs: Any) -> None:
        if exprs:
            self.source = exprs[0]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        column, params = compiler.compile(self.source)
        return value_sql(column, self.key, connection.vendor, numeric=self.numeric), params


def value_sql(column: str, key: str, vendor: str, *, numeric: bool) -> str:
    """The SQL of a custom value, the same in a query and in the index made for it."""
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a custom field key: {key!r}")
    if vendor == "postgresql":
        text = f"({column} ->> '{key}')"
        return f"({text}::double precision)" if numeric else text
    text = f"json_extract({column}, '$.{key}')"
    return f"CAST({text} AS REAL)" if numeric else text


def _value(definition: Definition) -> CustomValue:
    return CustomValue(definition.key, numeric=definition.type in NUMERIC_TYPES)


@dataclass(frozen=True)
class CustomFilter:
    """One custom field's filter as a list's form gives it: a value, or a range."""

    key: str
    value: Any = None
    low: Any = None
    high: Any = None


def custom_filter(
    queryset: QuerySet[Any], definitions: Iterable[Definition], filters: Iterable[CustomFilter]
) -> QuerySet[Any]:
    """``queryset`` narrowed by custom values; filters of fields not filterable are ignored."""
    by_key = {d.key: d for d in definitions if d.filterable}
    for wanted in filters:
        definition = by_key.get(wanted.key)
        if definition is None:
            continue
        queryset = queryset.filter(_condition(definition, wanted))
    return queryset


def _condition(definition: Definition, wanted: CustomFilter) -> Q:
    expression, kind = _value(definition), definition.type
    name = f"custom__{definition.key}"
    if kind in RANGE_TYPES:
        condition = Q()
        for bound, lookup in ((wanted.low, "gte"), (wanted.high, "lte")):
            if bound is None:
                continue
            value: Any = float(bound) if kind in NUMERIC_TYPES else _iso(bound)
            condition &= (
                Q(models.lookups.GreaterThanOrEqual(expression, value))
                if lookup == "gte"
                else Q(models.lookups.LessThanOrEqual(expression, value))
            )
        return condition
    if kind == FieldType.YES_NO:
        return Q(**{name: bool(wanted.value)})
    if kind == FieldType.USER:
        return Q(**{name: int(wanted.value)})
    if kind == FieldType.MULTI_CHOICE:
        # The stored list as JSON text holds the option's key in quotes.
        return Q(models.lookups.Contains(expression, f'"{wanted.value}"'))
    if kind == FieldType.TEXT or kind == FieldType.LINK:
        return Q(models.lookups.IContains(expression, str(wanted.value)))
    return Q(models.lookups.Exact(expression, str(wanted.value)))  # a choice: its key


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


SORT_PREFIX = "cf_"
SORTABLE_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LINK, FieldType.CHOICE, FieldType.DATE, FieldType.NUMBER, FieldType.MONEY}
)
# Records without a value sort first going up, last going down (the keyset needs a value).
_LOWEST_NUMBER = -1e300


def sortable(definitions: Iterable[Definition]) -> dict[str, Definition]:
    """Sort names (``cf_<key>``) of the filterable fields a list may be sorted by."""
    return {f"{SORT_PREFIX}{d.key}": d for d in definitions if d.filterable and d.type in SORTABLE_TYPES}


def with_sort_value(queryset: QuerySet[Any], definition: Definition) -> QuerySet[Any]:
    """``queryset`` with its rows' value of ``definition`` as ``custom_sort`` (never null)."""
    if definition.type in NUMERIC_TYPES:
        fallback: Any = models.Value(_LOWEST_NUMBER, output_field=models.FloatField())
    else:
        fallback = models.Value("", output_field=models.TextField())
    return queryset.annotate(custom_sort=Coalesce(_value(definition), fallback))


def parse_filter(
    definition: Definition, raw: Any, *, low: Any = None, high: Any = None
) -> CustomFilter | None:
    """A list's filter from what was typed (any digits, Jalali dates), or None when it says
    nothing or cannot be read (a form shows its error)."""
    try:
        if definition.type in RANGE_TYPES:
            low = clean_value(definition, low)
            high = clean_value(definition, high)
            if low is None and high is None:
                return None
            return CustomFilter(definition.key, low=low, high=high)
        value = clean_value(definition, raw)
    except ValidationError:  # a filter that cannot be read filters nothing
        return None
    if value is None or (definition.type == FieldType.MULTI_CHOICE and not value):
        return None
    if definition.type == FieldType.MULTI_CHOICE:
        value = value[0]
    return CustomFilter(definition.key, value=value)


def custom_sorted(
    queryset: QuerySet[Any], definitions: Iterable[Definition], sort: str
) -> tuple[QuerySet[Any], list[str]] | None:
    """``queryset`` ready to be sorted by a filterable field (``cf_<key>``, ``-cf_<key>``
    going down) and the keyset order doing it, by the value then id; None when ``sort``
    names no such field (the list's own sorts apply)."""
    if SORT_PREFIX not in sort:
        return None
    definition = sortable(definitions).get(sort.lstrip("-"))
    if definition is None:
        return None
    order = ["-custom_sort", "-id"] if sort.startswith("-") else ["custom_sort", "id"]
    return with_sort_value(queryset, definition), order


def custom_list(
    queryset: QuerySet[Any], entity: str, filters: Sequence[CustomFilter], sort: str
) -> tuple[QuerySet[Any], list[str] | None]:
    """A list's ``queryset`` narrowed by its custom ``filters`` and, when ``sort`` names a
    filterable field of ``entity``, the keyset order sorting by it (else None: the list's
    own order). Reads the definitions only when a filter or such a sort asks."""
    if not filters and SORT_PREFIX not in sort:
        return queryset, None
    definitions = definitions_for(entity)
    queryset = custom_filter(queryset, definitions, filters)
    by_custom = custom_sorted(queryset, definitions, sort)
    return by_custom if by_custom is not None else (queryset, None)


def custom_sort_ok(entity: str, sort: str) -> bool:
    """Whether a list of ``entity`` may be sorted by ``sort`` as a custom field's."""
    return SORT_PREFIX in sort and sort.lstrip("-") in sortable(definitions_for(entity))
