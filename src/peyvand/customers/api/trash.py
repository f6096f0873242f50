"""The trash over the API: deleted customers and records deleted on their own, and their
restoring. Administrators only, as in the web UI.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Any, Final, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, Id, PageOut, PageQuery, UserRef
from peyvand.core.models import TrackedModel

from .. import selectors, services
from ..models import Party
from .schemas import PartyRef

router = Router(tags=["trash"])

CUSTOMER: Final = "customer"
# The kinds the apps registered (their hooks ran before the URLconf loads this module).
TrashKind = Literal[(CUSTOMER, *selectors.trash.TRASH_KINDS)]  # type: ignore[valid-type]


class TrashItemOut(Schema):
    kind: str
    id: int
    party: PartyRef
    description: str
    deleted_at: dt.datetime | None
    deleted_by: UserRef | None


class TrashQuery(PageQuery):
    kind: TrashKind = CUSTOMER


def _item(kind: str, record: TrackedModel) -> dict[str, Any]:
    if isinstance(record, Party):
        party, description = record, record.display_name
    else:
        party, description = (
            selectors.trash.trash_record_party(record),
            selectors.trash.trash_record_text(record),
        )
    return {
        "kind": kind,
        "id": record.pk,
        "party": party,
        "description": description,
        "deleted_at": record.deleted_at,
        "deleted_by": record.deleted_by,
    }


@router.get(
    "/trash",
    response={200: PageOut[TrashItemOut], **ERRORS},
    summary="Deleted records, newest first (administrators)",
)
def trash_list(request: HttpRequest, filters: Query[TrashQuery]) -> dict[str, Any]:
    """``kind=customer`` lists deleted customers, which come back with everything deleted
    with them; the other kinds list records deleted on their own."""
    user, cursor, limit = actor(request), filters.cursor, filters.limit
    if filters.kind == CUSTOMER:
        page: Any = selectors.trash.trash_list(user=user, cursor=cursor, limit=limit)
    else:
        page = selectors.trash.trash_records(user=user, kind=filters.kind, cursor=cursor, limit=limit)
    result = page_out(page)
    result["items"] = [_item(filters.kind, record) for record in page]
    return result


@router.post(
    "/trash/{kind}/{record_id}/restore",
    response={200: TrashItemOut, **ERRORS},
    summary="Restore a deleted record (administrators)",
)
def trash_restore(request: HttpRequest, kind: TrashKind, record_id: Id) -> dict[str, Any]:
    user = actor(request)
    record: TrackedModel
    if kind == CUSTOMER:
        record = services.parties.party_restore(
            party=selectors.trash.trash_get(user=user, pk=record_id), actor=user
        )
    else:
        found = selectors.trash.trash_record_get(user=user, kind=kind, pk=record_id)
        record = services.parties.record_restore(record=found, actor=user)
    return _item(kind, record)
