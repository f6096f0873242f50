"""The strategy cube (issue 11): segments × offers × channels on live data, through the policy."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from peyvand.customers.models import Party
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Interaction, OutboundMessage
from peyvand.marketing.models import Campaign, Recipient, Status
from peyvand.marketing.selectors import cube as selectors
from peyvand.sales.models import Order, OrderLine, Product

from .conftest import moment, rule

URL = reverse("marketing:strategy_cube")
START, END = dt.date(2024, 6, 1), dt.date(2025, 6, 1)
SENT_ON = dt.date(2025, 5, 10)
ORDERED_ON = dt.date(2025, 5, 15)
QUERY = {"date_from": START.isoformat(), "date_to": END.isoformat()}

pytestmark = pytest.mark.django_db


def order(party: Party, product: Product | None, net: str, on: dt.date = ORDERED_ON, **extra: Any) -> Order:
    made = Order.objects.create(
        number=f"C-{Order.objects.count() + 1:05d}",
        party=party,
        owner=party.owner,
        ordered_on=on,
        currency="IRR",
        subtotal=Decimal(net),
        total=Decimal(net),
        **extra,
    )
    OrderLine.objects.create(
        order=made,
        product=product,
        description=product.name_fa if product else "خدمت",
        quantity=1,
        unit_price=Decimal(net),
        net=Decimal(net),
        total=Decimal(net),
    )
    return made


def sent(campaign: Campaign, day: dt.date = SENT_ON) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=Status.SENT, started_at=moment(day))
    campaign.refresh_from_db()
    return campaign


def reach(campaign: Campaign, party: Party, *, clicked: bool = False, day: dt.date = SENT_ON) -> Recipient:
    return Recipient.objects.create(
        campaign=campaign,
        party=party,
        state=Recipient.State.QUEUED,
        delivery=OutboundMessage.Status.SENT,
        queued_at=moment(day),
        clicked_at=moment(day, 12) if clicked else None,
        clicks=1 if clicked else 0,
    )


@pytest.fixture
def market(town, users, make_segment, make_campaign, touch):
    """Two segments (customers: maryam and sara; everyone), tea and coffee, an SMS campaign
    to maryam (clicked), reza and sara (clicked), an email to maryam (she replied by email);
    maryam bought tea, sara tea, reza coffee, and john tea long before the period."""
    customers = make_segment(name="مشتریان", rule=rule({"field": "stage", "op": "in", "value": ["customer"]}))
    everyone = make_segment(name="همه", rule=rule())
    tea = Product.objects.create(sku="TEA", name_fa="چای", name_en="Tea", created_by=users["admin"])
    coffee = Product.objects.create(sku="COF", name_fa="قهوه", name_en="Coffee", created_by=users["admin"])
    sms = sent(make_campaign(name="پیامک", channel="sms", segment=everyone))
    email = sent(
        make_campaign(name="ایمیل", channel="email", segment=customers, subject_fa="حراج", subject_en="Sale")
    )
    reach(sms, town["maryam"], clicked=True)
    reach(sms, town["reza"])
    reach(sms, town["sara"], clicked=True)
    reach(email, town["maryam"])
    touch(town["maryam"], moment(SENT_ON, 15), channel=InteractionChannel.EMAIL)
    order(town["maryam"], tea, "1000000")
    order(town["sara"], tea, "2000000")
    order(town["reza"], coffee, "500000")
    order(town["john"], tea, "9000000", on=dt.date(2023, 1, 1))
    return {"customers": customers, "everyone": everyone, "tea": tea, "coffee": coffee, "sms": sms}


def cube_for(user, market, **extra: Any) -> selectors.Cube:
    filters = selectors.CubeFilters(
        start=START, end=END, segment_ids=(market["customers"].pk, market["everyone"].pk), **extra
    )
    return selectors.strategy_cube(user=user, filters=filters)


def test_the_cells_count_contacts_responses_buyers_and_revenue(market, users):
    cube = cube_for(users["marketing"], market)
    customers, everyone = market["customers"].pk, market["everyone"].pk
    tea, coffee = market["tea"].pk, market["coffee"].pk
    assert [o.key for o in cube.offers] == [tea, coffee, selectors.OTHER]
    assert [o.label for o in cube.offers][:2] == ["چای", "قهوه"]

    cell = cube.cell(customers, tea, "sms")
    assert (cell.contacts, cell.responders, cell.buyers, cell.revenue) == (2, 2, 2, Decimal(3000000))
    cell = cube.cell(customers, tea, "email")
    # maryam replied by email (and bought within the window); she alone was emailed.
    assert (cell.contacts, cell.responders, cell.buyers, cell.revenue) == (1, 1, 1, Decimal(1000000))
    assert cube.cell(customers, coffee, "sms").revenue == 0
    cell = cube.cell(everyone, coffee, "sms")
    # reza did not click or reply, but ordered within the attribution window: he responded.
    assert (cell.contacts, cell.responders, cell.buyers, cell.revenue) == (3, 3, 1, Decimal(500000))
    cell = cube.cell(everyone, tea, selectors.ALL)
    assert (cell.contacts, cell.buyers, cell.revenue) == (3, 2, Decimal(3000000))  # john's is too old
    assert cube.revenue(everyone, "sms") == Decimal(3500000)
    chart = selectors.revenue_chart(cube)
    assert chart.labels == ("مشتریان", "همه")
    assert [s.values for s in chart.series] == [(1000000.0, 1000000.0), (3000000.0, 3500000.0)]


def test_a_reply_on_another_channel_or_after_the_window_is_no_response(market, users, town, touch):
    email = Campaign.objects.get(name="ایمیل")
    Campaign.objects.filter(pk=email.pk).update(attribution_days=1)
    Order.objects.filter(party=town["maryam"]).update(ordered_on=dt.date(2025, 5, 20))
    touch(town["reza"], moment(SENT_ON, 16), channel=InteractionChannel.EMAIL)  # reza was not emailed
    cell = cube_for(users["marketing"], market).cell(market["customers"].pk, market["tea"].pk, "email")
    assert (cell.contacts, cell.responders) == (1, 1)  # her reply the same day still counts
    Interaction.objects.filter(party=town["maryam"]).update(occurred_at=moment(dt.date(2025, 5, 25)))
    cell = cube_for(users["marketing"], market).cell(market["customers"].pk, market["tea"].pk, "email")
    assert (cell.contacts, cell.responders, cell.buyers) == (1, 0, 1)


def test_a_customer_the_user_may_not_see_is_not_counted(market, users):
    # The manager does not see the outsider's customers: sara is left out of every cell.
    cube = cube_for(users["manager"], market)
    cell = cube.cell(market["customers"].pk, market["tea"].pk, "sms")
    assert (cell.contacts, cell.responders, cell.buyers, cell.revenue) == (1, 1, 1, Decimal(1000000))
    assert cube.cell(market["everyone"].pk, market["tea"].pk, selectors.ALL).contacts == 2


def test_the_top_offers_and_the_rest_as_other(market, users, town):
    cube = cube_for(users["marketing"], market, top=1)
    assert [o.key for o in cube.offers] == [market["tea"].pk, selectors.OTHER]
    other = cube.cell(market["everyone"].pk, selectors.OTHER, "sms")
    assert (other.buyers, other.revenue) == (1, Decimal(500000))
    order(town["reza"], None, "250000")  # a line without a product is "other" too
    other = cube_for(users["marketing"], market, top=1).cell(market["everyone"].pk, selectors.OTHER, "sms")
    assert (other.buyers, other.revenue) == (1, Decimal(750000))


def test_the_queries_do_not_grow_with_the_customers(market, users, make_person, queries):
    def count() -> int:
        with queries() as captured:
            cube_for(users["marketing"], market)
        return len(captured)

    before = count()
    for n in range(6):
        party = make_person(first_name=f"نفر{n}", last_name="تست", data={"stage": "customer"})
        reach(market["sms"], party, clicked=n % 2 == 0)
        order(party, market["coffee"] if n % 2 else market["tea"], "100000")
    after = count()
    assert after == before
    cell = cube_for(users["marketing"], market).cell(market["customers"].pk, selectors.OTHER, "sms")
    assert cell.contacts == 8


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_page_renders(market, as_user, language):
    client = as_user("marketing")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # The period typed in Jalali (Persian digits) or Gregorian: the same days.
    dates = {"date_from": "۱۴۰۳/۰۳/۱۲", "date_to": "1404/03/11"} if language == "fa" else QUERY
    segments = [market["customers"].pk, market["everyone"].pk]
    response = client.get(URL, {**dates, "segments": segments, "channel": "sms", "heat": "buyers"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (response.context["cube"].filters.start, response.context["cube"].filters.end) == (START, END)
    assert f'lang="{language}"' in html
    assert 'data-testid="cube-table"' in html and 'data-testid="chart-revenue"' in html
    assert "vendor/echarts/echarts.min.js" in html and "peyvand/charts.js" in html
    table = html.split('data-testid="cube-table"')[1].split("</table>")[0]
    assert "rgba(var(--bs-primary-rgb), 0.85)" in table  # the hottest cell, whatever the language
    if language == "fa":
        assert 'dir="rtl"' in html and "۳٬۰۰۰٬۰۰۰" in table and "۱۰۰٫۰٪" in table
        assert not re.search(r">[^<]*[0-9][^<]*<", table.replace("0.85", "").split("</caption>")[1])
        assert "چای" in table and "خرداد ۱۴۰۳" in html
    else:
        assert "3,000,000" in table and "Strategy cube" in html and "Tea" in table and "100.0%" in table


def test_the_page_defaults_and_bad_input(market, as_user, users):
    client = as_user("marketing")
    response = client.get(URL)
    assert response.status_code == 200
    cube = response.context["cube"]
    expected = list(selectors.cube_segments(user=users["marketing"]).values_list("pk", flat=True))
    assert [s.pk for s in cube.segments] == expected and len(expected) == 2
    assert cube.filters.end == timezone.localdate()
    response = client.get(URL, {"date_from": "1404/03/31", "date_to": "1404/01/01", "channel": "fax"})
    assert response.status_code == 200 and response.context["form"].errors["date_to"]
    assert response.context["cube"].filters.end == timezone.localdate()


@pytest.mark.parametrize(("role", "status"), [("marketing", 200), ("manager", 200), ("support", 403)])
def test_who_sees_the_page(users, as_user, role, status):
    assert as_user(role).get(URL).status_code == status
    assert as_user(role).get(URL, {"export": "cube"}).status_code == status


def test_the_csv_escapes_a_formula_looking_offer(market, as_user):
    Product.objects.filter(pk=market["tea"].pk).update(name_fa='=HYPERLINK("http://x")', name_en="=cmd")
    client = as_user("marketing")
    response = client.get(URL, {**QUERY, "segments": [market["customers"].pk], "export": "cube"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "3000000.00" in text
    chart = client.get(URL, {**QUERY, "export": "revenue"})
    assert chart.status_code == 200
    assert client.get(URL, {"export": "nothing"}).status_code == 404
