"""Keyset pagination walks every row once, and no list costs more queries for more rows."""

import datetime as dt

import pytest
from django.utils import timezone

from peyvand.customers import services as customer_services
from peyvand.customers.models import Membership, Party
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.interactions import services as interaction_services
from peyvand.interactions.services.interactions import InteractionInput
from tests.api.conftest import assert_error


def walk(client, path, params, direction="next_cursor"):
    """Every page from the first, following ``direction``; returns the pages' ids."""
    pages, cursor = [], None
    while True:
        response = client.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        data = response.json()
        pages.append([item["id"] for item in data["items"]])
        cursor = data[direction]
        if not cursor:
            return pages, data


@pytest.fixture
def thirty_people(make_person):
    people = []
    for i in range(30):
        # Several share a name and a created_at, so ties must be broken by id.
        people.append(make_person(first_name=f"نفر {i % 4}", last_name=""))
    stamp = timezone.now() - dt.timedelta(days=1)
    Party.objects.filter(pk__in=[p.pk for p in people[:10]]).update(created_at=stamp, updated_at=stamp)
    return people


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created", "updated", "-updated"])
def test_pages_walk_every_row_once_in_order_and_back(api, thirty_people, sort):
    everything = [item["id"] for item in api.get("/people", {"sort": sort, "limit": 200}).json()["items"]]
    assert sorted(everything) == sorted(p.pk for p in thirty_people)

    pages, last = walk(api, "/people", {"sort": sort, "limit": 7})
    assert [len(page) for page in pages] == [7, 7, 7, 7, 2]
    assert [pk for page in pages for pk in page] == everything

    # Back from the last page with previous_cursor gives the same pages in reverse.
    back, cursor = [], last["previous_cursor"]
    while cursor:
        data = api.get("/people", {"sort": sort, "limit": 7, "cursor": cursor}).json()
        back.append([item["id"] for item in data["items"]])
        cursor = data["previous_cursor"]
    assert back == pages[-2::-1]


def test_the_first_page_has_no_previous_and_the_last_no_next(api, thirty_people):
    first = api.get("/people", {"limit": 30}).json()
    assert first["previous_cursor"] is None and first["next_cursor"] is None
    assert api.get("/people", {"limit": 29}).json()["next_cursor"]


def test_notes_contact_points_and_interactions_page_too(api, users, make_person):
    party = make_person(contacts=[{"kind": "phone", "value": f"0912123456{i}"} for i in range(5)])
    for i in range(9):
        customer_services.notes.note_add(party=party, actor=users["admin"], body=f"note {i}")
        interaction_services.interactions.interaction_log(
            party=party,
            actor=users["admin"],
            data=InteractionInput(
                channel="phone", subject=str(i), occurred_at=timezone.now() - dt.timedelta(hours=i)
            ),
        )
    for path, count in [
        (f"/parties/{party.pk}/notes", 9),
        (f"/parties/{party.pk}/contact-points", 5),
        ("/interactions", 9),
    ]:
        pages, _last = walk(api, path, {"limit": 2})
        flat = [pk for page in pages for pk in page]
        assert len(flat) == len(set(flat)) == count, path


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJ4IjoxfQ",
        "WyJuIiwgWzFdXQ",
        "WyJ4IiwgWyJhIiwgMV1d",
        "%%%",
        "=" * 10,
        "a" * 1000,
    ],
)
def test_bad_cursors_are_400(api, make_person, cursor):
    person = make_person()
    for path in [
        "/people",
        "/organisations",
        "/interactions",
        "/tags",
        "/users",
        f"/parties/{person.pk}/notes",
        f"/parties/{person.pk}/timeline",
    ]:
        assert_error(api.get(path, {"cursor": cursor}), 400, "invalid_cursor", "cursor")


# --- query counts -------------------------------------------------------------------------


def count(queries, client, path, params=None):
    client.get(path, params)  # warm up: the token's first use is written once a minute
    with queries() as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["items"]) if "items" in response.json() else None


def rich_people(make_person, make_org, users, n):
    org = make_org(name=f"سازمان {n}")
    for i in range(n):
        owner = "sales" if i % 2 else "sales2"
        person = make_person(
            owner=owner,
            first_name=f"شخص {i}",
            tags=[f"برچسب {i % 3}", "همه"],
            contacts=[
                {"kind": "phone", "value": f"09121{i:06d}"},
                {"kind": "email", "value": f"p{i}@example.com"},
            ],
        )
        Membership.objects.create(person=person, organisation=org)


def test_people_list_queries_do_not_grow_with_rows(api_as, make_person, make_org, users, queries):
    client = api_as("sales")
    rich_people(make_person, make_org, users, 5)
    few = count(queries, client, "/people", {"limit": 200})
    rich_people(make_person, make_org, users, 25)
    many = count(queries, client, "/people", {"limit": 200})
    assert few[1] == 5 and many[1] == 30
    assert few[0] == many[0] <= 6


def test_organisation_list_queries_do_not_grow_with_rows(api_as, make_org, queries):
    client = api_as("manager")
    for i in range(5):
        make_org(name=f"org {i}", tags=["x"])
    few = count(queries, client, "/organisations", {"limit": 200, "q": "org"})
    for i in range(5, 30):
        make_org(name=f"org {i}", tags=["x", "y"])
    many = count(queries, client, "/organisations", {"limit": 200, "q": "org"})
    assert (few[1], many[1]) == (5, 30) and few[0] == many[0]


def test_detail_queries_do_not_grow_with_contacts_or_memberships(api_as, make_person, make_org, queries):
    client = api_as("sales")
    person = make_person(owner="sales", contacts=[{"kind": "phone", "value": "09121000000"}])
    Membership.objects.create(person=person, organisation=make_org(name="o0"))
    few = count(queries, client, f"/people/{person.pk}")
    for i in range(1, 15):
        customer_services.contacts.contact_point_add(
            party=person, actor=person.owner, data=ContactInput(kind="email", value=f"x{i}@example.com")
        )
        Membership.objects.create(person=person, organisation=make_org(name=f"o{i}"))
    org = Party.objects.get(display_name="o3")
    few_org = count(queries, client, f"/organisations/{org.pk}")
    many = count(queries, client, f"/people/{person.pk}")
    assert few[0] == many[0]
    assert few_org[0] <= few[0]


def test_interaction_list_queries_do_not_grow_with_rows(api_as, make_person, users, queries):
    client = api_as("support")

    def add(n):
        for i in range(n):
            party = make_person(owner="sales", first_name=f"p{i}")
            interaction_services.interactions.interaction_log(
                party=party, actor=users["sales"], data=InteractionInput(channel="phone", subject=f"s{i}")
            )

    add(5)
    few = count(queries, client, "/interactions", {"limit": 200})
    add(25)
    many = count(queries, client, "/interactions", {"limit": 200})
    assert (few[1], many[1]) == (5, 30) and few[0] == many[0]


def test_timeline_queries_do_not_grow_with_history(api_as, make_person, users, queries):
    client = api_as("sales")
    party = make_person(owner="sales")

    def add(n):
        for i in range(n):
            interaction_services.interactions.interaction_log(
                party=party, actor=users["sales"], data=InteractionInput(channel="phone", subject=f"s{i}")
            )
            customer_services.notes.note_add(party=party, actor=users["sales2"], body=f"n{i}")
            stage = "customer" if i % 2 else "prospect"
            customer_services.parties.party_update(
                party=party, actor=users["sales"], data=PartyInput(stage=stage)
            )
            customer_services.tags.party_set_tags(party=party, actor=users["sales"], names=[f"t{i}"])

    add(5)
    few = count(queries, client, f"/parties/{party.pk}/timeline", {"limit": 200})
    add(25)
    many = count(queries, client, f"/parties/{party.pk}/timeline", {"limit": 200})
    assert few[1] < many[1]
    assert few[0] == many[0]


def test_note_and_contact_lists_queries_do_not_grow(api_as, make_person, users, queries):
    client = api_as("sales")
    party = make_person(owner="sales")
    for i in range(3):
        customer_services.notes.note_add(party=party, actor=users["sales2"], body=f"n{i}")
    few = count(queries, client, f"/parties/{party.pk}/notes", {"limit": 200})
    for i in range(20):
        customer_services.notes.note_add(party=party, actor=users["sales"], body=f"m{i}")
    many = count(queries, client, f"/parties/{party.pk}/notes", {"limit": 200})
    assert few[0] == many[0]
