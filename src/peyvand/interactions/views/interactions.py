"""Logging interactions, a customer's timeline page by page, and inbound attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.selectors.parties import party_get

from .. import selectors, services
from ..forms import InteractionForm
from ..models import Channel
from ..services.inbound import attachment_path


@login_required
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of the timeline, for the channel filter and "show more" (htmx fragments)."""
    user = request_user(request)
    party = party_get(user=user, pk=pk)
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    kind = selectors.timeline.INTERACTION if channel else request.GET.get("kind", "")
    kinds = (kind,) if kind in selectors.timeline.KINDS else selectors.timeline.KINDS
    people = request.GET.get("people") != "0"  # an organisation's, with its people's by default
    try:
        page = selectors.timeline.party_timeline(
            user=user,
            party=party,
            channel=channel,
            kinds=kinds,
            cursor=request.GET.get("cursor"),
            people=people,
        )
    except InvalidCursor as exc:
        return HttpResponse(str(exc), status=400)
    template = (
        "interactions/_timeline_items.html" if request.GET.get("cursor") else "interactions/_timeline.html"
    )
    return render(
        request,
        template,
        {"party": party, "timeline": page, "channel": channel, "kind": kind, "people": people},
    )


@login_required
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = party_get(user=user, pk=pk)
    form = InteractionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            interaction = services.interactions.interaction_log(
                party=party, actor=user, data=form.data_for_service()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The interaction was logged."))
            if interaction.channel == Channel.PHONE:
                # After a call, the customer page offers to plan the next one (once).
                request.session["follow_up_offer"] = party.pk
            return redirect("party_detail", party.pk)
    return render(
        request, "interactions/interaction_form.html", {"form": form, "party": party, "nav": party.kind}
    )


@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    interaction = selectors.interactions.interaction_get(user=user, pk=pk)
    policy.require_change(user, interaction)  # the form is denied like the write it leads to
    initial: dict[str, Any] = {name: getattr(interaction, name) for name in services.interactions.FIELDS}
    form = InteractionForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.interactions.interaction_update(
                interaction=interaction, actor=user, data=form.data_for_service()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The interaction was saved."))
            return redirect("party_detail", interaction.party_id)
    return render(
        request,
        "interactions/interaction_form.html",
        {
            "form": form,
            "party": interaction.party,
            "interaction": interaction,
            "nav": interaction.party.kind,
        },
    )


@login_required
@require_POST
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    interaction = selectors.interactions.interaction_get(user=user, pk=pk)
    services.interactions.interaction_delete(interaction=interaction, actor=user)
    messages.success(request, _("The interaction was deleted."))
    return redirect("party_detail", interaction.party_id)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.interactions.attachment_get(user=request_user(request), pk=pk)
    try:
        path = attachment_path(attachment)
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    # Always a download, never shown inline: a file from outside must not run in our origin.
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
