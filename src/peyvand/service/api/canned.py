"""Canned replies over the API: the ones you may use, writing yours (or shared ones), and one
filled in for a ticket.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef
from peyvand.core.models import Team

from ..models import CannedReply
from ..selectors import canned as selectors
from ..selectors import tickets as ticket_selectors
from ..services import canned as services
from .common import NamedRef, one_row

router = Router(tags=["canned replies"])

Title = Annotated[str, Field(max_length=services.TITLE_MAX_LENGTH), NoNul]
Text = Annotated[str, Field(max_length=services.BODY_MAX_LENGTH), NoNul]


class CannedOut(Schema):
    id: int
    title: str
    body_fa: str
    body_en: str
    shared: bool
    team: NamedRef | None = Field(description="Shared with this team; null: with every team")
    owner: UserRef
    updated_at: Any


class CannedIn(InputSchema):
    title: Title
    body_fa: Text = ""
    body_en: Text = ""
    shared: StrictBool = False
    team_id: BodyId | None = None


class CannedPatch(InputSchema):
    title: Title | None = None
    body_fa: Text | None = None
    body_en: Text | None = None
    shared: StrictBool | None = None
    team_id: BodyId | None = None


class CannedQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    shown: Literal["all", "mine", "shared"] = "all"
    sort: Literal["title", "-updated"] = "title"


class FilledOut(Schema):
    body: str = Field(description="In the ticket customer's language, placeholders filled in")
    language: str


def _input(values: dict[str, Any]) -> services.CannedInput:
    team_id = values.pop("team_id", None)
    values["team"] = one_row(Team, team_id, "team_id")
    return services.CannedInput(**values)


@router.get(
    "/canned-replies", response={200: PageOut[CannedOut], **ERRORS}, summary="Canned replies you may use"
)
def canned_list(request: HttpRequest, filters: Query[CannedQuery]) -> dict[str, Any]:
    page = selectors.canned_list(
        user=actor(request),
        filters={"q": filters.q, "shown": filters.shown},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/canned-replies", response={201: CannedOut, **ERRORS}, summary="Write a canned reply")
def canned_create(request: HttpRequest, payload: CannedIn) -> Status[CannedReply]:
    data = _input(payload.model_dump())
    return Status(201, services.canned_save(actor=actor(request), data=data))


@router.get("/canned-replies/{reply_id}", response={200: CannedOut, **ERRORS}, summary="Get a canned reply")
def canned_get(request: HttpRequest, reply_id: Id) -> CannedReply:
    return selectors.canned_get(user=actor(request), pk=reply_id)


@router.patch(
    "/canned-replies/{reply_id}", response={200: CannedOut, **ERRORS}, summary="Change a canned reply"
)
def canned_update(request: HttpRequest, reply_id: Id, payload: CannedPatch) -> CannedReply:
    user = actor(request)
    reply = selectors.canned_get(user=user, pk=reply_id)
    values: dict[str, Any] = {
        "title": reply.title,
        "body_fa": reply.body_fa,
        "body_en": reply.body_en,
        "shared": reply.shared,
        "team_id": reply.team_id,
    }
    values.update({k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    if "team_id" in payload.model_fields_set:
        values["team_id"] = payload.team_id
    return services.canned_save(actor=user, data=_input(values), reply=reply)


@router.delete("/canned-replies/{reply_id}", response={204: None, **ERRORS}, summary="Delete a canned reply")
def canned_delete(request: HttpRequest, reply_id: Id) -> Status[None]:
    user = actor(request)
    services.canned_delete(actor=user, reply=selectors.canned_get(user=user, pk=reply_id))
    return Status(204, None)


@router.get(
    "/tickets/{ticket_id}/canned-replies/{reply_id}",
    response={200: FilledOut, **ERRORS},
    summary="A canned reply filled in for a ticket",
)
def canned_fill(request: HttpRequest, ticket_id: Id, reply_id: Id) -> dict[str, str]:
    user = actor(request)
    ticket = ticket_selectors.ticket_get(user=user, pk=ticket_id)
    reply = selectors.canned_get(user=user, pk=reply_id)
    return {
        "body": services.canned_render(reply=reply, ticket=ticket, agent=user),
        "language": ticket.language,
    }
