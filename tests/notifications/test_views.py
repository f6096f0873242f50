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
    services.notify(recipient=users["sales"], kind="reminder", data={"title": "تماس"})
    services.notify(recipient=users["sales"], kind="reminder", data={"title": "جلسه"})
    services.notify(recipient=users["sales2"], kind="reminder", data={"title": "مال دیگری"})
    html = client.get("/notifications/count/").content.decode()
    assert re.search(r'data-testid="bell-count">۲<', html)


def test_an_incoming_call_pops_up(as_user, users):
    services.notify(recipient=users["sales"], kind="call", data={"party": "مریم احمدی"}, url="/customers/1/")
    html = as_user("sales").get("/notifications/count/").content.decode()
    assert 'data-testid="screen-pop"' in html and "مریم احمدی" in html and 'hx-swap-oob="true"' in html


def test_menu_list_and_opening_marks_read(as_user, users, queries):
    client = as_user("sales")
    note = services.notify(
        recipient=users["sales"], kind="reminder", data={"title": "تماس با علی"}, url="/my-day/"
    )
    assert "تماس با علی" in client.get("/notifications/menu/").content.decode()
    assert "تماس با علی" in client.get("/notifications/").content.decode()
    response = client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/my-day/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_someone_elses_notification_is_not_found(as_user, users):
    note = services.notify(recipient=users["sales2"], kind="reminder", data={})
    assert as_user("manager").get(f"/notifications/{note.pk}/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_a_notification_never_redirects_off_site(as_user, users):
    note = services.notify(recipient=users["sales"], kind="reminder", data={}, url="https://evil.example/")
    assert as_user("sales").get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"


def test_the_list_filters_pages_and_keeps_its_query_count(as_user, users, queries):
    client = as_user("sales")
    services.notify(
        recipient=users["sales"], kind="message", data={"actor": "x", "excerpt": "one"}, actor=users["sales2"]
    )
    client.get("/notifications/")
    with queries() as few:
        client.get("/notifications/")
    for i in range(40):
        services.notify(
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
