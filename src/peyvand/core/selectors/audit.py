"""The audit log, and how its events read: field labels, values by name, in the reader's
language and digits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .. import hooks, jalali, policy
from ..converters import is_id
from ..models import Action, AuditEvent, CustomRole, Role, RoleScope, Scope
from ..pagination import Page, keyset_page


def audit_list(*, filters: Mapping[str, Any], cursor: str | None, limit: int = 50) -> Page[AuditEvent]:
    queryset = AuditEvent.objects.select_related("actor")
    if filters.get("actor"):
        queryset = queryset.filter(actor=filters["actor"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        queryset = queryset.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tz))
    if filters.get("date_to"):
        end = filters["date_to"] + dt.timedelta(days=1)
        queryset = queryset.filter(at__lt=dt.datetime.combine(end, dt.time.min, tz))
    return keyset_page(queryset, order=["-at", "-id"], cursor=cursor, limit=limit)


# --- how audit events read ----------------------------------------------------------------

# Fields naming users or teams, shown by name; other apps register theirs (hooks).
USER_FIELDS = {"owner", "handled_by", "actor", "created_by", "assignee"}
_CORE_REFERENCES: dict[str, str] = {**dict.fromkeys(USER_FIELDS, "core.user"), "team": "core.team"}


def _reference(name: str) -> str | None:
    return hooks.REFERENCES.get(name) or _CORE_REFERENCES.get(name)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class EventView:
    event: AuditEvent
    model_label: str
    changes: list[FieldChange] = field(default_factory=list)
    record: str = ""  # the record changed, as people read it

    def __post_init__(self) -> None:
        self.record = self.record or self.event.object_repr


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


Names = Mapping[str, Mapping[int, str]]  # model label -> id -> name


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_names(pairs: Iterable[tuple[str, Any]]) -> dict[str, dict[int, str]]:
    """The names of the records that referencing fields' values point at: a query per model."""
    wanted: dict[str, set[int]] = {}
    for name, value in pairs:
        if (label := _reference(name)) is not None:
            values = value if isinstance(value, list) else [value]
            wanted.setdefault(label, set()).update(v for v in values if _is_id(v))
    names: dict[str, dict[int, str]] = {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is not None and ids:
            names[label] = {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
    return names


def _display(model: type[models.Model] | None, name: str, value: Any, names: Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model is not None and (show := hooks.VALUE_DISPLAYS.get((model._meta.label_lower, name))):
        return show(value)
    if (label := _reference(name)) is not None and _is_id(value):
        return names.get(label, {}).get(value) or jalali.local_digits(f"#{value}")
    if model is RoleScope and value in Scope.values:
        return str(Scope(value).label)
    if isinstance(value, list):
        return "، ".join(str(v) for v in value) if jalali.uses_jalali() else ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    model_field = model_field_named(model, name)
    if model_field is not None:
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
            moment = parse_datetime(value)
            return jalali.format_datetime(moment) if moment else value
        if isinstance(model_field, models.DateField) and isinstance(value, str):
            day = parse_date(value)
            return jalali.format_date(day) if day else value
    text = str(value)
    # Numbers and codes (a national ID, an amount) in the interface's digits; an email or a
    # web address keeps its own.
    return jalali.local_digits(text) if _NUMERIC.match(text) else text


_NUMERIC = re.compile(r"^[\d\s.,:/+\-]+$")


def value_display(model: type[models.Model] | None, name: str, value: Any) -> str:
    """One field's value as the audit log shows it, from the value itself (a form, a page)."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date):  # a datetime too: the log keeps both as ISO text
        value = value.isoformat()
    return _display(model, name, value, _load_names([(name, value)]))


def describe_values(model: type[models.Model] | None, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs, as the audit log shows them, of values kept as the log keeps them."""
    names = _load_names(values.items())
    return [(field_label(model, name), _display(model, name, value, names)) for name, value in values.items()]


def model_field_named(model: type[models.Model] | None, name: str) -> models.Field | None:
    """A model's own field by name, or None (for a field since removed, or a relation's other side)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def permission_label(role: str, resource: str, action: str, *, role_label: str | None = None) -> str:
    """A cell of the permission matrix as people read it: "Sales · Leads · See"."""
    label = role_label if role_label is not None else Role(role).label
    return f"{label} · {policy.resources()[resource]} · {Action(action).label}"


def _permission_label(key: str) -> str | None:
    """A cell as the audit log keys it, "sales.party.view" or "custom-3.party.view" (a custom
    role, named as it is now); None for a key it cannot be."""
    role, _sep, rest = key.partition(".")
    resource, _sep, action = rest.partition(".")
    if resource not in policy.resources() or action not in Action.values:
        return None
    if role in Role.values:
        return permission_label(role, resource, action)
    custom_id = role.removeprefix("custom-")
    if role.startswith("custom-") and is_id(custom_id):
        custom = CustomRole.objects.filter(pk=int(custom_id)).first()
        return permission_label(role, resource, action, role_label=str(custom) if custom else role)
    return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's name as people read it, in the current language."""
    if name == "password":
        return _("password")
    if name in hooks.CHANGE_LABELS:
        return str(hooks.CHANGE_LABELS[name])
    if model is RoleScope and (label := _permission_label(name)):
        return label
    model_field = model_field_named(model, name)
    return str(model_field.verbose_name) if model_field is not None else name


def describe_events(events: Sequence[AuditEvent] | Iterable[AuditEvent]) -> list[EventView]:
    """Audit events with field labels and values as people read them.

    The records their values refer to (owners, teams, the customer merged into) are read
    at once: a query per kind of record, however many events.
    """
    events = list(events)
    names = _load_names(pair for event in events for pair in event.changes.items())
    views = []
    for event in events:
        model = _model(event.model)
        view = EventView(event, str(model._meta.verbose_name) if model else event.model)
        single = model is RoleScope and len(event.changes) == 1
        cell = _permission_label(next(iter(event.changes))) if single else None
        if cell:
            # The matrix cell names the record, in the reader's language; what changed is its scope.
            view.record = cell
        for name, pair in event.changes.items():
            if name in ("moved", "kept_aside"):  # bookkeeping; the note shows what was kept aside
                continue
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            view.changes.append(
                FieldChange(
                    field_label(RoleScope, "scope") if cell else field_label(model, name),
                    _display(model, name, old, names),
                    _display(model, name, new, names),
                )
            )
        views.append(view)
    return views
