"""Chosen columns on the activities list: a table of its own or the chosen columns, sorted
by a column and back, at one cost in queries however many are shown."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from peyvand.core.models import User

pytestmark = pytest.mark.django_db
LIST = "/activities/"
DEFAULT = ["title", "kind", "due", "customer", "assignee", "priority", "status"]
EVERYTHING = [*DEFAULT, "deal", "outcome", "completed", "created"]


def heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="activity-list"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


def test_the_list_draws_its_own_or_the_chosen_columns(
    as_user: Any, users: dict[str, User], make_activity: Any, make_person: Any
) -> None:
    users["sales"].language = "en"
    users["sales"].save()
    activity = make_activity("sales", title="<i>تماس</i>", party=make_person(last_name="مشتری"))
    client = as_user("sales")
    response = client.get(LIST)
    assert heads(response) == DEFAULT
    row = response.content.decode().split(f'data-activity-id="{activity.pk}"')[1].split("</tr>")[0]
    assert row.count("<td") == len(DEFAULT) + 1 and "&lt;i&gt;" in row and "مشتری" in row
    assert "#complete" in row  # the finish button stays, whatever is shown
    chosen = client.get(LIST, {"columns": "created,title,deal,zzz"})
    assert heads(chosen) == ["created", "title", "deal"]
    assert ">Outcome<" in chosen.content.decode()


def test_a_column_sorts_and_turns_round(as_user: Any, make_activity: Any) -> None:
    soon = make_activity("sales", title="زود", due_in=dt.timedelta(hours=1), priority=2)
    late = make_activity("sales", title="دیر", due_in=dt.timedelta(days=3), priority=4)
    client = as_user("sales")
    html = client.get(LIST, {"sort": "due", "columns": "title,due,priority"}).content.decode()
    assert html.index(f'data-activity-id="{soon.pk}"') < html.index(f'data-activity-id="{late.pk}"')
    assert 'href="?columns=title%2Cdue%2Cpriority&amp;sort=-due"' in html
    html = client.get(LIST, {"sort": "priority", "columns": "title,priority"}).content.decode()
    assert html.index(f'data-activity-id="{late.pk}"') < html.index(f'data-activity-id="{soon.pk}"')
    html = client.get(LIST, {"sort": "-priority", "columns": "title,priority"}).content.decode()
    assert html.index(f'data-activity-id="{soon.pk}"') < html.index(f'data-activity-id="{late.pk}"')
    assert '<option value="-priority" selected>' in html  # the filters' sort says the same
    assert client.get(LIST, {"sort": "-created"}).status_code == 200


def test_the_query_count_does_not_grow_with_the_columns(
    as_user: Any, make_activity: Any, make_person: Any, queries: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(4):
        make_activity("sales", title=f"کار {n}", party=make_person(last_name=f"م {n}"))
    client = as_user("sales")
    client.get(LIST)
    with queries() as few:
        client.get(LIST, {"columns": "title"})
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, {"columns": ",".join(EVERYTHING)})
    assert heads(response) == EVERYTHING and response.context["page"].extra["count"] == 4
