"""Appointments: the customer's page of free slots and their upcoming meetings, booking a
slot and cancelling a meeting; staff's page opening booking for a team."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.core import jalali
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import Team
from peyvand.core.text import to_ascii_digits

from ..appointment_forms import BookForm, BookingSettingsForm
from ..models import BookingTeam, PortalAccount
from ..selectors import appointments as selectors
from ..services import appointments as services
from ..session import portal_required

DAYS_SHOWN = 14


@portal_required
@require_GET
def appointment_list(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    now = timezone.now()
    bookings = [
        (booking, selectors.free_slots(booking, now=now)[:DAYS_SHOWN])
        for booking in selectors.open_bookings()
    ]
    return render(
        request,
        "portal/appointment_list.html",
        {
            "nav": "appointments",
            "account": account,
            "bookings": bookings,
            "upcoming": selectors.upcoming_appointments(account=account, now=now),
        },
    )


def _chosen(request: HttpRequest) -> tuple[BookingTeam, dt.datetime | None]:
    source = request.POST if request.method == "POST" else request.GET
    team = to_ascii_digits(str(source.get("team", "")))
    if not team.isdigit() or len(team) > 18:
        raise Http404
    booking = get_object_or_404(selectors.open_bookings(), pk=int(team))
    at = to_ascii_digits(str(source.get("at", "")))
    starts_at = None
    if at.isdigit() and len(at) <= 12:
        try:
            starts_at = dt.datetime.fromtimestamp(int(at), tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            starts_at = None
    return booking, starts_at


@portal_required
@require_http_methods(["GET", "POST"])
def appointment_book(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    booking, starts_at = _chosen(request)
    form = BookForm(request.POST if request.method == "POST" else None)
    problems: list[str] = []
    if starts_at is None:
        problems.append(_("Choose a time from the list of free times."))
    elif form.is_valid():
        data = services.BookingInput(
            starts_at=starts_at, subject=form.cleaned_data["subject"], note=form.cleaned_data["note"]
        )
        try:
            appointment = services.appointment_book(account=account, booking=booking, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your meeting is booked for %(when)s.") % {"when": _format(appointment.starts_at)},
            )
            return redirect("portal:appointments")
    return render(
        request,
        "portal/appointment_book.html",
        {
            "nav": "appointments",
            "account": account,
            "booking": booking,
            "starts_at": starts_at,
            "at": int(starts_at.timestamp()) if starts_at else "",
            "ends_at": starts_at + dt.timedelta(minutes=booking.length_minutes) if starts_at else None,
            "form": form,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _format(moment: dt.datetime) -> str:
    return jalali.format_datetime(moment)


@portal_required
@require_POST
def appointment_cancel(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    appointment = selectors.appointment_get(account=account, ref=ref)
    try:
        services.appointment_cancel(account=account, appointment=appointment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your meeting is cancelled."))
    return redirect("portal:appointments")


# --- staff ---------------------------------------------------------------------------------


def _require_manager(request: HttpRequest) -> None:
    if not services.may_manage_booking(request_user(request)):
        raise PermissionDenied(_("Only an administrator or a manager opens booking for a team."))


@login_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    teams = list(Team.objects.order_by("name"))
    bookings = {booking.team_id: booking for booking in BookingTeam.objects.all()}
    rows = [(team, bookings.get(team.pk)) for team in teams]
    return render(request, "portal/staff_booking_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def booking_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    team = get_object_or_404(Team, pk=pk)
    current = BookingTeam.objects.filter(team=team).first()
    members = services.booking_member_choices(team)
    initial = (
        {
            "active": current.active,
            "length_minutes": current.length_minutes,
            "days_ahead": current.days_ahead,
            "notice_hours": current.notice_hours,
            "calendar": current.calendar_id,
            "members": list(current.members.values_list("pk", flat=True)),
        }
        if current
        else {"active": True, "length_minutes": 30, "days_ahead": 14, "notice_hours": 24}
    )
    form = BookingSettingsForm(
        request.POST if request.method == "POST" else None, members=members, initial=initial
    )
    if form.is_valid():
        data = services.BookingSettingsInput(
            active=form.cleaned_data["active"],
            length_minutes=form.cleaned_data["length_minutes"],
            days_ahead=form.cleaned_data["days_ahead"],
            notice_hours=form.cleaned_data["notice_hours"],
            calendar=form.cleaned_data["calendar"],
            members=list(form.cleaned_data["members"]),
        )
        try:
            services.booking_settings_save(actor=request_user(request), team=team, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Booking of appointments for %(team)s is saved.") % {"team": team.name}
            )
            return redirect("portal_staff:booking_list")
    return render(request, "portal/staff_booking_form.html", {"team": team, "form": form})
