"""The sales pages in Persian and English, through the same services; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from peyvand.sales.models import Deal, DealStageChange, Lead, LeadStage, Payment
from peyvand.sales.periods import input_month, month_start
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


def test_an_invoice_page_has_its_lines_totals_pdf_and_overdue_flag(as_user, cycle, users):
    invoice = cycle["invoice"]
    client = as_user("sales", "en")
    html = client.get(reverse("sales:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Unit price" in html and 'data-testid="invoice-totals"' in html
    assert 'data-testid="overdue"' not in html
    for language in ("fa", "en"):
        pdf = client.get(reverse("sales:invoice_pdf", args=[invoice.pk]), {"language": language})
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert (
            pdf.content.startswith(b"%PDF")
            and f"{invoice.number}-{language}.pdf" in pdf["Content-Disposition"]
        )
    # Past its due date and not fully paid: flagged on the page and in the list.
    type(invoice).objects.filter(pk=invoice.pk).update(due_on=dt.date(2020, 1, 1))
    assert (
        'data-testid="overdue"'
        in client.get(reverse("sales:invoice_detail", args=[invoice.pk])).content.decode()
    )
    listed = client.get(reverse("sales:invoice_list"), {"status": "overdue"}).content.decode()
    assert invoice.number in listed and 'data-testid="overdue"' in listed
    # Someone who may not see the invoice gets no PDF of it.
    assert as_user("outsider", "en").get(reverse("sales:invoice_pdf", args=[invoice.pk])).status_code == 404


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
    # Session, user, menu, the page's own reads: a handful, whatever the number of rows (the
    # list reads its custom fields' definitions once, for its filters and columns).
    assert before[pages[0]] <= 13 and before[pages[1]] <= 12, before


def test_the_panel_itself_reads_little(rf, users, cycle, queries):
    from peyvand.sales.hooks import _panel

    request = rf.get("/")
    request.user = users["sales"]
    with queries() as counted:
        panel = _panel(request, cycle["deal"].party)
    assert panel is not None and len(counted) <= 6, [q["sql"][:80] for q in counted]


# --- forecast ------------------------------------------------------------------------------


def section(html: str, testid: str, end: str = "</table>") -> str:
    """The element marked ``data-testid`` up to its end (the first ``end`` after it)."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index(end, start)]


def _team_deal(make_deal, stages, users, owner, amount):
    deal = make_deal(owner=owner, amount=amount)
    deals.deal_move_stage(deal=deal, stage=stages["proposal"], actor=users["admin"])  # 50 %
    return deal


def test_the_forecast_filters_by_team_and_owner_and_breaks_down_by_team(
    as_user, make_deal, stages, users, team_a, team_b
):
    from peyvand.sales.services import targets

    a = _team_deal(make_deal, stages, users, "sales", "1000000")
    _team_deal(make_deal, stages, users, "outsider", "3000000")
    month = month_start(a.expected_close)
    targets.target_set(actor=users["admin"], month=month, amount="4000000", team=team_b)
    client = as_user("admin", "en")
    start = input_month(month, "en")
    html = client.get(reverse("sales:forecast"), {"start": start, "months": "3"}).content.decode()
    teams = section(html, "forecast-teams")
    assert "Team A" in teams and "Team B" in teams
    assert "500,000" in teams and "1,500,000" in teams and "4,000,000" in teams
    only_b = client.get(reverse("sales:forecast"), {"start": start, "team": team_b.pk}).content.decode()
    totals = section(only_b, "forecast")
    assert "1,500,000" in totals and "500,000 Rial" not in totals.replace("1,500,000", "")
    one = client.get(reverse("sales:forecast"), {"start": start, "owner": users["sales"].pk}).content.decode()
    owners = section(one, "forecast-owners")
    assert str(users["sales"]) in owners and str(users["outsider"]) not in owners
    # A manager is offered only their own team; another team asked for by hand is ignored.
    manager = as_user("manager", "en").get(reverse("sales:forecast"), {"start": start, "team": team_b.pk})
    page = manager.content.decode()
    teams = section(page, "forecast-filters", "</form>").split('name="team"')[1].split("</select>")[0]
    assert f'value="{team_a.pk}"' in teams and f'value="{team_b.pk}"' not in teams
    assert "4,000,000" not in page


def test_a_whole_team_target_goes_to_the_team_chosen(as_user, users, team_a, team_b):
    from peyvand.sales.models import SalesTarget

    client = as_user("admin", "en")
    response = client.post(
        reverse("sales:forecast"), {"month": "1405/09", "team": team_b.pk, "amount": "7000000"}
    )
    assert response.status_code == 302
    target = SalesTarget.objects.get()
    assert target.team == team_b and target.owner is None and target.amount == 7000000
    response = client.post(reverse("sales:forecast"), {"month": "1405/09", "amount": "1"})
    assert response.status_code == 200 and SalesTarget.objects.count() == 1
    assert "Choose a team" in response.content.decode()
    manager = as_user("manager", "en")
    page = manager.get(reverse("sales:forecast")).content.decode()
    form = section(page, "target-form", "</form>").split('name="team"')[1].split("</select>")[0]
    assert f'<option value="{team_a.pk}" selected>' in form and f'value="{team_b.pk}"' not in form
    response = manager.post(reverse("sales:forecast"), {"month": "1405/09", "team": team_b.pk, "amount": "1"})
    assert response.status_code == 200 and SalesTarget.objects.count() == 1


def test_the_forecast_page_reads_the_same_however_many_salespeople(as_user, users, team_a, queries):
    from peyvand.core.models import Role
    from tests.conftest import UserFactory

    client = as_user("admin", "fa")
    client.get(reverse("sales:forecast"))
    with queries() as few:
        assert client.get(reverse("sales:forecast")).status_code == 200
    for i in range(8):
        UserFactory(username=f"seller{i}", role=Role.SALES, team=team_a)
    with queries() as many:
        assert client.get(reverse("sales:forecast")).status_code == 200
    assert len(many) == len(few), [q["sql"][:100] for q in many]


# --- settings pages ------------------------------------------------------------------------


def test_rules_are_made_from_lists_and_shown_in_words(as_user, users, team_a):
    from peyvand.core.models import AuditEvent
    from peyvand.sales.models import AssignmentRule, ScoreRule

    client = as_user("admin", "fa")
    page = client.get(reverse("sales:lead_rules")).content.decode()
    assert 'name="score-field"' in page and 'name="score-source"' in page and "ترتیب" in page
    for data in (
        {"form": "score", "score-kind": "field", "score-field": "email", "score-points": "10"},
        {"form": "score", "score-kind": "source", "score-source": "referral", "score-points": "20"},
        {"form": "score", "score-kind": "recency", "score-days": "7", "score-points": "5"},
        {
            "form": "assign",
            "assign-order": "1",
            "assign-kind": "source",
            "assign-source": "partner",
            "assign-team": team_a.pk,
        },
    ):
        assert client.post(reverse("sales:lead_rules"), data).status_code == 302, data
    assert set(ScoreRule.objects.values_list("kind", "value")) == {
        ("field", "email"),
        ("source", "referral"),
        ("recency", "7"),
    }
    assert AssignmentRule.objects.get().value == "partner"
    html = client.get(reverse("sales:lead_rules")).content.decode()
    rules = section(html, "score-rules")
    assert "referral" not in rules and "معرفی" in rules  # the source's label, not its code
    assert "۷ روز" in rules
    # A value the kind does not allow is said on the field it came from.
    bad = client.post(
        reverse("sales:lead_rules"), {"form": "score", "score-kind": "province", "score-points": "1"}
    )
    assert bad.status_code == 200 and ScoreRule.objects.count() == 3
    rule = ScoreRule.objects.get(kind="source")
    client.post(reverse("sales:rule_delete", args=["score", rule.pk]))
    rule.refresh_from_db()
    assert not rule.active
    assert AuditEvent.objects.filter(
        model="sales.scorerule", object_id=rule.pk, changes__has_key="active"
    ).exists()
    assert client.post(reverse("sales:rule_delete", args=["other", rule.pk])).status_code == 404


def test_only_users_who_can_own_leads_are_offered_for_a_rule(as_user, users):
    html = as_user("admin", "en").get(reverse("sales:lead_rules")).content.decode()
    select = html[html.index('name="assign-user"') :].split("</select>")[0]
    assert (
        str(users["sales"]) in select
        and str(users["support"]) not in select
        and str(users["readonly"]) not in select
    )


def test_price_list_pages_and_prices_per_list_on_the_product_form(as_user, users, price_list, products):
    from peyvand.sales.models import PriceList, ProductPrice

    client = as_user("admin", "fa")
    assert client.get(reverse("sales:price_list_list")).status_code == 200
    response = client.post(
        reverse("sales:price_list_create"), {"name": "صادرات", "currency": "USD", "active": "on"}
    )
    assert response.status_code == 302
    export = PriceList.objects.get(name="صادرات")
    html = client.get(reverse("sales:price_list_list")).content.decode()
    assert "صادرات" in html and "USD" in html
    url = reverse("sales:product_edit", args=[products["crm"].pk])
    form = client.get(url).content.decode()
    assert f'name="price_{price_list.pk}"' in form and f'name="price_{export.pk}"' in form
    data = {
        "sku": "CRM-1",
        "name_fa": "مجوز نرم‌افزار",
        "unit": "licence",
        "tax_rate": "10",
        "active": "on",
        f"price_{price_list.pk}": "۱۲٬۰۰۰٬۰۰۰",
        f"price_{export.pk}": "250٫50",
    }
    assert client.post(url, data).status_code == 302
    prices = dict(
        ProductPrice.objects.filter(product=products["crm"]).values_list("price_list__name", "price")
    )
    assert prices == {"Standard": 12000000, "صادرات": Decimal("250.50")}
    assert client.post(url, {**data, "unit_cost": "۹٬۵۰۰٬۰۰۰"}).status_code == 302
    products["crm"].refresh_from_db()
    assert products["crm"].unit_cost == 9_500_000
    assert "is-invalid" in client.post(url, {**data, "unit_cost": "-5"}).content.decode()
    bad = client.post(url, {**data, f"price_{export.pk}": "-1"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert (
        client.post(
            reverse("sales:price_list_edit", args=[export.pk]),
            {"name": "صادرات", "currency": "EUR", "active": "on"},
        ).status_code
        == 200
    )
    assert PriceList.objects.get(pk=export.pk).currency == "USD"
    as_user("sales", "fa")
    assert client.get(reverse("sales:price_list_list")).status_code == 403


def test_a_rate_without_a_day_is_from_today(as_user):
    from django.utils import timezone

    from peyvand.sales.models import CurrencyRate

    client = as_user("admin", "fa")
    response = client.post(reverse("sales:rates"), {"currency": "USD", "rate": "۶۰۰٬۰۰۰", "valid_from": ""})
    assert response.status_code == 302
    rate = CurrencyRate.objects.get()
    assert rate.valid_from == timezone.localdate() and rate.rate == 600000


# --- deals, quotes, invoices ---------------------------------------------------------------


def test_a_sales_rep_is_not_offered_nobody_as_the_owner(as_user, make_deal, users):
    deal = make_deal()
    page = as_user("sales", "en").get(reverse("sales:deal_edit", args=[deal.pk])).content.decode()
    owner = page[page.index('name="owner"') :].split("</select>")[0]
    assert "Nobody" not in owner
    assert (
        "Nobody" in as_user("manager", "en").get(reverse("sales:deal_edit", args=[deal.pk])).content.decode()
    )


def test_cards_one_may_not_move_are_not_draggable(as_user, make_deal):
    mine, theirs = make_deal(owner="sales"), make_deal(owner="sales2")
    html = as_user("sales", "en").get(reverse("sales:deal_board")).content.decode()

    def card(deal):
        at = html.index(f'data-deal="{deal.pk}"')
        return html[html.rindex("<article", 0, at) : at]

    assert 'draggable="true"' in card(mine) and 'draggable="false"' in card(theirs)
    assert "data-total" in html


def test_an_expired_quote_is_not_offered_for_acceptance(as_user, cycle, make_deal, products, users):
    from django.utils import timezone

    from peyvand.sales.models import Quote

    deal = make_deal(amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    quote = billing.quote_create(deal=deal, actor=users["sales"])
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    html = as_user("sales", "en").get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-expired"' in html and 'data-testid="accept"' not in html
    response = as_user("sales", "en").post(reverse("sales:quote_accept", args=[quote.pk]))
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == "draft"


def test_the_payment_button_says_what_it_does(as_user, cycle):
    html = (
        as_user("sales", "fa")
        .get(reverse("sales:invoice_detail", args=[cycle["invoice"].pk]))
        .content.decode()
    )
    form = section(html, "payment-form", "</form>")
    assert "رکورد" not in form and "ثبت پرداخت" in form.split("<button")[1]


@pytest.mark.parametrize(("language", "marker"), [("fa", "در سطل زباله"), ("en", "in the trash")])
def test_a_deals_contact_in_the_trash_is_named_without_a_link(
    as_user, make_deal, make_person, users, language, marker
):
    from peyvand.customers import services as customer_services

    person = make_person(first_name="مینا", last_name="رضایی")
    deal = make_deal(contact=person)
    customer_services.parties.party_delete(party=person, actor=users["admin"])
    page = as_user("admin", language).get(reverse("sales:deal_detail", args=[deal.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "مینا رضایی" in html and marker in html
    assert reverse("party_detail", args=[person.pk]) not in html


def test_the_forecast_names_the_currency_in_words(as_user):
    """Issue 12: the Persian forecast said «به IRR»."""
    html = as_user("admin", "fa").get(reverse("sales:forecast")).content.decode()
    assert "ریال." in html and "IRR" not in html
