"""Activities for a deal: planned from the deal's page, chosen in the form and the API, shown
on the deal's page, and refused for a deal the planner may not see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.activities import services
from peyvand.activities.models import Activity
from peyvand.core.services.tokens import api_token_create
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(make_deal, make_org):
    return make_deal(owner="sales", party=make_org(name="شرکت البرز", owner="sales"), title="تمدید قرارداد")


def soon(hours: int = 2) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def test_an_activity_for_a_deal_takes_the_deals_customer(users, deal):
    activity = services.activities.activity_create(
        actor=users["sales"], data={"title": "تماس پیگیری", "kind": "call", "due_at": soon(), "deal": deal}
    )
    assert activity.deal == deal and activity.party_id == deal.party_id


def test_the_follow_up_of_a_deals_call_stays_with_the_deal(users, deal):
    call = services.activities.activity_create(
        actor=users["sales"], data={"title": "تماس", "kind": "call", "due_at": soon(), "deal": deal}
    )
    result = services.activities.activity_complete(
        activity=call, actor=users["sales"], follow_up={"due_at": soon(48)}
    )
    assert result.follow_up is not None and result.follow_up.deal_id == deal.pk


def test_a_deal_of_another_customer_or_out_of_sight_is_refused(users, deal, make_person, make_deal):
    other = make_person(owner="sales")
    with pytest.raises(ValidationError) as error:
        services.activities.activity_create(
            actor=users["sales"],
            data={"title": "x", "due_at": soon(), "party": other, "deal": deal},
        )
    assert "deal" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.activities.activity_create(
            actor=users["outsider"], data={"title": "x", "due_at": soon(), "deal": deal}
        )
    assert "deal" in error.value.message_dict
    assert not Activity.objects.exists()


def test_the_form_offers_the_customers_deals_and_saves_the_choice(as_user, users, deal):
    client = as_user("sales")
    page = client.get(f"/activities/new/?deal={deal.pk}").content.decode()
    assert 'data-testid="deal-choice"' in page
    assert f'<option value="{deal.pk}" selected>تمدید قرارداد</option>' in page
    response = client.post(
        "/activities/new/",
        {
            "kind": "meeting",
            "title": "جلسه ارائه",
            "party": deal.party_id,
            "deal": deal.pk,
            "due_at": "1410/01/15 10:00",
            "assignee": users["sales"].pk,
            "priority": 2,
            "repeat_every": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.deal == deal
    detail = client.get(activity.get_absolute_url()).content.decode()
    assert 'data-testid="activity-deal"' in detail and "تمدید قرارداد" in detail


def test_the_deal_page_lists_its_activities(as_user, users, deal, queries):
    for hours in (2, 26, 50):
        services.activities.activity_create(
            actor=users["sales"], data={"title": f"تماس {hours}", "due_at": soon(hours), "deal": deal}
        )
    client = as_user("sales")
    client.get(f"/sales/deals/{deal.pk}/")  # warm up
    with queries() as captured:
        page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    panel = page[page.index('data-testid="deal-activities"') :]
    assert panel.index("تماس 2") < panel.index("تماس 26") < panel.index("تماس 50")
    assert f"/activities/new/?deal={deal.pk}" in panel
    # The panel costs a fixed number of queries, however many activities the deal has.
    services.activities.activity_create(
        actor=users["sales"], data={"title": "تماس ۴", "due_at": soon(70), "deal": deal}
    )
    with queries() as again:
        client.get(f"/sales/deals/{deal.pk}/")
    assert len(again) == len(captured)


def test_the_api_links_an_activity_to_a_deal_and_refuses_one_out_of_sight(users, deal):
    _token, key = api_token_create(user=users["sales"], name="tests")
    api = ApiClient(key)
    created = api.post(
        "/activities", {"title": "تماس", "kind": "call", "due_at": soon().isoformat(), "deal_id": deal.pk}
    )
    assert created.status_code == 201, created.content
    assert created.json()["deal_id"] == deal.pk and created.json()["party"]["id"] == deal.party_id
    _token, key = api_token_create(user=users["outsider"], name="tests")
    refused = ApiClient(key).post(
        "/activities", {"title": "x", "due_at": soon().isoformat(), "deal_id": deal.pk}
    )
    assert_error(refused, 422, "validation_error", "deal_id")
    assert Activity.objects.count() == 1
    cleared = api.patch(f"/activities/{created.json()['id']}", {"deal_id": None})
    assert cleared.status_code == 200 and cleared.json()["deal_id"] is None


def test_picking_another_customer_asks_for_that_customers_deals(as_user, users, deal, make_person, make_deal):
    client = as_user("sales")
    form = client.get("/activities/new/").content.decode()
    assert 'hx-get="/activities/deal-choices/"' in form and 'hx-trigger="change from:#id_party"' in form
    other = make_person(owner="sales", first_name="مینا")
    theirs = make_deal(party=other, title="خرید دوم")
    html = client.get("/activities/deal-choices/", {"party": other.pk}).content.decode()
    assert f'<option value="{theirs.pk}">خرید دوم</option>' in html
    assert f'value="{deal.pk}"' not in html  # the first customer's deal is not offered
    # A customer without deals: the field is hidden (and empty), the container stays to be asked again.
    html = client.get("/activities/deal-choices/", {"party": make_person(owner="sales").pk}).content.decode()
    assert 'id="deal-choice"' in html and 'type="hidden"' in html and "<option" not in html
    # A customer out of the user's sight offers nothing of theirs.
    hidden = make_person(owner="outsider")
    make_deal(party=hidden, owner="outsider", title="پنهان")
    assert "پنهان" not in client.get("/activities/deal-choices/", {"party": hidden.pk}).content.decode()
