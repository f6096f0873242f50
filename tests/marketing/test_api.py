"""The marketing API: segments (CRUD, count, members, lists), campaigns (CRUD, estimate, test,
schedule, send, stats, recipients), through the policy for each role and across owners."""

from __future__ import annotations

import pytest

from peyvand.marketing.models import Campaign, Segment

from .conftest import rule

pytestmark = pytest.mark.django_db
TEHRAN_SMS = rule(
    {"field": "city", "op": "in", "value": ["تهران", "Tehran"]}, {"field": "sms_consent", "op": "yes"}
)


def test_segments_through_the_api(api_as, town, queries):
    api = api_as("marketing")
    made = api.post("/marketing/segments", {"name": "تهرانی‌های پیامکی", "rule": TEHRAN_SMS})
    assert made.status_code == 201, made.content
    segment = made.json()
    assert segment["kind"] == "dynamic" and segment["rule"]["groups"][0]["conditions"][0]["field"] == "city"
    pk = segment["id"]
    assert api.get(f"/marketing/segments/{pk}/count").json() == {"count": 2, "more": False}
    with queries() as q:
        members = api.get(f"/marketing/segments/{pk}/members", {"limit": 1}).json()
    assert len(q) <= 8
    assert [m["display_name"] for m in members["items"]] == ["مریم احمدی"] and members["next_cursor"]
    nxt = api.get(f"/marketing/segments/{pk}/members", {"cursor": members["next_cursor"]}).json()
    assert [m["display_name"] for m in nxt["items"]] == ["John Smith"]  # Persian letters sort first
    assert api.post("/marketing/segments/count", {"rule": rule()}).json() == {"count": 5, "more": False}
    changed = api.patch(f"/marketing/segments/{pk}", {"name": "نام نو", "description": None})
    assert changed.status_code == 200 and changed.json()["name"] == "نام نو"
    assert [s["name"] for s in api.get("/marketing/segments", {"q": "نو"}).json()["items"]] == ["نام نو"]
    frozen = api.post(f"/marketing/segments/{pk}/freeze", {"name": "ثابت"})
    assert frozen.status_code == 201 and frozen.json()["kind"] == "static"
    listed = frozen.json()["id"]
    added = api.post(f"/marketing/segments/{listed}/members", {"party_ids": [town["reza"].pk, 10**9]}).json()
    assert added == {"added": 1, "already": 0, "skipped": 1}
    assert api.post(
        f"/marketing/segments/{listed}/members/remove", {"party_ids": [town["reza"].pk]}
    ).json() == {"removed": 1}
    assert api.delete(f"/marketing/segments/{pk}").status_code == 204
    assert api.get(f"/marketing/segments/{pk}").status_code == 404


def test_a_bad_rule_is_a_field_error(api_as):
    api = api_as("marketing")
    response = api.post(
        "/marketing/segments", {"name": "بد", "rule": rule({"field": "stage", "op": "in", "value": ["x"]})}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "rule" and "condition 1" in error["fields"][0]["message"]
    assert api.post("/marketing/segments", {"name": "x", "colour": "red"}).status_code == 422
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("role", "listed", "may_create"),
    [("marketing", True, True), ("manager", True, True), ("sales", True, False), ("support", False, False)],
)
def test_segments_by_role(api_as, make_segment, role, listed, may_create):
    segment = make_segment()
    api = api_as(role)
    names = [s["name"] for s in api.get("/marketing/segments").json()["items"]]
    assert (names == ["بخش"]) is listed
    made = api.post("/marketing/segments", {"name": "دیگر"})
    assert (made.status_code == 201) is may_create
    if not may_create:
        assert made.status_code == 403
    changed = api.patch(f"/marketing/segments/{segment.pk}", {"name": "تغییر"})
    assert changed.status_code in ((200,) if role in ("marketing", "manager") else (403, 404))
    if role not in ("marketing", "manager"):
        segment.refresh_from_db()
        assert segment.name == "بخش"


def test_the_count_is_the_readers(api_as, make_segment, town):
    segment = make_segment(rule=rule())
    counts = {
        role: api_as(role).get(f"/marketing/segments/{segment.pk}/count").json()["count"]
        for role in ("marketing", "sales", "outsider")
    }
    assert counts == {"marketing": 5, "sales": 4, "outsider": 2}


def test_campaigns_through_the_api(api_as, make_segment, town, committed):
    segment = make_segment(rule=TEHRAN_SMS)
    api = api_as("marketing")
    made = api.post(
        "/marketing/campaigns",
        {
            "name": "حراج",
            "channel": "sms",
            "goal": "sales",
            "segment_ids": [segment.pk],
            "body_fa": "سلام {first_name}، حراج! https://shop.example/s",
            "body_en": "Hi {first_name}, sale! https://shop.example/s",
            "budget": "1000000",
            "other_cost": "50000",
        },
    )
    assert made.status_code == 201, made.content
    campaign = made.json()
    assert campaign["segments"] == [{"id": segment.pk, "name": "بخش", "kind": "dynamic"}]
    assert campaign["budget"] == "1000000.00" and campaign["status"] == "draft"
    pk = campaign["id"]
    estimate = api.get(f"/marketing/campaigns/{pk}/estimate").json()
    assert (estimate["audience"], estimate["reachable"], estimate["over_budget"]) == (2, 2, False)
    test = api.post(f"/marketing/campaigns/{pk}/test", {"to": "09120000000", "party_id": town["john"].pk})
    assert test.status_code == 201 and test.json()["to_address"] == "+989120000000"
    refused = api_as("outsider").post(f"/marketing/campaigns/{pk}/test", {"to": "09120000000"})
    assert refused.status_code == 403  # sales sees campaigns, but sends nothing
    with committed():
        sent = api.post(f"/marketing/campaigns/{pk}/send")
    assert sent.status_code == 202 and sent.json()["status"] == "sending"
    got = api.get(f"/marketing/campaigns/{pk}").json()
    assert got["status"] == "sent" and (got["total"], got["processed"]) == (2, 2)
    stats = api.get(f"/marketing/campaigns/{pk}/stats").json()
    assert (stats["targeted"], stats["sent"], stats["delivered"], stats["skipped"]) == (2, 2, 2, 0)
    assert stats["other_cost"] == "50000.00" and stats["roi_percent"] == "-100.0"
    recipients = api.get(f"/marketing/campaigns/{pk}/recipients", {"state": "queued"}).json()["items"]
    assert {r["party"]["display_name"] for r in recipients} == {"مریم احمدی", "John Smith"}
    assert api.patch(f"/marketing/campaigns/{pk}", {"name": "نو"}).status_code == 422
    assert api.post(f"/marketing/campaigns/{pk}/cancel").status_code == 422


def test_scheduling_and_cancelling_through_the_api(api_as, make_segment, town):
    segment = make_segment(rule=TEHRAN_SMS)
    api = api_as("marketing")
    pk = api.post(
        "/marketing/campaigns", {"name": "بعدا", "segment_ids": [segment.pk], "body_fa": "سلام"}
    ).json()["id"]
    scheduled = api.post(f"/marketing/campaigns/{pk}/schedule", {"send_at": "2099-01-01T10:00:00+03:30"})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    assert api.post(f"/marketing/campaigns/{pk}/cancel").json()["status"] == "draft"
    assert api.delete(f"/marketing/campaigns/{pk}").status_code == 204
    assert not Campaign.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(("role", "status"), [("sales", 403), ("support", 404), ("readonly", 404)])
def test_only_marketing_runs_campaigns(api_as, make_campaign, town, role, status):
    campaign = make_campaign()
    api = api_as(role)
    assert api.post(f"/marketing/campaigns/{campaign.pk}/send").status_code == status
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    created = api.post("/marketing/campaigns", {"name": "x"})
    assert created.status_code == 403
