"""Chosen columns on the people's and organisations' lists: each list its own columns and
choices, a customer's city and organisation read in the page's query (no query a row, none
more however many columns), sorting and paging kept, and a custom role's user seeing only
the customers its row of the matrix grants."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.core.models import ListColumns, User
from peyvand.core.services import roles
from peyvand.core.services.users import user_update
from peyvand.customers.services.memberships import membership_add

pytestmark = pytest.mark.django_db
PEOPLE, ORGS = "/person/", "/organisation/"
DEFAULT = ["name", "phone", "email", "stage", "owner", "tags", "created", "updated"]


def heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="party-table"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


def row_of(response: Any, party_id: int) -> str:
    return response.content.decode().split(f'name="ids" value="{party_id}"')[1].split("</tr>")[0]


@pytest.fixture
def people(users: dict[str, User], make_person: Any, make_org: Any) -> list[Any]:
    org = make_org(name="<b>شرکت آلفا</b>")
    made = []
    for n in range(4):
        person = make_person(
            last_name=f"رضایی {n}",
            contacts=[{"kind": "address", "value": f"خیابان {n}", "city": f"شهر {n}", "is_primary": True}],
        )
        membership_add(person=person, organisation=org, actor=users["admin"], title=f"مدیر {n}")
        made.append(person)
    return made


def test_each_list_has_its_own_columns_and_the_chosen_ones_in_their_order(
    client: Client, users: dict[str, User], people: list[Any]
) -> None:
    users["sales"].language = "en"
    users["sales"].save()
    client.force_login(users["sales"])
    assert heads(client.get(PEOPLE)) == DEFAULT and heads(client.get(ORGS)) == DEFAULT
    response = client.get(PEOPLE, {"columns": "city,name,organisation,job_title,website,nonsense"})
    assert heads(response) == ["city", "name", "organisation", "job_title"]  # no website for people
    row = row_of(response, people[0].pk)
    assert "شهر 0" in row and "مدیر 0" in row and "&lt;b&gt;شرکت آلفا&lt;/b&gt;" in row
    orgs = client.get(ORGS, {"columns": "name,industry,economic_code,organisation"})
    assert heads(orgs) == ["name", "industry", "economic_code"]
    # The picker offers each list its own, in English and in Persian.
    assert (
        'id="column-website"' in orgs.content.decode()
        and 'id="column-website"' not in response.content.decode()
    )
    assert ">Job title<" in response.content.decode()
    users["sales"].language = "fa"
    users["sales"].save()
    persian = client.get(PEOPLE, {"columns": "city,job_title"}).content.decode()
    assert ">شهر<" in persian and ">سمت<" in persian


def test_sorting_and_paging_keep_the_choice(
    client: Client, users: dict[str, User], people: list[Any]
) -> None:
    client.force_login(users["sales"])
    response = client.get(PEOPLE, {"columns": "city,name,created", "sort": "-name"})
    html = response.content.decode()
    assert "columns=city%2Cname%2Ccreated" in html  # in the header links
    assert 'href="?columns=city%2Cname%2Ccreated&amp;sort=name"' in html  # turned round
    names = re.findall(r"رضایی \d", html)
    assert names == sorted(names, reverse=True)
    first = client.get(PEOPLE, {"columns": "name,city", "sort": "name"})
    cursor = first.context["page"].next_cursor
    assert cursor is None  # four people, one page
    assert first.context["count"] == 4


def test_the_query_count_does_not_grow_with_the_columns(
    client: Client,
    users: dict[str, User],
    people: list[Any],
    queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(users["sales"])
    client.get(PEOPLE)
    with queries() as few:
        client.get(PEOPLE, {"columns": "name"})
    extra = ["source", "city", "organisation", "job_title", "birthday", "national_id"]
    everything = ",".join([*DEFAULT, *extra])
    with django_assert_max_num_queries(len(few)):
        response = client.get(PEOPLE, {"columns": everything})
    assert len(heads(response)) == 14 and "شهر 3" in response.content.decode()


def test_ones_own_default_is_kept_per_list(client: Client, users: dict[str, User], people: list[Any]) -> None:
    client.force_login(users["sales"])
    client.post(
        reverse("list_columns_choose"), {"page": PEOPLE, "columns": ["city", "name"], "as": "default"}
    )
    assert ListColumns.objects.get().columns == ["city", "name"]
    assert heads(client.get(PEOPLE)) == ["city", "name"]
    assert heads(client.get(ORGS)) == DEFAULT
    # A column of the other list is not kept.
    client.post(
        reverse("list_columns_choose"), {"page": ORGS, "columns": ["job_title", "industry"], "as": "default"}
    )
    assert heads(client.get(ORGS)) == ["industry"]


def test_a_custom_roles_user_sees_only_what_its_row_grants(
    client: Client, users: dict[str, User], make_person: Any
) -> None:
    admin = users["admin"]
    role = roles.custom_role_copy(
        actor=admin, source="sales", names=roles.CustomRoleNames("فروش خودی", "Own sales")
    )
    roles.role_update(actor=admin, key=role.key, change=roles.RoleChange(scopes={"party": {"view": "own"}}))
    user_update(user=users["sales"], actor=admin, role=role.key)
    mine = make_person(
        owner="sales", last_name="مال من", contacts=[{"kind": "address", "value": "x", "city": "قم"}]
    )
    make_person(
        owner="sales2", last_name="هم‌تیمی", contacts=[{"kind": "address", "value": "y", "city": "کرج"}]
    )
    client.force_login(User.objects.get(pk=users["sales"].pk))
    response = client.get(PEOPLE, {"columns": "name,city,owner"})
    html = response.content.decode()
    assert heads(response) == ["name", "city", "owner"]
    assert "مال من" in html and "قم" in html
    assert "هم‌تیمی" not in html and "کرج" not in html
    assert response.context["count"] == 1 and [p.pk for p in response.context["page"]] == [mine.pk]
    # The teammate, of the built-in sales role, sees the team's.
    other = Client()
    other.force_login(users["sales2"])
    assert other.get(PEOPLE, {"columns": "name,city"}).context["count"] == 2
