"""The list endpoints' fast dump gives exactly what django-ninja's validation would."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from peyvand.api import api as peyvand_api
from peyvand.core.apikit.schemas import PageOut
from peyvand.core.apikit.serialize import plan
from peyvand.customers import services as customer_services
from peyvand.customers.api.schemas import OrganisationOut, PersonOut
from peyvand.customers.models import Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.selectors.parties import PartyFilters, party_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(make_person, make_org, users):
    """Customers with every kind of value a list shows: none, one and many of each."""
    ali = make_person(
        data={
            "date_of_birth": dt.date(1990, 3, 10),
            "national_id": "0499370899",
            "email_consent": True,
            "stage": "customer",
            "source": "website",
        },
        contacts=[
            {"kind": "phone", "value": "09121234567"},
            {"kind": "email", "value": "Ali@Example.com"},
        ],
        tags=["طلایی", "VIP"],
    )
    nobody = make_person(owner=users["admin"], first_name="", last_name="Smith")
    Party.objects.filter(pk=nobody.pk).update(owner=None)
    org = make_org(name="شرکت «آلفا» & Co", tags=["عمده"])
    customer_services.parties.party_update(
        party=org, actor=users["admin"], data=PartyInput(website="https://alpha.ir")
    )
    Party.objects.filter(pk=ali.pk).update(sms_consent=True, sms_consent_at=timezone.now())
    return [ali, nobody, org]


def _ninja(schema, page, request):
    """What the endpoint returned before the fast path: ninja's validation and renderer."""
    data = {"items": page.items, "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor}
    validated = PageOut[schema].model_validate(data, context={"request": request})
    return json.loads(peyvand_api.renderer.render(request, validated.model_dump(), response_status=200))


@pytest.mark.parametrize(("kind", "schema"), [("person", PersonOut), ("organisation", OrganisationOut)])
def test_the_fast_dump_equals_ninjas(rf, users, varied, kind, schema):
    request = rf.get("/api/v1/people")
    page = party_list(user=users["admin"], kind=kind, filters=PartyFilters(), limit=1, with_count=False)
    while True:
        assert page.items
        fast = [plan(schema)(row, {"request": request}) for row in page.items]
        rendered = json.loads(peyvand_api.renderer.render(request, {"items": fast}, response_status=200))
        assert rendered["items"] == _ninja(schema, page, request)["items"]
        if not page.next_cursor:
            break
        page = party_list(
            user=users["admin"], kind=kind, filters=PartyFilters(), cursor=page.next_cursor, limit=1,
            with_count=False,
        )  # fmt: skip


def test_the_list_endpoint_uses_it_and_keeps_the_contract(api, varied):
    data = api.get("/people", {"limit": 10}).json()
    assert set(data) == {"items", "next_cursor", "previous_cursor"}
    ali = next(item for item in data["items"] if item["id"] == varied[0].pk)
    assert ali["primary_phone"] == "+989121234567" and ali["primary_email"] == "ali@example.com"
    assert sorted(tag["name"] for tag in ali["tags"]) == ["VIP", "طلایی"]
    assert ali["owner"]["username"] == "sales" and ali["date_of_birth"] == "1990-03-10"
    assert next(item for item in data["items"] if item["id"] == varied[1].pk)["owner"] is None


def test_a_schema_with_an_alias_is_refused():
    from ninja import Field, Schema

    class Aliased(Schema):
        value: int = Field(alias="other")

    with pytest.raises(TypeError, match="alias"):
        plan(Aliased)
