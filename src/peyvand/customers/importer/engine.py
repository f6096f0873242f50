"""Running an import: rows in chunks, each chunk and the job's checkpoint in one transaction.

A job killed at any row and run again carries on from the first row its data does not
contain: no duplicates, nothing missing. Two workers never run one job at once: each run
takes a lease, and a chunk commits only while its run still holds it.

The same for every kind: the importer (``registry``) reads and checks each row and writes
each chunk. A kind imported all or nothing is checked in full first (``CHECKING``), writing
nothing but the problems found; a check cut short is run again from the start, and the rows
are written only when no row has a problem.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peyvand.core import spreadsheets
from peyvand.core.jalali import local_digits
from peyvand.core.models import AuditEvent
from peyvand.core.services.audit import audit_log

from ..models import ImportIssue, ImportJob
from . import reading, registry
from .registry import ChunkResult, Importer, Progress, RowIssue

# How long a run may go without a heartbeat before another may take its job over; a
# chunk takes a few seconds, so a live run is heard from well within it.
LEASE_SECONDS = settings.PEYVAND_IMPORT_LEASE_SECONDS
Status = ImportJob.Status
ACTIVE = (Status.QUEUED, Status.CHECKING, Status.RUNNING, Status.INDEXING)

__all__ = ["LEASE_SECONDS", "ChunkResult", "LeaseLost", "lease_lapses_at", "run", "stalled_jobs"]


class LeaseLost(RuntimeError):
    """Another run took the job over (this one was presumed dead); stop without writing."""


def run(job_id: int, *, progress: Progress | None = None) -> ImportJob:
    """Import what is left of the job, then finish it (index it, for people). Safe to call twice."""
    lease = _take(job_id)
    if lease is None:
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)
    kind = registry.get(job.kind)
    try:
        with translation.override(job.language or None):
            if job.total_rows is None and job.status in (Status.CHECKING, Status.RUNNING):
                total = _rows_within_limit(job, kind)
                with transaction.atomic():
                    _checkpoint(job, lease, total_rows=total)
            if job.status == Status.CHECKING:
                _check_rows(job, lease, kind, progress)
            if job.status == Status.RUNNING:
                with kind.session():
                    _import_rows(job, lease, kind, progress)
            if job.status == Status.INDEXING:
                if kind.index is not None:
                    kind.index(job, lambda **fields: _checkpoint(job, lease, **fields), progress)
                _finish(job, lease)
    except LeaseLost:
        return ImportJob.objects.get(pk=job_id)
    except spreadsheets.FileProblem as exc:
        _fail(job, lease, str(exc))
    return job


def stalled_jobs() -> list[int]:
    """Jobs that should be running but whose run stopped sending heartbeats."""
    stale = timezone.now() - dt.timedelta(seconds=LEASE_SECONDS)
    return list(
        ImportJob.objects.filter(status__in=ACTIVE, heartbeat_at__lt=stale).values_list("pk", flat=True)
    )


def lease_lapses_at(job: ImportJob) -> dt.datetime | None:
    """When another run may take over this job if its holder is not heard from again; None
    when nobody holds it."""
    if job.status not in ACTIVE or job.heartbeat_at is None:
        return None
    return job.heartbeat_at + dt.timedelta(seconds=LEASE_SECONDS)


def _take(job_id: int) -> str | None:
    """Claim the job for this run, unless a live run holds it or there is nothing to do."""
    lease = str(uuid.uuid4())
    now = timezone.now()
    stale = now - dt.timedelta(seconds=LEASE_SECONDS)
    claimable = ImportJob.objects.filter(pk=job_id, status__in=ACTIVE)
    taken = claimable.filter(heartbeat_at__isnull=True) | claimable.filter(heartbeat_at__lt=stale)
    with transaction.atomic():
        job = taken.select_for_update().first()
        if job is None:
            return None
        job.lease, job.heartbeat_at = lease, now
        if job.status == Status.QUEUED:
            all_or_nothing = registry.get(job.kind).all_or_nothing
            job.status, job.started_at = (Status.CHECKING if all_or_nothing else Status.RUNNING), now
        job.save(update_fields=["lease", "heartbeat_at", "status", "started_at"])
    return lease


def _checkpoint(job: ImportJob, holder: str, **fields: Any) -> None:
    """Save progress, only while this run (``holder``) owns the job; the caller's transaction holds it."""
    fields["heartbeat_at"] = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, lease=holder).update(**fields):
        raise LeaseLost(job.pk)
    for name, value in fields.items():
        setattr(job, name, value)


def _fail(job: ImportJob, lease: str, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, lease=lease).update(
        status=Status.FAILED, failure=message, finished_at=timezone.now(), heartbeat_at=None
    )
    job.refresh_from_db()


def _cancelled(job: ImportJob) -> bool:
    return ImportJob.objects.filter(pk=job.pk, status=Status.CANCELLED).exists()


def _issues(job: ImportJob, issues: list[RowIssue]) -> list[ImportIssue]:
    return [ImportIssue(job=job, **vars(issue)) for issue in issues]


def _chunks(job: ImportJob, kind: Importer, *, start: int) -> Any:
    info = spreadsheets.FileInfo(job.file_format, job.encoding, job.delimiter)
    return reading.read_chunks(
        Path(job.stored_path),
        info,
        start=start,
        reader=kind.reader(job),
        header=job.header,
        chunk_rows=kind.chunk_rows,
    )


def _check_rows(job: ImportJob, lease: str, kind: Importer, progress: Progress | None) -> None:
    """Read and check every row, writing only the problems; go on to write them if none has one."""
    assert kind.checker is not None
    with transaction.atomic():  # a check cut short starts again: its findings so far go
        ImportIssue.objects.filter(job=job).delete()
        _checkpoint(job, lease, checked_rows=0, error_count=0)
    checker = kind.checker(job)
    refused: set[int] = set()
    for chunk in _chunks(job, kind, start=1):
        if _cancelled(job):
            return
        issues = chunk.issues + checker.check(chunk)
        refused.update(issue.row for issue in issues if not issue.skipped)
        with transaction.atomic():
            ImportIssue.objects.bulk_create(_issues(job, issues), batch_size=1000)
            _checkpoint(job, lease, checked_rows=chunk.last_row, error_count=len(refused))
        if progress:
            progress(job)
    issues = checker.finish()
    refused.update(issue.row for issue in issues if not issue.skipped)
    with transaction.atomic():
        ImportIssue.objects.bulk_create(_issues(job, issues), batch_size=1000)
        if refused:
            message = local_digits(
                ngettext(
                    "Nothing was imported: %(count)s row has a problem. Fix it and upload the file again.",
                    "Nothing was imported: %(count)s rows have problems. Fix them and upload the file again.",
                    len(refused),
                )
                % {"count": f"{len(refused):,}"}
            )
            _checkpoint(
                job,
                lease,
                status=Status.FAILED,
                failure=message,
                error_count=len(refused),
                finished_at=timezone.now(),
                lease="",
            )
        else:
            _checkpoint(job, lease, status=Status.RUNNING, next_row=1)
    if progress:
        progress(job)


def _import_rows(job: ImportJob, lease: str, kind: Importer, progress: Progress | None) -> None:
    chunks = _chunks(job, kind, start=job.next_row)
    if kind.read_ahead and connection.vendor == "postgresql":
        chunks = reading.read_ahead(chunks, reading.JobLocale.current())
    writer = kind.writer(job)
    for chunk in chunks:
        if _cancelled(job):
            return
        with transaction.atomic():
            result = writer.write_chunk(chunk)
            issues = chunk.issues + result.issues
            ImportIssue.objects.bulk_create(_issues(job, issues), batch_size=1000)
            _checkpoint(
                job,
                lease,
                next_row=chunk.last_row + 1,
                created_count=job.created_count + result.created,
                updated_count=job.updated_count + result.updated,
                skipped_count=job.skipped_count + result.skipped,
                error_count=job.error_count + len({i.row for i in issues if not i.skipped}),
            )
        writer.committed(job)
        if progress:
            progress(job)
    if kind.index is not None:
        with transaction.atomic():
            _checkpoint(job, lease, status=Status.INDEXING, total_rows=job.next_row - 1)
        if progress:
            progress(job)
    else:
        _finish(job, lease, total_rows=job.next_row - 1)


def _finish(job: ImportJob, lease: str, **fields: Any) -> None:
    with transaction.atomic():
        _checkpoint(job, lease, status=Status.DONE, finished_at=timezone.now(), lease="", **fields)
        audit_log(
            actor=job.created_by,
            kind=AuditEvent.Kind.CREATE,
            obj=job,
            changes={
                "created": [None, job.created_count],
                "updated": [None, job.updated_count],
                "skipped": [None, job.skipped_count],
                "rejected": [None, job.error_count],
            },
        )


def _rows_within_limit(job: ImportJob, kind: Importer) -> int:
    """How many data rows, refusing a file over the limit before anything is written.

    Counting newlines is quick and never undercounts (a cell may hold a newline, a row
    never lacks one), so only a file that seems too long is counted row by row.
    """

    info = spreadsheets.FileInfo(job.file_format, job.encoding, job.delimiter)
    path = Path(job.stored_path)
    limit = min(kind.max_rows, spreadsheets.MAX_ROWS)
    estimate = spreadsheets.count_rows(path, info)
    if estimate > limit:
        estimate = sum(1 for _row in reading.data_rows(path, info, start=1))
        if estimate > limit:
            raise spreadsheets.FileProblem(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": f"{limit:,}"}
            )
    return estimate
