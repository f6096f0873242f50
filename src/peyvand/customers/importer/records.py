"""What an import of another kind created or changed, so that undoing it can take it back.

People and organisations mark their rows with the job themselves (``Party.import_job``) and
note their changes in ``ImportChange``; other kinds note theirs here, a row per record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet

from ..models import ImportJob
from ..models.imports import ImportRecord


def record_created(job: ImportJob, obj: models.Model) -> None:
    ImportRecord.objects.create(job=job, model=obj._meta.label_lower, object_id=obj.pk, created=True)


def record_created_many(job: ImportJob, objs: Iterable[models.Model]) -> None:
    ImportRecord.objects.bulk_create(
        [ImportRecord(job=job, model=obj._meta.label_lower, object_id=obj.pk, created=True) for obj in objs],
        batch_size=1000,
    )


def record_changed(
    job: ImportJob, obj: models.Model, *, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """The values the import replaced (JSON-safe, as the audit log keeps them) and those it set."""
    ImportRecord.objects.create(
        job=job, model=obj._meta.label_lower, object_id=obj.pk, created=False, before=before, after=after
    )


def created_ids(job: ImportJob, model: type[models.Model]) -> list[int]:
    return list(
        ImportRecord.objects.filter(job=job, model=model._meta.label_lower, created=True)
        .order_by("id")
        .values_list("object_id", flat=True)
    )


def created_among(job: ImportJob, model: type[models.Model], ids: Iterable[int]) -> set[int]:
    """Which of these records of ``model`` the job created."""
    return set(
        ImportRecord.objects.filter(
            job=job, model=model._meta.label_lower, created=True, object_id__in=list(ids)
        ).values_list("object_id", flat=True)
    )


def changes(job: ImportJob, model: type[models.Model]) -> QuerySet[ImportRecord]:
    """The job's changes to existing records of ``model``, the latest first (the order to undo them)."""
    return ImportRecord.objects.filter(job=job, model=model._meta.label_lower, created=False).order_by("-id")
