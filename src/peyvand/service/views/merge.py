"""Merging a ticket into another of the customer's, and splitting a message off into a new
ticket: each asks for a confirmation that says what will happen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import MergeForm, SplitForm
from ..models import Message
from ..selectors import tickets as selectors
from ..services import merge as services


@login_required
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the ticket to merge this one into, confirm, merge."""
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    if ticket.merged_into_id is not None:
        messages.info(request, _("This ticket was merged already."))
        return redirect("service:ticket_detail", ticket.pk)
    form = MergeForm(
        request.POST or request.GET or None, candidates=selectors.merge_candidates(user=user, ticket=ticket)
    )
    into = form.cleaned_data["into"] if form.is_bound and form.is_valid() else None
    if request.method == "POST" and into is not None and request.POST.get("confirm"):
        try:
            kept = services.ticket_merge(ticket=into, other=ticket, actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"other": "into"})
        else:
            messages.success(
                request,
                _("%(other)s was merged into %(number)s.") % {"other": ticket.number, "number": kept.number},
            )
            return redirect("service:ticket_detail", kept.pk)
    return render(
        request,
        "service/ticket_merge.html",
        {"nav": "tickets", "ticket": ticket, "form": form, "into": into if not form.errors else None},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def ticket_split(request: HttpRequest, pk: int, message: int) -> HttpResponse:
    """Confirm the new ticket's subject, then split the message off into it."""
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    found = selectors.ticket_message(ticket=ticket, pk=message)
    first_line = found.body.strip().split("\n", 1)[0][:200]
    form = SplitForm(request.POST or None, initial={"subject": first_line or ticket.subject})
    refusal = None
    if found.kind != Message.Kind.CUSTOMER:
        refusal = _("Only what the customer wrote can be split off into a new ticket.")
    elif request.method == "POST" and form.is_valid():
        try:
            new = services.ticket_split(message=found, actor=user, subject=form.cleaned_data["subject"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Ticket %(number)s was opened from the message.") % {"number": new.number}
            )
            return (
                redirect("service:ticket_detail", new.pk)
                if policy.can_view(user, new)
                else redirect("service:ticket_detail", ticket.pk)
            )
    return render(
        request,
        "service/ticket_split.html",
        {"nav": "tickets", "ticket": ticket, "message": found, "form": form, "refusal": refusal},
        status=422 if refusal or form.errors else 200,
    )
