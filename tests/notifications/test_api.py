"""Each user's notifications and messages through the API."""

import pytest

from peyvand.core.services.tokens import api_token_create
from peyvand.notifications import services
from tests.api.conftest import ApiClient, assert_error, ids


@pytest.fixture
def api_as(users):
    def make(who):
        _token, key = api_token_create(user=users[who], name="tests")
        return ApiClient(key)

    return make


def test_notifications_are_private_and_readable(api_as, users):
    mine = services.notifications.notify(
        recipient=users["sales"], kind="reminder", data={"title": "تماس", "when": "2025-03-10T06:30:00Z"}
    )
    theirs = services.notifications.notify(recipient=users["sales2"], kind="reminder", data={"title": "x"})
    api = api_as("sales")
    listed = api.get("/notifications").json()["items"]
    assert [n["id"] for n in listed] == [mine.pk] and listed[0]["text"].startswith("Reminder: تماس")
    assert api.get("/notifications/unread-count").json() == {"unread": 1}
    assert_error(api.post(f"/notifications/{theirs.pk}/read"), 404, "not_found")
    assert api.post(f"/notifications/{mine.pk}/read").status_code == 204
    assert api.get("/notifications", {"unread": True}).json()["items"] == []
    assert api.post("/notifications/read-all").json() == {"marked": 0}


def test_messages(api_as, users):
    api = api_as("sales")
    sent = api.post("/messages", {"recipient_id": users["manager"].pk, "body": "سلام"})
    assert sent.status_code == 201
    assert len(ids(api_as("manager").get("/messages", {"with": users["sales"].pk}))) == 1
    assert_error(
        api.post("/messages", {"recipient_id": users["sales"].pk, "body": "me"}),
        422,
        "validation_error",
        "recipient",
    )
    assert_error(
        api.post("/messages", {"recipient_id": 10**30, "body": "x"}), 422, "validation_error", "recipient_id"
    )
    assert_error(api.get("/messages", {"with": 999999}), 404, "not_found")
