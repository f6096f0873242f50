"""What can be imported: one importer per kind of record, registered by the app that owns it.

The machinery is the same for every kind: the upload, the mapping of columns (guessed from
Persian and English headers, remembered per header), the job that reads the file in chunks
and commits each chunk with its counters and ``next_row`` (so a killed worker resumes
exactly), the report of refused rows, cancel and undo. An importer says what differs: who
may use it, which fields a column can feed, how a row is read and checked, how a chunk is
written, how it is undone, and what counts as a duplicate.

People and organisations are registered by this app (``people.register_builtin_kinds``);
an app above it registers its own kinds from its hooks, with ``register``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peyvand.core import spreadsheets

if TYPE_CHECKING:
    from peyvand.core.models import User

    from ..models import ImportJob


@dataclass(frozen=True)
class Target:
    """A field a column of the file can feed."""

    key: str
    label: Any
    headers: tuple[str, ...]  # what such a column is called, in search-key form
    repeatable: bool = False  # several columns may feed it (two phone columns)
    yields_to: tuple[str, ...] = ()  # guessed only when none of these is (a full name)


@dataclass(frozen=True)
class Requirement:
    """At least one of ``targets`` must be mapped; ``message`` says so otherwise."""

    targets: tuple[str, ...]
    message: Any


@dataclass
class Problem:
    """Why a row, or one of its cells, cannot be imported."""

    column: int | None  # index in the file, None for the row as a whole
    value: str
    message: str
    column_name: str = ""  # shown when ``column`` is None: the field the problem is about


@dataclass
class RowIssue:
    """Why a row (or one of its cells) was refused, or that it was skipped as a duplicate."""

    row: int
    column: str
    value: str
    message: str
    skipped: bool = False


@dataclass
class ReadChunk:
    """Rows ``..last_row`` of the file, read: the items to write and the rows refused."""

    last_row: int
    items: list[Any] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    issues: list[RowIssue] = field(default_factory=list)


class RowReader(Protocol):
    def read(self, number: int, cells: list[str]) -> Any:
        """The row as an item to write, or the list of its ``Problem``s (never a list otherwise)."""


class ChunkWriter(Protocol):
    """What one run of a job keeps between chunks, and writes each chunk with."""

    def write_chunk(self, chunk: ReadChunk) -> ChunkResult:
        """Write the chunk's items; the caller's transaction commits it with the job's checkpoint."""

    def committed(self, job: ImportJob) -> None:
        """After a chunk and its checkpoint are committed."""


class Checker(Protocol):
    """Checks across rows (a SKU twice, an order's total), for the kinds imported all or nothing."""

    def check(self, chunk: ReadChunk) -> list[RowIssue]: ...

    def finish(self) -> list[RowIssue]: ...


Checkpoint = Callable[..., None]  # saves job fields with the run's lease, in the caller's transaction
Progress = Callable[["ImportJob"], None]


@dataclass(frozen=True)
class Importer:
    """One kind of record that can be imported, and everything the machinery needs to know."""

    key: str  # the job's kind: "person", "products"
    label: Any  # "People", "Products"
    may_import: Callable[[User], bool]
    require: Callable[[User], None]  # raises PermissionDenied, with the reason
    targets: tuple[Target, ...]
    requirements: tuple[Requirement, ...]
    reader: Callable[[ImportJob], RowReader]  # built once per run, in the job's language
    writer: Callable[[ImportJob], ChunkWriter]
    # Takes back what the job did (``batch`` marks what goes to the trash); returns the changes
    # for the audit log.
    undo: Callable[[ImportJob, User, uuid.UUID], dict[str, Any]]
    duplicate: Any  # what a duplicate is, as the heading of the choice of what to do with one
    policies: tuple[tuple[str, Any], ...]  # the job's ``policy`` values offered, with their labels
    default_policy: str
    start_url: tuple[str, tuple[str, ...]]  # the page to upload a file of this kind (url name, args)
    list_url: tuple[str, tuple[str, ...]]  # where the imported records are listed
    list_label: Any  # "Go to people"
    undo_confirm: Any  # the question before undoing
    undone: Any  # the message after
    nav: str = ""  # the menu item the import pages belong to
    # Read every row first and write nothing unless all are valid; the checker adds the
    # checks across rows. None: each row is written or refused on its own.
    checker: Callable[[ImportJob], Checker] | None = None
    options: frozenset[str] = frozenset()  # of "owner", "tag": defaults the mapping step offers
    chunk_rows: int = 0  # rows per transaction (0: the machinery's; never more)
    max_rows: int = spreadsheets.MAX_ROWS
    read_ahead: bool = False  # the reader needs no database: read the next chunk in a thread
    session: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext  # around the writing
    # After the rows: a phase of its own (the search index), then the machinery marks it done.
    index: Callable[[ImportJob, Checkpoint, Progress | None], None] | None = None

    @property
    def all_or_nothing(self) -> bool:
        return self.checker is not None

    def policy_values(self) -> list[str]:
        return [value for value, _label in self.policies]


_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    """Make a kind importable (from an app's hooks); registering a key again replaces it."""
    if len(importer.key) > 12:
        raise ValueError(f"import kind {importer.key!r} is longer than a job's kind can be")
    _IMPORTERS[importer.key] = importer


def get(kind: str) -> Importer:
    """The importer of ``kind``; a ValidationError when there is none."""
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise ValidationError({"kind": [_("Choose what to import.")]}) from None
