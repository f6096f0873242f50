"""Reads of the customer database, always through the permission policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import jalali, policy
from peyvand.core.converters import is_id
from peyvand.core.models import TrackedModel, User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.selectors import describe_values

from . import search
from .models import ContactPoint, Kind, Membership, Note, Party, PartyTag, Tag
from .normalize import display_phone, show_contact_value_in_line

SORTS: dict[str, list[str]] = {
    "relevance": [search.RANK, "sort_key", "id"],
    "name": ["sort_key", "id"],
    "-name": ["-sort_key", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "name"
NO_OWNER = "none"


@dataclass
class PartyFilters:
    q: str = ""
    owner: int | str | None = None  # a user id, or NO_OWNER for unassigned customers
    tag: int | None = None
    stage: str = ""
    source: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def party_queryset(
    *, user: User, kind: str | None, filters: PartyFilters, among: list[int] | None = None
) -> QuerySet[Party]:
    """The customers ``user`` may see that match ``filters``, unordered (``among``: see
    ``search.filter_matching``)."""
    queryset = policy.visible(user, Party.objects.all())
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = search.filter_matching(queryset, filters.q, among=among)
    if filters.owner == NO_OWNER:
        queryset = queryset.filter(owner__isnull=True)
    elif filters.owner:
        queryset = queryset.filter(owner_id=int(filters.owner))
    if filters.tag:
        queryset = queryset.filter(tags__id=filters.tag)
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.created_from:
        queryset = queryset.filter(created_at__gte=_start_of_day(filters.created_from))
    if filters.created_to:
        queryset = queryset.filter(created_at__lt=_start_of_day(filters.created_to + dt.timedelta(days=1)))
    return queryset


def party_list(
    *,
    user: User,
    kind: str | None,
    filters: PartyFilters,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
    with_count: bool = True,
) -> Page[Party]:
    queryset = party_queryset(user=user, kind=kind, filters=filters)
    if sort == "relevance" and not filters.q:
        sort = DEFAULT_SORT  # nothing to be relevant to
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    page = None
    if cursor is None and search.takes_candidates(filters.q, order):
        # A common word matches tens of thousands: take the first page from the first matches
        # in this order. Exact when they were all the matches, or when a whole page and one
        # more came through the filters (policy, kind, stage…); else asked of every match.
        wanted = max(search.CANDIDATES, limit + 1)
        among = search.first_matches(filters.q, wanted, order)
        narrowed = party_queryset(user=user, kind=kind, filters=filters, among=among)
        page = keyset_page(narrowed.select_related("owner"), order=order, cursor=None, limit=limit)
        if page.next_cursor is None and len(among) == wanted:
            page = None
    if page is None:
        rows = queryset.select_related("owner")
        if sort == "relevance":
            rows = search.with_rank(rows, filters.q)
        page = keyset_page(rows, order=order, cursor=cursor, limit=limit)
    prefetch_tags(page.items)
    if with_count:
        # A search counts from the trigram index's matches; any other list along its own order.
        along = None if filters.q else SORTS.get(sort, SORTS[DEFAULT_SORT])
        page.extra["count"], page.extra["more"] = capped_count(queryset, along=along)
    return page


def prefetch_tags(parties: list[Party]) -> None:
    """Each customer's tags in one query, as ``prefetch_related("tags")`` would leave them
    (``party.tags.all()`` answers from memory), without its machinery: that took a quarter
    of a list request's time."""
    if not parties:
        return
    found: dict[int, list[Tag]] = {party.pk: [] for party in parties}
    tags: dict[int, Tag] = {}
    rows = (
        PartyTag.objects.filter(party_id__in=found)
        .order_by("tag__name", "tag_id")
        .values_list("party_id", "tag_id", "tag__name", "tag__key")
    )
    for party_id, tag_id, name, key in rows:
        tag = tags.get(tag_id)
        if tag is None:
            tag = tags[tag_id] = Tag.from_db(None, ["id", "name", "key"], (tag_id, name, key))
        found[party_id].append(tag)
    for party in parties:
        cached = Tag.objects.all()
        cached._result_cache = found[party.pk]
        cached._prefetch_done = True  # type: ignore[attr-defined]  # what prefetching sets
        party.__dict__.setdefault("_prefetched_objects_cache", {})["tags"] = cached


def party_get(*, user: User, pk: Any, kind: str | None = None) -> Party:
    """A customer ``user`` may see, or 404 (as if it did not exist) when it is not."""
    if not is_id(pk):
        raise Http404
    queryset = policy.visible(user, Party.objects.select_related("owner", "created_by"))
    if kind:
        queryset = queryset.filter(kind=kind)
    party = queryset.filter(pk=pk).first()
    if party is None:
        raise Http404
    return party


def party_resolve_merged(*, pk: Any) -> Party | None:
    """Where a merged-away customer now lives, so old links still lead somewhere."""
    if not is_id(pk):
        return None
    party = Party.all_objects.filter(pk=pk).only("merged_into_id").first()
    seen = set()
    while party is not None and party.merged_into_id and party.pk not in seen:
        seen.add(party.pk)
        party = Party.all_objects.filter(pk=party.merged_into_id).first()
    return party if party is not None and party.deleted_at is None else None


def party_contacts(*, party: Party) -> list[ContactPoint]:
    return list(ContactPoint.objects.filter(party=party).order_by("kind", "-is_primary", "id"))


def party_relations(*, user: User, party: Party) -> list[Membership]:
    """A person's organisations, or an organisation's people, that ``user`` may see."""
    if party.kind == Kind.PERSON:
        memberships = Membership.objects.filter(person=party).select_related("organisation")
        visible_ids = policy.visible(user, Party.objects.filter(pk__in=memberships.values("organisation_id")))
        return list(memberships.filter(organisation__in=visible_ids).order_by("organisation__sort_key"))
    memberships = Membership.objects.filter(organisation=party).select_related("person")
    visible_ids = policy.visible(user, Party.objects.filter(pk__in=memberships.values("person_id")))
    return list(memberships.filter(person__in=visible_ids).order_by("person__sort_key"))


def party_merged_ids(*, party: Party) -> list[int]:
    """This customer and every customer merged into it: their histories are one."""
    return [party.pk, *Party.all_objects.filter(merged_into=party).values_list("pk", flat=True)]


def parties_for_choice(*, user: User, kind: str, q: str = "", limit: int = 20) -> list[Party]:
    """A short list for pickers (an organisation for a person, a record to merge with)."""
    queryset = party_queryset(user=user, kind=kind, filters=PartyFilters(q=q))
    return list(queryset.order_by("sort_key", "id")[:limit])


def note_text(note: Note) -> str:
    """A note as the reader reads it: a merge's values kept aside are written out in the
    reader's language, with labels, choices and dates as the audit log shows them."""
    kept = note.kept_aside
    if not kept or note.body:
        return note.body
    heading = _("Values of “%(name)s” not kept when it was merged into this record:")
    lines = [heading % {"name": kept.get("name", "")}]
    lines += [f"{label}: {text}" for label, text in describe_values(Party, kept.get("values") or {})]
    return "\n".join(lines)


def tags_all() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def assignable_owners(*, user: User) -> list[User]:
    """Users ``user`` may give a customer to."""
    users = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
    )
    return [u for u in users if policy.may_own(user, Party, u)]


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


TRASH_KINDS = {
    kind.key: kind
    for kind in (
        TrashKind("contact_point", "customers.contactpoint", "party", gettext_lazy("Contact points")),
        TrashKind(
            "membership",
            "customers.membership",
            "person",
            gettext_lazy("Organisation links"),
            ("organisation",),
        ),
        TrashKind("note", "customers.note", "party", gettext_lazy("Notes")),
        TrashKind("interaction", "interactions.interaction", "party", gettext_lazy("Interactions")),
    )
}


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


def person_memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("organisation").order_by("organisation__sort_key"),
    )


def visible_filter(user: User) -> Q:
    """For other apps' lists: the customers ``user`` may see, as a condition on ``party``."""
    return Q(party__in=policy.visible(user, Party.objects.all()).values("pk"))


EXPORT_PAGE = 2000


def party_export_rows(
    *, user: User, kind: str, filters: PartyFilters, sort: str = DEFAULT_SORT
) -> Iterator[list[Any]]:
    """Every customer the list shows, as spreadsheet rows, a page of the list at a time.

    Constant memory however many rows: each page is fetched by its keyset cursor (with its
    owners and tags in two more queries), turned into rows and let go.
    """
    people = kind == Kind.PERSON
    cursor: str | None = None
    while True:
        page = party_list(
            user=user,
            kind=kind,
            filters=filters,
            sort=sort,
            cursor=cursor,
            limit=EXPORT_PAGE,
            with_count=False,
        )
        for party in page:
            yield [
                party.pk,
                *([party.first_name, party.last_name] if people else [party.name]),
                # As people write it (0912 123 4567): a "+98…" cell would need the
                # apostrophe that stops spreadsheets reading it as a formula.
                display_phone(party.primary_phone) if party.primary_phone else "",
                party.primary_email,
                party.national_id,
                *([jalali.input_date(party.date_of_birth)] if people else [party.website, party.industry]),
                party.get_stage_display(),
                party.get_source_display(),
                party.owner.username if party.owner else "",
                ", ".join(t.name for t in party.tags.all()),
                jalali.format_datetime(party.created_at),
                _("yes") if party.email_consent else _("no"),
                _("yes") if party.sms_consent else _("no"),
            ]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def party_export_header(kind: str) -> list[str]:
    people = kind == Kind.PERSON
    return [
        "id",
        *([_("First name"), _("Last name")] if people else [_("Organisation name")]),
        _("Phone"),
        _("Email"),
        _("National ID"),
        *([_("Date of birth")] if people else [_("Website"), _("Industry")]),
        _("Stage"),
        _("Source"),
        _("Owner"),
        _("Tags"),
        _("Created"),
        _("Agrees to email"),
        _("Agrees to SMS"),
    ]
