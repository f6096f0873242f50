"""An import's life: upload, mapping, start, progress, cancel, undo. Every write goes here.

The same for every kind; what differs is the kind's importer (``registry``)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jobs, policy, spreadsheets
from peyvand.core.converters import is_id
from peyvand.core.exports import csv_line
from peyvand.core.models import AuditEvent, TrackedModel, User
from peyvand.core.services.audit import audit_log

from .. import rules, services
from ..models import ImportIssue, ImportJob, Party
from . import mapping, registry
from .registry import Importer

IMPORT_RUN = "customers.import_run"  # the job's name (core.jobs), registered by tasks.py

Status = ImportJob.Status
MAX_BYTES = settings.IMPORT_MAX_BYTES


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_may_import(actor: User, kind: str) -> Importer:
    importer = registry.get(kind)
    importer.require(actor)
    return importer


@transaction.atomic
def import_upload(*, actor: User, kind: str, source: IO[bytes], name: str, size: int) -> ImportJob:
    """Keep an uploaded file and read its header; the whole file is only read when it runs."""
    importer = _check_may_import(actor, kind)
    if size > MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 2**20}]}
        )
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    path = _folder() / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, length=1 << 20)
    try:
        info = spreadsheets.detect(path)
        header, _sample = spreadsheets.header_and_sample(path, info)
        if not _sample:
            raise spreadsheets.FileProblem(_("The file has a header but no rows."))
    except spreadsheets.FileProblem as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": [str(exc)]}) from None
    job = ImportJob.objects.create(
        kind=kind,
        created_by=actor,
        original_name=Path(name).name[:255] or "import",
        stored_path=str(path),
        size=path.stat().st_size,
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        header=header,
        mapping=mapping.guess(kind, header),
        policy=importer.default_policy,
        total_rows=None,
        language=translation.get_language() or "",
    )
    return job


def import_preview(job: ImportJob, rows: int = 10) -> list[list[str]]:
    info = spreadsheets.FileInfo(job.file_format, job.encoding, job.delimiter)
    try:
        return spreadsheets.header_and_sample(Path(job.stored_path), info, rows)[1]
    except spreadsheets.FileProblem:
        return []


@transaction.atomic
def import_configure(
    *,
    job: ImportJob,
    actor: User,
    columns: dict[str, Any],
    duplicates: str,
    owner: User | None = None,
    tag: str = "",
    remember: bool = True,
) -> ImportJob:
    """Set which column feeds which field, what to do with duplicates, and defaults (the
    owner and a tag of new customers, for the kinds that offer them)."""
    job = _own(job, actor, for_change=True)
    importer = _check_may_import(actor, job.kind)
    if job.status != Status.UPLOADED:
        raise ValidationError(_("This import has already started."))
    errors: dict[str, list[str]] = {}
    cleaned = mapping.clean(job.kind, job.header, columns)
    names = set(cleaned.values())
    missing = [str(r.message) for r in importer.requirements if not names.intersection(r.targets)]
    if missing:
        errors["columns"] = missing
    if duplicates not in importer.policy_values():
        errors["duplicates"] = [_("Choose what to do with duplicates.")]
    for option, given in (("owner", owner is not None), ("tag", bool(tag))):
        if given and option not in importer.options:
            errors[option] = [_("This kind of import does not take this setting.")]
    if owner is not None and "owner" in importer.options and not policy.may_own(actor, Party, owner):
        errors["owner"] = [str(rules.OWNER_REFUSED)]
    if tag and "tag" in importer.options:
        try:
            services.tags.tag_get_or_create(tag)
        except ValidationError as exc:
            errors["tag"] = exc.messages
    if errors:
        raise ValidationError(errors)
    job.mapping, job.policy, job.owner, job.tag = cleaned, duplicates, owner, tag.strip()[:50]
    job.save(update_fields=["mapping", "policy", "owner", "tag"])
    if remember:
        mapping.remember(job.kind, job.header, cleaned)
    return job


@transaction.atomic
def import_queue(*, job: ImportJob, actor: User) -> ImportJob:
    """Mark the job ready to run; whoever runs it (the worker, the command line) takes it."""
    job = _own(job, actor, for_change=True)
    if job.status != Status.UPLOADED:
        raise ValidationError(_("This import has already started."))
    if not job.mapping:
        raise ValidationError(_("Choose which columns to import first."))
    job.status = Status.QUEUED
    job.save(update_fields=["status"])
    return job


def import_start(*, job: ImportJob, actor: User) -> ImportJob:
    """Queue the job and hand it to the background worker once that is committed."""

    with transaction.atomic():
        job = import_queue(job=job, actor=actor)
        transaction.on_commit(lambda: jobs.enqueue(IMPORT_RUN, job.pk))
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob, actor: User) -> ImportJob:
    """Stop a job between chunks; what it wrote stays (undo removes it)."""
    job = _own(job, actor, for_change=True)
    if job.status in (Status.UPLOADED, Status.QUEUED, Status.CHECKING, Status.RUNNING):
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.CANCELLED, finished_at=timezone.now(), lease=""
        )
    job.refresh_from_db()
    return job


@transaction.atomic
def import_undo(*, job: ImportJob, actor: User) -> ImportJob:
    """Take back what the import did: what it created goes (people to the trash), what it
    changed is put back where nobody has changed it since."""
    job = _own(job, actor, for_change=True)
    importer = _check_may_import(actor, job.kind)
    if job.status not in (Status.DONE, Status.CANCELLED, Status.FAILED):
        raise ValidationError(_("Only a finished, cancelled or failed import can be undone."))
    batch = TrackedModel.new_batch()
    changes = importer.undo(job, actor, batch)
    job.status, job.deletion_batch = Status.UNDONE, batch
    job.save(update_fields=["status", "deletion_batch"])
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=job, changes=changes)
    return job


def import_submit(
    *,
    actor: User,
    kind: str,
    source: IO[bytes],
    name: str,
    size: int,
    duplicates: str | None = None,
) -> ImportJob:
    """Upload, map the columns as guessed and start, in one go (the API of a kind, the command
    line): the file is kept only when the job starts."""
    with transaction.atomic():
        job = import_upload(actor=actor, kind=kind, source=source, name=name, size=size)
        try:
            job = import_configure(
                job=job,
                actor=actor,
                columns=job.mapping,
                duplicates=duplicates or registry.get(kind).default_policy,
                remember=False,
            )
            job = import_start(job=job, actor=actor)
        except ValidationError:  # the job goes with the transaction; its file goes here
            Path(job.stored_path).unlink(missing_ok=True)
            raise
    return job


# --- reading ------------------------------------------------------------------------------


def import_list(*, actor: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if actor.is_administrator else jobs.filter(created_by=actor)


def import_get(*, actor: User, pk: Any) -> ImportJob:
    if not is_id(pk):
        raise Http404
    job = import_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _own(job: ImportJob, actor: User, *, for_change: bool) -> ImportJob:
    fresh = ImportJob.objects.select_for_update().get(pk=job.pk)
    if fresh.created_by_id != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("You do not have permission to change this record."))
    return fresh


def import_issue_rows(job: ImportJob) -> Iterator[str]:
    """The error report as CSV lines (row, column, value, message), safe to open in Excel."""
    yield "\ufeff" + csv_line([_("Row"), _("Column"), _("Value"), _("Problem")])
    issues = (
        ImportIssue.objects.filter(job=job)
        .order_by("row", "id")
        .values_list("row", "column", "value", "message")
    )
    for row in issues.iterator(chunk_size=2000):
        yield csv_line(list(row))
