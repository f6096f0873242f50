"""Custom fields on leads, deals and products: the forms (Persian digits, Jalali dates,
required, translated errors), the record pages, the lists' filters, columns and sort, the
API's ``custom`` object (422 on a bad value), the permission policy and the indexes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import translation

from peyvand.core.custom_fields import Choice, Entity, FieldType
from peyvand.core.models import AuditEvent, CustomField, User
from peyvand.core.services.custom_fields import (
    CustomFieldInput,
    custom_field_create,
    custom_field_update,
    index_name,
)
from peyvand.core.services.tokens import api_token_create
from peyvand.customers import importer
from peyvand.customers.models import ImportIssue, ImportJob
from peyvand.sales.models import Deal, Lead, Product
from peyvand.sales.selectors.deals import deal_list
from peyvand.sales.selectors.leads import lead_list
from peyvand.sales.services import catalogue, deals, leads

from ..api.conftest import ApiClient
from .test_imports import run_import

pytestmark = pytest.mark.django_db

SIZES = (Choice("small", "کوچک", "Small"), Choice("large", "بزرگ", "Large"))


def define_fields(admin: User, entity: str) -> dict[str, CustomField]:
    """A Jalali date and a choice shown in the list and filterable, a required money field."""
    made = {}
    for key, kind, extra in (
        ("visit", FieldType.DATE, {"filterable": True, "in_list": True, "label_fa": "تاریخ بازدید"}),
        ("size", FieldType.CHOICE, {"filterable": True, "in_list": True, "choices": SIZES}),
        ("budget", FieldType.MONEY, {"filterable": True, "required": True}),
    ):
        values = {"label_fa": f"فیلد {key}", "label_en": key.title(), **extra}
        made[key] = custom_field_create(
            actor=admin, data=CustomFieldInput(entity=entity, key=key, type=kind, **values)
        )
    return made


def client_for(user: User, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    user.language = language
    user.save(update_fields=["language"])
    return client


def api_for(user: User) -> ApiClient:
    return ApiClient(api_token_create(user=user, name="t")[1])


def assert_custom_errors(response: Any, expected: set[str]) -> None:
    assert response.status_code == 422, response.content
    assert {f["field"] for f in response.json()["error"]["fields"]} == expected


PERSIAN = {"cf_visit": "۱۴۰۳/۰۵/۱۲", "cf_size": "large", "cf_budget": "۱٬۲۵۰٬۰۰۰"}
STORED = {"visit": "2024-08-02", "size": "large", "budget": "1250000"}


# --- leads --------------------------------------------------------------------------------

LEAD_FORM = {"last_name": "کریمی", "phone": "09121234567", "source": "other", "owner": ""}


def test_the_lead_form_takes_persian_digits_and_jalali_dates_and_the_page_shows_them(admin):
    define_fields(admin, Entity.LEAD)
    client = client_for(admin, "fa")
    response = client.post("/sales/leads/new/", LEAD_FORM | PERSIAN)
    assert response.status_code == 302, response.context["form"].errors
    lead = Lead.objects.get(last_name="کریمی")
    assert lead.custom == STORED
    page = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert ">۱۴۰۳/۰۵/۱۲<" in page and ">بزرگ<" in page and ">۱,۲۵۰,۰۰۰<" in page
    edit = client.get(f"/sales/leads/{lead.pk}/edit/").content.decode()
    assert 'value="1403/05/12"' in edit and 'value="1250000"' in edit
    changes = AuditEvent.objects.get(
        model="sales.lead", object_id=lead.pk, kind=AuditEvent.Kind.CREATE
    ).changes
    assert changes["custom.budget"] == [None, "1250000"]


def test_the_lead_form_shows_bad_and_missing_values_on_their_fields(admin):
    define_fields(admin, Entity.LEAD)
    client = client_for(admin)
    response = client.post("/sales/leads/new/", LEAD_FORM | {"cf_visit": "1403/13/45", "cf_budget": "1"})
    assert response.context["form"].errors["cf_visit"] == ["There is no such day in the calendar."]
    response = client.post("/sales/leads/new/", LEAD_FORM | {"cf_size": "large", "cf_budget": "12abc"})
    assert response.context["form"].errors["cf_budget"] == ["Enter a number."]
    response = client.post("/sales/leads/new/", LEAD_FORM)
    assert response.context["form"].errors["cf_budget"] == ["This field is required."]
    assert not Lead.objects.exists()


def test_a_web_forms_lead_needs_no_required_custom_value(admin):
    define_fields(admin, Entity.LEAD)
    lead = leads.lead_create(actor=None, data={"last_name": "نوری", "phone": "09121234500"})
    assert lead.custom == {}


def _lead(owner: User, name: str, custom: dict[str, Any]) -> Lead:
    data = {"last_name": name, "phone": "09120000000", "owner": owner, "custom": custom}
    return leads.lead_create(actor=owner, data=data)


def _three_leads(admin: User, owner: User, names: tuple[str, str, str]) -> None:
    """The fields, and three leads: a small early visit, two large later ones."""
    define_fields(admin, Entity.LEAD)
    for name, visit, size, budget in zip(
        names,
        ("2024-01-10", "2024-03-01", "2024-05-20"),
        ("small", "large", "large"),
        ("900", "20000", "5"),
        strict=True,
    ):
        _lead(owner, name, {"visit": visit, "size": size, "budget": budget})


def test_the_lead_list_filters_and_sorts_by_custom_fields(admin, users):
    _three_leads(admin, users["sales"], ("آرش", "بهرام", "پرویز"))
    client = client_for(admin, "fa")
    page = client.get("/sales/leads/", {"cf_size": "large", "cf_visit_from": "۱۴۰۲/۱۲/۰۱"}).content.decode()
    assert 'data-testid="custom-column-cf_visit"' in page
    table = page.split('data-testid="lead-table"')[1]
    assert table.count(">بزرگ<") == 2 and "آرش" not in table
    by_budget = lead_list(user=admin, filters={"stage": "all"}, sort="-cf_budget", cursor=None, limit=2)
    assert [lead.last_name for lead in by_budget] == ["بهرام", "آرش"]
    rest = lead_list(user=admin, filters={"stage": "all"}, sort="-cf_budget", cursor=by_budget.next_cursor)
    assert [lead.last_name for lead in rest] == ["پرویز"]
    sorted_page = client.get("/sales/leads/", {"sort": "cf_visit"}).content.decode()
    table = sorted_page.split('data-testid="lead-table"')[1]
    assert table.index("آرش") < table.index("بهرام") < table.index("پرویز")


def test_the_lead_api_filters_and_sorts_by_custom_fields_and_refuses_what_it_cannot_read(admin, users):
    _three_leads(admin, users["sales"], ("Arash", "Bahram", "Parviz"))
    api = api_for(admin)

    def names(params: dict[str, str]) -> list[str]:
        response = api.get("/leads", {"stage": "all", **params})
        assert response.status_code == 200, response.content
        return [item["last_name"] for item in response.json()["items"]]

    # The same reading as the list page: Persian digits, Jalali dates, a choice's key.
    assert sorted(names({"cf_size": "large", "cf_visit_from": "۱۴۰۲/۱۲/۰۱"})) == ["Bahram", "Parviz"]
    assert names({"cf_budget_to": "۱۰۰۰", "sort": "-cf_budget"}) == ["Arash", "Parviz"]
    assert names({"sort": "cf_visit"}) == ["Arash", "Bahram", "Parviz"]
    for params, field in (
        ({"cf_size": "huge"}, "cf_size"),
        ({"cf_visit_from": "31/02/2024"}, "cf_visit_from"),
        ({"cf_nope": "1"}, "cf_nope"),
        ({"cf_budget": "5"}, "cf_budget"),  # a range: _from and _to
        ({"sort": "cf_nope"}, "sort"),
        ({"sort": "sideways"}, "sort"),
    ):
        response = api.get("/leads", {"stage": "all", **params})
        assert_custom_errors(response, {field})
    persian = api.get("/leads", {"cf_size": "huge"}, headers={"Accept-Language": "fa"})
    assert persian.json()["error"]["fields"][0]["message"] == "«huge» از گزینه‌ها نیست."
    # Another team's seller filters only what the policy lets them see.
    outsider = api_for(users["outsider"]).get("/leads", {"stage": "all", "cf_size": "large"})
    assert outsider.json()["items"] == []


def test_the_lead_api_reads_and_writes_the_custom_object(admin):
    define_fields(admin, Entity.LEAD)
    api = api_for(admin)
    created = api.post(
        "/leads",
        {"last_name": "Smith", "phone": "09121230000", "custom": {"budget": "۵۰۰", "visit": "1403/05/12"}},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["custom"] == {"budget": "500", "visit": "2024-08-02"}
    refused = api.patch(f"/leads/{body['id']}", {"custom": {"size": "huge", "nope": 1, "budget": None}})
    assert_custom_errors(refused, {"custom.size", "custom.nope", "custom.budget"})
    changed = api.patch(f"/leads/{body['id']}", {"custom": {"size": "بزرگ"}})
    assert changed.json()["custom"] == {"budget": "500", "visit": "2024-08-02", "size": "large"}
    missing = api.post("/leads", {"last_name": "Jones", "phone": "09121230001"})
    assert_custom_errors(missing, {"custom.budget"})


def test_another_teams_seller_cannot_read_a_leads_custom_values(admin, users):
    define_fields(admin, Entity.LEAD)
    lead = _lead(users["sales"], "محرمانه", {"budget": "777", "size": "large"})
    api = api_for(users["outsider"])
    assert api.get(f"/leads/{lead.pk}").status_code == 404
    listed = api.get("/leads", {"stage": "all"}).json()["items"]
    assert all(item["id"] != lead.pk for item in listed)
    page = client_for(users["outsider"]).get("/sales/leads/", {"cf_size": "large", "stage": "all"})
    assert "محرمانه" not in page.content.decode()
    # A colleague of the owner's team sees it, values and all.
    assert api_for(users["sales2"]).get(f"/leads/{lead.pk}").json()["custom"]["budget"] == "777"


# --- deals --------------------------------------------------------------------------------


def test_deal_values_are_checked_by_the_service_with_persian_digits_and_jalali_dates(
    admin, users, make_org, pipeline, english
):
    define_fields(admin, Entity.DEAL)
    party = make_org(owner=users["sales"])
    data = {"title": "فروش", "party": party, "owner": users["sales"]}
    with pytest.raises(ValidationError) as refused:
        deals.deal_create(
            actor=users["sales"], data=data | {"custom": {"visit": "1403/12/31", "budget": "x"}}
        )
    assert set(refused.value.message_dict) == {"custom.visit", "custom.budget"}
    with pytest.raises(ValidationError) as missing:
        deals.deal_create(actor=users["sales"], data=data | {"custom": None})
    assert missing.value.message_dict == {"custom.budget": ["This field is required."]}
    deal = deals.deal_create(
        actor=users["sales"], data=data | {"custom": {"visit": "۱۴۰۳/۰۵/۱۲", "budget": "۱٬۰۰۰"}}
    )
    assert deal.custom == {"visit": "2024-08-02", "budget": "1000"}
    # Made without a form (a lead's conversion, the partner portal): nothing is asked for.
    assert deals.deal_create(actor=users["sales"], data=data).custom == {}


def test_the_deal_form_page_and_list_show_the_values(admin, users, make_deal, stages):
    define_fields(admin, Entity.DEAL)
    deal = make_deal(custom={"budget": "10"})
    client = client_for(admin, "fa")
    form = {
        "title": deal.title,
        "party": deal.party_id,
        "stage": deal.stage_id,
        "amount": "1000000",
        "currency": deal.currency,
        "expected_close": "1403/06/01",
        "owner": deal.owner_id,
    }
    response = client.post(f"/sales/deals/{deal.pk}/edit/", form | PERSIAN)
    assert response.status_code == 302, response.context["form"].errors
    deal.refresh_from_db()
    assert deal.custom == STORED
    assert ">بزرگ<" in client.get(f"/sales/deals/{deal.pk}/").content.decode()
    make_deal(title="دیگری", custom={"budget": "10", "size": "small"})
    listed = client.get("/sales/deals/", {"cf_size": "large"}).content.decode()
    table = listed.split('data-testid="deal-table"')[1]
    assert deal.title in table and "دیگری" not in table and ">۱۴۰۳/۰۵/۱۲<" in table
    by_budget = deal_list(user=admin, filters={}, sort="-cf_budget", cursor=None)
    assert by_budget.items[0].title == deal.title


def test_the_deal_api_reads_and_writes_the_custom_object(admin, users, make_org, pipeline):
    define_fields(admin, Entity.DEAL)
    api = api_for(users["sales"])
    party = make_org(owner=users["sales"])
    created = api.post("/deals", {"title": "T", "party_id": party.pk, "custom": {"budget": "1,500"}})
    assert created.status_code == 201, created.content
    deal_id = created.json()["id"]
    assert created.json()["custom"] == {"budget": "1500"}
    assert_custom_errors(
        api.patch(f"/deals/{deal_id}", {"custom": {"visit": "31/02/2024"}}), {"custom.visit"}
    )
    assert api.patch(f"/deals/{deal_id}", {"custom": {"size": "Small"}}).json()["custom"]["size"] == "small"
    assert_custom_errors(api.post("/deals", {"title": "U", "party_id": party.pk}), {"custom.budget"})
    assert api_for(users["outsider"]).get(f"/deals/{deal_id}").status_code == 404
    assert Deal.objects.get(pk=deal_id).custom == {"budget": "1500", "size": "small"}


# --- products -----------------------------------------------------------------------------


def test_the_product_form_list_and_api_carry_custom_values(admin, price_list):
    define_fields(admin, Entity.PRODUCT)
    client = client_for(admin, "fa")
    form = {"sku": "A-1", "name_fa": "کالا", "unit": "piece", "tax_rate": "10", "active": "on"}
    response = client.post("/admin/sales/products/new/", form)
    assert response.context["form"].errors["cf_budget"] == ["این فیلد الزامی است."]
    response = client.post("/admin/sales/products/new/", form | PERSIAN)
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(sku="A-1")
    assert product.custom == STORED
    assert 'value="1403/05/12"' in client.get(f"/admin/sales/products/{product.pk}/").content.decode()
    catalogue.product_create(
        actor=admin, data={"sku": "B-2", "name_fa": "دوم", "unit": "piece", "tax_rate": 0}
    )
    listed = client.get("/sales/products/", {"cf_size": "large"}).content.decode()
    assert "A-1" in listed and "B-2" not in listed and ">بزرگ<" in listed
    by_visit = client.get("/sales/products/", {"sort": "-cf_visit"}).content.decode()
    assert by_visit.index("A-1") < by_visit.index("B-2")
    api = api_for(admin)
    assert [item["sku"] for item in api.get("/products", {"cf_size": "large"}).json()["items"]] == ["A-1"]
    assert_custom_errors(api.get("/products", {"cf_visit_to": "tomorrow"}), {"cf_visit_to"})
    assert api.get(f"/products/{product.pk}").json()["custom"] == STORED
    assert_custom_errors(api.patch(f"/products/{product.pk}", {"custom": {"size": 3}}), {"custom.size"})
    changed = api.patch(f"/products/{product.pk}", {"custom": {"size": None}})
    assert changed.json()["custom"] == {"visit": "2024-08-02", "budget": "1250000"}
    created = api.post("/products", {"sku": "C-3", "name_fa": "سوم", "custom": {"budget": "۲"}})
    assert created.status_code == 201, created.content
    assert created.json()["custom"] == {"budget": "2"}


# --- the administration and the indexes ---------------------------------------------------


def test_the_administration_offers_every_record_type(admin):
    page = client_for(admin).get("/admin/custom-fields/new/").content.decode()
    for entity in ("lead", "deal", "product", "ticket"):
        assert f'value="{entity}"' in page


@pytest.mark.parametrize("entity", [Entity.LEAD, Entity.DEAL, Entity.PRODUCT, Entity.TICKET])
def test_a_filterable_field_is_indexed_on_its_table_and_the_index_dropped_after(admin, entity):
    field = define_fields(admin, entity)["size"]
    table = {"lead": Lead, "deal": Deal, "product": Product}.get(entity)
    table_name = table._meta.db_table if table else "service_ticket"
    name = index_name(entity, "size")
    with connection.cursor() as cursor:
        assert name in connection.introspection.get_constraints(cursor, table_name)
    custom_field_update(field=field, actor=admin, data=CustomFieldInput(filterable=False))
    with connection.cursor() as cursor:
        assert name not in connection.introspection.get_constraints(cursor, table_name)


def test_the_product_import_reads_custom_columns_by_label_and_undo_reverts_them(admin, price_list):
    define_fields(admin, Entity.PRODUCT)
    catalogue.product_create(
        actor=admin,
        data={"sku": "OLD", "name_fa": "قدیمی", "unit": "piece", "tax_rate": 0, "custom": {"budget": "1"}},
    )
    content = (
        "sku,name_fa,unit,tax_rate,فیلد budget,Size,تاریخ بازدید\nOLD,قدیمی,piece,0,۲٬۰۰۰,بزرگ,۱۴۰۳/۰۵/۱۲\n"
    )
    job = run_import(admin, content.encode())
    assert job.status == ImportJob.Status.DONE, (
        job.failure,
        list(ImportIssue.objects.values_list("message")),
    )
    assert Product.objects.get(sku="OLD").custom == STORED | {"budget": "2000"}
    with translation.override("en"):  # the job reports in its uploader's language
        refused = run_import(admin, b"sku,name_fa,unit,tax_rate,Size\nNEW,tazeh,piece,0,huge\n")
    issues = {(i.column, i.message) for i in ImportIssue.objects.filter(job=refused)}
    assert issues == {("Size", "“huge” is not one of the options."), ("Budget", "This field is required.")}
    importer.import_undo(job=job, actor=admin)
    assert Product.objects.get(sku="OLD").custom == {"budget": "1"}
