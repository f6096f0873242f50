"""People and organisations: the importers of this app's own records, on the bulk path.

Rows are read and checked without the database (``rows``), written with the engine's bulk
path (``writer``: ids taken in a block, executemany on SQLite, COPY on PostgreSQL), then
indexed for search. Duplicates are found by email, phone and national ID (and an
organisation's name) against the database — which by then holds the file's earlier chunks
too — and within the chunk.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import bulk, policy
from peyvand.core.models import User
from peyvand.core.services.audit import audit_value, snapshot, soft_delete_rows
from peyvand.core.text import collation_key

from .. import search, services
from ..models import (
    ContactPoint,
    ImportChange,
    ImportJob,
    Kind,
    Membership,
    Note,
    Party,
    PartyTag,
)
from ..rules import PartyInput
from . import mapping, registry, writer
from .registry import Checkpoint, ChunkResult, Importer, Progress, ReadChunk, Requirement, RowIssue
from .rows import Candidate, ReaderSpec, RowReader

INDEX_CHUNK = 20_000
Policy = ImportJob.Policy


def register_builtin_kinds() -> None:
    """People and organisations, from this app's hooks."""
    policies = tuple((value, label) for value, label in Policy.choices if value != Policy.REFUSE)
    common: dict[str, Any] = {
        "may_import": lambda user: policy.can_create(user, Party),
        "require": lambda user: policy.require_create(user, Party),
        "reader": _reader,
        "writer": _Context,
        "undo": _undo,
        "duplicate": gettext_lazy(
            "When a row matches an existing customer (same email, phone or national ID)"
        ),
        "policies": policies,
        "default_policy": Policy.SKIP,
        "undo_confirm": gettext_lazy(
            "Undo this import? Its new customers go to the trash and its changes are reverted."
        ),
        "undone": gettext_lazy("The import was undone. Its customers are in the trash."),
        "options": frozenset({"owner", "tag"}),
        "read_ahead": True,
        "session": writer.bulk_session,
        "index": _index,
    }
    registry.register(
        Importer(
            key=Kind.PERSON,
            label=gettext_lazy("People"),
            targets=mapping.PERSON_TARGETS,
            requirements=(
                Requirement(
                    ("first_name", "last_name", "full_name"),
                    gettext_lazy("Choose the column with the first name, the last name or the full name."),
                ),
            ),
            start_url=("import_start", (Kind.PERSON,)),
            list_url=("party_list", (Kind.PERSON,)),
            list_label=gettext_lazy("Go to people"),
            nav=Kind.PERSON,
            **common,
        )
    )
    registry.register(
        Importer(
            key=Kind.ORGANISATION,
            label=gettext_lazy("Organisations"),
            targets=mapping.ORGANISATION_TARGETS,
            requirements=(
                Requirement(("name",), gettext_lazy("Choose the column with the organisation's name.")),
            ),
            start_url=("import_start", (Kind.ORGANISATION,)),
            list_url=("party_list", (Kind.ORGANISATION,)),
            list_label=gettext_lazy("Go to organisations"),
            nav=Kind.ORGANISATION,
            **common,
        )
    )


def _reader(job: ImportJob) -> RowReader:
    return RowReader(
        ReaderSpec.for_job(
            kind=job.kind, mapping=job.mapping, actor=job.created_by, default_owner=_owner(job)
        )
    )


def _undo(job: ImportJob, actor: User, batch: uuid.UUID) -> dict[str, Any]:
    """Its customers go to the trash, its changes are reverted.

    A change is put back only where the field still holds what the import wrote, so edits
    made since are kept.
    """
    now = timezone.now()
    created = Party.objects.filter(import_job=job)
    for model, fk in services.parties.party_children():
        soft_delete_rows(
            model.objects.filter(**{f"{fk}__in": created.values("pk")}), actor=actor, batch=batch, at=now
        )
    removed = soft_delete_rows(created, actor=actor, batch=batch, at=now)
    for change in ImportChange.objects.filter(job=job).order_by("-id"):
        party = Party.objects.filter(pk=change.party_id).first()
        if party is None:
            continue
        current = {name: audit_value(getattr(party, name)) for name in change.after}
        revert = {
            name: change.before[name] for name, value in change.after.items() if current.get(name) == value
        }
        if revert:
            services.parties.party_update(
                party=party, actor=actor, data=PartyInput(**_field_values(revert)), allow_duplicate=True
            )
        for point in ContactPoint.objects.filter(pk__in=change.added_contacts, party_id=party.pk):
            services.contacts.contact_point_delete(point=point, actor=actor)
        PartyTag.objects.filter(party_id=party.pk, tag_id__in=change.added_tags).delete()
    return {"customers": [removed, 0]}


def _field_values(values: dict[str, Any]) -> dict[str, Any]:
    """Audit-log values back into field values (dates from text, owners from ids)."""

    restored: dict[str, Any] = {}
    for name, value in values.items():
        if name == "owner":
            restored[name] = User.objects.filter(pk=value).first() if value else None
        elif name == "date_of_birth" and isinstance(value, str):
            restored[name] = dt.date.fromisoformat(value)
        elif name.endswith("_consent_at") and isinstance(value, str):
            restored[name] = dt.datetime.fromisoformat(value)
        else:
            restored[name] = value
    return restored


def _owner(job: ImportJob) -> User | None:
    if job.owner is not None:
        return job.owner
    return job.created_by if policy.may_own(job.created_by, Party, job.created_by) else None


class _Context:
    """What one run of a job keeps between chunks: tags and organisations (a ``ChunkWriter``)."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = job.created_by
        self.tags: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        self.job_tag = services.tags.tag_get_or_create(job.tag).pk if job.tag else None
        self.statistics_at = max(job.created_count * 4, 20_000)

    def write_chunk(self, chunk: ReadChunk) -> ChunkResult:
        result = ChunkResult()
        new, updates = self._sort_out(chunk.items, result)
        now = timezone.now()
        self._create(new, now)
        result.created += len(new)
        for candidate, party_id in updates:
            self._update(candidate, party_id, result)
        return result

    def committed(self, job: ImportJob) -> None:
        if job.created_count >= self.statistics_at:
            # The planner judges lookups by the table's size when last analysed; a table that
            # has grown fourfold since would be planned as tiny (scans, quadratic in the file).
            _refresh_statistics()
            self.statistics_at = job.created_count * 4

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
                result.issues.append(RowIssue(candidate.row, "", "", message, skipped=True))
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
            parties.append(writer.party_row(party_id, candidate, tracked, job_id=self.job.pk, now=now))
            points += [writer.contact_row(party_id, c, tracked) for c in candidate.contacts]
            tag_pairs += [(party_id, self._tag(name)) for name in candidate.tags]
            if self.job_tag:
                tag_pairs.append((party_id, self.job_tag))
            if organisation_id is not None:
                memberships.append((*tracked, party_id, organisation_id, candidate.job_title))
            if candidate.note:
                notes.append((*tracked, party_id, candidate.note))
        with search.imported_rows_untracked():
            bulk.write(Party._meta.db_table, writer.PARTY_COLUMNS, parties)
        bulk.write(ContactPoint._meta.db_table, writer.CONTACT_COLUMNS, points)
        bulk.write(PartyTag._meta.db_table, writer.TAG_COLUMNS, list(dict.fromkeys(tag_pairs)))
        bulk.write(Membership._meta.db_table, writer.MEMBERSHIP_COLUMNS, memberships)
        bulk.write(Note._meta.db_table, writer.NOTE_COLUMNS, notes)

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
                    data=PartyInput(name=candidate.organisation),
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
                data = (
                    PartyInput(**fields, custom=candidate.custom)
                    if candidate.custom
                    else PartyInput(**fields)
                )
                services.parties.party_update(party=party, actor=self.actor, data=data, allow_duplicate=True)
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
            result.issues.append(RowIssue(candidate.row, "", named, message))


def _fold_into(earlier: Candidate, later: Candidate) -> None:
    """A second row for a customer already in this chunk fills what the first left empty."""
    for key, value in later.custom.items():
        earlier.custom.setdefault(key, value)
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


def _index(job: ImportJob, checkpoint: Checkpoint, progress: Progress | None) -> None:
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
            checkpoint(indexed_through=end)
        if progress:
            progress(job)
        start = end + 1
    _refresh_statistics()


def _refresh_statistics() -> None:
    """After a bulk load the planner's picture of the tables is stale; refresh it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
        else:
            for table in ("customers_party", "customers_contactpoint", "customers_party_search"):
                cursor.execute(f"ANALYZE {table}")
