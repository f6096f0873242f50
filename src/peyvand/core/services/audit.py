"""Writing the audit log, and soft delete and restore of tracked records."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from .. import hooks
from ..models import (
    AuditEvent,
    TrackedModel,
    User,
)

# --- audit log ----------------------------------------------------------------------------


def audit_value(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the audit log."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(audit_value(item) for item in value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: audit_value(getattr(obj, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_event(
    *,
    actor: User | None,
    kind: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    party_id: int | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor if actor and actor.pk else None,
        kind=kind,
        model=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        party_id=party_id,
        changes=dict(changes or {}),
    )


def audit_log(**kwargs: Any) -> AuditEvent:
    event = audit_event(**kwargs)
    event.save()
    hooks.record_events([event])  # record events: see core.hooks.on_record_event
    return event


def audit_log_many(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events, batch_size=500)
    hooks.record_events(events)


# --- soft delete --------------------------------------------------------------------------


def soft_delete_rows(
    queryset: models.QuerySet, *, actor: User | None, batch: uuid.UUID, at: dt.datetime
) -> int:
    """Mark alive rows deleted as part of ``batch``; restoring the batch brings them back."""
    if not issubclass(queryset.model, TrackedModel):
        raise TypeError(f"{queryset.model.__name__} has no soft delete")
    return queryset.filter(deleted_at__isnull=True).update(
        deleted_at=at, deleted_by=actor, deletion_batch=batch, updated_at=at
    )


def soft_delete_record(
    obj: TrackedModel, *, actor: User | None, party_id: int | None, changes: Mapping[str, Any]
) -> None:
    """Move one record to the trash on its own, and log it on its customer's timeline."""
    batch, now = TrackedModel.new_batch(), timezone.now()
    soft_delete_rows(type(obj).objects.filter(pk=obj.pk), actor=actor, batch=batch, at=now)
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=obj, party_id=party_id, changes=changes)


def restore_rows(queryset: models.QuerySet, *, batch: uuid.UUID) -> int:
    return queryset.filter(deletion_batch=batch).update(
        deleted_at=None, deleted_by=None, deletion_batch=None, updated_at=timezone.now()
    )
