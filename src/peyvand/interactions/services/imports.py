"""Past interactions from CSV and XLSX files, through the import machinery of the customers app
(``customers.importer``; ``interactions.importers`` registers the kind), on the bulk path.

Rows are read and checked without the database (``InteractionReader``): the channel and the
direction by their codes or their names in Persian and English, the time in Jalali or
Gregorian (ISO too) in any digits, the duration of a call, the staff member by username or
email. Each chunk then finds its customers in a few queries (by id, email, phone or national
ID, among those the importer may see), skips the external ids imported before, and is
written with the engine's bulk path (ids taken in a block, executemany on SQLite, COPY on
PostgreSQL) in the transaction that commits the job's counters, so a killed worker resumes
exactly where its data ends.

What a job wrote is noted one ``ImportRecord`` per chunk (not per row): the runs of ids it
took and the external ids it brought in, under ``RUNS_MODEL``. Undo removes exactly those
ids (to the trash), the call details of their calls and the suspects the job created.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import bulk, jalali, policy
from peyvand.core.exports import unneutralise
from peyvand.core.inputs import UNSET
from peyvand.core.models import User
from peyvand.core.services.audit import soft_delete_rows
from peyvand.core.text import clean_text, search_key, to_ascii_digits
from peyvand.customers import services as customer_services
from peyvand.customers.importer import ChunkResult, Problem, ReadChunk, RowIssue, writer
from peyvand.customers.models import ImportJob, Kind, Party, Source, Stage
from peyvand.customers.models.imports import ImportRecord
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.customers.rules import ContactInput, PartyInput

from ..models import Channel, Direction, Interaction, Outcome, PhoneCall
from .interactions import BODY_MAX_LENGTH, FUTURE_SLACK

INTERACTIONS = "interactions"  # the job's kind
Policy = ImportJob.Policy
# What a job wrote, one record per chunk: the runs of interaction ids and the external ids.
RUNS_MODEL = "interactions.interaction#runs"
SUBJECT_MAX_LENGTH = 200
EXTERNAL_ID_MAX_LENGTH = 100
MAX_DURATION = 7 * 24 * 3600  # seconds: a call longer than a week is a typing mistake
MEMO_LIMIT = 200_000  # distinct values remembered per run, so memory stays bounded
# The columns as the API names them (and as the documentation lists them).
COLUMNS = (
    "customer",
    "channel",
    "direction",
    "occurred_at",
    "subject",
    "body",
    "outcome",
    "duration",
    "handled_by",
    "external_id",
)
# Found by a customer column: an id, an email, a phone or a national ID.
BY_ID, BY_EMAIL, BY_PHONE, BY_NATIONAL_ID = "id", "email", "phone", "national_id"


# --- who may import -----------------------------------------------------------------------


def may_import(user: User) -> bool:
    """As for people: whoever may create customers (and log contacts with them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return policy.can_create(user, Party) and policy.can_create(user, Interaction)


def require_import(user: User) -> None:
    policy.require_create(user, Party)
    policy.require_create(user, Interaction)


# --- reading a row, without the database ----------------------------------------------------


def _names(choices: Any, extra: dict[str, Iterable[str]]) -> dict[str, str]:
    """A choice by its code, its label in either language, or another name it goes by."""
    accepted: dict[str, str] = {}
    for value, label in choices:
        accepted[search_key(value)] = value
        for language in ("fa", "en"):
            with translation.override(language):
                accepted[search_key(str(label))] = value
    for value, names in extra.items():
        for name in names:
            accepted[search_key(name)] = value
    return accepted


CHANNEL_NAMES: dict[str, Iterable[str]] = {
    Channel.PHONE: (
        "call", "phone call", "telephone", "tel", "voice", "تماس", "تلفن", "تماس تلفنی", "تلفنی", "مکالمه",
    ),
    Channel.EMAIL: ("e-mail", "e mail", "ایمیل", "رایانامه", "پست الکترونیک", "پست الکترونیکی"),
    Channel.SMS: ("text", "text message", "پیامک", "اس ام اس", "پیام کوتاه"),
    Channel.IN_PERSON: (
        "meeting", "visit", "in person", "face to face", "جلسه", "ملاقات", "بازدید", "حضوری", "دیدار",
    ),
    Channel.WEBSITE: ("web", "site", "web form", "وب", "سایت", "وبسایت", "وب سایت"),
    Channel.CHAT: ("live chat", "messenger", "گفتگو", "چت", "گفتگوی آنلاین"),
    Channel.STORE: ("shop", "branch", "فروشگاه", "شعبه"),
    Channel.MAIL: ("post", "letter", "نامه", "پست"),
    Channel.FAX: ("فکس", "نمابر"),
    Channel.DISTRIBUTOR: ("dealer", "نماینده", "توزیع کننده", "عامل فروش"),
    Channel.PARTNER: ("partner", "همکار", "شریک"),
}  # fmt: skip
DIRECTION_NAMES: dict[str, Iterable[str]] = {
    Direction.INBOUND: ("in", "incoming", "received", "ورودی", "دریافتی", "ورود", "دریافت"),
    Direction.OUTBOUND: ("out", "outgoing", "sent", "خروجی", "ارسالی", "خروج", "ارسال"),
}
OUTCOME_NAMES: dict[str, Iterable[str]] = {
    Outcome.COMPLETED: ("done", "انجام شد", "انجام شده", "موفق"),
    Outcome.NO_ANSWER: ("unanswered", "پاسخ نداد", "بی پاسخ", "بدون پاسخ"),
    Outcome.BUSY: ("اشغال",),
    Outcome.LEFT_MESSAGE: ("voicemail", "پیغام گذاشته شد", "پیغام"),
    Outcome.FOLLOW_UP: ("follow up", "پیگیری"),
    Outcome.RESOLVED: ("solved", "حل شد", "حل شده"),
    Outcome.NOT_INTERESTED: ("بی علاقه", "علاقه ندارد"),
}

_DATETIME = re.compile(
    r"^\s*(\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2})"
    r"(?:\s*[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_DURATION = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d{1,2})\s*$")
_DURATION_UNITS = (
    (re.compile(r"^\s*(\d+)\s*(?:s|sec|secs|second|seconds|ثانیه)?\s*$"), 1),
    (re.compile(r"^\s*(\d+)\s*(?:m|min|mins|minute|minutes|دقیقه)\s*$"), 60),
    (re.compile(r"^\s*(\d+)\s*(?:h|hr|hour|hours|ساعت)\s*$"), 3600),
)


@dataclass
class InteractionRow:
    """A row that passed its checks: what to write, and the keys that find its customer."""

    row: int
    customer: list[tuple[str, str]]  # (by, value) to try in turn
    customer_text: str  # as the file gives it, for the report
    channel: str
    direction: str
    occurred_at: dt.datetime
    subject: str
    body: str
    outcome: str = ""
    duration: int | None = None
    handled_by: int | None = None
    external_id: str = ""
    name: str = ""  # the customer's name, to create them as a suspect
    columns: dict[str, int] = field(default_factory=dict)  # field -> column, for problems found later


@dataclass(frozen=True)
class ReaderSpec:
    """What reading a job's rows needs from the database, gathered once: the staff members
    its rows may name as the one who handled a contact."""

    mapping: dict[str, str]
    users: dict[str, int]  # username or email (search form) -> id

    @classmethod
    def for_job(cls, job: ImportJob) -> ReaderSpec:
        actor = job.created_by
        users: dict[str, int] = {}
        for user in User.objects.filter(is_active=True).select_related("team"):
            if policy.may_own(actor, Interaction, user):
                users[search_key(user.username)] = user.pk
                if user.email:
                    users[search_key(user.email)] = user.pk
        return cls(mapping=dict(job.mapping), users=users)


class InteractionReader:
    """Reads and checks the rows of one job, without the database."""

    def __init__(self, job: ImportJob) -> None:
        self.spec = ReaderSpec.for_job(job)
        self.columns = sorted((int(i), key) for i, key in self.spec.mapping.items())
        self.channels = _names(Channel.choices, CHANNEL_NAMES)
        self.directions = _names(Direction.choices, DIRECTION_NAMES)
        self.outcomes = _names(Outcome.choices, OUTCOME_NAMES)
        self.memo: dict[tuple[str, str], Any] = {}
        self.latest = timezone.now() + FUTURE_SLACK
        self.zone = timezone.get_current_timezone()  # the job's: looked up once, not per row
        # Each field's reader, and whether its answers are remembered (values that repeat).
        self.readers: dict[str, tuple[Callable[[str], Any], bool]] = {
            "customer_id": (_customer_id, True),
            "customer": (_any_customer, True),
            "email": (lambda raw: (BY_EMAIL, normalize_email(raw)), True),
            "phone": (lambda raw: (BY_PHONE, normalize_phone(raw)), True),
            "national_id": (_national_id, True),
            "channel": (lambda raw: self._choice(self.channels, raw, _channel_error), True),
            "direction": (lambda raw: self._choice(self.directions, raw, _direction_error), True),
            "outcome": (lambda raw: self._choice(self.outcomes, raw, _outcome_error), True),
            "occurred_at": (self._moment, False),
            "duration": (_duration, True),
            "handled_by": (self._user, True),
            "external_id": (_external_id, False),
            "subject": (lambda raw: _text(raw, SUBJECT_MAX_LENGTH), True),
            "body": (lambda raw: _text(raw, BODY_MAX_LENGTH, keep_lines=True), False),
            "customer_name": (lambda raw: _text(raw, 200), True),
        }

    def read(self, number: int, cells: list[str]) -> InteractionRow | list[Problem]:
        width = len(cells)
        values: dict[str, str] = {}
        where: dict[str, int] = {}
        for index, key in self.columns:
            raw = cells[index].strip() if index < width else ""
            if raw and key not in values:
                if raw[0] == "'":
                    raw = unneutralise(raw)  # a file we exported: «'+98…» was «+98…»
                values[key] = raw
                where[key] = index
        problems: list[Problem] = []
        read: dict[str, Any] = {}
        for key, raw in values.items():
            reader, remembered = self.readers[key]
            try:
                read[key] = self._remembered(key, raw, reader) if remembered else reader(raw)
            except ValidationError as exc:
                problems.extend(Problem(where[key], raw, message) for message in exc.messages)
        customer = [read[key] for key in _CUSTOMER_KEYS if key in read]
        channel, occurred_at, duration = read.get("channel"), read.get("occurred_at"), read.get("duration")
        subject, body = read.get("subject"), read.get("body")
        if not customer and not any(k in values for k in _CUSTOMER_KEYS):
            problems.append(Problem(None, "", _("The row names no customer."), str(_("Customer"))))
        if channel is None and "channel" not in values:
            problems.append(Problem(None, "", _("The row has no channel."), str(_("Channel"))))
        if occurred_at is None and "occurred_at" not in values:
            problems.append(Problem(None, "", _("The row has no date."), str(_("Date and time"))))
        if duration is not None and channel not in (None, Channel.PHONE):
            problems.append(
                Problem(where["duration"], values["duration"], _("A duration is kept for calls only."))
            )
        if problems:
            return problems
        assert channel is not None and occurred_at is not None
        if not subject:
            subject = _subject_from(body) or _call_subject(channel)
        return InteractionRow(
            row=number,
            customer=customer,
            customer_text=next((values[k] for k in _CUSTOMER_KEYS if k in values), ""),
            channel=channel,
            direction=read.get("direction") or Direction.INBOUND,
            occurred_at=occurred_at,
            subject=subject,
            body=body or "",
            outcome=read.get("outcome") or "",
            duration=duration,
            handled_by=read.get("handled_by"),
            external_id=read.get("external_id") or "",
            name=read.get("customer_name") or "",
            columns={k: where[k] for k in (*_CUSTOMER_KEYS, "external_id") if k in where},
        )

    def _remembered(self, key: str, raw: str, read: Callable[[str], Any]) -> Any:
        """``read(raw)``, answered from memory when the same value was read before; a refusal
        is remembered too (and raised again)."""
        try:
            answer = self.memo[(key, raw)]
        except KeyError:
            try:
                answer = read(raw)
            except ValidationError as exc:
                answer = exc
            if len(self.memo) < MEMO_LIMIT:
                self.memo[(key, raw)] = answer
        if isinstance(answer, ValidationError):
            raise answer
        return answer

    @staticmethod
    def _choice(accepted: dict[str, str], raw: str, error: Callable[[str], str]) -> str:
        choice = accepted.get(search_key(raw))
        if choice is None:
            raise ValidationError(error(raw))
        return choice

    def _user(self, raw: str) -> int:
        user = self.spec.users.get(search_key(raw))
        if user is None:
            raise ValidationError(
                _("No user you may name as the handler is called “%(value)s”.") % {"value": raw[:80]}
            )
        return user

    def _moment(self, raw: str) -> dt.datetime:
        """A Jalali or Gregorian date with an optional time (and an ISO offset), in any digits."""
        text = to_ascii_digits(raw)
        match = _DATETIME.match(text)
        if not match:
            raise ValidationError(
                _("Enter a date and time as year/month/day hour:minute, for example 1403/05/12 14:30.")
            )
        date_text, hour, minute, second, offset = match.groups()
        date = self._remembered("date", date_text, _date)
        try:
            naive = dt.datetime.combine(date, dt.time(int(hour or 0), int(minute or 0), int(second or 0)))
        except ValueError:
            raise ValidationError(_("Enter a valid time of day.")) from None
        if offset:
            zone = dt.UTC if offset == "Z" else _offset(offset)
            moment = naive.replace(tzinfo=zone)
        else:
            moment = timezone.make_aware(naive, self.zone)
        if moment > self.latest:
            raise ValidationError(_("An interaction cannot be in the future."))
        return moment


_CUSTOMER_KEYS = ("customer_id", "customer", "email", "phone", "national_id")


def _channel_error(raw: str) -> str:
    return _("“%(value)s” is not a channel; use one of: %(choices)s.") % {
        "value": raw[:80],
        "choices": "، ".join(str(label) for _value, label in Channel.choices)
        if translation.get_language() == "fa"
        else ", ".join(str(label) for _value, label in Channel.choices),
    }


def _direction_error(raw: str) -> str:
    return _("“%(value)s” is not a direction; write inbound or outbound.") % {"value": raw[:80]}


def _outcome_error(raw: str) -> str:
    return _("“%(value)s” is not a known outcome.") % {"value": raw[:80]}


def _date(text: str) -> dt.date:
    try:
        return jalali.parse_date(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _offset(text: str) -> dt.timezone:
    digits = text[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.timezone(-delta if text[0] == "-" else delta)


def _customer_id(raw: str) -> tuple[str, str]:
    text = to_ascii_digits(clean_text(raw)).lstrip("#")
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(_("A customer's id is a number, not “%(value)s”.") % {"value": raw[:80]})
    return BY_ID, str(int(text))


def _any_customer(raw: str) -> tuple[str, str]:
    """A customer column that may hold an id, an email, a phone number or a national ID."""
    text = to_ascii_digits(clean_text(raw))
    if "@" in text:
        return BY_EMAIL, normalize_email(text)
    plain = text.lstrip("#")
    if plain.isdigit() and not plain.startswith("0") and len(plain) <= 9:
        return BY_ID, str(int(plain))
    if plain.isdigit() and len(plain) == 10:
        return BY_NATIONAL_ID, plain
    try:
        return BY_PHONE, normalize_phone(text)
    except ValidationError:
        raise ValidationError(
            _("Give the customer's id, email, phone or national ID, not “%(value)s”.") % {"value": raw[:80]}
        ) from None


def _national_id(raw: str) -> tuple[str, str]:
    text = re.sub(r"[\s-]", "", to_ascii_digits(clean_text(raw)))
    if not text.isdigit() or len(text) not in (10, 11):
        raise ValidationError(_("A national ID has 10 or 11 digits, not “%(value)s”.") % {"value": raw[:80]})
    return BY_NATIONAL_ID, text


def _duration(raw: str) -> int:
    """Seconds, from 125, 2:05, 1:02:05, "90 s", "5 min" or «۵ دقیقه»."""
    text = to_ascii_digits(raw).strip().lower()
    seconds: int | None = None
    match = _DURATION.match(text)
    if match:
        hours, minutes, secs = match.groups()
        if int(secs) < 60 and (hours is None or int(minutes) < 60):
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    else:
        for pattern, unit in _DURATION_UNITS:
            found = pattern.match(text)
            if found:
                seconds = int(found.group(1)) * unit
                break
    if seconds is None or seconds > MAX_DURATION:
        raise ValidationError(
            _("Enter a duration in seconds or as minutes:seconds, for example 125 or 2:05; not “%(value)s”.")
            % {"value": raw[:80]}
        )
    return seconds


def _external_id(raw: str) -> str:
    text = to_ascii_digits(clean_text(raw))
    if len(text) > EXTERNAL_ID_MAX_LENGTH:
        raise ValidationError(
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": EXTERNAL_ID_MAX_LENGTH, "count": len(text)}
        )
    return text


def _text(raw: str, limit: int, *, keep_lines: bool = False) -> str:
    text = raw.strip().replace("\x00", "") if keep_lines else clean_text(raw)
    if len(text) > limit:
        raise ValidationError(
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
        )
    return text


def _subject_from(body: str | None) -> str:
    """A subject from the first line of the body, when the file gives none."""
    if not body:
        return ""
    first = clean_text(body.strip().splitlines()[0])
    return first if len(first) <= SUBJECT_MAX_LENGTH else first[: SUBJECT_MAX_LENGTH - 1] + "…"


def _call_subject(channel: str) -> str:
    return str(Channel(channel).label)


# --- writing a chunk ------------------------------------------------------------------------

INTERACTION_COLUMNS = (
    "id",
    *writer.TRACKED_COLUMNS,
    "party_id",
    "channel",
    "direction",
    "occurred_at",
    "subject",
    "body",
    "outcome",
    "handled_by_id",
)
CALL_COLUMNS = (
    "call_id",
    "direction",
    "number",
    "raw_number",
    "extension",
    "user_id",
    "party_id",
    "interaction_id",
    "status",
    "started_at",
    "answered_at",
    "ended_at",
    "duration",
    "recording_url",
    "updated_at",
)


def _db_moment() -> Callable[[dt.datetime], Any]:
    """How a time goes to the driver, a million times over: SQLite keeps Django's text form
    in UTC (``adapt_datetimefield_value`` without its per-call lookups), PostgreSQL takes it
    as it is."""
    if connection.vendor != "sqlite" or connection.timezone != dt.UTC:
        return writer.db_datetime
    return lambda moment: str(moment.astimezone(dt.UTC).replace(tzinfo=None))


def reserve_ids(count: int) -> list[int]:
    """``count`` new interaction ids, taken from the table's own sequence."""
    if count == 0:
        return []
    table = Interaction._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",  # noqa: S608 - the model's own name
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the import holds the write lock (transactions begin IMMEDIATE), so the
        # block after the highest id ever used is ours.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "  # noqa: S608 - the model's own name
            f"COALESCE((SELECT MAX(id) FROM {table}), 0))"
        )
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as runs of consecutive ones: [[first, last], ...]."""
    found: list[list[int]] = []
    for pk in sorted(ids):
        if found and pk == found[-1][1] + 1:
            found[-1][1] = pk
        else:
            found.append([pk, pk])
    return found


def imported_external_ids() -> set[str]:
    """The external ids of the interactions imported before, by jobs not undone."""
    known: set[str] = set()
    records = ImportRecord.objects.filter(model=RUNS_MODEL).exclude(job__status=ImportJob.Status.UNDONE)
    for after in records.values_list("after", flat=True).iterator(chunk_size=100):
        known.update(after.get("external_ids", ()))
    return known


class InteractionWriter:
    """Writes each chunk on the bulk path; keeps what the run has learnt between chunks."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = job.created_by
        self.known = imported_external_ids()  # this job's committed chunks' too
        self.create_unknown = job.policy == Policy.CREATE
        self.statistics_at = max(job.created_count * 4, 20_000)
        self.pending: list[str] = []  # the external ids of the chunk being written

    def write_chunk(self, chunk: ReadChunk) -> ChunkResult:
        result = ChunkResult()
        items: list[InteractionRow] = chunk.items
        parties = self._customers(items, result)
        new: list[tuple[InteractionRow, int]] = []
        seen: dict[str, int] = {}
        column = self._title("external_id")
        for item in items:
            party_id = parties.get(item.row)
            if party_id is None:
                continue
            if item.external_id:
                if item.external_id in self.known:
                    result.skipped += 1
                    message = _("Skipped: an interaction with this external id was imported before.")
                    result.issues.append(RowIssue(item.row, column, item.external_id, message, skipped=True))
                    continue
                if item.external_id in seen:
                    result.skipped += 1
                    message = _("Skipped: the same external id as row %(row)s.") % {
                        "row": seen[item.external_id]
                    }
                    result.issues.append(RowIssue(item.row, column, item.external_id, message, skipped=True))
                    continue
                seen[item.external_id] = item.row
            new.append((item, party_id))
        self._write(new)
        result.created += len(new)
        self.pending = list(seen)
        return result

    def committed(self, job: ImportJob) -> None:
        self.job = job
        self.known.update(self.pending)
        self.pending = []
        if job.created_count >= self.statistics_at:
            _refresh_statistics()
            self.statistics_at = job.created_count * 4

    # --- the customers of a chunk ---------------------------------------------------------

    def _customers(self, items: list[InteractionRow], result: ChunkResult) -> dict[int, int]:
        """Each row's customer id, found by its keys among the customers the importer may see
        (or created as a suspect, when the job says so); the others get their problem."""
        wanted: dict[str, set[str]] = {}
        for item in items:
            for by, value in item.customer:
                wanted.setdefault(by, set()).add(value)
        matches = _matches(wanted)
        candidates = {pk for found in matches.values() for pk in found}
        visible = set(
            policy.visible(self.actor, Party.objects.filter(pk__in=candidates)).values_list("pk", flat=True)
        )
        chosen: dict[int, int] = {}
        created: dict[tuple[str, str], int] = {}
        for item in items:
            problem = None
            hidden = False  # a customer the importer may not see: never created again beside it
            for by, value in item.customer:
                matching = matches.get((by, value), set())
                found = matching & visible
                hidden = hidden or bool(matching - visible)
                if len(found) == 1:
                    chosen[item.row] = next(iter(found))
                    break
                if len(found) > 1:
                    problem = _("Several customers match “%(value)s”; use the id.") % {"value": value[:80]}
                    break
            if item.row in chosen:
                continue
            if problem is None and self.create_unknown and not hidden:
                problem = self._suspect(item, created, chosen)
            elif problem is None:
                problem = _("No customer you may see matches “%(value)s”.") % {
                    "value": item.customer_text[:80]
                }
            if problem:
                column = next((k for k in _CUSTOMER_KEYS if k in item.columns), "customer")
                result.issues.append(
                    RowIssue(item.row, self._title(column), item.customer_text[:10_000], problem)
                )
        return chosen

    def _suspect(
        self, item: InteractionRow, created: dict[tuple[str, str], int], chosen: dict[int, int]
    ) -> str:
        """Create the row's customer as a suspect from its name, email and phone; a problem
        when that cannot be done. A second row for them in the chunk finds the first's."""
        keys = [key for key in item.customer if key[0] in (BY_EMAIL, BY_PHONE, BY_NATIONAL_ID)]
        for key in keys:
            if key in created:
                chosen[item.row] = created[key]
                return ""
        if not keys:
            return _("No customer you may see matches “%(value)s”.") % {"value": item.customer_text[:80]}
        contacts = [ContactInput(kind=by, value=value) for by, value in keys if by in (BY_EMAIL, BY_PHONE)]
        first, _space, last = (item.name or "").rpartition(" ")
        if not item.name:
            first, last = "", keys[0][1]
        national = next((value for by, value in keys if by == BY_NATIONAL_ID), None)
        owner = self.actor if policy.may_own(self.actor, Party, self.actor) else None
        data = PartyInput(
            first_name=first,
            last_name=last,
            stage=Stage.SUSPECT,
            source=Source.OTHER,
            owner=owner,
            national_id=national or UNSET,
        )
        try:
            with transaction.atomic():
                party = customer_services.parties.party_create(
                    actor=self.actor, kind=Kind.PERSON, data=data, contacts=contacts, allow_duplicate=True
                )
                Party.objects.filter(pk=party.pk).update(import_job=self.job)  # so undo removes it
        except (ValidationError, PermissionDenied) as exc:
            return " ".join(getattr(exc, "messages", None) or [str(exc)])
        for key in keys:
            created[key] = party.pk
        chosen[item.row] = party.pk
        return ""

    def _title(self, key: str) -> str:
        """The column's title in the file."""
        for index, target in self.job.mapping.items():
            if target == key and int(index) < len(self.job.header):
                return str(self.job.header[int(index)])[:255]
        return str(_("Customer"))

    # --- the rows -------------------------------------------------------------------------

    def _write(self, new: list[tuple[InteractionRow, int]]) -> None:
        if not new:
            return
        # Ids in customer order: two of the table's indexes lead with the customer, and a
        # chunk inserted in that order touches each of their pages once, not at random.
        new.sort(key=lambda pair: (pair[1], pair[0].occurred_at))
        ids = reserve_ids(len(new))
        now = timezone.now()
        db_moment = _db_moment()
        stamp = db_moment(now)
        tracked = (stamp, stamp, self.actor.pk, self.actor.pk)
        rows, calls = [], []
        for (item, party_id), pk in zip(new, ids, strict=True):
            moment = db_moment(item.occurred_at)
            rows.append(
                (
                    pk,
                    *tracked,
                    party_id,
                    item.channel,
                    item.direction,
                    moment,
                    item.subject,
                    item.body,
                    item.outcome,
                    item.handled_by,
                )
            )
            if item.duration is not None:
                ended = db_moment(item.occurred_at + dt.timedelta(seconds=item.duration))
                calls.append(
                    (
                        f"import-{self.job.pk}-{item.row}",
                        item.direction,
                        "",
                        "",
                        "",
                        item.handled_by,
                        party_id,
                        pk,
                        PhoneCall.Status.FINISHED,
                        moment,
                        moment,
                        ended,
                        item.duration,
                        "",
                        stamp,
                    )
                )
        bulk.write(Interaction._meta.db_table, INTERACTION_COLUMNS, rows)
        bulk.write(PhoneCall._meta.db_table, CALL_COLUMNS, calls)
        ImportRecord.objects.create(
            job=self.job,
            model=RUNS_MODEL,
            object_id=ids[0],
            created=True,
            after={
                "runs": runs(ids),
                "external_ids": [item.external_id for item, _p in new if item.external_id],
            },
        )


def _matches(wanted: dict[str, set[str]]) -> dict[tuple[str, str], set[int]]:
    """(by, value) -> the ids of the customers (alive) it names: a query per kind of key and
    900 values (an array on PostgreSQL), in SQL of our own (the ORM spent longer building a
    list of thousands of parameters than the database took to answer)."""
    contacts = (
        "SELECT c.value, c.party_id FROM customers_contactpoint c "
        "JOIN customers_party p ON p.id = c.party_id "
        "WHERE c.deleted_at IS NULL AND p.deleted_at IS NULL AND c.kind = "
    )
    parties = "FROM customers_party WHERE deleted_at IS NULL AND "
    queries = {  # each ends where the list of values goes
        BY_ID: "SELECT id, id " + parties + "id {}",
        BY_NATIONAL_ID: "SELECT national_id, id " + parties + "national_id {}",
        BY_EMAIL: contacts + "'email' AND c.value {}",
        BY_PHONE: contacts + "'phone' AND c.value {}",
    }
    found: dict[tuple[str, str], set[int]] = {}
    with connection.cursor() as cursor:
        for by, values in wanted.items():
            listed: list[Any] = sorted(int(v) for v in values) if by == BY_ID else sorted(values)
            if connection.vendor == "postgresql":
                cursor.execute(queries[by].format("= ANY(%s)"), [listed])
                rows = cursor.fetchall()
            else:
                rows = []
                for start in range(0, len(listed), 900):  # under SQLite's parameter limit
                    batch = listed[start : start + 900]
                    cursor.execute(queries[by].format(f"IN ({', '.join(['%s'] * len(batch))})"), batch)
                    rows += cursor.fetchall()
            for value, pk in rows:
                found.setdefault((by, str(value)), set()).add(pk)
    return found


def _refresh_statistics() -> None:
    """After a bulk load the planner's picture of the table is stale; refresh it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
        else:
            cursor.execute(f"ANALYZE {Interaction._meta.db_table}")


# --- undo -----------------------------------------------------------------------------------


def interactions_undo(job: ImportJob, actor: User, batch: uuid.UUID) -> dict[str, Any]:
    """The interactions the job wrote go to the trash (exactly its ids), their calls' details
    go, and so do the suspects it created (with what they hold). (The machinery has checked
    that ``actor`` may import interactions.)"""
    now = timezone.now()
    removed = 0
    for after in ImportRecord.objects.filter(job=job, model=RUNS_MODEL).values_list("after", flat=True):
        ranges = Q()
        for first, last in after.get("runs", ()):
            ranges |= Q(pk__gte=first, pk__lte=last)
        if not ranges:
            continue
        removed += soft_delete_rows(Interaction.objects.filter(ranges), actor=actor, batch=batch, at=now)
        calls = Q()
        for first, last in after.get("runs", ()):
            calls |= Q(interaction_id__gte=first, interaction_id__lte=last)
        PhoneCall.objects.filter(calls, call_id__startswith=f"import-{job.pk}-").delete()
    created = Party.objects.filter(import_job=job)
    for model, fk in customer_services.parties.party_children():
        soft_delete_rows(
            model.objects.filter(**{f"{fk}__in": created.values("pk")}), actor=actor, batch=batch, at=now
        )
    customers = soft_delete_rows(created, actor=actor, batch=batch, at=now)
    return {"interactions": [removed, 0], "customers": [customers, 0]}


__all__ = [
    "COLUMNS",
    "INTERACTIONS",
    "InteractionReader",
    "InteractionWriter",
    "imported_external_ids",
    "interactions_undo",
    "may_import",
    "require_import",
    "reserve_ids",
    "runs",
]
