"""Chosen columns on the invoices list: its own or the chosen ones in their order (amounts,
the order, the owner), at one cost in queries however many are shown."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peyvand.core.models import User
from peyvand.sales.services import billing, deals

pytestmark = pytest.mark.django_db
LIST = "/sales/invoices/"
DEFAULT = ["number", "customer", "issued", "due_on", "status", "total", "due"]
EVERYTHING = [*DEFAULT, "order", "owner", "subtotal", "discount", "tax", "paid", "created"]


def heads(response: Any) -> list[str]:
    table = response.content.decode().split('data-testid="invoice-table"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" data-column="([a-z_]+)"', table)


@pytest.fixture
def invoices(make_deal: Any, products: Any, users: dict[str, User], customer_with_email: Any) -> list[Any]:
    made = []
    for _n in range(3):
        deal = make_deal(party=customer_with_email, amount=0)
        deals.deal_line_add(
            deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "2"}
        )
        order = billing.quote_accept(
            quote=billing.quote_create(deal=deal, actor=users["sales"]), actor=users["sales"]
        )
        made.append(billing.invoice_create(order=order, actor=users["sales"]))
    return made


def test_the_list_draws_its_own_or_the_chosen_columns(
    client: Any, users: dict[str, User], invoices: list[Any]
) -> None:
    users["sales"].language = "en"
    users["sales"].save()
    client.force_login(users["sales"])
    response = client.get(LIST)
    assert heads(response) == DEFAULT
    chosen = client.get(LIST, {"columns": "order,number,tax,paid,nope"})
    assert heads(chosen) == ["order", "number", "tax", "paid"]
    row = chosen.content.decode().split(f'id="invoice-{invoices[0].pk}"')[1].split("</tr>")[0]
    assert invoices[0].order.number in row and row.count("<td") == 4
    assert ">Subtotal<" in chosen.content.decode()  # offered by the picker
    # The status filter keeps the choice.
    assert 'name="columns" value="order,number,tax,paid,nope"' in chosen.content.decode()


def test_the_query_count_does_not_grow_with_the_columns(
    client: Any, users: dict[str, User], invoices: list[Any], queries: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(users["sales"])
    client.get(LIST)
    with queries() as few:
        client.get(LIST, {"columns": "number"})
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, {"columns": ",".join(EVERYTHING)})
    assert heads(response) == EVERYTHING and len(response.context["page"]) == 3
