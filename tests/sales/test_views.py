"""The sales pages in Persian and English, through the same services; query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peyvand.sales.models import Deal, DealStageChange, Lead, LeadStage, Payment
from peyvand.sales.services import billing, deals, leads

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, users):
    def login(name, language="fa"):
        client.force_login(users[name])
        client.cookies["peyvand_language"] = language
        return client

    return login


@pytest.fixture
def cycle(make_deal, products, users, customer_with_email):
    deal = make_deal(party=customer_with_email, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "2"})
    quote = billing.quote_create(deal=deal, actor=users["sales"])
    order = billing.quote_accept(quote=quote, actor=users["sales"])
    invoice = billing.invoice_create(order=order, actor=users["sales"])
    billing.payment_record(invoice=invoice, actor=users["sales"], amount="7500000")
    return {"deal": deal, "quote": quote, "order": order, "invoice": invoice}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_page_renders(as_user, cycle, language):
    client = as_user("admin", language)
    lead = leads.lead_create(actor=cycle["deal"].owner, data={"last_name": "سرنخ", "phone": "09120000009"})
    urls = [
        reverse("sales:lead_list"),
        reverse("sales:lead_create"),
        reverse("sales:lead_detail", args=[lead.pk]),
        reverse("sales:deal_list"),
        reverse("sales:deal_board"),
        reverse("sales:deal_create"),
        reverse("sales:deal_detail", args=[cycle["deal"].pk]),
        reverse("sales:deal_edit", args=[cycle["deal"].pk]),
        reverse("sales:quote_detail", args=[cycle["quote"].pk]),
        reverse("sales:order_list"),
        reverse("sales:order_detail", args=[cycle["order"].pk]),
        reverse("sales:invoice_list"),
        reverse("sales:invoice_detail", args=[cycle["invoice"].pk]),
        reverse("sales:product_list"),
        reverse("sales:forecast"),
        reverse("sales:pipeline_list"),
        reverse("sales:pipeline_edit", args=[cycle["deal"].pipeline_id]),
        reverse("sales:rates"),
        reverse("sales:import"),
        reverse("sales:lead_rules"),
        reverse("sales:web_form_list"),
        reverse("sales:web_form_create"),
        reverse("sales:product_create"),
        reverse("party_detail", args=[cycle["deal"].party_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert f'lang="{language}"' in html
        assert ('dir="rtl"' in html) == (language == "fa"), url


def test_the_customer_panel_shows_balance_and_status(as_user, cycle):
    html = as_user("sales", "en").get(reverse("party_detail", args=[cycle["deal"].party_id])).content.decode()
    assert 'data-testid="sales-panel"' in html
    assert "20,000,000" in html and "outstanding" in html  # 27,500,000 − 7,500,000 paid
    html = as_user("sales", "fa").get(reverse("party_detail", args=[cycle["deal"].party_id])).content.decode()
    assert "۲۰٬۰۰۰٬۰۰۰" in html


def test_support_sees_the_panel_readonly_does_not(as_user, cycle):
    url = reverse("party_detail", args=[cycle["deal"].party_id])
    assert 'data-testid="sales-panel"' in as_user("support", "en").get(url).content.decode()
    assert as_user("readonly", "en").get(url).status_code == 404  # readonly sees no customers at all


def test_moving_through_the_form_uses_the_service(as_user, make_deal, stages):
    deal = make_deal()
    client = as_user("sales", "en")
    response = client.post(reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["lost"].pk})
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).stage == stages["new"]  # lost needs a reason
    client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["lost"].pk, "lost_reason": "دیر شد"}
    )
    assert Deal.objects.get(pk=deal.pk).status == "lost"
    assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_another_teams_deal_is_404_and_unchanged(as_user, make_deal, stages):
    deal = make_deal(owner="outsider")
    client = as_user("sales", "en")
    assert client.get(reverse("sales:deal_detail", args=[deal.pk])).status_code == 404
    assert (
        client.post(reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["won"].pk}).status_code
        == 404
    )
    assert Deal.objects.get(pk=deal.pk).stage == stages["new"]
    assert client.get(reverse("sales:deal_detail", args=[99999999999999999])).status_code == 404


def test_overpaying_in_the_form_shows_the_error(as_user, cycle):
    client = as_user("sales", "en")
    url = reverse("sales:invoice_detail", args=[cycle["invoice"].pk])
    response = client.post(url, {"amount": "۹۹۹۹۹۹۹۹۹", "method": "cash"})
    assert response.status_code == 200 and "is due on this invoice" in response.content.decode()
    assert Payment.objects.count() == 1
    response = client.post(url, {"amount": "-5", "method": "cash"})
    assert Payment.objects.count() == 1


def test_creating_a_lead_and_converting_it_in_the_browser_forms(as_user, users, pipeline):
    client = as_user("sales", "fa")
    response = client.post(
        reverse("sales:lead_create"),
        {
            "first_name": "سارا",
            "last_name": "نیک",
            "phone": "۰۹۱۲۵۵۵۶۶۷۷",
            "company": "نیک‌آوران",
            "source": "website",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and lead.owner == users["sales"]
    client.post(reverse("sales:lead_stage", args=[lead.pk]), {"stage": "qualified"})
    page = client.get(reverse("sales:lead_convert", args=[lead.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {
            "person": "new",
            "organisation": "new",
            "create_deal": "on",
            "title": "قرارداد",
            "amount": "۱۲۰۰۰۰۰",
            "currency": "IRR",
            "expected_close": "1405/12/01",
        },
    )
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/sales/deals/{deal.pk}/")
    assert deal.amount == 1200000 and deal.expected_close.isoformat() == "2027-02-20"
    assert Lead.objects.get().stage == LeadStage.CONVERTED


def test_query_counts_do_not_grow(as_user, make_deal, make_org, queries, cycle):
    client = as_user("sales", "fa")
    party_url = reverse("party_detail", args=[cycle["deal"].party_id])
    pages = [reverse("sales:deal_list"), reverse("sales:deal_board"), party_url]
    client.get(pages[0])
    before = {}
    for url in pages:
        with queries() as counted:
            assert client.get(url).status_code == 200
        before[url] = len(counted)
    for i in range(6):
        other = make_org(name=f"مشتری {i}")
        make_deal(party=other, title=f"معامله {i}")
    for _i in range(3):  # more invoices and orders for the panel's customer
        deal = make_deal(party=cycle["deal"].party, amount=0)
        deals.deal_line_add(
            deal=deal, actor=deal.owner, data={"description": "x", "quantity": "1", "unit_price": "10"}
        )
        order = billing.quote_accept(
            quote=billing.quote_create(deal=deal, actor=deal.owner), actor=deal.owner
        )
        billing.invoice_create(order=order, actor=deal.owner)
    for url in pages:
        with queries() as counted:
            assert client.get(url).status_code == 200
        assert len(counted) == before[url], (url, before[url], len(counted))
    # Session, user, menu, the page's own reads: a handful, whatever the number of rows.
    assert before[pages[0]] <= 12 and before[pages[1]] <= 12, before


def test_the_panel_itself_reads_little(rf, users, cycle, queries):
    from peyvand.sales.extensions import _panel

    request = rf.get("/")
    request.user = users["sales"]
    with queries() as counted:
        panel = _panel(request, cycle["deal"].party)
    assert panel is not None and len(counted) <= 6, [q["sql"][:80] for q in counted]
