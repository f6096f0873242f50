"""A list's rows for export, streamed page by page through the permission policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from peyvand.core import jalali
from peyvand.core.models import User

from ..models import Kind
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
