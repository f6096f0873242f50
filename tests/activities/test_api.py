"""The activities API: the same services as the pages, the same policy, the same errors."""

import datetime as dt

import pytest
from django.utils import timezone

from peyvand.activities.models import Activity
from peyvand.core.services.tokens import api_token_create
from tests.api.conftest import ApiClient, assert_error, ids


@pytest.fixture
def api_as(users):
    def make(who):
        _token, key = api_token_create(user=users[who], name="tests")
        return ApiClient(key)

    return make


def soon(hours=2):
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def test_plan_get_change_and_finish_with_a_follow_up(api_as, make_person, users):
    party = make_person()
    api = api_as("sales")
    created = api.post(
        "/activities",
        {
            "kind": "call",
            "title": "تماس",
            "party_id": party.pk,
            "due_at": "1409/01/15 10:30",  # in the future: its reminders are still to come
            "reminders": [15, 60],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["assignee"]["username"] == "sales" and body["party"]["id"] == party.pk
    assert sorted(r["minutes_before"] for r in body["reminders"]) == [15, 60]
    pk = body["id"]
    assert api.get(f"/activities/{pk}").json()["title"] == "تماس"
    moved = api.patch(f"/activities/{pk}", {"due_at": soon(5), "priority": 4})
    assert moved.status_code == 200 and moved.json()["priority"] == 4
    done = api.post(
        f"/activities/{pk}/complete",
        {"outcome": "completed", "note": "ok", "follow_up": {"due_at": soon(48), "kind": "meeting"}},
    )
    assert done.status_code == 200, done.content
    result = done.json()
    assert result["activity"]["status"] == "done" and result["follow_up"]["kind"] == "meeting"
    assert result["follow_up"]["follows_id"] == pk
    assert_error(api.post(f"/activities/{pk}/complete", {}), 422, "validation_error")


def test_lists_filter_by_whose_and_page(api_as, make_activity):
    for i in range(5):
        make_activity("sales", title=f"s{i}", due_in=dt.timedelta(hours=i + 1))
    make_activity("sales2", title="other")
    make_activity("outsider", title="far")
    api = api_as("sales")
    first = api.get("/activities", {"limit": 3})
    assert len(ids(first)) == 3 and first.json()["next_cursor"]
    rest = api.get("/activities", {"limit": 3, "cursor": first.json()["next_cursor"]})
    assert len(ids(rest)) == 2
    team = [item["title"] for item in api.get("/activities", {"who": "team", "limit": 50}).json()["items"]]
    assert "other" in team and "far" not in team
    everyone = [item["title"] for item in api.get("/activities", {"who": "all"}).json()["items"]]
    assert "far" not in everyone  # "all" is beyond a sales rep's reach: it falls back to theirs


@pytest.mark.parametrize(
    "role, status", [("outsider", 404), ("readonly", 404), ("sales2", 403), ("support", 403)]
)
def test_others_may_not_change_it_and_nothing_changes(api_as, make_activity, role, status):
    activity = make_activity("sales")
    api = api_as(role)
    assert api.patch(f"/activities/{activity.pk}", {"title": "hacked"}).status_code == status
    assert api.post(f"/activities/{activity.pk}/complete", {}).status_code == status
    assert api.delete(f"/activities/{activity.pk}").status_code == status
    fresh = Activity.objects.get(pk=activity.pk)
    assert fresh.title == activity.title and fresh.status == "open"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "x"}, "due_at"),
        ({"title": "", "due_at": soon()}, "title"),
        ({"title": "x", "due_at": "yesterday-ish"}, "due_at"),
        ({"title": "x", "due_at": "1403/13/01 10:00"}, "due_at"),
        ({"title": "x", "due_at": "9999-12-31T23:59:59+14:00"}, "due_at"),
        ({"title": "x", "due_at": soon(), "kind": "lunch"}, "kind"),
        ({"title": "x", "due_at": soon(), "priority": 7}, "priority"),
        ({"title": "x", "due_at": soon(), "party_id": 999999999999}, "party_id"),
        ({"title": "x", "due_at": soon(), "party_id": 2**64}, "party_id"),
        ({"title": "x", "due_at": soon(), "party_id": "1"}, "party_id"),
        ({"title": "x", "due_at": soon(), "assignee_id": 999999}, "assignee_id"),
        ({"title": "x", "due_at": soon(), "reminders": [7]}, "reminders.0"),
        ({"title": "x", "due_at": soon(), "repeat": "hourly"}, "repeat"),
        ({"title": "x\u0000", "due_at": soon()}, "title"),
        ({"title": "x", "due_at": soon(), "colour": "red"}, "colour"),
    ],
)
def test_bad_bodies_get_field_errors(api_as, body, field):
    response = api_as("sales").post("/activities", body)
    assert_error(response, 422, "validation_error", field)
    assert not Activity.objects.exists()


def test_malformed_requests_never_500(api_as):
    api = api_as("sales")
    assert_error(api.post("/activities", raw="{not json"), 400, "invalid_json")
    assert_error(api.get("/activities/99999999999999999999999"), 404, "not_found")
    assert_error(api.get("/activities", {"cursor": "%%%"}), 400, "invalid_cursor")
    assert_error(api.get("/activities", {"due_from": "32/13/1403"}), 422, "validation_error")
    assert_error(api.get("/calendar", {"start": soon(), "end": soon(-1)}), 422, "validation_error", "end")


def test_the_calendar_endpoint(api_as, make_activity):
    make_activity("sales", title="in range", due_in=dt.timedelta(days=1))
    make_activity("sales", title="later", due_in=dt.timedelta(days=40))
    titles = [
        a["title"] for a in api_as("sales").get("/calendar", {"start": soon(0), "end": soon(24 * 30)}).json()
    ]
    assert titles == ["in range"]
