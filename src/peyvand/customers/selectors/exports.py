"""A list's rows for export, streamed page by page through the permission policy.

An export has every column the import reads, under the import's own headings, so a file
exported imports back unchanged (tested); dates and numbers travel as such (real dates and
numbers in XLSX, see ``core.exports``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peyvand.core.custom_fields import export_value
from peyvand.core.models import User
from peyvand.core.selectors.custom_fields import definitions_for, user_ids_in, usernames

from ..models import ContactPoint, Kind, Membership, Party
from ..normalize import display_phone
from .parties import DEFAULT_SORT, PartyFilters, party_list

EXPORT_PAGE = 2000


def party_export_rows(
    *, user: User, kind: str, filters: PartyFilters, sort: str = DEFAULT_SORT
) -> Iterator[list[Any]]:
    """Every customer the list shows, as spreadsheet rows, a page of the list at a time.

    Constant memory however many rows: each page is fetched by its keyset cursor (with its
    owners and tags in two more queries), turned into rows and let go.
    """
    people = kind == Kind.PERSON
    definitions, language = definitions_for(kind), get_language()
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
        addresses, jobs = _addresses(page), _jobs(page) if people else {}
        names = usernames(user_ids_in([p.custom or {} for p in page], definitions))
        username = partial(_username, names)
        for party in page:
            address = addresses.get(party.pk)
            organisation, job_title = jobs.get(party.pk, ("", ""))
            yield [
                party.pk,
                *([party.first_name, party.last_name] if people else [party.name]),
                # As people write it (0912 123 4567): a "+98…" cell would need the
                # apostrophe that stops spreadsheets reading it as a formula.
                display_phone(party.primary_phone) if party.primary_phone else "",
                party.primary_email,
                party.national_id,
                *(
                    [party.date_of_birth, organisation, job_title]
                    if people
                    else [party.website, party.industry]
                ),
                party.get_stage_display(),
                party.get_source_display(),
                party.owner.username if party.owner else "",
                ", ".join(t.name for t in party.tags.all()),
                party.created_at,
                _("yes") if party.email_consent else _("no"),
                _("yes") if party.sms_consent else _("no"),
                *(
                    [address.street, address.city, address.province, address.postal_code, address.country]
                    if address
                    else [""] * 5
                ),
                *(
                    export_value(
                        d,
                        (party.custom or {}).get(d.key),
                        language,
                        username=username,
                    )
                    for d in definitions
                ),
            ]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _username(names: dict[int, str], user_id: int) -> str:
    return names.get(user_id, "")


def party_export_header(kind: str) -> list[str]:
    people = kind == Kind.PERSON
    return [
        "id",
        *([_("First name"), _("Last name")] if people else [_("Organisation name")]),
        _("Phone"),
        _("Email"),
        _("National ID"),
        *(
            [_("Date of birth"), _("Organisation"), _("Job title")]
            if people
            else [_("Website"), _("Industry")]
        ),
        _("Stage"),
        _("Source"),
        _("Owner"),
        _("Tags"),
        _("Created"),
        _("Agrees to email"),
        _("Agrees to SMS"),
        _("Street address"),
        _("City"),
        _("Province"),
        _("Postal code"),
        _("Country"),
        # The custom fields under their labels, which the import's mapping recognises.
        *(d.label(get_language()) for d in definitions_for(kind)),
    ]


def _addresses(parties: Iterable[Party]) -> dict[int, ContactPoint]:
    """Each customer's address: the primary one, else the first."""
    found: dict[int, ContactPoint] = {}
    points = ContactPoint.objects.filter(
        party__in=[p.pk for p in parties], kind=ContactPoint.Kind.ADDRESS
    ).order_by("party_id", "-is_primary", "id")
    for point in points:
        found.setdefault(point.party_id, point)
    return found


def _jobs(people: Iterable[Party]) -> dict[int, tuple[str, str]]:
    """Each person's first organisation and their job title there."""
    found: dict[int, tuple[str, str]] = {}
    memberships = (
        Membership.objects.filter(person__in=[p.pk for p in people], organisation__deleted_at__isnull=True)
        .select_related("organisation")
        .order_by("person_id", "id")
    )
    for membership in memberships:
        found.setdefault(membership.person_id, (membership.organisation.name, membership.title))
    return found
