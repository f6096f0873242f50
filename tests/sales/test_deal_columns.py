"""Chosen columns on the deals list: which, in what order, kept in a saved view or as one's
own default, at the same cost in queries however many are shown."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.core.models import ListColumns, SavedView, User
from peyvand.core.services.saved_views import SavedViewInput, saved_view_make_default, saved_view_save
from peyvand.sales.models import Lead
from peyvand.sales.services import leads

pytestmark = pytest.mark.django_db
LIST = "/sales/deals/"
DEFAULT = ["title", "customer", "stage", "owner", "close", "amount", "created"]


def heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="deal-table"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


def cells(response: Any, deal_id: int) -> int:
    row = response.content.decode().split(f'id="deal-{deal_id}"')[1].split("</tr>")[0]
    return row.count("<td")


@pytest.fixture
def seller(client: Client, users: dict[str, User], make_deal: Any) -> Any:
    client.force_login(users["sales"])
    return make_deal(title="<i>سامانه</i>")


def test_a_user_who_never_chooses_sees_the_lists_own_columns(client: Client, seller: Any) -> None:
    response = client.get(LIST)
    assert heads(response) == DEFAULT and cells(response, seller.pk) == len(DEFAULT)
    assert "&lt;i&gt;سامانه&lt;/i&gt;" in response.content.decode()


def test_chosen_columns_are_drawn_in_their_order_and_unknown_ones_ignored(
    client: Client, seller: Any
) -> None:
    response = client.get(LIST, {"columns": "amount,pipeline,title,nonsense,amount"})
    assert heads(response) == ["amount", "pipeline", "title"] and cells(response, seller.pk) == 3
    assert seller.pipeline.name in response.content.decode()
    # Only unknown names, or nothing: the list's own columns.
    assert heads(client.get(LIST, {"columns": "<script>,,"})) == DEFAULT
    # Sorting keeps the choice: the header links carry it.
    assert "columns=amount%2Cpipeline%2Ctitle" in response.content.decode()


def test_the_picker_shows_them_on_the_page_and_a_view_keeps_them(
    client: Client, users: dict[str, User], seller: Any
) -> None:
    choose = reverse("list_columns_choose")
    response = client.post(
        choose, {"page": LIST, "query": "status=open&cursor=x", "columns": ["stage", "title"], "as": "view"}
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"status": ["open"], "columns": ["stage,title"]}
    view = saved_view_save(
        actor=users["sales"],
        data=SavedViewInput(page=LIST, name="مرحله", query=urlsplit(response["Location"]).query),
    )
    saved_view_make_default(actor=users["sales"], view=view, page=LIST)
    opened = client.get(LIST, follow=True)
    assert heads(opened) == ["stage", "title"]
    assert SavedView.objects.get().query == "status=open&columns=stage%2Ctitle"
    # Nothing ticked, or a page that is no list: an error, nothing kept.
    response = client.post(choose, {"page": LIST, "query": "", "as": "view"}, follow=True)
    assert heads(response) == ["stage", "title"] or heads(response) == DEFAULT
    response = client.post(choose, {"page": "/sales/deals/1/", "columns": ["title"], "as": "default"})
    assert response.status_code == 302 and not ListColumns.objects.exists()


def test_ones_own_default_applies_where_no_view_chooses(
    client: Client, users: dict[str, User], seller: Any
) -> None:
    choose = reverse("list_columns_choose")
    client.post(choose, {"page": LIST, "query": "", "columns": ["owner", "amount"], "as": "default"})
    assert ListColumns.objects.get(user=users["sales"]).columns == ["owner", "amount"]
    assert heads(client.get(LIST)) == ["owner", "amount"]
    assert heads(client.get(LIST, {"columns": "title"})) == ["title"]  # a view's choice wins
    other = Client()
    other.force_login(users["sales2"])
    assert heads(other.get(LIST)) == DEFAULT  # one's own, nobody else's
    client.post(choose, {"page": LIST, "query": "", "as": "reset"})
    assert heads(client.get(LIST)) == DEFAULT and not ListColumns.objects.exists()


def test_the_query_count_does_not_grow_with_the_columns_shown(
    client: Client, make_deal: Any, seller: Any, queries: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        make_deal(title=f"فرصت {n}")
    client.get(LIST)  # warm caches read once a process
    with queries() as few:
        client.get(LIST, {"columns": "title"})
    everything = ",".join([*DEFAULT, "pipeline"])
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, {"columns": everything})
    assert len(heads(response)) == 8


LEADS = "/sales/leads/"
LEAD_DEFAULT = ["name", "company", "stage", "source", "owner", "score", "created"]


def lead_heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="lead-table"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


def test_the_leads_list_draws_its_own_or_the_chosen_columns_at_one_cost(
    client: Client, users: dict[str, User], queries: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(4):
        leads.lead_create(
            actor=users["sales"],
            data={"last_name": f"سرنخ {n}", "phone": f"0912000000{n}", "owner": users["sales"]},
        )
    client.force_login(users["sales"])
    assert lead_heads(client.get(LEADS)) == LEAD_DEFAULT
    with queries() as few:
        client.get(LEADS, {"columns": "name"})
    with django_assert_max_num_queries(len(few)):
        response = client.get(LEADS, {"columns": "phone,name,email,company,stage,source,owner,score,created"})
    assert lead_heads(response)[:3] == ["phone", "name", "email"]
    lead = Lead.objects.order_by("pk").first()
    assert lead is not None
    row = response.content.decode().split(f'id="lead-{lead.pk}"')[1].split("</tr>")[0]
    assert row.count("<td") == 9 and 'dir="ltr"' in row
