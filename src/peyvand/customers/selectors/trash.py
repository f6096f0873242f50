"""The trash: customers deleted with everything attached, and records deleted on their own.
Administrators only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import Http404
from django.utils.text import Truncator

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import TrackedModel, User
from peyvand.core.pagination import Page, keyset_page

from ..models import ContactPoint, Membership, Note, Party
from ..normalize import show_contact_value_in_line
from .parties import note_text


def trash_list(*, user: User, cursor: str | None = None, limit: int = 50) -> Page[Party]:
    policy.require_admin(user)
    queryset = Party.all_objects.filter(deleted_at__isnull=False, merged_into__isnull=True).select_related(
        "deleted_by"
    )
    return keyset_page(queryset, order=["-deleted_at", "-id"], cursor=cursor, limit=limit)


def trash_get(*, user: User, pk: Any) -> Party:
    policy.require_admin(user)
    if not is_id(pk):
        raise Http404
    party = Party.all_objects.filter(pk=pk, deleted_at__isnull=False).first()
    if party is None:
        raise Http404
    return party


# --- the trash of single records ----------------------------------------------------------


@dataclass(frozen=True)
class TrashKind:
    """A kind of record that is deleted on its own, apart from its customer."""

    key: str
    model_label: str
    party_field: str  # the customer whose page it belongs to
    label: Any  # a lazy plural, for the trash's tabs
    shown_with: tuple[str, ...] = ()  # relations its line in the trash shows

    @property
    def model(self) -> type[TrackedModel]:
        model = apps.get_model(self.model_label)
        assert issubclass(model, TrackedModel)
        return model


# key -> kind; each app registers its own (``register_trash_kind``, from its hooks).
TRASH_KINDS: dict[str, TrashKind] = {}


def register_trash_kind(kind: TrashKind) -> None:
    TRASH_KINDS[kind.key] = kind


def trash_records(*, user: User, kind: str, cursor: str | None = None, limit: int = 50) -> Page[TrackedModel]:
    """Records of ``kind`` deleted on their own, newest deletion first; administrators only.

    Those deleted with their customer are not here: they come back with it.
    """
    policy.require_admin(user)
    spec = TRASH_KINDS[kind]
    queryset = spec.model.all_objects.filter(
        deleted_at__isnull=False, **{f"{spec.party_field}__deleted_at__isnull": True}
    ).select_related(spec.party_field, "deleted_by", *spec.shown_with)
    return keyset_page(queryset, order=["-deleted_at", "-id"], cursor=cursor, limit=limit)


def trash_record_get(*, user: User, kind: str, pk: Any) -> TrackedModel:
    policy.require_admin(user)
    if kind not in TRASH_KINDS or not is_id(pk):
        raise Http404
    record = TRASH_KINDS[kind].model.all_objects.filter(pk=pk, deleted_at__isnull=False).first()
    if record is None:
        raise Http404
    return record


def trash_record_party(record: TrackedModel) -> Party:
    """The customer a record of the trash belongs to."""
    party = getattr(record, "person" if isinstance(record, Membership) else "party")
    assert isinstance(party, Party)
    return party


def trash_record_text(record: TrackedModel) -> str:
    """What a deleted record was, as the trash shows it."""
    if isinstance(record, ContactPoint):
        return show_contact_value_in_line(record.value)
    if isinstance(record, Membership):
        return f"{record.organisation.display_name}{f' · {record.title}' if record.title else ''}"
    if isinstance(record, Note):
        return Truncator(note_text(record)).chars(120)
    return str(record)
