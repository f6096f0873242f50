"""Running an import: rows in chunks, each chunk and the job's checkpoint in one transaction.

A job killed at any row and run again carries on from the first row its data does not
contain: no duplicates, nothing missing. Two workers never run one job at once: each run
takes a lease, and a chunk commits only while its run still holds it.

Duplicates are found by email, phone and national ID (and an organisation's name) against
the database — which by then holds the file's earlier chunks too — and within the chunk.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy, spreadsheets
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, snapshot
from peyvand.core.text import collation_key

from .. import search, services
from ..models import (
    ContactPoint,
    ImportChange,
    ImportIssue,
    ImportJob,
    Kind,
    Membership,
    Note,
    Party,
    PartyTag,
)
from . import reading, writer
from .rows import Candidate, ReaderSpec

INDEX_CHUNK = 20_000
LEASE_SECONDS = 60
Status = ImportJob.Status
T = TypeVar("T")


class LeaseLost(RuntimeError):
    """Another run took the job over (this one was presumed dead); stop without writing."""


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    issues: list[ImportIssue] = field(default_factory=list)


def run(job_id: int, *, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Import what is left of the job, then index it for search. Safe to call twice."""
    lease = _take(job_id)
    if lease is None:
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)
    try:
        with translation.override(job.language or None):
            if job.status == Status.RUNNING:
                with writer.bulk_session():
                    _import_rows(job, lease, progress)
            if job.status == Status.INDEXING:
                _index(job, lease, progress)
    except LeaseLost:
        return ImportJob.objects.get(pk=job_id)
    except spreadsheets.FileProblem as exc:
        _fail(job, lease, str(exc))
    return job


def stalled_jobs() -> list[int]:
    """Jobs that should be running but whose run stopped sending heartbeats."""
    stale = timezone.now() - dt.timedelta(seconds=LEASE_SECONDS)
    return list(
        ImportJob.objects.filter(
            status__in=[Status.QUEUED, Status.RUNNING, Status.INDEXING], heartbeat_at__lt=stale
        ).values_list("pk", flat=True)
    )


def _take(job_id: int) -> str | None:
    """Claim the job for this run, unless a live run holds it or there is nothing to do."""
    lease = str(uuid.uuid4())
    now = timezone.now()
    stale = now - dt.timedelta(seconds=LEASE_SECONDS)
    claimable = ImportJob.objects.filter(
        pk=job_id, status__in=[Status.QUEUED, Status.RUNNING, Status.INDEXING]
    )
    taken = claimable.filter(heartbeat_at__isnull=True) | claimable.filter(heartbeat_at__lt=stale)
    with transaction.atomic():
        job = taken.select_for_update().first()
        if job is None:
            return None
        job.lease, job.heartbeat_at = lease, now
        if job.status == Status.QUEUED:
            job.status, job.started_at = Status.RUNNING, now
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


def _import_rows(job: ImportJob, lease: str, progress: Callable[[ImportJob], None] | None) -> None:
    info = spreadsheets.FileInfo(job.file_format, job.encoding, job.delimiter)
    path = Path(job.stored_path)
    spec = ReaderSpec.for_job(
        kind=job.kind, mapping=job.mapping, actor=job.created_by, default_owner=_owner(job)
    )
    context = _Context(job)
    if job.total_rows is None:
        total = _rows_within_limit(path, info)
        with transaction.atomic():
            _checkpoint(job, lease, total_rows=total)
    statistics_at = max(job.created_count * 4, 20_000)
    chunks = reading.read_chunks(path, info, start=job.next_row, spec=spec, header=job.header)
    if connection.vendor == "postgresql":
        chunks = reading.read_ahead(chunks, spec)
    for chunk in chunks:
        if ImportJob.objects.filter(pk=job.pk, status=Status.CANCELLED).exists():
            return
        with transaction.atomic():
            result = context.write_chunk(chunk)
            ImportIssue.objects.bulk_create(result.issues, batch_size=1000)
            _checkpoint(
                job,
                lease,
                next_row=chunk.last_row + 1,
                created_count=job.created_count + result.created,
                updated_count=job.updated_count + result.updated,
                skipped_count=job.skipped_count + result.skipped,
                error_count=job.error_count + len({i.row for i in result.issues if not i.skipped}),
            )
        if job.created_count >= statistics_at:
            # The planner judges lookups by the table's size when last analysed; a table that
            # has grown fourfold since would be planned as tiny (scans, quadratic in the file).
            _refresh_statistics()
            statistics_at = job.created_count * 4
        if progress:
            progress(job)
    with transaction.atomic():
        _checkpoint(job, lease, status=Status.INDEXING, total_rows=job.next_row - 1)
    if progress:
        progress(job)


def _rows_within_limit(path: Path, info: spreadsheets.FileInfo) -> int:
    """How many data rows, refusing a file over the limit before anything is written.

    Counting newlines is quick and never undercounts (a cell may hold a newline, a row
    never lacks one), so only a file that seems too long is counted row by row.
    """

    estimate = spreadsheets.count_rows(path, info)
    if estimate > spreadsheets.MAX_ROWS:
        estimate = sum(1 for _row in reading.data_rows(path, info, start=1))
        if estimate > spreadsheets.MAX_ROWS:
            raise spreadsheets.FileProblem(
                _("The file has more than %(limit)s rows; split it into several files.")
                % {"limit": f"{spreadsheets.MAX_ROWS:,}"}
            )
    return estimate


def _owner(job: ImportJob) -> User | None:
    if job.owner is not None:
        return job.owner
    return job.created_by if policy.may_own(job.created_by, Party, job.created_by) else None


class _Context:
    """What one run of a job keeps between chunks: the row reader, tags and organisations."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = job.created_by
        self.tags: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        self.job_tag = services.tags.tag_get_or_create(job.tag).pk if job.tag else None

    def write_chunk(self, chunk: reading.ReadChunk) -> ChunkResult:
        result = ChunkResult(issues=[self._issue(issue) for issue in chunk.issues])
        new, updates = self._sort_out(chunk.candidates, result)
        now = timezone.now()
        self._create(new, now)
        result.created += len(new)
        for candidate, party_id in updates:
            self._update(candidate, party_id, result)
        return result

    def _issue(self, issue: reading.RowIssue) -> ImportIssue:
        return ImportIssue(job=self.job, **vars(issue))

    def _sort_out(
        self, candidates: list[Candidate], result: ChunkResult
    ) -> tuple[list[Candidate], list[tuple[Candidate, int]]]:
        """Which rows create a customer, which update one, which are skipped as duplicates."""

        policy_ = self.job.policy
        if policy_ == ImportJob.Policy.CREATE:
            return candidates, []
        keys = {key for c in candidates for key in c.identity_keys()}
        in_database = writer.existing_keys(keys, self.job.kind)
        # Name a matching record only to someone who may see it.
        visible = set(
            policy.visible(self.actor, Party.objects.filter(pk__in=set(in_database.values()))).values_list(
                "pk", flat=True
            )
        )
        in_chunk: dict[tuple[str, str], Candidate] = {}
        new: list[Candidate] = []
        updates: list[tuple[Candidate, int]] = []
        for candidate in candidates:
            match_id = next((in_database[k] for k in candidate.identity_keys() if k in in_database), None)
            earlier = next((in_chunk[k] for k in candidate.identity_keys() if k in in_chunk), None)
            if match_id is None and earlier is None:
                new.append(candidate)
                for key in candidate.identity_keys():
                    in_chunk.setdefault(key, candidate)
            elif policy_ == ImportJob.Policy.SKIP:
                result.skipped += 1
                if earlier is not None:
                    message = _("Skipped: the same customer as row %(row)s.") % {"row": earlier.row}
                elif match_id in visible:
                    message = _("Skipped: the same customer as #%(id)s.") % {"id": match_id}
                else:
                    message = _("Skipped: the same customer as an existing record.")
                result.issues.append(
                    self._issue(reading.RowIssue(candidate.row, "", "", message, skipped=True))
                )
            elif match_id is not None:
                updates.append((candidate, match_id))
            elif earlier is not None:
                _fold_into(earlier, candidate)
                result.skipped += 1
        return new, updates

    def _create(self, new: list[Candidate], now: dt.datetime) -> None:
        # Ids in name order: four of the customers table's indexes lead with the name, and
        # inserting a chunk's keys in order touches each index page once, not at random.
        new = sorted(new, key=lambda c: c.derived.sort_key if c.derived else "")
        # Organisations first: creating one takes an id, which must not fall in our block.
        organisation_ids = [self._organisation(c) if c.organisation else None for c in new]
        ids = writer.reserve_ids(len(new))
        stamp = writer.db_datetime(now)
        tracked = (stamp, stamp, self.actor.pk, self.actor.pk)
        parties, points, tag_pairs, memberships, notes = [], [], [], [], []
        for candidate, party_id, organisation_id in zip(new, ids, organisation_ids, strict=True):
            parties.append(writer.party_row(party_id, candidate, tracked, job_id=self.job.pk, now=stamp))
            points += [writer.contact_row(party_id, c, tracked) for c in candidate.contacts]
            tag_pairs += [(party_id, self._tag(name)) for name in candidate.tags]
            if self.job_tag:
                tag_pairs.append((party_id, self.job_tag))
            if organisation_id is not None:
                memberships.append((*tracked, party_id, organisation_id, candidate.job_title))
            if candidate.note:
                notes.append((*tracked, party_id, candidate.note))
        with search.imported_rows_untracked():
            writer.write(Party._meta.db_table, writer.PARTY_COLUMNS, parties)
        writer.write(ContactPoint._meta.db_table, writer.CONTACT_COLUMNS, points)
        writer.write(PartyTag._meta.db_table, writer.TAG_COLUMNS, list(dict.fromkeys(tag_pairs)))
        writer.write(Membership._meta.db_table, writer.MEMBERSHIP_COLUMNS, memberships)
        writer.write(Note._meta.db_table, writer.NOTE_COLUMNS, notes)

    def _tag(self, name: str) -> int:
        if name not in self.tags:
            self.tags[name] = services.tags.tag_get_or_create(name).pk
        return self.tags[name]

    def _organisation(self, candidate: Candidate) -> int:
        """The organisation a person belongs to: an existing one of that name, or a new one."""

        key = collation_key(candidate.organisation)
        if key not in self.organisations:
            existing = (
                Party.objects.filter(kind=Kind.ORGANISATION, sort_key=key)
                .values_list("pk", flat=True)
                .first()
            )
            if existing is None:
                organisation = services.parties.party_create(
                    actor=self.actor,
                    kind=Kind.ORGANISATION,
                    data={"name": candidate.organisation},
                    allow_duplicate=True,
                )
                Party.objects.filter(pk=organisation.pk).update(import_job=self.job)  # so undo removes it
                existing = organisation.pk
            self.organisations[key] = existing
        return self.organisations[key]

    def _update(self, candidate: Candidate, party_id: int, result: ChunkResult) -> None:
        """Bring an existing customer up to date through the services, noting how to undo it."""

        party = Party.objects.filter(pk=party_id).first()
        if party is None:
            return
        fields = {k: v for k, v in candidate.fields.items() if v not in (None, "", False) and k != "owner"}
        try:
            with transaction.atomic():
                before = snapshot(party, fields)
                services.parties.party_update(
                    party=party, actor=self.actor, data=fields, allow_duplicate=True
                )
                after = snapshot(Party.objects.get(pk=party_id), fields)
                have = set(ContactPoint.objects.filter(party_id=party_id).values_list("kind", "value"))
                added = [
                    services.contacts.contact_point_add(
                        party=party, actor=self.actor, data=c, allow_duplicate=True
                    ).pk
                    for c in candidate.contacts
                    if (c.kind, c.value) not in have
                ]
                ImportChange.objects.create(
                    job=self.job,
                    party_id=party_id,
                    added_contacts=added,
                    before={k: v for k, v in before.items() if before[k] != after[k]},
                    after={k: v for k, v in after.items() if before[k] != after[k]},
                )
            result.updated += 1
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(getattr(exc, "messages", [])) or _("You may not change this customer.")
            named = f"#{party_id}" if policy.can_view(self.actor, party) else ""
            result.issues.append(self._issue(reading.RowIssue(candidate.row, "", named, message)))


def _fold_into(earlier: Candidate, later: Candidate) -> None:
    """A second row for a customer already in this chunk fills what the first left empty."""
    for name, value in later.fields.items():
        if value not in (None, "") and earlier.fields.get(name) in (None, ""):
            earlier.fields[name] = value
    known = {(c.kind, c.value) for c in earlier.contacts}
    for contact in later.contacts:
        if (contact.kind, contact.value) not in known:
            contact.is_primary = False
            earlier.contacts.append(contact)
    earlier.tags = list(dict.fromkeys(earlier.tags + later.tags))
    earlier.refresh()


def _index(job: ImportJob, lease: str, progress: Callable[[ImportJob], None] | None) -> None:
    """Fill the search index for the job's rows, a range of ids at a time."""
    ids = Party.all_objects.filter(import_job=job, id__gt=job.indexed_through).values_list("id", flat=True)
    last_id = (
        Party.all_objects.filter(import_job=job).order_by("-id").values_list("id", flat=True).first() or 0
    )
    start = ids.order_by("id").first()
    while start is not None and start <= last_id:
        end = start + INDEX_CHUNK - 1
        with transaction.atomic():
            search.index_rows(start, end, import_job_id=job.pk)
            _checkpoint(job, lease, indexed_through=end)
        if progress:
            progress(job)
        start = end + 1
    _refresh_statistics()
    with transaction.atomic():
        _checkpoint(job, lease, status=Status.DONE, finished_at=timezone.now(), lease="")
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


def _refresh_statistics() -> None:
    """After a bulk load the planner's picture of the tables is stale; refresh it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
        else:
            for table in ("customers_party", "customers_contactpoint", "customers_party_search"):
                cursor.execute(f"ANALYZE {table}")
