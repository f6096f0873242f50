"""Editing in place on the lists: offered only on the records the permission policy lets the
user change, through the API (whose checks, audit and refusals the API's tests hold)."""

import pytest
from django.test import Client

from peyvand.sales.services import deals, pipelines


@pytest.fixture
def two_deals(users, make_org):
    pipelines.pipeline_ensure_default()
    return [
        deals.deal_create(
            actor=users["admin"],
            data={
                "title": title,
                "party": make_org(name=f"شرکت {title}", owner=owner),
                "owner": users[owner],
            },
        )
        for title, owner in (("mine", "sales"), ("theirs", "outsider"))
    ]


def cells(html: str, deal) -> int:
    row = html.split(f'<tr id="deal-{deal.pk}">', 1)
    return row[1].split("</tr>", 1)[0].count("data-inline-url") if len(row) == 2 else -1


@pytest.mark.parametrize(
    "role, mine, theirs", [("sales", 2, -1), ("manager", 2, -1), ("admin", 2, 2), ("sales2", 0, -1)]
)
def test_only_changeable_deals_are_edited_in_place(users, two_deals, role, mine, theirs):
    client = Client()
    client.force_login(users[role])
    html = client.get("/sales/deals/?plain=1").content.decode()
    assert cells(html, two_deals[0]) == mine
    assert cells(html, two_deals[1]) == theirs  # -1: not in the list at all
    if mine:
        assert f'data-inline-url="/api/v1/deals/{two_deals[0].pk}"' in html
        assert 'data-inline-field="expected_close"' in html and "inline-pencil" in html


def test_the_api_behind_a_cell_refuses_what_the_policy_refuses(users, two_deals):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["sales"])
    client.get("/sales/deals/?plain=1")
    token = client.cookies["csrftoken"].value
    theirs = two_deals[1]
    answer = client.patch(
        f"/api/v1/deals/{theirs.pk}", {"title": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "theirs"
    mine = client.patch(
        f"/api/v1/deals/{two_deals[0].pk}",
        {"title": "renamed"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert mine.status_code == 200 and mine.json()["title"] == "renamed"
    without_token = client.patch(
        f"/api/v1/deals/{two_deals[0].pk}", {"title": "x"}, content_type="application/json"
    )
    assert without_token.status_code == 403
