"""Interactions and the customer timeline through the API."""

import datetime as dt

import pytest
from django.utils import timezone

from peyvand.customers import services as customer_services
from peyvand.customers.rules import PartyInput
from peyvand.interactions import services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput
from tests.api.conftest import assert_error, ids


def log(users, party, at, channel="phone", who="sales", subject="call"):
    return services.interactions.interaction_log(
        party=party,
        actor=users[who],
        data=InteractionInput(channel=channel, subject=subject, occurred_at=at),
    )


def test_interaction_lifecycle(api_as, users, make_person):
    party = make_person(owner="sales")
    client = api_as("sales")
    response = client.post(
        "/interactions",
        {
            "party_id": party.pk,
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": "2024-08-02T14:30:00+03:30",
            "subject": "  پیگیری   سفارش ",
            "body": "قرار شد فردا تماس بگیرد",
            "outcome": "follow_up",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["occurred_at"] == "2024-08-02T11:00:00Z"
    assert (data["subject"], data["direction"], data["outcome"]) == (
        "پیگیری سفارش",
        "outbound",
        "follow_up",
    )
    assert data["handled_by"]["username"] == "sales"
    assert data["party"] == {"id": party.pk, "kind": "person", "display_name": party.display_name}

    got = client.get(f"/interactions/{data['id']}").json()
    assert got == data
    response = client.patch(f"/interactions/{data['id']}", {"outcome": "", "occurred_at": "۱۴۰۳/۰۵/۱۲ ۰۹:۰۰"})
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "" and response.json()["occurred_at"] == "2024-08-02T05:30:00Z"
    assert client.delete(f"/interactions/{data['id']}").status_code == 204
    assert_error(client.get(f"/interactions/{data['id']}"), 404, "not_found")
    assert Interaction.all_objects.get(pk=data["id"]).deleted_at is not None


def test_interaction_defaults_to_now_inbound_and_the_caller(api_as, users, make_person):
    party = make_person(owner="sales")
    data = (
        api_as("sales").post("/interactions", {"party_id": party.pk, "channel": "sms", "subject": "x"}).json()
    )
    assert data["direction"] == "inbound" and data["handled_by"]["id"] == users["sales"].pk
    occurred = dt.datetime.fromisoformat(data["occurred_at"])
    assert abs(occurred - timezone.now()) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"outcome": "maybe"}, "outcome"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "1403/13/40 10:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": 1722590000}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-14:00"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"handled_by": 999_999}, "handled_by"),
        ({"handled_by": "1"}, "handled_by"),
        ({"party_id": 999_999}, "party_id"),
        ({"party_id": None}, "party_id"),
    ],
)
def test_interaction_input_errors_name_the_field(api, make_person, body, field):
    party = make_person()
    data = {"party_id": party.pk, "channel": "phone", "subject": "s", **body}
    assert_error(api.post("/interactions", data), 422, "validation_error", field)
    assert not Interaction.objects.exists()


def test_interaction_list_filters_by_customer_and_channel_newest_first(api, users, make_person):
    a, b = make_person(first_name="الف"), make_person(first_name="ب")
    now = timezone.now()
    first = log(users, a, now - dt.timedelta(days=3), "phone")
    second = log(users, a, now - dt.timedelta(days=2), "email")
    third = log(users, b, now - dt.timedelta(days=1), "phone")
    assert ids(api.get("/interactions")) == [third.pk, second.pk, first.pk]
    assert ids(api.get("/interactions", {"party": a.pk})) == [second.pk, first.pk]
    assert ids(api.get("/interactions", {"channel": "phone"})) == [third.pk, first.pk]
    assert ids(api.get("/interactions", {"party": a.pk, "channel": "phone"})) == [first.pk]


def test_timeline_merges_interactions_notes_and_changes_newest_first(api, users, make_person):
    party = make_person(owner="sales")
    now = timezone.now()
    old_call = log(users, party, now - dt.timedelta(days=10), "phone", subject="old call")
    email = log(users, party, now - dt.timedelta(days=5), "email", subject="email")
    note = customer_services.notes.note_add(party=party, actor=users["sales"], body="یادداشت")
    customer_services.parties.party_update(
        party=party, actor=users["sales"], data=PartyInput(stage="customer")
    )

    response = api.get(f"/parties/{party.pk}/timeline")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    ats = [dt.datetime.fromisoformat(item["at"]) for item in items]
    assert ats == sorted(ats, reverse=True)
    kinds = [item["kind"] for item in items]
    assert kinds[0] == "change" and kinds[-2:] == ["interaction", "interaction"]
    assert [item["interaction"]["id"] for item in items if item["kind"] == "interaction"] == [
        email.pk,
        old_call.pk,
    ]
    assert [item["note"]["body"] for item in items if item["kind"] == "note"] == [note.body]

    stage_change = items[0]["change"]
    assert stage_change["action"] == "update" and stage_change["actor"]["username"] == "sales"
    assert stage_change["changes"] == [
        {
            "field": "stage",
            "label": stage_change["changes"][0]["label"],
            "old": "suspect",
            "new": "customer",
        }
    ]
    assert stage_change["changes"][0]["label"]
    for item in items:
        assert set(item) == {"kind", "at", "id", item["kind"]}


def test_timeline_filters_by_channel_and_kinds(api, users, make_person):
    party = make_person()
    now = timezone.now()
    phone = log(users, party, now - dt.timedelta(days=2), "phone")
    log(users, party, now - dt.timedelta(days=1), "email")
    customer_services.notes.note_add(party=party, actor=users["admin"], body="n")

    by_channel = api.get(f"/parties/{party.pk}/timeline", {"channel": "phone"}).json()["items"]
    assert [(i["kind"], i["id"]) for i in by_channel] == [("interaction", phone.pk)]
    notes = api.get(f"/parties/{party.pk}/timeline", {"kinds": "note"}).json()["items"]
    assert {i["kind"] for i in notes} == {"note"}
    two = api.get(f"/parties/{party.pk}/timeline", {"kinds": "note, interaction"}).json()["items"]
    assert {i["kind"] for i in two} == {"note", "interaction"} and len(two) == 3
    assert_error(
        api.get(f"/parties/{party.pk}/timeline", {"kinds": "note,gossip"}),
        422,
        "validation_error",
        "kinds",
    )
    assert_error(
        api.get(f"/parties/{party.pk}/timeline", {"channel": "pigeon"}),
        422,
        "validation_error",
        "channel",
    )


def test_timeline_pages_walk_every_entry_once(api, users, make_person):
    party = make_person()
    base = timezone.now() - dt.timedelta(days=30)
    same_moment = base + dt.timedelta(days=1)
    for day in range(12):
        log(users, party, base + dt.timedelta(days=day, hours=1))
    for _ in range(3):  # ties on the timestamp are ordered by kind and id, never lost
        log(users, party, same_moment)
    full = api.get(f"/parties/{party.pk}/timeline", {"limit": 200}).json()["items"]
    seen, cursor = [], None
    while True:
        page = api.get(
            f"/parties/{party.pk}/timeline", {"limit": 4, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [(i["kind"], i["id"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [(i["kind"], i["id"]) for i in full]
    assert len(set(seen)) == len(seen) >= 15


def test_timeline_of_a_merged_customer_includes_the_others_history(api, users, make_person):
    survivor, other = make_person(first_name="a"), make_person(first_name="b")
    call = log(users, other, timezone.now() - dt.timedelta(days=1))
    assert api.post(f"/people/{survivor.pk}/merge", {"other_id": other.pk}).status_code == 200
    items = api.get(f"/parties/{survivor.pk}/timeline", {"kinds": "interaction"}).json()["items"]
    assert [i["id"] for i in items] == [call.pk]
