"""Sending email and SMS from the customer page, the outbox, and unsubscribing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.selectors.parties import party_get

from .. import selectors
from ..forms import EmailForm, SmsForm
from ..models import Interaction, OutboundMessage
from ..services import messaging, outbox


def _send(request: HttpRequest, pk: int, form_class: type[EmailForm] | type[SmsForm]) -> HttpResponse:
    user = request_user(request)
    party = party_get(user=user, pk=pk)
    form = form_class(request.POST or None, party=party, user=user)
    if request.method == "POST" and form.is_valid():
        send = messaging.email_send if form_class is EmailForm else messaging.sms_send
        try:
            send(party=party, actor=user, draft=form.draft())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The message is on its way; its status shows on the timeline."))
            return redirect("party_detail", party.pk)
    return render(
        request,
        "interactions/send_form.html",
        {
            "form": form,
            "party": party,
            "channel": form_class.channel,
            "nav": party.kind,
            **_sms_context(form),
        },
    )


def _sms_context(form: Any) -> dict[str, Any]:
    if form.channel != "sms":
        return {}
    text = form["body"].value() or ""
    language = form["language"].value() or ""
    return {"count": messaging.sms_preview(text=text, party=form.party, actor=form.user, language=language)}


@login_required
def email_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _send(request, pk, EmailForm)


@login_required
def sms_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _send(request, pk, SmsForm)


@login_required
def sms_count(request: HttpRequest) -> HttpResponse:
    """Segments and cost of the text being typed (htmx, as the user types), counted with
    the placeholders filled for the customer it is for."""
    user = request_user(request)
    text = (request.GET.get("body") or "")[:2000]
    party_id = request.GET.get("party", "")
    party = party_get(user=user, pk=party_id) if party_id else None
    count = messaging.sms_preview(
        text=text, party=party, actor=user, language=request.GET.get("language", "")
    )
    return render(request, "interactions/_sms_count.html", {"count": count})


@login_required
def compose(request: HttpRequest, pk: int, channel: str) -> HttpResponse:
    """The send form filled from the chosen template (htmx swaps the form)."""
    user = request_user(request)
    party = party_get(user=user, pk=pk)
    policy.require_create(user, Interaction)  # no send form for one who may not send
    form_class = EmailForm if channel == "email" else SmsForm
    initial: dict[str, Any] = {}
    template_id = request.GET.get("template", "")
    if template_id:
        template = selectors.messaging.template_get(user=user, pk=template_id)
        initial = {
            "template": template.pk,
            "subject": template.subject,
            "body": template.body,
            "purpose": template.purpose,
            "language": template.language,
        }
    form = form_class(party=party, user=user, initial=initial)
    return render(
        request,
        f"interactions/_{channel}_form.html",
        {"form": form, "party": party, **_sms_context(form)},
    )


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = {key: request.GET.get(key, "") for key in ("status", "channel", "party", "sort")}
    try:
        page = selectors.messaging.outbox_list(user=user, filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("outbox")
    return render(
        request,
        "interactions/outbox.html",
        {
            "page": page,
            "filters": filters,
            "statuses": OutboundMessage.Status.choices,
            "channels": OutboundMessage.Kind.choices,
            "nav": "admin",
        },
    )


@login_required
@require_POST
def outbound_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    message = selectors.messaging.outbound_get(user=user, pk=pk)
    try:
        outbox.outbound_retry(message=message, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message will be sent again."))
    return redirect("party_detail", message.party_id) if message.party_id else redirect("outbox")


@login_required
@require_POST
def outbound_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    message = selectors.messaging.outbound_get(user=user, pk=pk)
    try:
        outbox.outbound_cancel(message=message, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message was cancelled."))
    return redirect("outbox")


@csrf_exempt  # reached from an email, signed by us; only ever withdraws consent
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        party = messaging.consent_withdraw_by_link(token=token)
        if party is None:
            raise Http404
        return render(request, "interactions/unsubscribed.html", {"done": True})
    return render(request, "interactions/unsubscribed.html", {"done": False, "token": token})
