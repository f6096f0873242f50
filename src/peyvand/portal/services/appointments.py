"""Booking appointments in the portal, and the settings staff open booking with.

``appointment_book`` locks the team's booking row, so bookings of one team are made one at a
time (two customers choosing the same slot at once: the second finds it taken), checks the
slot is still free (working time, notice, days ahead, the members' activities), gives it to
the free member least booked that week, and writes a meeting activity for that member with
the customer: on the customer's timeline and in the member's calendar, the member told. A
unique constraint (one booking per member and start) stands behind the lock.
``appointment_cancel`` calls the meeting off, at least ``notice_hours`` ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.activities.models import Kind
from peyvand.activities.services.activities import activity_cancel, activity_create
from peyvand.core import hooks
from peyvand.core.models import AuditEvent, Role, Team, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.interactions.system import system_actor
from peyvand.service.models import BusinessCalendar

from ..models import Appointment, AppointmentStatus, BookingTeam, PortalAccount
from ..selectors.appointments import bookable_members, booking_calendar, slot_at
from ..selectors.records import scope

SUBJECT_MAX = 200
NOTE_MAX = 2000
LENGTH_RANGE = (15, 240)
DAYS_RANGE = (1, 60)
NOTICE_MAX = 720  # hours: 30 days


@dataclass(frozen=True, kw_only=True)
class BookingInput:
    starts_at: dt.datetime | None
    subject: str
    note: str = ""


def _week_start(calendar_zone: dt.tzinfo, moment: dt.datetime) -> dt.datetime:
    """The Saturday 00:00 (the Iranian week's first day) of ``moment``'s week."""
    local = moment.astimezone(calendar_zone)
    back = (local.weekday() - 5) % 7  # Saturday is 5
    day = local.date() - dt.timedelta(days=back)
    return dt.datetime(day.year, day.month, day.day, tzinfo=calendar_zone)


def _least_booked(booking: BookingTeam, free: Sequence[int], starts_at: dt.datetime) -> int:
    zone = booking_calendar(booking).zone
    start = _week_start(zone, starts_at)
    end = start + dt.timedelta(days=7)
    counts = dict(
        Appointment.objects.filter(
            member_id__in=free, status=AppointmentStatus.BOOKED, starts_at__gte=start, starts_at__lt=end
        )
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    return min(free, key=lambda pk: (counts.get(pk, 0), list(free).index(pk)))


@transaction.atomic
def appointment_book(
    *, account: PortalAccount, booking: BookingTeam, data: BookingInput, now: dt.datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    subject = clean_text(data.subject or "")
    note = (data.note or "").strip()
    if not subject:
        errors["subject"] = [_("This field is required.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": SUBJECT_MAX, "count": len(subject)}
        ]
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": NOTE_MAX, "count": len(note)}
        ]
    if data.starts_at is None:
        errors["starts_at"] = [_("Choose a time.")]
    if errors:
        raise ValidationError(errors)
    assert data.starts_at is not None
    # One booking of this team at a time: whoever comes second sees the first one's meeting.
    locked = BookingTeam.objects.select_for_update().filter(pk=booking.pk, active=True).first()
    if locked is None:
        raise ValidationError({"starts_at": [_("Booking is closed for this team.")]})
    members = bookable_members(locked)
    slot = slot_at(locked, data.starts_at, now=now, members=members)
    if slot is None:
        raise ValidationError({"starts_at": [_("This time is no longer free; please choose another.")]})
    member_id = _least_booked(locked, slot.members, slot.starts_at)
    member = next(user for user in members if user.pk == member_id)
    actor = system_actor()
    activity = activity_create(
        actor=actor,
        data={
            "kind": Kind.MEETING,
            "title": subject,
            "description": note,
            "party": account.party,
            "due_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "assignee": member,
        },
    )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                booking=locked,
                account=account,
                party=account.party,
                member=member,
                activity=activity,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                subject=subject,
                note=note,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"starts_at": [_("This time is no longer free; please choose another.")]}
        ) from error
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=activity,
        party_id=account.party_id,
        changes={"portal_appointment_booked": [None, subject]},
    )
    hooks.notify(
        recipient=member,
        kind="portal_appointment_booked",
        key=f"portal_appointment:{appointment.pk}",
        party_id=account.party_id,
        url=reverse("activity_detail", args=[activity.pk]),
        data={"party": account.party.display_name, "title": subject, "when": slot.starts_at.isoformat()},
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, account: PortalAccount, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().select_related("booking").get(pk=appointment.pk)
    if appointment.party_id not in scope(account):  # the selectors found it there; checked again
        raise ValidationError(_("This appointment is not yours."))
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError(_("This appointment is already cancelled."))
    notice = dt.timedelta(hours=appointment.booking.notice_hours)
    if appointment.starts_at - now < notice:
        raise ValidationError(
            _("An appointment can be cancelled up to %(hours)d hours before it starts; please call us.")
            % {"hours": appointment.booking.notice_hours}
        )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancelled_at"])
    if appointment.activity is not None and appointment.activity.status == "open":
        activity_cancel(
            activity=appointment.activity,
            actor=system_actor(),
            reason=_("Cancelled by the customer in the portal"),
            now=now,
        )
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=appointment.activity or appointment.party,
        party_id=appointment.party_id,
        changes={"portal_appointment_cancelled": [None, appointment.subject]},
    )
    hooks.notify(
        recipient=appointment.member,
        kind="portal_appointment_cancelled",
        key=f"portal_appointment_cancelled:{appointment.pk}",
        party_id=appointment.party_id,
        url=reverse("activity_detail", args=[appointment.activity_id]) if appointment.activity_id else "",
        data={
            "party": appointment.party.display_name,
            "title": appointment.subject,
            "when": appointment.starts_at.isoformat(),
        },
    )
    return appointment


# --- staff: opening booking for a team -----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BookingSettingsInput:
    active: bool
    length_minutes: int | None
    days_ahead: int | None
    notice_hours: int | None
    calendar: BusinessCalendar | None
    members: Sequence[User]


def may_manage_booking(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.MANAGER)


@transaction.atomic
def booking_settings_save(*, actor: User, team: Team, data: BookingSettingsInput) -> BookingTeam:
    if not may_manage_booking(actor):
        raise PermissionDenied(_("Only an administrator or a manager opens booking for a team."))
    errors: dict[str, list[str]] = {}
    for name, value, (low, high) in (
        ("length_minutes", data.length_minutes, LENGTH_RANGE),
        ("days_ahead", data.days_ahead, DAYS_RANGE),
        ("notice_hours", data.notice_hours, (0, NOTICE_MAX)),
    ):
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    strangers = [user for user in data.members if user.team_id != team.pk or not user.is_active]
    if strangers:
        errors["members"] = [_("Choose active members of this team.")]
    if errors:
        raise ValidationError(errors)
    booking, _created = BookingTeam.objects.select_for_update().get_or_create(team=team)
    before = {
        "active": booking.active,
        "length_minutes": booking.length_minutes,
        "days_ahead": booking.days_ahead,
        "notice_hours": booking.notice_hours,
    }
    booking.active = data.active
    booking.length_minutes = data.length_minutes  # type: ignore[assignment]
    booking.days_ahead = data.days_ahead  # type: ignore[assignment]
    booking.notice_hours = data.notice_hours  # type: ignore[assignment]
    booking.calendar = data.calendar
    booking.save()
    booking.members.set(data.members)
    after = {name: getattr(booking, name) for name in before}
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=team,
        changes=changes or {"active": [None, booking.active]},
    )
    return booking


def booking_member_choices(team: Team) -> list[User]:
    return list(User.objects.filter(team=team, is_active=True).order_by("first_name", "last_name", "pk"))


__all__ = [
    "BookingInput",
    "BookingSettingsInput",
    "appointment_book",
    "appointment_cancel",
    "booking_settings_save",
    "may_manage_booking",
]
