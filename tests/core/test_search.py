"""The top bar's search: every kind of record found by any script's letters and digits, grouped
by kind, through the permission policy, escaped, in a number of queries that does not grow
with the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.core import policy
from peyvand.core.selectors.search import search_everywhere
from peyvand.sales.models import Order
from peyvand.sales.services.deals import deal_create
from peyvand.sales.services.leads import lead_create
from peyvand.sales.services.pipelines import pipeline_ensure_default
from peyvand.service.models import Ticket
from peyvand.service.services.tickets import TicketInput, ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(users, make_person, make_org):
    ali = make_person(first_name="علی", last_name="کریمی")
    other = make_person(first_name="علی", last_name="رضایی", owner="outsider")  # another team's
    pars = make_org(name="پارس کالا")
    pipeline_ensure_default()
    deal = deal_create(actor=users["sales"], data={"title": "قرارداد علی", "party": ali})
    lead = lead_create(
        actor=users["sales"], data={"first_name": "علیرضا", "last_name": "نیکو", "phone": "09121234567"}
    )
    order = Order.objects.create(
        number="S-1403-0042",
        party=pars,
        owner=users["sales"],
        ordered_on=dt.date(2025, 1, 5),
        currency="IRR",
        subtotal=Decimal(1000),
        total=Decimal(1000),
    )
    ticket = ticket_open(actor=users["support"], data=TicketInput(party=ali, subject="کیفیت بسته‌بندی"))
    return {
        "ali": ali,
        "other": other,
        "pars": pars,
        "deal": deal,
        "lead": lead,
        "order": order,
        "ticket": ticket,
    }


def found(user, query) -> dict[str, list[str]]:
    return {g.source.key: [h.title for h in g.hits] for g in search_everywhere(user=user, query=query)}


def test_one_query_finds_every_kind_in_either_script(users, shop):
    # Arabic ي and Persian digits find what was stored with Persian ی and Latin digits.
    result = found(users["admin"], "علي")
    assert set(result["party-person"]) == {"علی کریمی", "علی رضایی"}
    assert result["deal"] == ["قرارداد علی"]
    assert result["lead"] == [str(shop["lead"])]
    assert found(users["admin"], "۰۰۴۲")["order"] == ["S-1403-0042"]
    assert found(users["admin"], "پارس")["order"] == ["S-1403-0042"]  # by the customer's name
    assert found(users["admin"], "پارس")["party-organisation"] == ["پارس کالا"]
    assert found(users["admin"], "بسته")["ticket"] == [f"{shop['ticket'].number} · کیفیت بسته‌بندی"]


def test_nothing_for_a_single_letter_or_nothing_matching(users, shop):
    assert found(users["admin"], "ع") == {}
    assert found(users["admin"], "  ") == {}
    assert found(users["admin"], "ناموجود") == {}


def test_each_user_finds_only_what_they_may_see(users, shop):
    sales = found(users["sales"], "علی")
    assert sales["party-person"] == ["علی کریمی"]  # not the other team's
    assert sales["deal"] == ["قرارداد علی"] and sales["lead"] == [str(shop["lead"])]
    outsider = found(users["outsider"], "علی")
    assert outsider["party-person"] == ["علی رضایی"]
    assert "deal" not in outsider and "lead" not in outsider
    # Tickets as the ticket list shows them to this role (salespeople see every ticket).
    visible = policy.visible(users["outsider"], Ticket.objects.all()).exists()
    assert ("ticket" in outsider) == visible
    assert found(users["outsider"], "قرارداد") == {}


def test_the_drop_down_and_the_page(users, shop):
    client = Client()
    client.force_login(users["sales"])
    drop = client.get(reverse("search_suggest"), {"q": "علی"}).content.decode()
    assert "علی کریمی" in drop and "علی رضایی" not in drop
    assert reverse("party_detail", args=[shop["ali"].pk]) in drop
    assert reverse("search") in drop  # all results
    page = client.get(reverse("search"), {"q": "علی"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="search-group-party-person"' in html and "قرارداد علی" in html
    assert "Nothing found" not in html
    assert 'data-testid="search-none"' in client.get(reverse("search"), {"q": "ناموجود"}).content.decode()
    assert client.get(reverse("search"), {"q": "x" * 5000}).status_code == 200


def test_names_are_escaped(users, make_person):
    make_person(first_name="<script>alert(1)</script>", last_name="هکر")
    client = Client()
    client.force_login(users["admin"])
    drop = client.get(reverse("search_suggest"), {"q": "هکر"}).content.decode()
    assert "<script>alert" not in drop and "&lt;script&gt;" in drop


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("search_suggest"), {"q": "علی"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_queries_do_not_grow_with_the_matches(users, shop, make_person, queries):
    with queries() as few:
        search_everywhere(user=users["sales"], query="علی")
    for i in range(8):
        make_person(first_name="علی", last_name=f"نمونه {i}")
    with queries() as more:
        search_everywhere(user=users["sales"], query="علی")
    assert len(more) == len(few) <= 20


def test_no_kind_joins_the_customers_table_to_show_its_hits(users, shop, queries):
    # SQLite walked every customer to join a few tickets or invoices to theirs (30 ms at 100k
    # customers, each kind): the customers of the hits are read by their ids instead.
    with queries() as asked:
        kinds = {
            g.source.key
            for query in ("علی", "پارس")
            for g in search_everywhere(user=users["admin"], query=query)
        }
    assert kinds >= {"ticket", "order"}  # a ticket by its customer's name, an order by its customer's
    joined = [q["sql"] for q in asked.captured_queries if 'JOIN "customers_party"' in q["sql"]]
    assert joined == []
