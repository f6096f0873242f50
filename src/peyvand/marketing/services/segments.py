"""Segments and static lists: creating and changing them, freezing a segment into a list,
and filling a list from chosen customers or from a file of phones, emails and national IDs.

A list only ever receives customers its writer may see: the policy filters every id that
comes in, so a list cannot be used to reach a customer its author could not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy, spreadsheets
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text, to_ascii_digits
from peyvand.customers.models import ContactPoint, Party, Tag
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.sales.models import Product

from .. import rules
from ..models import CampaignSegment, Segment, SegmentMember, Status
from ..selectors import segments as selectors
from .common import db_datetime, insert_parties

DESCRIPTION_MAX = 2000
IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_BATCH = 900  # values looked up per query: under SQLite's parameter limit
UNMATCHED_SHOWN = 100


@dataclass(frozen=True, kw_only=True)
class SegmentInput:
    """A segment's fields as the form and the API give them; on a change, UNSET stays."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    kind: str | Unset = UNSET
    rule: Any = UNSET  # the rule's JSON (see rules), for a dynamic segment
    owner: User | Unset | None = UNSET


FIELDS = tuple(f.name for f in fields(SegmentInput))
AUDITED = ("name", "description", "kind", "rule", "owner")


def _check_ids(rule: rules.Rule, actor: User, current: Segment | None) -> list[str]:
    """The rows the rule names by id exist (and lists are lists the author may see)."""
    problems = []
    checks: list[tuple[str, Any]] = [
        ("user", User.objects.all()),
        ("tag", Tag.objects.all()),
        ("product", Product.objects.all()),
        ("list", selectors.static_lists(user=actor)),
    ]
    for choices, queryset in checks:
        wanted = rule.ids(choices)
        if choices == "list" and current is not None and current.pk in wanted:
            problems.append(_("A segment cannot be defined by itself."))
            continue
        if wanted and queryset.filter(pk__in=wanted).count() != len(wanted):
            label = rules.FIELDS["owner" if choices == "user" else choices].label
            problems.append(_("%(field)s: choose values that exist.") % {"field": label})
    return problems


def _clean(data: SegmentInput, *, actor: User, current: Segment | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    values = given(data)
    kind = values.get("kind", current.kind if current else Segment.Kind.DYNAMIC)
    for name, value in values.items():
        if name == "name":
            value = clean_text(value)
            if not value or len(value) > 100:
                errors[name] = [_("Enter a name of at most 100 characters.")]
        elif name == "description":
            value = (value or "").strip()
            if len(value) > DESCRIPTION_MAX:
                errors[name] = [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": DESCRIPTION_MAX, "count": len(value)}
                ]
        elif name == "kind":
            if value not in Segment.Kind.values:
                errors[name] = [_("Choose a dynamic segment or a static list.")]
            elif current is not None and value != current.kind:
                errors[name] = [_("A segment keeps its kind; freeze it into a list instead.")]
        elif name == "rule":
            if kind == Segment.Kind.STATIC:
                value = {}
            else:
                try:
                    parsed = selectors.rule_parse(value)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
                    continue
                problems = _check_ids(parsed, actor, current)
                if problems:
                    errors["rule"] = problems
                value = parsed.as_json()
        elif name == "owner" and not policy.may_own(actor, Segment, value):
            errors[name] = [_("You may not give this segment to that user.")]
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def segment_create(*, actor: User, data: SegmentInput) -> Segment:
    policy.require_create(actor, Segment)
    if data.name is UNSET:
        raise ValidationError({"name": [_("This field is required.")]})
    cleaned = _clean(data, actor=actor, current=None)
    cleaned.setdefault("owner", actor)
    if cleaned.get("kind", Segment.Kind.DYNAMIC) == Segment.Kind.DYNAMIC:
        cleaned.setdefault("rule", rules.EVERYONE.as_json())
    segment = Segment.objects.create(created_by=actor, updated_by=actor, **cleaned)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=segment,
        changes={k: [None, v] for k, v in snapshot(segment, AUDITED).items() if v not in (None, "", {})},
    )
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, actor: User, data: SegmentInput) -> Segment:
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    policy.require_change(actor, segment)
    cleaned = _clean(data, actor=actor, current=segment)
    before = snapshot(segment, AUDITED)
    for name, value in cleaned.items():
        setattr(segment, name, value)
    changes = changes_between(before, snapshot(segment, AUDITED))
    if changes:
        segment.updated_by = actor
        segment.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=segment, changes=changes)
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: User) -> None:
    """Into the trash, unless a campaign about to go out still needs it."""
    policy.require_change(actor, segment)
    busy = CampaignSegment.objects.filter(
        segment=segment, campaign__status__in=(Status.SCHEDULED, Status.SENDING), campaign__deleted_at=None
    )
    if busy.exists():
        raise ValidationError(
            _("A scheduled or sending campaign uses this segment; wait or cancel it first.")
        )
    soft_delete_record(segment, actor=actor, party_id=None, changes={"name": [segment.name, None]})


@transaction.atomic
def segment_freeze(*, segment: Segment, actor: User, name: str = "") -> Segment:
    """A static list of the customers the segment holds now (those ``actor`` may see)."""
    policy.require_view(actor, segment)
    frozen = segment_create(
        actor=actor,
        data=SegmentInput(
            name=name or _("%(name)s (%(date)s)") % {"name": segment.name, "date": timezone.localdate()},
            description=segment.description,
            kind=Segment.Kind.STATIC,
        ),
    )
    parties = selectors.segment_parties(user=actor, segment=segment)
    insert_parties(
        SegmentMember._meta.db_table,
        ("segment_id", "added_at"),
        (frozen.pk, db_datetime(timezone.now())),
        parties,
    )
    return frozen


# --- static lists -------------------------------------------------------------------------


@dataclass
class ListChange:
    added: int = 0  # new on the list
    already: int = 0  # were on it
    skipped: int = 0  # not found, or not the writer's to see
    unmatched: list[str] = field(default_factory=list)  # values of a file no customer has


def _require_list(segment: Segment, actor: User) -> None:
    policy.require_change(actor, segment)
    if not segment.is_static:
        raise ValidationError(_("Only a static list has members to add or remove."))


def _add(segment: Segment, actor: User, party_ids: set[int]) -> ListChange:
    visible = set(policy.visible(actor, Party.objects.filter(pk__in=party_ids)).values_list("pk", flat=True))
    present = set(
        SegmentMember.objects.filter(segment=segment, party_id__in=visible).values_list("party_id", flat=True)
    )
    new = sorted(visible - present)
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, party_id=pk) for pk in new], ignore_conflicts=True, batch_size=1000
    )
    return ListChange(added=len(new), already=len(present), skipped=len(party_ids - visible))


@transaction.atomic
def list_add(*, segment: Segment, actor: User, party_ids: Iterable[int]) -> ListChange:
    """Put customers on a list (the ones already on it, or hidden from ``actor``, are counted)."""
    _require_list(segment, actor)
    ids = {int(pk) for pk in party_ids}
    change = ListChange()
    ordered = sorted(ids)
    for start in range(0, len(ordered), IMPORT_BATCH):
        part = _add(segment, actor, set(ordered[start : start + IMPORT_BATCH]))
        change.added += part.added
        change.already += part.already
        change.skipped += part.skipped
    if change.added:
        audit_log(
            actor=actor, kind=AuditEvent.Kind.UPDATE, obj=segment, changes={"members": [None, change.added]}
        )
    return change


@transaction.atomic
def list_remove(*, segment: Segment, actor: User, party_ids: Iterable[int]) -> int:
    _require_list(segment, actor)
    ids = [int(pk) for pk in party_ids]
    visible = policy.visible(actor, Party.objects.filter(pk__in=ids)).values("pk")
    removed, _detail = SegmentMember.objects.filter(segment=segment, party_id__in=visible).delete()
    if removed:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=segment, changes={"members": [removed, None]})
    return removed


@transaction.atomic
def list_from_ids(*, actor: User, name: str, party_ids: Iterable[int]) -> tuple[Segment, ListChange]:
    """A new static list of chosen customers (a selection in the customer list)."""
    segment = segment_create(actor=actor, data=SegmentInput(name=name, kind=Segment.Kind.STATIC))
    return segment, list_add(segment=segment, actor=actor, party_ids=party_ids)


def _keys(cell: str) -> list[tuple[str, str]]:
    """What a cell may name a customer by: (kind, normalised value), none when it is neither."""
    text = clean_text(to_ascii_digits(cell or ""))
    if not text:
        return []
    if "@" in text:
        try:
            return [("email", normalize_email(text))]
        except ValidationError:
            return []
    found = []
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and len(compact) in (10, 11):  # a national code, or a company's legal ID
        found.append(("national_id", compact))
    with contextlib.suppress(ValidationError):
        found.append(("phone", normalize_phone(text)))
    return found


def _match(keys: list[tuple[str, str]], actor: User) -> dict[tuple[str, str], set[int]]:
    """Which visible customers each key names."""
    found: dict[tuple[str, str], set[int]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, []).append(value)
    visible = policy.visible(actor, Party.objects.all())
    for kind, values in by_kind.items():
        if kind == "national_id":
            rows = list(visible.filter(national_id__in=values).values_list("national_id", "pk"))
        else:
            points = ContactPoint.objects.filter(kind=kind, value__in=values, party__in=visible.values("pk"))
            rows = list(points.values_list("value", "party_id"))
        for value, party_id in rows:
            found.setdefault((kind, value), set()).add(party_id)
    return found


def list_import(*, segment: Segment, actor: User, path: Path) -> ListChange:
    """Add the customers a file names by phone, email or national ID (any column, any row;
    a first row that names nobody is taken for a header). Values no visible customer has
    are returned, the first hundred of them, to be checked."""
    _require_list(segment, actor)
    if path.stat().st_size > IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(limit)s MB.") % {"limit": 20}]})
    try:
        info = spreadsheets.detect(path)
        rows = list(spreadsheets.rows(path, info))
    except spreadsheets.FileProblem as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    if len(rows) > spreadsheets.MAX_ROWS:
        raise ValidationError(
            {"file": [_("Import at most %(count)d rows at a time.") % {"count": spreadsheets.MAX_ROWS}]}
        )
    cells: list[tuple[str, list[tuple[str, str]]]] = []
    for number, row in enumerate(rows):
        keyed = [(cell.strip(), _keys(cell)) for cell in row if cell and cell.strip()]
        if number == 0 and not any(keys for _cell, keys in keyed):
            continue  # a header
        cells += keyed
    if not any(keys for _cell, keys in cells):
        raise ValidationError({"file": [_("The file names no phone, email or national ID.")]})
    change = ListChange()
    with transaction.atomic():
        for start in range(0, len(cells), IMPORT_BATCH):
            part = cells[start : start + IMPORT_BATCH]
            matched = _match([key for _cell, keys in part for key in keys], actor)
            ids: set[int] = set()
            for cell, keys in part:
                named = set().union(*(matched.get(key, set()) for key in keys)) if keys else set()
                if not named and len(change.unmatched) < UNMATCHED_SHOWN:
                    change.unmatched.append(cell[:100])
                change.skipped += not named
                ids |= named
            added = list_add(segment=segment, actor=actor, party_ids=ids)
            change.added += added.added
            change.already += added.already
    return change
