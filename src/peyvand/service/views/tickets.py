"""The desk's pages: the queues, a new ticket, a ticket with its thread, reply and notes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.custom_field_forms import (
    CustomFilterForm,
    column_heads,
    column_values,
    list_columns,
    shown_values,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import add_service_errors
from peyvand.core.http import list_headers, request_user, show_errors
from peyvand.core.jalali import local_digits
from peyvand.core.list_columns import Column, add_column
from peyvand.core.models import Scope, Team
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.custom_fields import custom_sort_ok, definitions_for
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.selectors.users import assignable
from peyvand.core.views.saved import keeps_views
from peyvand.customers.selectors import parties as customer_selectors

from ..forms import NoteForm, ReplyForm, TicketBulkForm, TicketFilterForm, TicketForm
from ..models import Channel, Message, Priority, Status, Ticket, WorkOrder
from ..selectors import canned as canned_selectors
from ..selectors import tickets as selectors
from ..services import messages as thread
from ..services import tickets as services

COMPLAINT_FIELDS = ("cause", "order", "compensation", "compensation_amount", "customer_stayed")
EDITABLE = (
    "subject",
    "channel",
    "kind",
    "priority",
    "category",
    "product",
    "team",
    "assignee",
    "status",
    "language",
    *COMPLAINT_FIELDS,
)
LIST = "service:ticket_list"
# The tickets list's columns, in their default order; those not shown are there to be chosen.
for _column in (
    Column("number", gettext_lazy("Number"), "service/columns/ticket_number.html"),
    Column("subject", gettext_lazy("Subject"), "service/columns/ticket_subject.html"),
    Column("customer", gettext_lazy("Customer"), "service/columns/ticket_customer.html"),
    Column("status", gettext_lazy("Status"), "service/columns/ticket_status.html"),
    Column("assignee", gettext_lazy("Assignee"), "service/columns/ticket_assignee.html"),
    Column("created", gettext_lazy("Opened"), "service/columns/ticket_created.html", sort="-created"),
    Column("priority", gettext_lazy("Priority"), "service/columns/ticket_priority.html", sort="-priority"),
    Column("due", gettext_lazy("Due"), "service/columns/ticket_due.html", sort="due"),
    Column("team", gettext_lazy("Team"), "service/columns/ticket_team.html", shown=False),
    Column("channel", gettext_lazy("Channel"), "service/columns/ticket_channel.html", shown=False),
    Column("kind", gettext_lazy("Type"), "service/columns/ticket_kind.html", shown=False),
    Column("category", gettext_lazy("Category"), "service/columns/ticket_category.html", shown=False),
    Column("product", gettext_lazy("Product"), "service/columns/ticket_product.html", shown=False),
    Column(
        "updated",
        gettext_lazy("Last change"),
        "service/columns/ticket_updated.html",
        sort="-updated",
        shown=False,
    ),
    Column(
        "last_message", gettext_lazy("Last message"), "service/columns/ticket_last_message.html", shown=False
    ),
    Column("resolved", gettext_lazy("Resolved"), "service/columns/ticket_resolved.html", shown=False),
):
    add_column(LIST, _column)


@keeps_views
@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS or custom_sort_ok(Entity.TICKET, sort) else selectors.DEFAULT_SORT
    form = TicketFilterForm(request.GET or None, initial={"view": selectors.DEFAULT_VIEW})
    filters = form.filters() if request.GET else {"view": selectors.DEFAULT_VIEW}
    custom_form = CustomFilterForm(request.GET, entity=Entity.TICKET)
    try:
        page = selectors.ticket_list(
            user=user,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
            custom=custom_form.filters(),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("service:ticket_list")
    can_bulk = policy.scope(user, "ticket", "change") != Scope.NONE
    shown = chosen_columns(user=user, list_name=LIST, page=request.path, requested=request.GET.get("columns"))
    custom_columns = list_columns(custom_form.custom_definitions)
    column_values(custom_columns, page.items)
    return render(
        request,
        "service/ticket_list.html",
        {
            "nav": "tickets",
            "form": form,
            "custom_form": custom_form,
            "custom_columns": column_heads(custom_columns, sort),
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": list_headers(shown, sort, selectors.SORTS),
            "shown": shown,
            "width": len(shown) + len(custom_columns) + (1 if can_bulk else 0),
            "can_create": policy.can_create(user, Ticket),
            "can_bulk": can_bulk,
            "assignees": assignable(user=user, model=Ticket),
            "allow_queue": policy.may_own(user, Ticket, None),
            "teams": Team.objects.order_by("name"),
            "statuses": Status.choices,
            "priorities": Priority.choices,
        },
    )


@login_required
@require_POST
def ticket_bulk(request: HttpRequest) -> HttpResponse:
    """The list's bulk bar: one change to every ticked ticket the user may change."""
    user = request_user(request)
    back = request.POST.get("next") or ""
    # Back to the list as it was filtered; never to another site ("//elsewhere.example").
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("service:ticket_list")
    form = TicketBulkForm(request.POST)
    if not form.is_valid():
        if "ids" in form.errors or "action" in form.errors:
            messages.error(request, _("Choose at least one ticket and an action."))
        for name in ("assignee", "status", "priority", "team"):
            for error in form.errors.get(name, []):
                messages.error(request, str(error))
        return redirect(back)
    try:
        result = services.ticket_bulk_update(
            actor=user, ticket_ids=form.cleaned_data["ids"], data=form.ticket_input()
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(back)
    messages.success(request, _("%(changed)s changed.") % {"changed": local_digits(result.changed)})
    if result.skipped:
        messages.warning(
            request,
            _("%(skipped)s skipped: you may not change them.") % {"skipped": local_digits(result.skipped)},
        )
    return redirect(back)


def _ticket_form(data: Any, user: Any, *, ticket: Ticket | None = None, **kwargs: Any) -> TicketForm:
    """The form of a new ticket, or of ``ticket``'s changes (then its customer's orders)."""
    return TicketForm(
        data,
        assignees=assignable(user=user, model=Ticket),
        allow_queue=policy.may_own(user, Ticket, None),
        orders=selectors.customer_orders(user=user, ticket=ticket) if ticket else None,
        custom_values=ticket.custom if ticket else None,
        **kwargs,
    )


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Ticket)
    party = None
    if choice_id(request.GET.get("party")):
        party = customer_selectors.party_get(user=user, pk=request.GET["party"])
    channel = request.GET.get("channel")
    initial = {
        "party": party.pk if party else None,
        "channel": channel if channel in Channel.values else Channel.PHONE,
    }
    form = _ticket_form(request.POST or None, user, initial=initial)
    for name in ("status", "language", *COMPLAINT_FIELDS):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        if choice_id(form.cleaned_data.get("party")):
            party = customer_selectors.party_get(user=user, pk=form.cleaned_data["party"])
        try:
            ticket = services.ticket_open(
                actor=user,
                data=form.ticket_input(party),
                description=form.cleaned_data.get("description", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("Ticket %(number)s was opened.") % {"number": ticket.number})
            if not policy.can_view(user, ticket):
                # The assignment rules gave it to another team: its page is theirs now.
                messages.info(request, _("The assignment rules gave it to another team."))
                return redirect("service:ticket_list")
            return redirect("service:ticket_detail", ticket.pk)
    return render(request, "service/ticket_form.html", {"nav": "tickets", "form": form, "party": party})


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    return render(request, "service/ticket_detail.html", _detail_context(request, user, ticket))


def _detail_context(
    request: HttpRequest,
    user: Any,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    edit_form: TicketForm | None = None,
) -> dict[str, Any]:
    thread_messages = selectors.ticket_thread(ticket=ticket)
    public = [m for m in thread_messages if m.kind != Message.Kind.NOTE]
    can_change = policy.can_change(user, ticket)
    if edit_form is None:
        edit_form = _ticket_form(
            None, user, initial={name: getattr(ticket, name) for name in EDITABLE}, ticket=ticket
        )
        del edit_form.fields["description"]
    return {
        "nav": "tickets",
        "ticket": ticket,
        "thread": thread_messages,
        "can_change": can_change,
        "reply_form": reply_form
        or ReplyForm(
            addresses=selectors.reply_addresses(ticket=ticket),
            initial={"seen": public[-1].pk if public else 0},
        ),
        "note_form": note_form or NoteForm(),
        "canned": canned_selectors.canned_choices(user=user) if can_change else [],
        "edit_form": edit_form,
        "custom_values": shown_values(definitions_for(Entity.TICKET), ticket.custom),
        "sla_events": list(ticket.sla_events.order_by("at")),
        "surveys": list(ticket.surveys.order_by("sent_at")),
        "can_create_visit": policy.can_create(user, WorkOrder),
    }


@login_required
@require_POST
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    form = _ticket_form(request.POST, user, ticket=ticket)
    del form.fields["description"]
    if form.is_valid():
        try:
            services.ticket_update(ticket=ticket, actor=user, data=form.ticket_input(None))
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("The ticket was saved."))
            return redirect("service:ticket_detail", ticket.pk)
    return render(
        request,
        "service/ticket_detail.html",
        _detail_context(request, user, ticket, edit_form=form),
        status=422,
    )


@login_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    form = ReplyForm(request.POST, request.FILES, addresses=selectors.reply_addresses(ticket=ticket))
    if form.is_valid():
        channel, address = form.channel_and_address()
        data = thread.ReplyInput(
            body=form.cleaned_data["body"],
            channel=channel,
            to=address,
            status=form.cleaned_data["status"],
            seen=form.cleaned_data.get("seen"),
            send_anyway=form.cleaned_data.get("send_anyway") or False,
            attachments=form.files_to_send(),
        )
        try:
            thread.ticket_reply(ticket=ticket, actor=user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reply is on its way."))
            return redirect("service:ticket_detail", ticket.pk)
    # Shown again with what was typed; after a collision the form offers to send anyway.
    context = _detail_context(request, user, ticket, reply_form=form)
    context["collided"] = bool(form.data.get("seen")) and "body" in form.errors
    return render(
        request,
        "service/ticket_detail.html",
        context,
        status=422,
    )


@login_required
@require_POST
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            thread.ticket_note(ticket=ticket, actor=user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("The note was added."))
            return redirect("service:ticket_detail", ticket.pk)
    return render(
        request,
        "service/ticket_detail.html",
        _detail_context(request, user, ticket, note_form=form),
        status=422,
    )


@login_required
@require_POST
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-click buttons: resolve, close, reopen."""
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    status = request.POST.get("status", "")
    try:
        services.ticket_update(ticket=ticket, actor=user, data=services.TicketInput(status=status))
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The ticket is now “%(status)s”.") % {"status": Status(status).label})
    return redirect("service:ticket_detail", ticket.pk)
