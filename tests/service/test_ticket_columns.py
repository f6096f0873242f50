"""Chosen columns on the tickets list: its own or the chosen ones in their order, each
order turned round by its column, at one cost in queries however many are shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from peyvand.core.models import Team, User
from peyvand.core.services import roles
from peyvand.core.services.users import user_update

pytestmark = pytest.mark.django_db
LIST = "/tickets/"
DEFAULT = ["number", "subject", "customer", "status", "assignee", "created", "priority", "due"]
EVERYTHING = [
    *DEFAULT,
    "team",
    "channel",
    "kind",
    "category",
    "product",
    "updated",
    "last_message",
    "resolved",
]


def heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="ticket-table"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


def test_the_list_draws_its_own_or_the_chosen_columns(
    as_user: Any, users: dict[str, User], open_ticket: Any
) -> None:
    users["support"].language = "en"
    users["support"].save()
    ticket = open_ticket(subject="<script>x</script>", team=Team.objects.get(name="Team A"), priority=3)
    client = as_user("support")
    response = client.get(LIST)
    assert heads(response) == DEFAULT
    row = response.content.decode().split(f'id="ticket-{ticket.pk}"')[1].split("</tr>")[0]
    assert row.count("<td") == len(DEFAULT) + 1  # and the box that ticks it
    assert "&lt;script&gt;" in row and "<script>x" not in row
    chosen = client.get(LIST, {"columns": "team,number,channel,bogus,number"})
    assert heads(chosen) == ["team", "number", "channel"]
    assert ">Team A<" in chosen.content.decode().split(f'id="ticket-{ticket.pk}"')[1]
    assert ">Last message<" in chosen.content.decode()  # offered by the picker


def test_each_sortable_column_turns_its_order_round(as_user: Any, open_ticket: Any) -> None:
    low = open_ticket(subject="کم", priority=1)
    high = open_ticket(subject="زیاد", priority=4)
    client = as_user("support")
    html = client.get(LIST, {"sort": "-priority", "columns": "subject,priority"}).content.decode()
    assert html.index("زیاد") < html.index("کم")
    assert 'href="?columns=subject%2Cpriority&amp;sort=priority"' in html
    html = client.get(LIST, {"sort": "priority", "columns": "subject,priority"}).content.decode()
    assert html.index(f'id="ticket-{low.pk}"') < html.index(f'id="ticket-{high.pk}"')
    assert 'href="?columns=subject%2Cpriority&amp;sort=-priority"' in html
    for sort in ("updated", "-updated", "-due", "due", "created"):
        assert client.get(LIST, {"sort": sort, "columns": "updated,due"}).status_code == 200


def test_the_query_count_does_not_grow_with_the_columns(
    as_user: Any, open_ticket: Any, queries: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(4):
        open_ticket(subject=f"تیکت {n}", team=Team.objects.get(name="Team A"))
    client = as_user("support")
    client.get(LIST)
    with queries() as few:
        client.get(LIST, {"columns": "number"})
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, {"columns": ",".join(EVERYTHING)})
    assert heads(response) == EVERYTHING
    assert response.context["count"] == 4


def test_a_custom_roles_agent_sees_only_the_tickets_its_row_grants(
    users: dict[str, User], open_ticket: Any
) -> None:
    admin = users["admin"]
    role = roles.custom_role_copy(
        actor=admin, source="support", names=roles.CustomRoleNames("میز خودی", "Own desk")
    )
    roles.role_update(actor=admin, key=role.key, change=roles.RoleChange(scopes={"ticket": {"view": "own"}}))
    user_update(user=users["support"], actor=admin, role=role.key)
    open_ticket(subject="برای من", assignee=users["support"])
    open_ticket(subject="برای مدیر", assignee=users["manager"])
    client = Client()
    client.force_login(User.objects.get(pk=users["support"].pk))
    response = client.get(LIST, {"columns": "subject,assignee,team", "view": "all"})
    html = response.content.decode()
    assert heads(response) == ["subject", "assignee", "team"]
    assert "برای من" in html and "برای مدیر" not in html
