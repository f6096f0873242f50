"""Notes on a customer's timeline.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, visible_or_404
from peyvand.core.apikit.schemas import (
    ERRORS,
    Id,
    PageOut,
    PageQuery,
)
from peyvand.core.models import User
from peyvand.core.pagination import keyset_page

from .. import selectors, services
from ..models import Note
from .schemas import NoteIn, NoteOut

router = Router(tags=["customers"])

# --- notes --------------------------------------------------------------------------------


@router.get(
    "/parties/{party_id}/notes",
    response={200: PageOut[NoteOut], **ERRORS},
    summary="A customer's notes, newest first",
)
def note_list(request: HttpRequest, party_id: Id, filters: Query[PageQuery]) -> dict[str, Any]:
    user = actor(request)
    party = selectors.parties.party_get(user=user, pk=party_id)
    notes = policy.visible(user, Note.objects.filter(party=party)).select_related("created_by")
    return page_out(
        keyset_page(notes, order=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit)
    )


@router.post("/parties/{party_id}/notes", response={201: NoteOut, **ERRORS}, summary="Add a note")
def note_create(request: HttpRequest, party_id: Id, payload: NoteIn) -> Status[Note]:
    user = actor(request)
    party = selectors.parties.party_get(user=user, pk=party_id)
    return Status(201, services.notes.note_add(party=party, actor=user, body=payload.body))


def _note(user: User, pk: int) -> Note:
    return visible_or_404(user, Note.objects.select_related("created_by"), pk)


@router.patch("/notes/{note_id}", response={200: NoteOut, **ERRORS}, summary="Change a note")
def note_update(request: HttpRequest, note_id: Id, payload: NoteIn) -> Note:
    user = actor(request)
    return services.notes.note_update(note=_note(user, note_id), actor=user, body=payload.body)


@router.delete("/notes/{note_id}", response={204: None, **ERRORS}, summary="Delete a note")
def note_delete(request: HttpRequest, note_id: Id) -> Status[None]:
    user = actor(request)
    services.notes.note_delete(note=_note(user, note_id), actor=user)
    return Status(204, None)
