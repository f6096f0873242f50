"""Appointments in the portal: free slots (working windows, busy times, holidays, notice,
length, days ahead), booking (the least booked member, a meeting on the customer's timeline,
the member told), one booking per slot even with two at once, cancelling, bad input, staff's
settings by role, and the slots page's queries."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from peyvand.activities.models import Activity, Kind, Status
from peyvand.activities.services.activities import activity_create
from peyvand.core import jalali
from peyvand.core.models import AuditEvent, Role, User
from peyvand.customers.services.memberships import membership_add
from peyvand.notifications.models import Notification
from peyvand.portal.models import Appointment, AppointmentStatus, BookingTeam
from peyvand.portal.refs import ref_for
from peyvand.portal.selectors.appointments import free_slots
from peyvand.portal.services.appointments import (
    BookingInput,
    BookingSettingsInput,
    appointment_book,
    appointment_cancel,
    booking_settings_save,
)
from peyvand.service.models import BusinessCalendar, CalendarDay
from tests.conftest import UserFactory
from tests.portal.conftest import invite, portal_client

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY = dt.date(2026, 12, 12)
FRIDAY_MORNING = dt.datetime(2026, 12, 11, 10, 0, tzinfo=TEHRAN)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN)


def local_times(days: list[Any]) -> dict[dt.date, list[str]]:
    return {day.date: [f"{s.starts_at.astimezone(TEHRAN):%H:%M}" for s in day.slots] for day in days}


@pytest.fixture
def desk(db: Any) -> BusinessCalendar:
    """Saturdays 09:00-12:00 and Sundays 09:00-10:00, no official holidays."""
    return BusinessCalendar.objects.create(
        name="Meetings", week={"5": [[540, 720]], "6": [[540, 600]]}, official_holidays=False
    )


@pytest.fixture
def members(users: dict[str, User]) -> list[User]:
    return [users["sales"], users["sales2"]]


@pytest.fixture
def booking(users, desk, members) -> BookingTeam:
    return booking_settings_save(
        actor=users["admin"],
        team=users["sales"].team,
        data=BookingSettingsInput(
            active=True, length_minutes=60, days_ahead=7, notice_hours=0, calendar=desk, members=members
        ),
    )


@pytest.fixture
def customers(person, users) -> dict[str, Any]:
    a = person("آرش", "arash@example.com")
    b = person("بهار", "bahar@example.com")
    return {"a": invite(users["sales"], a), "b": invite(users["sales"], b)}


def meeting(user: User, start: dt.datetime, end: dt.datetime | None, kind: str = Kind.MEETING) -> Activity:
    return activity_create(
        actor=user,
        data={"kind": kind, "title": "کار دیگر", "due_at": start, "ends_at": end, "assignee": user},
    )


# --- slot arithmetic ----------------------------------------------------------------------


def test_slots_are_the_working_windows_cut_to_the_length_within_the_days_ahead(booking):
    times = local_times(free_slots(booking, now=FRIDAY_MORNING))
    # Saturday 12 and Sunday 13 December; the next Saturday is 8 days on, past the 7 allowed.
    assert times == {SATURDAY: ["09:00", "10:00", "11:00"], dt.date(2026, 12, 13): ["09:00"]}
    booking.length_minutes = 45
    booking.days_ahead = 1
    assert local_times(free_slots(booking, now=FRIDAY_MORNING)) == {
        SATURDAY: ["09:00", "09:45", "10:30", "11:15"]
    }
    booking.days_ahead = 8
    assert dt.date(2026, 12, 19) in local_times(free_slots(booking, now=FRIDAY_MORNING))


def test_a_member_is_busy_during_their_open_activities(booking, users, members):
    first, second = members
    meeting(first, at(SATURDAY, 10, 15), at(SATURDAY, 10, 45))
    meeting(second, at(SATURDAY, 10, 0), at(SATURDAY, 11, 0))
    days = free_slots(booking, now=FRIDAY_MORNING)
    saturday = {f"{s.starts_at.astimezone(TEHRAN):%H:%M}": s.members for s in days[0].slots}
    assert saturday == {"09:00": [first.pk, second.pk], "11:00": [first.pk, second.pk]}
    # A call without an end takes half an hour; a task without one takes no time.
    meeting(first, at(SATURDAY, 11, 40), None, kind=Kind.CALL)
    meeting(second, at(SATURDAY, 9, 0), None, kind=Kind.TASK)
    saturday = {
        f"{s.starts_at.astimezone(TEHRAN):%H:%M}": s.members
        for s in free_slots(booking, now=FRIDAY_MORNING)[0].slots
    }
    assert saturday == {"09:00": [first.pk, second.pk], "11:00": [second.pk]}


def test_done_and_cancelled_activities_take_no_time(booking, members):
    first, _second = members
    booking.members.set([first])
    done = meeting(first, at(SATURDAY, 9, 0), at(SATURDAY, 12, 0))
    assert local_times(free_slots(booking, now=FRIDAY_MORNING)).get(SATURDAY) is None
    Activity.objects.filter(pk=done.pk).update(status=Status.CANCELLED)
    assert local_times(free_slots(booking, now=FRIDAY_MORNING))[SATURDAY] == ["09:00", "10:00", "11:00"]


def test_no_slot_sooner_than_the_notice(booking):
    booking.notice_hours = 2
    times = local_times(free_slots(booking, now=at(SATURDAY, 8, 30)))
    assert times[SATURDAY] == ["11:00"]  # 10:30 at the earliest
    booking.notice_hours = 0
    assert local_times(free_slots(booking, now=at(SATURDAY, 10, 0)))[SATURDAY] == ["10:00", "11:00"]


def test_no_slot_on_a_holiday(booking, desk):
    CalendarDay.objects.create(calendar=desk, date=SATURDAY, is_holiday=True, name="تعطیل شرکت")
    desk.refresh_from_db()
    booking.calendar = desk
    assert SATURDAY not in local_times(free_slots(booking, now=FRIDAY_MORNING))


def test_iran_s_official_holidays_close_the_default_week(booking):
    booking.calendar = None  # Saturday to Thursday 08:00-16:00, Iran's official holidays
    booking.days_ahead = 10
    days = local_times(free_slots(booking, now=dt.datetime(2027, 3, 18, 7, 0, tzinfo=TEHRAN)))
    for nowruz in (dt.date(2027, 3, 21), dt.date(2027, 3, 22), dt.date(2027, 3, 23), dt.date(2027, 3, 24)):
        assert nowruz not in days
    assert dt.date(2027, 3, 19) not in days  # a Friday
    assert days[dt.date(2027, 3, 18)] == ["08:00", "09:00", "10:00", "11:00", "12:00"]  # Thursday: to 13:00
    saturday = days[dt.date(2027, 3, 27)]
    assert saturday[0] == "08:00" and saturday[-1] == "15:00"


# --- booking ------------------------------------------------------------------------------


def test_booking_gives_the_slot_to_the_least_booked_free_member(booking, customers, members):
    first, second = members
    one = appointment_book(
        account=customers["a"],
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 9), subject="مشاوره"),
        now=FRIDAY_MORNING,
    )
    assert one.member == first  # both free and unbooked: the first
    two = appointment_book(
        account=customers["b"],
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 10), subject="خرید", note="لطفا با نمونه"),
        now=FRIDAY_MORNING,
    )
    assert two.member == second  # the first has one this week
    activity = two.activity
    assert activity is not None
    assert (activity.kind, activity.assignee, activity.party, activity.title, activity.description) == (
        Kind.MEETING,
        second,
        customers["b"].party,
        "خرید",
        "لطفا با نمونه",
    )
    assert (activity.due_at, activity.ends_at) == (at(SATURDAY, 10), at(SATURDAY, 11))
    note = Notification.objects.get(recipient=second, kind="portal_appointment_booked")
    assert note.party_id == customers["b"].party_id
    assert AuditEvent.objects.filter(
        party_id=customers["b"].party_id, changes__has_key="portal_appointment_booked"
    ).exists()
    # On the customer's timeline, and no longer free for that member.
    free = {s.starts_at: s.members for s in free_slots(booking, now=FRIDAY_MORNING)[0].slots}
    assert free[at(SATURDAY, 9)] == [second.pk] and free[at(SATURDAY, 10)] == [first.pk]


def test_a_slot_booked_by_everyone_is_refused_and_nothing_is_written(booking, customers, members):
    booking.members.set([members[0]])
    appointment_book(
        account=customers["a"],
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 9), subject="اول"),
        now=FRIDAY_MORNING,
    )
    activities = Activity.objects.count()
    with override("fa"), pytest.raises(ValidationError) as refused:
        appointment_book(
            account=customers["b"],
            booking=booking,
            data=BookingInput(starts_at=at(SATURDAY, 9), subject="دوم"),
            now=FRIDAY_MORNING,
        )
    assert (
        "این زمان" in str(refused.value.message_dict["starts_at"][0])
        or refused.value.message_dict["starts_at"]
    )
    assert Appointment.objects.count() == 1 and Activity.objects.count() == activities


@pytest.mark.parametrize(
    "starts_at",
    [
        at(SATURDAY, 9, 30),  # not a slot's start
        at(SATURDAY, 12),  # after the window
        at(dt.date(2026, 12, 14), 9),  # a Monday: no working time
        at(dt.date(2026, 12, 19), 9),  # past the days ahead
        at(dt.date(2026, 12, 10), 9),  # in the past
    ],
)
def test_only_a_free_slot_can_be_booked(booking, customers, starts_at):
    with pytest.raises(ValidationError):
        appointment_book(
            account=customers["a"],
            booking=booking,
            data=BookingInput(starts_at=starts_at, subject="x"),
            now=FRIDAY_MORNING,
        )
    assert not Appointment.objects.exists() and not Activity.objects.exists()


def test_one_member_is_never_booked_twice_at_one_start(booking, customers, members):
    made = appointment_book(
        account=customers["a"],
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 9), subject="x"),
        now=FRIDAY_MORNING,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            booking=booking,
            account=customers["b"],
            party=customers["b"].party,
            member=made.member,
            starts_at=made.starts_at,
            ends_at=made.ends_at,
            subject="y",
        )


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_once_one_wins(users, desk, person):
    """Two requests at the same moment for the one free member's slot (PostgreSQL: real
    concurrent transactions; the lock on the team's row makes the second wait and find it taken)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    booking = booking_settings_save(
        actor=users["admin"],
        team=users["sales"].team,
        data=BookingSettingsInput(
            active=True,
            length_minutes=60,
            days_ahead=7,
            notice_hours=0,
            calendar=desk,
            members=[users["sales"]],
        ),
    )
    accounts = [invite(users["sales"], person(name, f"{name}@example.com")) for name in ("race1", "race2")]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def book(account: Any) -> None:
        try:
            barrier.wait()
            appointment_book(
                account=account,
                booking=booking,
                data=BookingInput(starts_at=at(SATURDAY, 9), subject="هم‌زمان"),
                now=FRIDAY_MORNING,
            )
            results.append("booked")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["booked", "refused"]
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
    assert Activity.objects.filter(kind=Kind.MEETING, status=Status.OPEN).count() == 1


# --- cancelling ---------------------------------------------------------------------------


def test_cancel_at_least_the_notice_ahead(booking, customers, members):
    booking.notice_hours = 24
    booking.save()
    made = appointment_book(
        account=customers["a"],
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 11), subject="x"),
        now=FRIDAY_MORNING,
    )
    with override("fa"), pytest.raises(ValidationError) as late:
        appointment_cancel(account=customers["a"], appointment=made, now=at(SATURDAY, 9))
    assert "۲۴" in late.value.messages[0] or "24" in late.value.messages[0]
    made.refresh_from_db()
    assert made.status == AppointmentStatus.BOOKED and made.activity.status == Status.OPEN
    appointment_cancel(account=customers["a"], appointment=made, now=FRIDAY_MORNING)
    made.refresh_from_db()
    made.activity.refresh_from_db()
    assert made.status == AppointmentStatus.CANCELLED and made.activity.status == Status.CANCELLED
    assert (
        Notification.objects.filter(recipient=made.member, kind="portal_appointment_cancelled").count() == 1
    )
    with pytest.raises(ValidationError):
        appointment_cancel(account=customers["a"], appointment=made, now=FRIDAY_MORNING)
    # The time is free again.
    booking.notice_hours = 0
    assert at(SATURDAY, 11) in {s.starts_at for s in free_slots(booking, now=FRIDAY_MORNING)[0].slots}


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def live_booking(users, members) -> BookingTeam:
    """Booking on the default week (Iran's, with its holidays), 30 days ahead: free slots now."""
    return booking_settings_save(
        actor=users["admin"],
        team=users["sales"].team,
        data=BookingSettingsInput(
            active=True, length_minutes=30, days_ahead=30, notice_hours=1, calendar=None, members=members
        ),
    )


def first_slot(booking: BookingTeam) -> dt.datetime:
    return free_slots(booking)[0].slots[0].starts_at


def test_the_customer_books_and_cancels_on_the_pages_in_persian(live_booking, customers):
    client = portal_client(customers["a"])
    page = client.get(reverse("portal:appointments"), HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="slot"' in content and "Team A" in content
    start = first_slot(live_booking)
    url = f"{reverse('portal:appointment_book')}?team={live_booking.pk}&at={int(start.timestamp())}"
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("portal:appointment_book"),
        {"team": live_booking.pk, "at": int(start.timestamp()), "subject": "معرفی محصول", "note": ""},
    )
    assert response.status_code == 302
    made = Appointment.objects.get()
    assert made.party == customers["a"].party and made.starts_at == start
    listing = client.get(reverse("portal:appointments")).content.decode()
    assert "معرفی محصول" in listing
    cancel = reverse("portal:appointment_cancel", args=[ref_for("appointment", made.pk)])
    assert client.post(cancel).status_code == 302
    made.refresh_from_db()
    assert made.status == AppointmentStatus.CANCELLED


def test_bad_input_is_a_translated_error_and_writes_nothing(live_booking, customers):
    client = portal_client(customers["a"])
    start = int(first_slot(live_booking).timestamp())
    book = reverse("portal:appointment_book")
    with override("fa"):
        no_subject = client.post(
            book, {"team": live_booking.pk, "at": start, "subject": "  "}, HTTP_ACCEPT_LANGUAGE="fa"
        )
        assert no_subject.status_code == 200 and "این فیلد الزامی است" in no_subject.content.decode()
    for at_value in ("", "فردا", "-5", "9" * 40, str(start + 60)):
        response = client.post(book, {"team": live_booking.pk, "at": at_value, "subject": "x"})
        assert response.status_code in (200, 400), at_value
    assert client.post(book, {"team": "abc", "at": start, "subject": "x"}).status_code == 404
    assert client.post(book, {"team": "999999", "at": start, "subject": "x"}).status_code == 404
    too_long = client.post(book, {"team": live_booking.pk, "at": start, "subject": "x" * 201})
    assert too_long.status_code == 200
    assert not Appointment.objects.exists() and not Activity.objects.exists()
    live_booking.active = False
    live_booking.save()
    assert client.post(book, {"team": live_booking.pk, "at": start, "subject": "x"}).status_code == 404


def test_the_slots_page_takes_a_fixed_number_of_queries(
    live_booking, customers, users, django_assert_max_num_queries
):
    client = portal_client(customers["a"])
    client.get(reverse("portal:appointments"))  # the official holidays loaded once
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("portal:appointments"))
    for hour in range(8, 16):
        day = timezone.localdate() + dt.timedelta(days=3)
        for member in (users["sales"], users["sales2"]):
            meeting(member, at(day, hour), at(day, hour, 20))
    extra = [UserFactory(username=f"m{n}", role=Role.SALES, team=users["sales"].team) for n in range(4)]
    live_booking.members.add(*extra)
    for n in range(3):
        appointment_book(
            account=customers["a"],
            booking=live_booking,
            data=BookingInput(starts_at=free_slots(live_booking)[n].slots[0].starts_at, subject=f"جلسه {n}"),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("portal:appointments"))


# --- staff's settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["admin", "manager", "sales", "support", "marketing", "readonly", "outsider"]
)
def test_only_an_administrator_or_a_manager_opens_booking(users, role, members):
    team = users["sales"].team
    client = Client()
    client.force_login(users[role])
    form = {
        "active": "on",
        "length_minutes": "45",
        "days_ahead": "10",
        "notice_hours": "4",
        "members": [m.pk for m in members],
    }
    assert client.get(reverse("portal_staff:booking_list")).status_code == (
        200 if role in ("admin", "manager") else 403
    )
    response = client.post(reverse("portal_staff:booking_edit", args=[team.pk]), form)
    if role in ("admin", "manager"):
        assert response.status_code == 302
        saved = BookingTeam.objects.get(team=team)
        assert (saved.length_minutes, saved.days_ahead, saved.notice_hours) == (45, 10, 4)
        assert set(saved.members.all()) == set(members)
    else:
        assert response.status_code == 403 and not BookingTeam.objects.exists()


def test_anonymous_staff_pages_send_to_sign_in(users):
    client = Client()
    for url in (
        reverse("portal_staff:booking_list"),
        reverse("portal_staff:booking_edit", args=[users["sales"].team.pk]),
    ):
        assert client.get(url).status_code == 302
        assert client.post(url, {"length_minutes": "30"}).status_code == 302
    assert not BookingTeam.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("length_minutes", "10"),
        ("length_minutes", "241"),
        ("days_ahead", "0"),
        ("days_ahead", "61"),
        ("notice_hours", "-1"),
        ("length_minutes", "سی"),
    ],
)
def test_settings_out_of_range_are_refused(users, field, value):
    client = Client()
    client.force_login(users["admin"])
    form = {"active": "on", "length_minutes": "30", "days_ahead": "10", "notice_hours": "4", field: value}
    with override("fa"):
        response = client.post(
            reverse("portal_staff:booking_edit", args=[users["sales"].team.pk]),
            form,
            HTTP_ACCEPT_LANGUAGE="fa",
        )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not BookingTeam.objects.exists()


def test_members_must_be_of_the_team(users):
    with pytest.raises(ValidationError) as refused:
        booking_settings_save(
            actor=users["admin"],
            team=users["sales"].team,
            data=BookingSettingsInput(
                active=True,
                length_minutes=30,
                days_ahead=5,
                notice_hours=0,
                calendar=None,
                members=[users["outsider"]],
            ),
        )
    assert "members" in refused.value.message_dict
    assert not BookingTeam.objects.exists()


def test_the_staff_menu_links_the_settings_for_administrators_and_managers_only(users):
    link = f'href="{reverse("portal_staff:booking_list")}"'
    for role, shown in (("admin", True), ("manager", True), ("sales", False), ("support", False)):
        client = Client()
        client.force_login(users[role])
        page = client.get(reverse("portal_staff:changes"))
        assert page.status_code == 200, role
        assert (link in page.content.decode()) == shown, role


def test_days_read_in_the_customer_s_language_and_calendar(live_booking, customers):
    client = portal_client(customers["a"])
    day = free_slots(live_booking)[0].date
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    persian = client.get(reverse("portal:appointments")).content.decode()
    assert jalali.format_date(day, "fa", long=True) in persian and '<html lang="fa" dir="rtl">' in persian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("portal:appointments")).content.decode()
    assert day.strftime("%-d %B %Y") in english and "Book a meeting with Team A" in english


def test_a_contact_allowed_the_organisation_sees_and_cancels_its_appointments(
    booking, person, make_org, users
):
    org = make_org(name="شرکت نمونه", contacts=[{"kind": "email", "value": "info@nemune.example"}])
    allowed = person("سارا", "sara@nemune.example")
    other = person("رضا", "reza@nemune.example")
    for member in (allowed, other):
        membership_add(person=member, organisation=org, actor=users["admin"])
    allowed_account = invite(users["sales"], allowed, can_see_organisation=True)
    other_account = invite(users["sales"], other)
    made = appointment_book(
        account=allowed_account,
        booking=booking,
        data=BookingInput(starts_at=at(SATURDAY, 9), subject="جلسهٔ شرکت"),
        now=FRIDAY_MORNING,
    )
    Appointment.objects.filter(pk=made.pk).update(party=org)
    with pytest.raises(ValidationError):  # not in the other contact's sight
        appointment_cancel(account=other_account, appointment=made, now=FRIDAY_MORNING)
    made.refresh_from_db()
    assert made.status == AppointmentStatus.BOOKED
    appointment_cancel(account=allowed_account, appointment=made, now=FRIDAY_MORNING)
    made.refresh_from_db()
    assert made.status == AppointmentStatus.CANCELLED
