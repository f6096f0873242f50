"""Field service pages: work orders, the dispatch board, and the technician's day and visit
(check-in, parts, photos, check-out, the customer's signature), billing a visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import jalali, policy
from peyvand.core.converters import choice_id
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors, sort_columns
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.selectors import parties as customer_selectors
from peyvand.sales.models import Order

from ..forms import (
    BoardMoveForm,
    CheckOutForm,
    PartForm,
    PhotoForm,
    ScheduleForm,
    SignatureForm,
    WorkOrderFilterForm,
    WorkOrderForm,
)
from ..models import ServiceContract, WorkOrder, WorkPart, WorkPhoto, WorkStatus
from ..selectors import field as selectors
from ..selectors import tickets as ticket_selectors
from ..services import field as services
from ..services.contracts import contract_for

SORT_LABELS = {"start": gettext_lazy("Starts"), "-created": gettext_lazy("Created")}


@login_required
def work_order_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = WorkOrderFilterForm(request.GET or None, initial={"view": selectors.DEFAULT_VIEW})
    filters = form.filters() if request.GET else {"view": selectors.DEFAULT_VIEW}
    try:
        page = selectors.work_order_list(
            user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor")
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("service:work_order_list")
    return render(
        request,
        "service/work_order_list.html",
        {
            "nav": "field",
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, WorkOrder),
        },
    )


def _contracts(user: User, party: Any) -> Any:
    if party is None:
        return None
    return policy.visible(user, ServiceContract.objects.filter(party=party)).order_by("-ends_on")


@login_required
def work_order_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, WorkOrder)
    ticket = None
    if choice_id(request.GET.get("ticket")):
        ticket = ticket_selectors.ticket_get(user=user, pk=request.GET["ticket"])
    party = ticket.party if ticket else None
    if party is None and choice_id(request.POST.get("party") or request.GET.get("party")):
        party = customer_selectors.party_get(user=user, pk=request.POST.get("party") or request.GET["party"])
    initial: dict[str, Any] = {
        "party": party.pk if party else None,
        "title": ticket.subject if ticket else "",
    }
    if party is not None:
        initial["contract"] = contract_for(party.pk, timezone.localdate())
    form = WorkOrderForm(request.POST or None, initial=initial, contracts=_contracts(user, party))
    if request.method == "POST" and form.is_valid():
        try:
            data = form.work_input(party)
            if ticket is not None:
                data = services.WorkOrderInput(**{**data.__dict__, "ticket": ticket})
            work = services.work_order_create(actor=user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Work order %(number)s was created.") % {"number": work.number})
            return redirect("service:work_order_detail", work.pk)
    return render(
        request,
        "service/work_order_form.html",
        {"nav": "field", "form": form, "party": party, "ticket": ticket, "work": None},
    )


@login_required
def work_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    work = selectors.work_order_get(user=user, pk=pk)
    policy.require_change(user, work)
    initial = {
        "title": work.title,
        "description": work.description,
        "site_address": work.site_address,
        "skills": list(work.skills.all()),
        "contract": work.contract,
        "labour_product": work.labour_product,
    }
    form = WorkOrderForm(request.POST or None, initial=initial, contracts=_contracts(user, work.party))
    del form.fields["party"]
    if request.method == "POST" and form.is_valid():
        try:
            services.work_order_update(actor=user, work_order=work, data=form.work_input(None))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The work order was saved."))
            return redirect("service:work_order_detail", work.pk)
    return render(
        request,
        "service/work_order_form.html",
        {"nav": "field", "form": form, "party": work.party, "ticket": work.ticket, "work": work},
    )


@login_required
def work_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    work = selectors.work_order_get(user=user, pk=pk)
    return render(request, "service/work_order_detail.html", _detail(user, work))


def _detail(user: User, work: WorkOrder, **forms: Any) -> dict[str, Any]:
    can_change = policy.can_change(user, work)
    start = timezone.localtime(work.scheduled_start) if work.scheduled_start else None
    schedule = forms.get("schedule") or ScheduleForm(
        technicians=selectors.technicians(user=user),
        initial={
            "technician": work.technician_id or user.pk,
            "start": start,
            "end": timezone.localtime(work.scheduled_end) if work.scheduled_end else None,
        },
    )
    lines = services.bill_lines(work) if work.status == WorkStatus.DONE and work.order_id is None else []
    return {
        "nav": "field",
        "work": work,
        "can_change": can_change,
        "parts": list(work.parts.select_related("product")),
        "photos": list(work.photos.all()),
        "skills": list(work.skills.all()),
        "schedule_form": schedule,
        "check_out_form": forms.get("check_out") or CheckOutForm(),
        "part_form": forms.get("part") or PartForm(),
        "photo_form": forms.get("photo") or PhotoForm(),
        "signature_form": forms.get("signature") or SignatureForm(),
        "bill_lines": lines,
        "billable": any(not line.covered for line in lines),
        "may_bill": policy.can_create(user, Order)
        and work.order_id is None
        and work.status == WorkStatus.DONE,
    }


def _viewing(request: HttpRequest, pk: int) -> tuple[User, WorkOrder]:
    user = request_user(request)
    return user, selectors.work_order_get(user=user, pk=pk)


def _changing(request: HttpRequest, pk: int) -> tuple[User, WorkOrder]:
    user = request_user(request)
    work = selectors.work_order_get(user=user, pk=pk)
    policy.require_change(user, work)
    return user, work


def _done(request: HttpRequest, work: WorkOrder, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("service:work_order_detail", work.pk)


@login_required
@require_POST
def work_order_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    user, work = _changing(request, pk)
    form = ScheduleForm(request.POST, technicians=selectors.technicians(user=user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.work_order_schedule(
                actor=user,
                work_order=work,
                technician=data["technician"],
                start=data["start"],
                end=data["end"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"scheduled_start": "start", "scheduled_end": "end"})
        else:
            return _done(request, work, _("The visit was booked."))
    return render(request, "service/work_order_detail.html", _detail(user, work, schedule=form), status=400)


@login_required
@require_POST
def work_order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check in, cancel or bill: one press, no form. Billing asks only to see the visit (and
    to make orders); the rest, to change it."""
    user, work = _viewing(request, pk) if action == "bill" else _changing(request, pk)
    try:
        if action == "check-in":
            services.work_order_check_in(actor=user, work_order=work)
            return _done(request, work, _("Checked in."))
        if action == "cancel":
            services.work_order_cancel(actor=user, work_order=work)
            return _done(request, work, _("The work order was cancelled."))
        if action == "bill":
            order = services.work_order_bill(actor=user, work_order=work)
            return _done(
                request, work, _("Order %(number)s was made from this visit.") % {"number": order.number}
            )
        if action == "unschedule":
            services.work_order_schedule(actor=user, work_order=work, technician=None, start=None, end=None)
            return _done(request, work, _("The visit is back on the pile to schedule."))
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("service:work_order_detail", work.pk)
    raise Http404


def _submitted(
    request: HttpRequest,
    pk: int,
    form: forms.Form,
    act: Callable[[User, WorkOrder, dict[str, Any]], object],
    message: str,
    slot: str,
) -> HttpResponse:
    """One of the visit page's forms sent: done, or the page again with the form's errors."""
    user, work = _changing(request, pk)
    if form.is_valid():
        try:
            act(user, work, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, work, message)
    return render(request, "service/work_order_detail.html", _detail(user, work, **{slot: form}), status=400)


@login_required
@require_POST
def work_order_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, work: WorkOrder, data: dict[str, Any]) -> object:
        return services.work_order_check_out(actor=user, work_order=work, **data)

    return _submitted(
        request, pk, CheckOutForm(request.POST), act, _("Checked out. Ask the customer to sign."), "check_out"
    )


@login_required
@require_POST
def work_part_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, work: WorkOrder, data: dict[str, Any]) -> object:
        return services.work_part_add(actor=user, work_order=work, **data)

    return _submitted(request, pk, PartForm(request.POST), act, _("The part was added."), "part")


@login_required
@require_POST
def work_part_remove(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    user, work = _changing(request, pk)
    found = WorkPart.objects.filter(work_order=work, pk=part).first()
    if found is None:
        raise Http404
    try:
        services.work_part_remove(actor=user, part=found)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("service:work_order_detail", work.pk)
    return _done(request, work, _("The part was removed."))


@login_required
@require_POST
def work_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, work: WorkOrder, data: dict[str, Any]) -> object:
        return services.work_photo_add(
            actor=user, work_order=work, upload=data["image"], caption=data["caption"]
        )

    form = PhotoForm(request.POST, request.FILES)
    return _submitted(request, pk, form, act, _("The photo was added."), "photo")


@login_required
def work_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    work = selectors.work_order_get(user=request_user(request), pk=pk)
    found = WorkPhoto.objects.filter(work_order=work, pk=photo).first()
    if found is None:
        raise Http404
    response = FileResponse(found.image.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def work_order_sign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, work: WorkOrder, data: dict[str, Any]) -> object:
        return services.work_order_sign(actor=user, work_order=work, **data)

    return _submitted(request, pk, SignatureForm(request.POST), act, _("Signed. Thank you."), "signature")


@login_required
def work_signature(request: HttpRequest, pk: int) -> FileResponse:
    work = selectors.work_order_get(user=request_user(request), pk=pk)
    if not work.signature:
        raise Http404
    response = FileResponse(work.signature.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# --- the dispatch board and the technician's day ----------------------------------------------


def _week_start(text: str | None) -> dt.date:
    """The board's first day: the one asked for, else this week's Saturday (Persian) or
    today (English)."""
    if text:
        try:
            return jalali.parse_date(text)
        except ValueError:
            pass
    today = timezone.localdate()
    if jalali.uses_jalali():
        return today - dt.timedelta(days=(today.weekday() - 5) % 7)
    return today


def _board_context(request: HttpRequest, start: dt.date, error: str = "") -> dict[str, Any]:
    user = request_user(request)
    days = selectors.BOARD_DAYS
    return {
        "nav": "field",
        "board": selectors.board(user=user, start=start, days=days),
        "start": start,
        "previous": start - dt.timedelta(days=days),
        "next": start + dt.timedelta(days=days),
        "error": error,
        "can_change": policy.scope(user, "work_order", "change") != "none",
    }


@login_required
def dispatch_board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if policy.scope(user, "work_order", "view") == "none":
        raise Http404
    start = _week_start(request.GET.get("start"))
    return render(request, "service/dispatch_board.html", _board_context(request, start))


@login_required
@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A card dropped on the board; answers with the board redrawn (and why, if refused)."""
    user, work = _changing(request, pk)
    form = BoardMoveForm(request.POST)
    start = _week_start(request.POST.get("start"))
    error = ""
    if not form.is_valid():
        error = _("Drop the visit on a technician's day.")
    else:
        data = form.cleaned_data
        try:
            if data["unschedule"]:
                services.work_order_schedule(
                    actor=user, work_order=work, technician=None, start=None, end=None
                )
            elif data["technician"] and data["day"]:
                technician = User.objects.filter(pk=data["technician"], is_active=True).first()
                begin, end = services.window_on(work, data["day"])
                services.work_order_schedule(
                    actor=user, work_order=work, technician=technician, start=begin, end=end
                )
            else:
                error = _("Drop the visit on a technician's day.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = _board_context(request, start, error)
    return render(request, "service/_board.html", context, status=200)


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    day = timezone.localdate()
    if request.GET.get("day"):
        try:
            day = jalali.parse_date(request.GET["day"])
        except ValueError:
            messages.error(request, _("Enter a valid date."))
    return render(
        request,
        "service/my_day.html",
        {
            "nav": "field",
            "day": day,
            "visits": selectors.technician_day(user=user, day=day),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
    )
