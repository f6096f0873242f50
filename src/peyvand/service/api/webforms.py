"""The administrator's public request forms over the API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul
from peyvand.core.models import Team

from ..models import Category, Kind, TicketWebForm
from ..selectors import webforms as selectors
from ..services import webforms as services
from .common import NamedRef, one_row
from .tickets import TicketKind

router = Router(tags=["ticket request forms"])


class RequestFormOut(Schema):
    id: int
    key: str
    url: str = Field(description="The public page (embed it in an iframe)")
    name: str
    title: str
    intro: str
    language: str
    kind: str
    category: NamedRef | None
    team: NamedRef | None
    thank_you: str
    active: bool

    @staticmethod
    def resolve_url(obj: TicketWebForm) -> str:
        return settings.PEYVAND_BASE_URL + reverse("service:request_form", args=[obj.key])


class RequestFormIn(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul]
    title: Annotated[str, Field(max_length=200), NoNul]
    intro: Annotated[str, Field(max_length=2000), NoNul] = ""
    language: Literal["fa", "en"] = "fa"
    kind: TicketKind = Kind.QUESTION
    category_id: BodyId | None = None
    team_id: BodyId | None = None
    thank_you: Annotated[str, Field(max_length=300), NoNul] = ""
    active: StrictBool = True


class WebFormPatch(InputSchema):
    name: Annotated[str, Field(max_length=100), NoNul] | None = None
    title: Annotated[str, Field(max_length=200), NoNul] | None = None
    intro: Annotated[str, Field(max_length=2000), NoNul] | None = None
    language: Literal["fa", "en"] | None = None
    kind: TicketKind | None = None
    category_id: BodyId | None = None
    team_id: BodyId | None = None
    thank_you: Annotated[str, Field(max_length=300), NoNul] | None = None
    active: StrictBool | None = None


def _input(values: dict[str, Any]) -> services.WebFormInput:
    values["category"] = one_row(Category, values.pop("category_id", None), "category_id")
    values["team"] = one_row(Team, values.pop("team_id", None), "team_id")
    kind = values.get("kind")
    values["kind"] = getattr(kind, "value", kind)
    return services.WebFormInput(**values)


@router.get(
    "/ticket-web-forms", response={200: list[RequestFormOut], **ERRORS}, summary="Public request forms"
)
def web_form_list(request: HttpRequest) -> list[TicketWebForm]:
    policy.require_admin(actor(request))
    return list(selectors.web_forms())


@router.post(
    "/ticket-web-forms", response={201: RequestFormOut, **ERRORS}, summary="Add a public request form"
)
def web_form_add(request: HttpRequest, payload: RequestFormIn) -> Status[TicketWebForm]:
    user = actor(request)
    policy.require_admin(user)
    return Status(201, services.web_form_save(actor=user, data=_input(payload.model_dump())))


@router.patch(
    "/ticket-web-forms/{form_id}",
    response={200: RequestFormOut, **ERRORS},
    summary="Change a public request form",
)
def web_form_update(request: HttpRequest, form_id: Id, payload: WebFormPatch) -> TicketWebForm:
    user = actor(request)
    policy.require_admin(user)
    found = get_object_or_404(TicketWebForm, pk=form_id)
    values: dict[str, Any] = {
        name: getattr(found, name)
        for name in ("name", "title", "intro", "language", "kind", "thank_you", "active")
    }
    values |= {"category_id": found.category_id, "team_id": found.team_id}
    sent = payload.model_dump(exclude_unset=True)
    values |= {k: v for k, v in sent.items() if v is not None or k in ("category_id", "team_id")}
    return services.web_form_save(actor=user, data=_input(values), form=found)
