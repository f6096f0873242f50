"""Writing a chunk of validated rows with the database's own bulk path.

Model instances and bulk_create top out near 30–40k rows/s; executemany on SQLite and COPY
on PostgreSQL (``core.bulk``) go several times faster. Ids are taken in a block first, so contact points,
tags and memberships can be written in the same pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection

from ..models import Source, Stage
from ..rules import AUDITED_FIELDS, CONTACT_FIELDS, Derived, consent_stamps
from .rows import Candidate

# Tracked columns first everywhere: (created_at, updated_at, created_by_id, updated_by_id).
TRACKED_COLUMNS = ("created_at", "updated_at", "created_by_id", "updated_by_id")
# The customer's own fields and what follows from them, as the rules name them.
PARTY_COLUMNS = (
    "id",
    *TRACKED_COLUMNS,
    "kind",
    *(f"{name}_id" if name == "owner" else name for name in AUDITED_FIELDS),
    *Derived._fields,
    "import_job_id",
    "custom",
)
CONTACT_COLUMNS = (*TRACKED_COLUMNS, "party_id", *CONTACT_FIELDS)
MEMBERSHIP_COLUMNS = (*TRACKED_COLUMNS, "person_id", "organisation_id", "title")
NOTE_COLUMNS = (*TRACKED_COLUMNS, "party_id", "body")
TAG_COLUMNS = ("party_id", "tag_id")

# SQLite, while an import runs: a page cache that holds a chunk's dirty index pages, and
# write-ahead-log checkpoints every ~80 MB instead of every 4 MB. At a million customers a
# chunk touches tens of thousands of index pages; with the defaults each commit spilled and
# checkpointed them (a quarter of the import's time; 6,500 → 8,400 rows/s with these).
BULK_CACHE_KIB = 128 * 1024
BULK_CHECKPOINT_PAGES = 20_000


@contextlib.contextmanager
def bulk_session() -> Iterator[None]:
    """The connection tuned for bulk writes for the duration, then as it was."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")


def reserve_ids(count: int) -> list[int]:
    """``count`` new customer ids, taken from the table's own sequence."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('customers_party', 'id')) FROM generate_series(1, %s)",
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the import holds the write lock (transactions begin IMMEDIATE), so the
        # block after the highest id ever used is ours.
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'customers_party'), 0), "
            "COALESCE((SELECT MAX(id) FROM customers_party), 0))"
        )
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def db_datetime(moment: dt.datetime) -> Any:
    """A time as the driver takes it (SQLite keeps Django's text form, in UTC)."""
    return connection.ops.adapt_datetimefield_value(moment)


def party_row(
    party_id: int, candidate: Candidate, tracked: tuple[Any, ...], *, job_id: int, now: dt.datetime
) -> tuple:
    """One customer as a row of PARTY_COLUMNS. Booleans go as 0/1, which both engines read."""
    derived = candidate.derived
    assert derived is not None
    fields = candidate.fields | consent_stamps(candidate.fields, was={}, now=now)
    values: list[Any] = [party_id, *tracked, candidate.kind]
    # A plain loop over converters chosen once: this runs for every row of a million-row file.
    for name, empty, convert in _PARTY_FIELDS:
        value = fields.get(name)
        if convert is not None:
            values.append(convert(value))
        elif value is None or value == "":
            values.append(empty)
        else:
            values.append(value)  # text, or the owner's user id
    values.extend(derived)
    values.append(job_id)
    # Most files fill no custom field: their rows share one empty object's text.
    values.append(json.dumps(candidate.custom, ensure_ascii=False) if candidate.custom else "{}")
    return tuple(values)


def _flag(value: Any) -> int:
    return int(bool(value))


def _date(value: Any) -> Any:
    return connection.ops.adapt_datefield_value(value) if value else None


def _moment(value: Any) -> Any:
    return db_datetime(value) if value else None


# Each field the row writes: (name, what an empty one is, a converter or None for text as it is).
# A field the row leaves empty is as a new customer has it.
_SPECIAL: dict[str, tuple[Any, Callable[[Any], Any] | None]] = {
    "email_consent": (0, _flag),
    "sms_consent": (0, _flag),
    "date_of_birth": (None, _date),
    "email_consent_at": (None, _moment),
    "sms_consent_at": (None, _moment),
    "owner": (None, None),
    "source": (Source.OTHER, None),
    "stage": (Stage.SUSPECT, None),
}
_PARTY_FIELDS = tuple((name, *_SPECIAL.get(name, ("", None))) for name in AUDITED_FIELDS)
_CONTACT_VALUES = operator.attrgetter(*CONTACT_FIELDS)


def contact_row(party_id: int, contact: Any, tracked: tuple[Any, ...]) -> tuple:
    # is_primary goes as a bool, which SQLite stores as 1/0 and COPY writes as a boolean.
    return (*tracked, party_id, *_CONTACT_VALUES(contact))


def existing_keys(keys: set[tuple[str, str]], kind: str) -> dict[tuple[str, str], int]:
    """Which of these (kind, value) keys already belong to a customer: key -> customer id.

    One query per kind of key, with the values as one array on PostgreSQL (a list of
    thousands of parameters costs more to send and plan than to look up).
    """
    by_kind: dict[str, list[str]] = {}
    for key_kind, value in keys:
        by_kind.setdefault(key_kind, []).append(value)
    contacts = "SELECT value, party_id FROM customers_contactpoint WHERE deleted_at IS NULL AND kind = "
    parties = "FROM customers_party WHERE deleted_at IS NULL AND kind = %s AND "
    queries = {  # each ends where the list of values goes
        "email": contacts + "'email' AND value {}",
        "phone": contacts + "'phone' AND value {}",
        "national_id": "SELECT national_id, id " + parties + "national_id {}",
        "name": "SELECT sort_key, id " + parties + "sort_key {}",
    }
    found: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        for key_kind, values in by_kind.items():
            prefix = [kind] if key_kind in ("national_id", "name") else []
            if connection.vendor == "postgresql":
                cursor.execute(queries[key_kind].format("= ANY(%s)"), [*prefix, values])
                rows = cursor.fetchall()
            else:
                rows = []
                for start in range(0, len(values), 900):  # under SQLite's parameter limit
                    batch = values[start : start + 900]
                    cursor.execute(
                        queries[key_kind].format(f"IN ({', '.join(['%s'] * len(batch))})"), [*prefix, *batch]
                    )
                    rows += cursor.fetchall()
            for value, party_id in rows:
                found.setdefault((key_kind, value), party_id)
    return found
