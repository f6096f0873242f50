"""Lists of customers with their filters and sorts, one customer, its contacts and relations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.selectors.audit import describe_values
from peyvand.core.selectors.custom_fields import (
    CustomFilter,
    custom_filter,
    custom_sorted,
    definitions_for,
    sortable,
)

from .. import search
from ..models import ContactPoint, Kind, Membership, Note, Party, PartyTag, Tag

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
    custom: list[CustomFilter] = field(default_factory=list)  # filterable custom fields' filters


def sort_or_default(kind: str | None, sort: str) -> str:
    """``sort`` when a list of ``kind`` may be sorted so: one of SORTS, or a filterable custom
    field's ``cf_<key>`` (``-cf_<key>`` going down); else the default."""
    if sort in SORTS:
        return sort
    if kind and sort.lstrip("-") in sortable(definitions_for(kind)):
        return sort
    return DEFAULT_SORT


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
    if filters.custom and kind:
        queryset = custom_filter(queryset, definitions_for(kind), filters.custom)
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
    needs: Collection[str] = (),
) -> Page[Party]:
    """``needs``: what the list's shown columns read beyond a customer's own fields
    (``LIST_NEEDS``), loaded in the page's query."""
    queryset = party_queryset(user=user, kind=kind, filters=filters)
    if sort == "relevance" and not filters.q:
        sort = DEFAULT_SORT  # nothing to be relevant to
    rows = with_needs(queryset.select_related("owner"), needs)
    by_custom = custom_sorted(rows, definitions_for(kind), sort) if kind else None
    if by_custom is not None:
        # By a custom field's value, then id: the keyset walks the annotated value.
        sorted_page = keyset_page(
            by_custom[0],
            order=by_custom[1],
            cursor=cursor,
            limit=limit,
        )
        prefetch_tags(sorted_page.items)
        if with_count:
            sorted_page.extra["count"], sorted_page.extra["more"] = capped_count(queryset)
        return sorted_page
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    page = None
    if cursor is None and search.takes_candidates(filters.q, order):
        # A common word matches tens of thousands: take the first page from the first matches
        # in this order. Exact when they were all the matches, or when a whole page and one
        # more came through the filters (policy, kind, stage…); else asked of every match.
        wanted = max(search.CANDIDATES, limit + 1)
        among = search.first_matches(filters.q, wanted, order)
        narrowed = party_queryset(user=user, kind=kind, filters=filters, among=among)
        rows = with_needs(narrowed.select_related("owner"), needs)
        page = keyset_page(rows, order=order, cursor=None, limit=limit)
        if page.next_cursor is None and len(among) == wanted:
            page = None
    if page is None:
        rows = with_needs(queryset.select_related("owner"), needs)
        if sort == "relevance":
            rows = search.with_rank(rows, filters.q)
        page = keyset_page(rows, order=order, cursor=cursor, limit=limit)
    prefetch_tags(page.items)
    if with_count:
        # A search counts from the trigram index's matches; any other list along its own order.
        along = None if filters.q else SORTS.get(sort, SORTS[DEFAULT_SORT])
        page.extra["count"], page.extra["more"] = capped_count(queryset, along=along)
    return page


# What a list's column may need of a customer beyond its own fields, as subqueries of the
# page's query (a page of 50 reads 50 small index lookups, never a query a row): the city of
# the primary (else first) address; a person's first organisation and their title there.
LIST_NEEDS = ("city", "organisation")


def with_needs(queryset: QuerySet[Party], needs: Collection[str]) -> QuerySet[Party]:
    if "city" in needs:
        address = ContactPoint.objects.filter(party=OuterRef("pk"), kind=ContactPoint.Kind.ADDRESS)
        queryset = queryset.annotate(
            list_city=Subquery(address.order_by("-is_primary", "id").values("city")[:1])
        )
    if "organisation" in needs:
        place = Membership.objects.filter(
            person=OuterRef("pk"), organisation__deleted_at__isnull=True
        ).order_by("id")
        queryset = queryset.annotate(
            list_organisation_id=Subquery(place.values("organisation_id")[:1]),
            list_organisation=Subquery(place.values("organisation__display_name")[:1]),
            list_job_title=Subquery(place.values("title")[:1]),
        )
    return queryset


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


def party_postal_address(party: Party) -> ContactPoint | None:
    """The customer's postal address for a document: the primary one, else the first."""
    return (
        ContactPoint.objects.filter(party=party, kind=ContactPoint.Kind.ADDRESS)
        .order_by("-is_primary", "id")
        .first()
    )


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


def customer_counts(*, user: User) -> dict[str, Any]:
    """The home page's figures: the customers ``user`` owns and reaches (capped counts)."""
    visible = policy.visible(user, Party.objects.all())
    mine, mine_more = capped_count(visible.filter(owner=user))
    people, people_more = capped_count(visible.filter(kind=Kind.PERSON))
    organisations, organisations_more = capped_count(visible.filter(kind=Kind.ORGANISATION))
    return {
        "my_customers": mine,
        "my_customers_more": mine_more,
        "people": people,
        "people_more": people_more,
        "organisations": organisations,
        "organisations_more": organisations_more,
    }


def parties_found(*, user: Any, query: str, kind: str, limit: int) -> list[Party]:
    """The top bar's search: customers of ``kind`` matching ``query`` that the user may see,
    names that start with it first."""
    queryset = search.with_rank(search.filter_matching(Party.objects.filter(kind=kind), query), query)
    return list(policy.visible(user, queryset).order_by(search.RANK, "sort_key", "id")[:limit])


def parties_matching(query: str) -> QuerySet[Party]:
    """Every customer matching ``query`` through the search index (for other apps' searches
    by customer name; the caller checks permissions on what it finds)."""
    return search.filter_matching(Party.objects.all(), query)
