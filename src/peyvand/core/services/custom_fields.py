"""Making, changing and deactivating custom fields; the index a filterable one is given.

An administrator's work, audited. A field's key and type are fixed once a record holds a
value under it (the values would no longer read as they were written). A field marked
filterable gets an index on its value's expression (``selectors.custom_fields.value_sql``),
made when it is marked and dropped when it no longer is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .. import policy
from ..custom_fields import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    Choice,
    FieldType,
    choices_text,
    clean_custom,
    clean_key,
)
from ..inputs import UNSET, Unset, given
from ..models import AuditEvent, CustomField, User
from ..selectors.custom_fields import definitions_for, entity_table, registered_entities, user_ok, value_sql
from ..text import clean_text
from .audit import audit_log, changes_between, snapshot

AUDITED = (
    "entity",
    "key",
    "type",
    "label_fa",
    "label_en",
    "help_fa",
    "help_en",
    "choices",
    "required",
    "filterable",
    "in_list",
    "position",
    "active",
)
INDEXED_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LINK, FieldType.CHOICE, FieldType.DATE, FieldType.NUMBER, FieldType.MONEY}
)
MAX_POSITION = 10_000


@dataclass(frozen=True, kw_only=True)
class CustomFieldInput:
    """A field's settings as the administration form or the API gives them; UNSET: not given."""

    entity: str | Unset = UNSET
    key: str | Unset = UNSET
    type: str | Unset = UNSET
    label_fa: str | Unset = UNSET
    label_en: str | Unset = UNSET
    help_fa: str | Unset = UNSET
    help_en: str | Unset = UNSET
    choices: tuple[Choice, ...] | Unset = UNSET
    required: bool | Unset = UNSET
    filterable: bool | Unset = UNSET
    in_list: bool | Unset = UNSET
    position: int | Unset = UNSET
    active: bool | Unset = UNSET


def has_values(field: CustomField) -> bool:
    """Whether any record (in the trash too) holds a value under the field's key."""
    table = entity_table(field.entity)
    if table is None or not field.key:
        return False
    manager = getattr(table.model, "all_objects", table.model._default_manager)
    return bool(manager.filter(**table.scope, **{"custom__has_key": field.key}).exists())


def _clean(field: CustomField, data: CustomFieldInput, *, creating: bool) -> dict[str, Any]:
    values = given(data)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    locked = not creating and has_values(field)
    for name, value in values.items():
        try:
            cleaned[name] = _clean_one(field, name, value, creating=creating, locked=locked)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    merged = {name: getattr(field, name) for name in AUDITED} | cleaned
    if "entity" not in errors and merged["entity"] not in registered_entities():
        errors.setdefault("entity", []).append(_("Choose a record type."))
    if "type" not in errors and merged["type"] not in FieldType.values:
        errors.setdefault("type", []).append(_("Choose a type."))
    if not merged["key"] and "key" not in errors:
        errors.setdefault("key", []).append(_("This field is required."))
    for name in ("label_fa", "label_en"):
        if not merged[name] and name not in errors:
            errors.setdefault(name, []).append(_("This field is required."))
    if merged["type"] in CHOICE_TYPES and not merged["choices"] and "choices" not in errors:
        errors.setdefault("choices", []).append(_("Give at least one option."))
    if not errors:
        _check_key(field, merged, errors)
    if errors:
        raise ValidationError(errors)
    if merged["type"] not in CHOICE_TYPES:
        cleaned["choices"] = []
    return cleaned


def _clean_one(field: CustomField, name: str, value: Any, *, creating: bool, locked: bool) -> Any:
    if name == "entity":
        if not creating and value != field.entity:
            raise ValidationError(_("A field stays on the records it was made for."))
        return value
    if name == "key":
        key = clean_key(str(value))
        if locked and key != field.key:
            raise ValidationError(_("Records hold values under this key: it cannot change."))
        return key
    if name == "type":
        if locked and value != field.type:
            raise ValidationError(_("Records hold values of this type: it cannot change."))
        return value
    if name in ("label_fa", "label_en", "help_fa", "help_en"):
        text = clean_text(str(value or ""))
        limit = 100 if name.startswith("label") else 200
        if len(text) > limit:
            raise ValidationError(
                _("Use at most %(limit)d characters (this has %(count)d).")
                % {"limit": limit, "count": len(text)}
            )
        return text
    if name == "choices":
        return [{"key": c.key, "label_fa": c.label_fa, "label_en": c.label_en} for c in value]
    if name == "position":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POSITION:
            raise ValidationError(_("Enter a whole number from 0 to %(max)d.") % {"max": MAX_POSITION})
        return value
    if not isinstance(value, bool):
        raise ValidationError(_("Choose yes or no."))
    return value


def _check_key(field: CustomField, merged: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """One key per record type; on people and organisations (one table) of one type."""
    others = CustomField.objects.exclude(pk=field.pk).filter(key=merged["key"])
    if others.filter(entity=merged["entity"]).exists():
        errors.setdefault("key", []).append(_("These records already have a field with this key."))
        return
    table = entity_table(merged["entity"])
    if table is None:
        return
    for other in others.exclude(type=merged["type"]):
        same = entity_table(other.entity)
        if same is not None and same.model is table.model:
            errors.setdefault("key", []).append(
                _("Records of the same table have a field of another type with this key.")
            )
            return


@transaction.atomic
def custom_field_create(*, actor: User, data: CustomFieldInput) -> CustomField:
    policy.require_admin(actor)
    field = CustomField()
    cleaned = _clean(field, data, creating=True)
    for name, value in cleaned.items():
        setattr(field, name, value)
    field.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=field,
        changes={k: [None, v] for k, v in _snapshot(field).items() if v not in (None, "", [], False)},
    )
    index_sync(field)
    return field


@transaction.atomic
def custom_field_update(*, field: CustomField, actor: User, data: CustomFieldInput) -> CustomField:
    """Change a field's settings; ``active=False`` deactivates it: its values stay on the
    records, hidden, and come back if it is made active again."""
    policy.require_admin(actor)
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    before = _snapshot(field)
    old_key = field.key
    for name, value in _clean(field, data, creating=False).items():
        setattr(field, name, value)
    changes = changes_between(before, _snapshot(field))
    if changes:
        field.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=field, changes=changes)
        if old_key != field.key:
            _drop_index(field.entity, old_key)
        index_sync(field)
    return field


def _snapshot(field: CustomField) -> dict[str, Any]:
    """The audited settings; the options as the administration types them, one a line."""
    return snapshot(field, [n for n in AUDITED if n != "choices"]) | {
        "choices": choices_text(field.option_list())
    }


def custom_field_deactivate(*, field: CustomField, actor: User) -> CustomField:
    return custom_field_update(field=field, actor=actor, data=CustomFieldInput(active=False))


# --- a record's values --------------------------------------------------------------------


def record_custom(
    entity: str, given: Any, *, current: dict[str, Any] | None, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """A record's custom values after ``given`` (the form's or the API's ``custom``) is
    applied to ``current`` (None for a new record, whose required fields must then be
    given), by the active fields of ``entity``. Errors go into ``errors`` under
    ``custom.<key>``, so a service reports them with the record's own at once; the values
    are then ``current`` unchanged. A record made by the system (a web form's lead) passes
    ``current={}``: nobody could fill its required fields."""
    try:
        return clean_custom(definitions_for(entity), given, current=current, user_ok=user_ok)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        return dict(current or {})


# --- indexes ------------------------------------------------------------------------------


def index_name(entity: str, key: str) -> str:
    return f"cf_{entity}_{key}"[:63]


def index_sync(field: CustomField) -> None:
    """The field's index made when it is filterable, active and of a type an index serves;
    dropped otherwise. ``IF NOT EXISTS``: safe to run again."""
    table = entity_table(field.entity)
    if table is None:
        return
    wanted = field.active and field.filterable and field.type in INDEXED_TYPES
    if not wanted:
        _drop_index(field.entity, field.key)
        return
    with connection.cursor() as cursor:
        cursor.execute(index_sql(field.entity, field.key, field.type, connection.vendor))


def index_sql(entity: str, key: str, kind: str, vendor: str) -> str:
    """The index of a filterable field: its value's expression (exactly as the selectors
    write it), then the list's order, so one value's first page is read in order."""
    table = entity_table(entity)
    assert table is not None
    expression = value_sql('"custom"', key, vendor, numeric=kind in NUMERIC_TYPES)
    columns = ", ".join([f"({expression})", *(f'"{c}"' for c in table.order)])
    name = index_name(entity, key)
    return f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table.model._meta.db_table}" ({columns})'


def _drop_index(entity: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX IF EXISTS "{index_name(entity, key)}"')


def indexes_sync_all() -> None:
    """Every field's index as it should be (after a restore of a backup, say)."""
    for entity in registered_entities():
        for field in CustomField.objects.filter(entity=entity):
            index_sync(field)
