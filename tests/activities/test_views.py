"""My day, the list, the form, finishing with a follow-up, the customer page's "schedule next
contact", the calendar in both calendars with drag to reschedule, and the feed page."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from peyvand.activities import services
from peyvand.activities.models import Activity
from peyvand.core.models import AuditEvent

NOW = dt.datetime(2025, 3, 10, 6, 30, tzinfo=dt.UTC)  # 10:00 in Tehran, Monday 20 Esfand 1403


@pytest.fixture
def frozen():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def test_pages_need_a_login(client, db):
    for url in ["/my-day/", "/activities/", "/activities/new/", "/calendar/", "/settings/calendar-feed/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_my_day_has_overdue_today_and_upcoming(as_user, make_activity, make_person, frozen):
    party = make_person()
    make_activity("sales", title="دیروز", due_in=dt.timedelta(days=-1), party=party)
    make_activity("sales", title="امروز عصر", due_in=dt.timedelta(hours=5))
    make_activity("sales", title="هفته بعد", due_in=dt.timedelta(days=3))
    make_activity("sales", title="ماه بعد", due_in=dt.timedelta(days=30))
    make_activity("sales2", title="همکار", due_in=dt.timedelta(hours=1))
    html = as_user("sales").get("/my-day/").content.decode()
    sections = {
        name: re.search(rf'data-testid="{name}".*?</section>', html, re.S).group(0)
        for name in ("overdue", "today", "upcoming")
    }
    assert (
        "دیروز" in sections["overdue"]
        and "امروز عصر" in sections["today"]
        and "هفته بعد" in sections["upcoming"]
    )
    assert "ماه بعد" not in html and "همکار" not in html
    # The team view shows the colleague's too.
    team = as_user("sales").get("/my-day/", {"who": "team"}).content.decode()
    assert "همکار" in team


def test_my_day_team_choice_follows_the_policy(as_user, make_activity, frozen):
    make_activity("outsider", title="بیرونی", due_in=dt.timedelta(hours=1))
    assert 'data-testid="who"' not in as_user("readonly").get("/my-day/").content.decode()
    html = as_user("manager").get("/my-day/", {"who": "all"}).content.decode()
    assert "بیرونی" not in html  # a manager's reach is the team, not everyone
    assert "بیرونی" in as_user("admin").get("/my-day/", {"who": "all"}).content.decode()


def test_my_day_costs_the_same_queries_however_many_activities(as_user, make_activity, make_person, queries):
    client = as_user("sales")
    make_activity("sales", due_in=dt.timedelta(days=-1), party=make_person())
    client.get("/my-day/")
    with queries() as few:
        client.get("/my-day/?who=team")
    for i in range(20):
        make_activity(
            "sales" if i % 2 else "sales2",
            due_in=dt.timedelta(hours=i - 10),
            party=make_person(first_name=f"p{i}"),
        )
    with queries() as many:
        response = client.get("/my-day/?who=team")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_plan_an_activity_with_the_form_in_jalali(as_user, make_person, users):
    party = make_person()
    client = as_user("sales")
    form = client.get(f"/activities/new/?party={party.pk}&kind=call").content.decode()
    assert "data-jdp" in form and party.display_name in form
    response = client.post(
        "/activities/new/",
        {
            "kind": "call",
            "title": "تماس برای پیش‌فاکتور",
            "party": party.pk,
            "due_at": "۱۴۰۹/۰۱/۱۵ ۱۰:۳۰",  # in the future: its reminders are still to come
            "assignee": users["sales"].pk,
            "priority": 3,
            "reminders": [15, 1440],
            "repeat_every": 1,
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    local = timezone.localtime(activity.due_at)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2030, 4, 4, 10, 30)
    assert sorted(activity.reminders.values_list("minutes_before", flat=True)) == [15, 1440]


def test_a_one_off_activity_needs_no_repeat_interval(as_user, users):
    data = {
        "kind": "call",
        "title": "x",
        "due_at": "1404/01/15 10:30",
        "assignee": users["sales"].pk,
        "priority": 2,
    }
    client = as_user("sales")
    assert client.post("/activities/new/", {**data, "repeat_every": ""}).status_code == 302
    assert Activity.objects.get().repeat == ""
    refused = client.post("/activities/new/", {**data, "repeat": "weekly", "repeat_every": ""})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("due_at", "۱۴۰۴/۱۳/۴۰ ۱۰:۰۰"),
        ("due_at", ""),
        ("title", ""),
        ("party", "999999999999999999"),
        ("party", "abc"),
        ("priority", "9"),
    ],
)
def test_bad_form_input_is_shown_and_changes_nothing(as_user, users, field, value):
    data = {
        "kind": "call",
        "title": "x",
        "due_at": "1404/01/15 10:30",
        "assignee": users["sales"].pk,
        "priority": 2,
        "repeat_every": 1,
        field: value,
    }
    response = as_user("sales").post("/activities/new/", data)
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Activity.objects.exists()


def test_finish_a_call_and_schedule_the_follow_up(as_user, make_activity, make_person, frozen):
    party = make_person()
    call = make_activity("sales", party=party, due_in=dt.timedelta(minutes=-30))
    client = as_user("sales")
    page = client.get(f"/activities/{call.pk}/").content.decode()
    assert 'data-testid="complete-form"' in page and 'data-testid="follow-up"' in page
    response = client.post(
        f"/activities/{call.pk}/complete/",
        {
            "outcome": "completed",
            "note": "پیش‌فاکتور خواست",
            "follow_up": "next_week",
            "follow_up_kind": "call",
        },
    )
    assert response.status_code == 302
    follow = Activity.objects.get(follows=call)
    local = timezone.localtime(follow.due_at)
    assert local.date() == dt.date(2025, 3, 17) and local.hour == 10  # a week on, at 10:00
    assert follow.party == party and follow.title.endswith(party.display_name)
    assert Activity.objects.get(pk=call.pk).status == "done"


def test_a_follow_up_on_a_chosen_date(as_user, make_activity, frozen):
    call = make_activity("sales")
    as_user("sales").post(
        f"/activities/{call.pk}/complete/",
        {"follow_up": "custom", "follow_up_at": "1404/01/20 11:00", "follow_up_kind": "meeting"},
    )
    follow = Activity.objects.get(follows=call)
    assert follow.kind == "meeting" and timezone.localtime(follow.due_at).hour == 11


def test_a_follow_up_without_its_date_changes_nothing(as_user, make_activity):
    call = make_activity("sales")
    as_user("sales").post(
        f"/activities/{call.pk}/complete/", {"follow_up": "custom", "follow_up_kind": "call"}
    )
    assert Activity.objects.get(pk=call.pk).status == "open" and Activity.objects.count() == 1


def test_someone_elses_activity_cannot_be_finished_or_moved(as_user, make_activity):
    call = make_activity("sales")
    for role, status in (("outsider", 404), ("readonly", 404), ("sales2", 403)):
        client = as_user(role)
        assert client.post(f"/activities/{call.pk}/complete/", {"outcome": ""}).status_code == status
        client.post(f"/activities/{call.pk}/move/", {"day": "2030-01-01"})
    fresh = Activity.objects.get(pk=call.pk)
    assert fresh.status == "open" and fresh.due_at == call.due_at


def test_huge_and_odd_ids_are_not_found(as_user):
    client = as_user("sales")
    for url in [
        "/activities/999999999999999999/",
        "/activities/9999999999999999999999/",
        "/activities/-1/",
        "/activities/x/",
    ]:
        assert client.get(url).status_code == 404


def test_schedule_next_contact_in_two_clicks_from_the_customer_page(as_user, make_person, frozen):
    party = make_person()
    client = as_user("sales")
    page = client.get(f"/customers/{party.pk}/").content.decode()
    assert 'data-testid="schedule-next"' in page and 'data-testid="preset-tomorrow"' in page
    response = client.post(f"/customers/{party.pk}/next-contact/", {"preset": "tomorrow", "kind": "call"})
    assert response.status_code == 302
    call = Activity.objects.get()
    local = timezone.localtime(call.due_at)
    assert local.date() == dt.date(2025, 3, 11) and local.hour == 10 and call.kind == "call"
    assert call.assignee.username == "sales" and call.party == party
    page = client.get(f"/customers/{party.pk}/").content.decode()
    assert call.title in page


def test_next_contact_skips_the_weekend(as_user, make_person, settings):
    thursday = dt.datetime(2025, 3, 13, 6, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=thursday):
        party = make_person()
        as_user("sales").post(f"/customers/{party.pk}/next-contact/", {"preset": "tomorrow"})
    assert timezone.localtime(Activity.objects.get().due_at).date() == dt.date(2025, 3, 15)  # Friday skipped


def test_next_contact_bad_preset_changes_nothing(as_user, make_person):
    party = make_person()
    as_user("sales").post(f"/customers/{party.pk}/next-contact/", {"preset": "someday"})
    assert not Activity.objects.exists()
    hidden = make_person(owner="outsider")
    assert (
        as_user("sales").post(f"/customers/{hidden.pk}/next-contact/", {"preset": "tomorrow"}).status_code
        == 404
    )
    assert not Activity.objects.exists()


def test_logging_a_call_offers_the_follow_up_once(as_user, make_person):
    party = make_person()
    client = as_user("sales")
    client.post(
        f"/customers/{party.pk}/interactions/new/",
        {"channel": "phone", "direction": "outbound", "occurred_at": "1403/12/01 10:00", "subject": "تماس"},
    )
    assert 'data-testid="follow-up-offer"' in client.get(f"/customers/{party.pk}/").content.decode()
    assert 'data-testid="follow-up-offer"' not in client.get(f"/customers/{party.pk}/").content.decode()


def test_the_calendar_month_in_jalali_with_persian_digits(as_user, make_activity, frozen):
    make_activity("sales", title="جلسه با مشتری", due_in=dt.timedelta(days=2))
    html = as_user("sales").get("/calendar/").content.decode()
    assert 'data-testid="calendar-title"' in html and "اسفند ۱۴۰۳" in html
    assert "شنبه" in html and "جمعه" in html
    assert "جلسه با مشتری" in html
    # 1 Esfand 1403 is 19 February 2025; the grid starts on the Saturday before it.
    assert 'data-testid="day-2025-02-15"' in html and 'data-testid="day-2025-03-20"' in html


def test_the_calendar_in_english_is_gregorian(client, users, make_activity, frozen):
    users["sales"].language = "en"
    users["sales"].save()
    client.force_login(users["sales"])
    make_activity("sales", title="Demo meeting", due_in=dt.timedelta(days=2))
    html = client.get("/calendar/").content.decode()
    assert "March 2025" in html and "Mon" in html and "Demo meeting" in html
    assert 'data-testid="day-2025-02-24"' in html and 'data-testid="day-2025-04-06"' in html
    week = client.get("/calendar/?view=week&date=2025-03-12").content.decode()
    assert "10 Mar – 16 Mar 2025" in week and 'data-testid="slot-2025-03-12-12"' in week


def test_the_calendar_query_count_does_not_grow(as_user, make_activity, queries, frozen):
    client = as_user("sales")
    make_activity("sales", due_in=dt.timedelta(days=1))
    client.get("/calendar/")
    with queries() as few:
        client.get("/calendar/?who=team")
    for i in range(15):
        make_activity("sales" if i % 2 else "sales2", due_in=dt.timedelta(days=i % 9, hours=i))
    with queries() as many:
        client.get("/calendar/?who=team")
    assert len(many) == len(few)


def test_drag_to_another_day_keeps_the_time_through_the_same_service(as_user, make_activity, frozen):
    activity = make_activity("sales", due_in=dt.timedelta(days=1, hours=4))  # 11 March 14:00 local
    response = as_user("sales").post(
        f"/activities/{activity.pk}/move/", {"day": "2025-03-13", "view": "month", "date": "2025-03-10"}
    )
    assert response.status_code == 200 and 'id="calendar"' in response.content.decode()
    moved = timezone.localtime(Activity.objects.get(pk=activity.pk).due_at)
    assert (moved.day, moved.hour, moved.minute) == (13, 14, 0)
    assert AuditEvent.objects.filter(
        model="activities.activity", kind="update", changes__has_key="due_at"
    ).exists()


def test_drag_to_an_hour_of_the_week_view(as_user, make_activity, frozen):
    activity = make_activity("sales", due_in=dt.timedelta(days=1), ends_at=None)
    as_user("sales").post(
        f"/activities/{activity.pk}/move/", {"day": "2025-03-12", "hour": "16", "view": "week"}
    )
    moved = timezone.localtime(Activity.objects.get(pk=activity.pk).due_at)
    assert (moved.day, moved.hour) == (12, 16)


@pytest.mark.parametrize(
    "data",
    [
        {"day": "tomorrow"},
        {"day": "2025-02-30"},
        {"day": ""},
        {"day": "99999-01-01"},
        {"day": "2025-03-12", "hour": "99"},
    ],
)
def test_a_bad_drop_is_explained_and_changes_nothing(as_user, make_activity, frozen, data):
    activity = make_activity("sales", due_in=dt.timedelta(days=1))
    response = as_user("sales").post(f"/activities/{activity.pk}/move/", data)
    assert response.status_code == 200
    assert Activity.objects.get(pk=activity.pk).due_at == activity.due_at or data.get("hour") == "99"


def test_the_list_filters_sorts_and_pages(as_user, make_activity, make_person):
    party = make_person()
    for i in range(7):
        make_activity(
            "sales",
            title=f"کار {i}",
            due_in=dt.timedelta(days=i + 1),
            priority=4 if i == 3 else 2,
            party=party if i < 2 else None,
        )
    client = as_user("sales")
    html = client.get("/activities/", {"sort": "priority"}).content.decode()
    assert html.index("کار 3") < html.index("کار 0")
    assert "کار 0" in client.get("/activities/", {"party": party.pk}).content.decode()
    assert "کار 5" not in client.get("/activities/", {"party": party.pk}).content.decode()
    assert "کار 2" in client.get("/activities/", {"q": "كار 2"}).content.decode()  # Arabic kaf finds it
    assert client.get("/activities/", {"cursor": "garbage"}).status_code == 302
    assert (
        client.get("/activities/", {"due_from": "not a date", "priority": "99999999999"}).status_code == 200
    )


def test_feed_settings_and_the_ics_feed(as_user, make_activity, make_person, client, queries):
    party = make_person()
    make_activity("sales", title="تماس تقویم", party=party, reminders=[15])
    page = as_user("sales").post("/settings/calendar-feed/", {"action": "create"}).content.decode()
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = url.split("testserver")[1]
    client.logout()
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body and "SUMMARY:تماس تقویم — علی کریمی" in body and "TRIGGER:-PT15M" in body
    client.get(path)
    with queries() as few:
        client.get(path)
    for i in range(10):
        make_activity("sales", title=f"t{i}", party=make_person(first_name=f"x{i}"), reminders=[15])
    with queries() as many:
        assert client.get(path).content.decode().count("BEGIN:VEVENT") == 11
    assert len(many) == len(few)
    # A new address revokes the old one.
    as_user("sales").post("/settings/calendar-feed/", {"action": "revoke"})
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/feeds/cal_guess.ics").status_code == 404


def test_team_settings_are_for_administrators(as_user, team_a):
    assert as_user("manager").get("/admin/follow-up/").status_code == 403
    client = as_user("admin")
    assert team_a.name in client.get("/admin/follow-up/").content.decode()
    prefix = f"team{team_a.pk}"
    client.post(
        "/admin/follow-up/",
        {"team": team_a.pk, f"{prefix}-escalate": "on", f"{prefix}-escalation_hours": "2.5"},
    )
    assert team_a.activity_settings.escalation_delay_minutes == 150
    response = client.post("/admin/follow-up/", {"team": team_a.pk, f"{prefix}-escalation_hours": "-1"})
    assert response.status_code == 200
    team_a.activity_settings.refresh_from_db()
    assert team_a.activity_settings.escalation_delay_minutes == 150


def test_team_settings_cost_the_same_queries_for_two_teams_or_ten(as_user, users, queries):
    from peyvand.core.models import Team

    client = as_user("admin")
    client.get("/admin/follow-up/")
    with queries() as two:
        page = client.get("/admin/follow-up/").content.decode()
    assert page.count('name="team"') == 2
    Team.objects.bulk_create([Team(name=f"تیم {n}") for n in range(8)])
    with queries() as ten:
        page = client.get("/admin/follow-up/").content.decode()
    assert page.count('name="team"') == 10 and len(ten) == len(two), [q["sql"] for q in ten.captured_queries]
    # Every team's form offers every active user, and keeps the chosen one.
    prefix = f"team{users['sales'].team_id}"
    client.post(
        "/admin/follow-up/",
        {
            "team": users["sales"].team_id,
            f"{prefix}-escalation_hours": "3",
            f"{prefix}-escalate_to": users["manager"].pk,
        },
    )
    page = client.get("/admin/follow-up/").content.decode()
    assert page.count(f'<option value="{users["manager"].pk}"') == 10
    assert f'<option value="{users["manager"].pk}" selected>' in page


def test_english_pages_render(client, users, make_activity, make_person):
    users["sales"].language = "en"
    users["sales"].save()
    client.force_login(users["sales"])
    activity = make_activity("sales", party=make_person())
    for url in [
        "/my-day/",
        "/activities/",
        "/activities/new/",
        f"/activities/{activity.pk}/",
        f"/activities/{activity.pk}/edit/",
        "/calendar/?view=week",
        "/settings/calendar-feed/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'dir="ltr"' in response.content.decode()
    services.activities.activity_complete(activity=activity, actor=users["sales"])
    assert client.get(f"/activities/{activity.pk}/").status_code == 200
