"""Outgoing webhooks over the API (administrators only): the endpoints, a new secret, a test
ping, each endpoint's delivery log and sending a delivery again. (``webhooks`` is the
inbound side: the PBX's and the SMS gateway's calls to Peyvand.)

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
import json
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, Id, InputSchema, NoNul, PageOut, PageQuery

from ..models import WebhookDelivery, WebhookEndpoint
from ..selectors import webhooks as selectors
from ..services import webhooks as services
from ..webhook_events import EVENTS, PING

router = Router(tags=["webhooks"])

Name = Annotated[str, Field(max_length=services.NAME_MAX_LENGTH), NoNul]
Url = Annotated[str, Field(max_length=services.URL_MAX_LENGTH), NoNul]
EventName = Literal[tuple(EVENTS)]  # type: ignore[valid-type]
DeliveryStatus = Literal[tuple(WebhookDelivery.Status.values)]  # type: ignore[valid-type]


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    failures: int = Field(description="Failed attempts in a row; too many pause the webhook")
    paused_reason: str
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    created_at: dt.datetime


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret: returned only when it is made, never again")


class WebhookIn(InputSchema):
    name: Name
    url: Url = Field(
        description="A public http(s) address: loopback, private and link-local ones are refused"
    )
    events: list[EventName] = Field(min_length=1, description="The events to send")  # type: ignore[valid-type]
    active: StrictBool = True


class WebhookPatch(InputSchema):
    name: Name | None = None
    url: Url | None = None
    events: list[EventName] | None = None  # type: ignore[valid-type]
    active: StrictBool | None = None


class DeliveryOut(Schema):
    id: int
    uid: UUID = Field(description="Sent as X-Peyvand-Delivery; the same on every attempt")
    event: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    response_status: int | None
    response_body: str = Field(description="The first 1 KB of the receiver's answer")
    duration_ms: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None


class DeliveryDetailOut(DeliveryOut):
    body: Any = Field(description="The JSON body that was sent")

    @staticmethod
    def resolve_body(obj: WebhookDelivery) -> Any:
        return json.loads(obj.body)


class DeliveryQuery(PageQuery):
    status: DeliveryStatus | None = None  # type: ignore[valid-type]
    event: Literal[(PING, *EVENTS)] | None = None  # type: ignore[valid-type]
    sort: Literal["new", "old"] = "new"


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="Outgoing webhooks")
def webhook_list(request: HttpRequest) -> list[WebhookEndpoint]:
    return selectors.webhook_list(user=actor(request))


@router.post(
    "/webhooks",
    response={201: WebhookWithSecretOut, **ERRORS},
    summary="Add a webhook (its secret is in the answer)",
)
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[WebhookEndpoint]:
    data = services.WebhookInput(**payload.model_dump())
    return Status(201, services.webhook_create(actor=actor(request), data=data))


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Get a webhook")
def webhook_get(request: HttpRequest, webhook_id: Id) -> WebhookEndpoint:
    return selectors.webhook_get(user=actor(request), pk=webhook_id)


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS}, summary="Change a webhook")
def webhook_update(request: HttpRequest, webhook_id: Id, payload: WebhookPatch) -> WebhookEndpoint:
    user = actor(request)
    endpoint = selectors.webhook_get(user=user, pk=webhook_id)
    values: dict[str, Any] = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
    }
    values.update({k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    return services.webhook_update(actor=user, endpoint=endpoint, data=services.WebhookInput(**values))


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Delete a webhook")
def webhook_delete(request: HttpRequest, webhook_id: Id) -> Status[None]:
    user = actor(request)
    services.webhook_delete(actor=user, endpoint=selectors.webhook_get(user=user, pk=webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/secret",
    response={200: WebhookWithSecretOut, **ERRORS},
    summary="Make a new signing secret (the old one stops signing at once)",
)
def webhook_rotate(request: HttpRequest, webhook_id: Id) -> WebhookEndpoint:
    user = actor(request)
    return services.webhook_secret_rotate(
        actor=user, endpoint=selectors.webhook_get(user=user, pk=webhook_id)
    )


@router.post("/webhooks/{webhook_id}/ping", response={202: DeliveryOut, **ERRORS}, summary="Send a test ping")
def webhook_ping(request: HttpRequest, webhook_id: Id) -> Status[WebhookDelivery]:
    user = actor(request)
    delivery = services.webhook_ping(actor=user, endpoint=selectors.webhook_get(user=user, pk=webhook_id))
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: PageOut[DeliveryOut], **ERRORS},
    summary="A webhook's deliveries, newest first",
)
def delivery_list(request: HttpRequest, webhook_id: Id, filters: Query[DeliveryQuery]) -> dict[str, Any]:
    user = actor(request)
    endpoint = selectors.webhook_get(user=user, pk=webhook_id)
    page = selectors.delivery_list(
        user=user,
        endpoint=endpoint,
        filters={"status": filters.status or "", "event": filters.event or ""},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.get(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    summary="One delivery, with the body sent",
)
def delivery_get(request: HttpRequest, webhook_id: Id, delivery_id: Id) -> WebhookDelivery:
    user = actor(request)
    endpoint = selectors.webhook_get(user=user, pk=webhook_id)
    return selectors.delivery_get(user=user, endpoint=endpoint, pk=delivery_id)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a failed or cancelled delivery again",
)
def delivery_retry(request: HttpRequest, webhook_id: Id, delivery_id: Id) -> Status[WebhookDelivery]:
    user = actor(request)
    endpoint = selectors.webhook_get(user=user, pk=webhook_id)
    delivery = selectors.delivery_get(user=user, endpoint=endpoint, pk=delivery_id)
    delivery = services.webhook_delivery_retry(actor=user, delivery=delivery)
    delivery.refresh_from_db()
    return Status(202, delivery)
