"""The bell (polled), its menu, the notification list, settings and the messenger pages."""

import re

from peyvand.notifications import services
from peyvand.notifications.models import Message, Notification


def test_the_bell_is_on_every_page_and_polls(as_user):
    html = as_user("sales").get("/").content.decode()
    assert 'data-testid="bell"' in html and 'hx-get="/notifications/count/"' in html and "every 20s" in html


def test_the_count_fragment(as_user, users):
    client = as_user("sales")
    assert 'data-testid="bell-count"' not in client.get("/notifications/count/").content.decode()
    services.notifications.notify(recipient=users["sales"], kind="reminder", data={"title": "تماس"})
    services.notifications.notify(recipient=users["sales"], kind="reminder", data={"title": "جلسه"})
    services.notifications.notify(recipient=users["sales2"], kind="reminder", data={"title": "مال دیگری"})
    html = client.get("/notifications/count/").content.decode()
    assert re.search(r'data-testid="bell-count">۲<', html)


def test_an_incoming_call_pops_up(as_user, users):
    services.notifications.notify(
        recipient=users["sales"], kind="call", data={"party": "مریم احمدی"}, url="/customers/1/"
    )
    html = as_user("sales").get("/notifications/count/").content.decode()
    assert 'data-testid="screen-pop"' in html and "مریم احمدی" in html and 'hx-swap-oob="true"' in html


def test_menu_list_and_opening_marks_read(as_user, users, queries):
    client = as_user("sales")
    note = services.notifications.notify(
        recipient=users["sales"], kind="reminder", data={"title": "تماس با علی"}, url="/my-day/"
    )
    assert "تماس با علی" in client.get("/notifications/menu/").content.decode()
    assert "تماس با علی" in client.get("/notifications/").content.decode()
    response = client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/my-day/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_someone_elses_notification_is_not_found(as_user, users):
    note = services.notifications.notify(recipient=users["sales2"], kind="reminder", data={})
    assert as_user("manager").get(f"/notifications/{note.pk}/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_a_notification_never_redirects_off_site(as_user, users):
    note = services.notifications.notify(
        recipient=users["sales"], kind="reminder", data={}, url="https://evil.example/"
    )
    assert as_user("sales").get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"


def test_the_list_filters_pages_and_keeps_its_query_count(as_user, users, queries):
    client = as_user("sales")
    services.notifications.notify(
        recipient=users["sales"], kind="message", data={"actor": "x", "excerpt": "one"}, actor=users["sales2"]
    )
    client.get("/notifications/")
    with queries() as few:
        client.get("/notifications/")
    for i in range(40):
        services.notifications.notify(
            recipient=users["sales"],
            kind="message" if i % 2 else "reminder",
            data={"title": f"n{i}"},
            actor=users["sales2"],
        )
    with queries() as many:
        html = client.get("/notifications/").content.decode()
    assert len(many) == len(few)
    assert html.count('data-testid="notification"') == 30 and 'rel="next"' in html
    only = client.get("/notifications/", {"kind": "reminder"}).content.decode()
    assert only.count('data-kind="message"') == 0
    assert client.get("/notifications/", {"cursor": "bad"}).status_code == 302
    client.post("/notifications/read-all/")
    assert (
        client.get("/notifications/", {"unread": "1"}).content.decode().count('data-testid="notification"')
        == 0
    )


def test_settings_page_saves_email_choices(as_user, users):
    client = as_user("sales")
    assert client.get("/settings/notifications/").status_code == 200
    client.post("/settings/notifications/", {"email_reminders": "on", "default_reminders": ["60", "1440"]})
    preference = users["sales"].notification_preference
    assert (
        preference.email_reminders
        and not preference.email_alerts
        and preference.default_reminders == [60, 1440]
    )


def test_the_messenger(as_user, users):
    client = as_user("sales")
    assert client.get("/messages/").status_code == 200
    assert (
        client.get("/messages/", {"to": users["manager"].pk})["Location"]
        == f"/messages/{users['manager'].pk}/"
    )
    client.post(f"/messages/{users['manager'].pk}/", {"body": "سلام مدیر"})
    assert Message.objects.get().body == "سلام مدیر"
    html = as_user("manager").get(f"/messages/{users['sales'].pk}/").content.decode()
    assert "سلام مدیر" in html
    assert Message.objects.get().read_at is not None
    assert as_user("sales").get(f"/messages/{users['sales'].pk}/").status_code == 404  # not to oneself
    assert as_user("sales").get("/messages/999999999999999999/").status_code == 404
    assert as_user("sales").post(f"/messages/{users['manager'].pk}/", {"body": ""}).status_code == 200
    assert Message.objects.count() == 1


# --- the screen-pop's own, faster poll ----------------------------------------------------


def test_only_a_user_with_an_extension_watches_for_calls_every_few_seconds(as_user, users):
    from peyvand.interactions.services.telephony import extension_set

    html = as_user("sales").get("/notifications/count/").content.decode()
    assert "/notifications/ringing/" not in html  # no extension: the 20 s badge poll only
    extension_set(user=users["sales"], extension="101", actor=users["admin"])
    html = as_user("sales").get("/notifications/count/").content.decode()
    assert 'hx-get="/notifications/ringing/?shown=0"' in html and 'hx-trigger="every 4s"' in html


def test_the_screen_pop_poll_is_one_query_and_silent_when_nothing_changed(as_user, users, queries):
    client = as_user("sales")
    assert client.get("/notifications/ringing/?shown=0").status_code == 204
    call = services.notifications.notify(
        recipient=users["sales"], kind="call", data={"party": "مریم احمدی"}, url="/c/"
    )
    with queries() as captured:
        response = client.get("/notifications/ringing/?shown=0")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="screen-pop"' in html and "مریم احمدی" in html
    assert f'hx-get="/notifications/ringing/?shown={call.pk}"' in html
    ours = [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]
    assert len(ours) == 1, captured.captured_queries
    assert client.get(f"/notifications/ringing/?shown={call.pk}").status_code == 204  # still the same
    services.notifications.notification_mark_read(notification=call, user=users["sales"])
    gone = client.get(f"/notifications/ringing/?shown={call.pk}")
    assert gone.status_code == 200 and 'data-testid="screen-pop"' not in gone.content.decode()


def test_the_ringing_query_is_an_index_range_scan(users):
    """Unread notifications of one user in the last 90 seconds: a range of the unread index,
    however many notifications there are."""
    from django.db import connection

    from peyvand.notifications import selectors

    services.notifications.notify(recipient=users["sales"], kind="call", data={})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = _ringing_sql(selectors, users["sales"])
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    if connection.vendor == "sqlite":
        assert "USING INDEX notification_unread" in plan and "SCAN notifications_notification" not in plan, (
            plan
        )
    else:  # on a table this small the planner may take the recipient's index; never the table
        assert "Index" in plan and "Seq Scan" not in plan and "recipient_id" in plan, plan


def _ringing_sql(selectors, user):
    import datetime as dt

    from django.utils import timezone

    since = timezone.now() - dt.timedelta(seconds=90)
    queryset = Notification.objects.filter(
        recipient=user, kind="call", read_at__isnull=True, created_at__gte=since
    ).order_by("-created_at", "-id")[:1]
    assert selectors.notifications.ringing(user=user) is not None  # the selector asks just this
    return queryset.query.sql_with_params()
