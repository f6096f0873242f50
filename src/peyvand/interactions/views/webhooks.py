"""Outgoing webhooks in the administration: the endpoints, one endpoint's page with its
delivery log, a test ping, sending a failed delivery again. Administrators only."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors
from peyvand.core.pagination import InvalidCursor

from ..models import WebhookDelivery, WebhookEndpoint
from ..selectors import webhooks as selectors
from ..services import webhooks as services
from ..webhook_events import EVENTS, PING, event_label
from ..webhook_forms import WebhookForm

# The secret is shown once, on the page after it was made: kept in the session until then.
_SHOWN_ONCE = "webhook_secret"  # a session key
PAGE_SIZE = 50  # deliveries on a page of the log


def _show_secret_once(request: HttpRequest, endpoint: WebhookEndpoint) -> None:
    request.session[_SHOWN_ONCE] = {"id": endpoint.pk, "secret": endpoint.secret}


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    endpoints = selectors.webhook_list(user=user)
    return render(request, "interactions/webhook_list.html", {"endpoints": endpoints, "nav": "admin"})


@login_required
def webhook_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_create(actor=user, data=form.to_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _show_secret_once(request, endpoint)
            messages.success(request, _("The webhook was saved."))
            return redirect("webhook_detail", endpoint.pk)
    return render(request, "interactions/webhook_form.html", {"form": form, "endpoint": None, "nav": "admin"})


@login_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    endpoint = selectors.webhook_get(user=user, pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": endpoint.events,
        "active": endpoint.active,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.webhook_delete(actor=user, endpoint=endpoint)
        messages.success(request, _("The webhook was deleted."))
        return redirect("webhook_list")
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(actor=user, endpoint=endpoint, data=form.to_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("webhook_detail", endpoint.pk)
    return render(
        request, "interactions/webhook_form.html", {"form": form, "endpoint": endpoint, "nav": "admin"}
    )


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint and its delivery log, filtered by status and event, newest first."""
    user = request_user(request)
    endpoint = selectors.webhook_get(user=user, pk=pk)
    filters = {key: request.GET.get(key, "") for key in ("status", "event", "sort")}
    try:
        page = selectors.delivery_list(
            user=user,
            endpoint=endpoint,
            filters=filters,
            sort=filters["sort"],
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect("webhook_detail", endpoint.pk)
    shown = request.session.pop(_SHOWN_ONCE, None)
    secret = shown["secret"] if isinstance(shown, dict) and shown.get("id") == endpoint.pk else ""
    return render(
        request,
        "interactions/webhook_detail.html",
        {
            "endpoint": endpoint,
            "event_labels": [event_label(name) for name in endpoint.events],
            "page": page,
            "filters": filters,
            "statuses": WebhookDelivery.Status.choices,
            "events": [(PING, event_label(PING)), *EVENTS.items()],
            "secret": secret,
            "nav": "admin",
        },
    )


@login_required
def webhook_delivery(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    """One delivery: its request (headers and body), the answer, attempts and error."""
    user = request_user(request)
    endpoint = selectors.webhook_get(user=user, pk=pk)
    delivery = selectors.delivery_get(user=user, endpoint=endpoint, pk=delivery_id)
    try:
        body = json.dumps(json.loads(delivery.body), ensure_ascii=False, indent=2)
    except ValueError:
        body = delivery.body
    return render(
        request,
        "interactions/webhook_delivery.html",
        {
            "endpoint": endpoint,
            "delivery": delivery,
            "body": body,
            "event": event_label(delivery.event),
            "nav": "admin",
        },
    )


@login_required
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    endpoint = selectors.webhook_get(user=user, pk=pk)
    delivery = services.webhook_ping(actor=user, endpoint=endpoint)
    delivery.refresh_from_db()
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        messages.success(request, _("The test ping was delivered."))
    elif delivery.status in (WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.SENDING):
        messages.info(request, _("The test ping is on its way; its outcome shows in the log."))
    else:
        messages.error(request, _("The test ping failed: %(error)s") % {"error": delivery.last_error})
    return redirect("webhook_detail", endpoint.pk)


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    endpoint = services.webhook_secret_rotate(actor=user, endpoint=selectors.webhook_get(user=user, pk=pk))
    _show_secret_once(request, endpoint)
    messages.success(request, _("A new secret was made; the old one no longer signs deliveries."))
    return redirect("webhook_detail", endpoint.pk)


@login_required
@require_POST
def webhook_delivery_retry(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    user = request_user(request)
    endpoint = selectors.webhook_get(user=user, pk=pk)
    delivery = selectors.delivery_get(user=user, endpoint=endpoint, pk=delivery_id)
    try:
        services.webhook_delivery_retry(actor=user, delivery=delivery)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("webhook_detail", endpoint.pk)
