"""Custom fields on people and organisations, end to end: the form (Persian digits, Jalali
dates, translated errors), the customer's page, the list's columns, filters and sort (with
the queries counted), the API's ``custom`` object, and an export that imports back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from peyvand.core.custom_fields import Choice, FieldType
from peyvand.core.services.custom_fields import CustomFieldInput, custom_field_create
from peyvand.core.services.tokens import api_token_create
from peyvand.customers.forms import PartyFilterForm
from peyvand.customers.models import Kind, Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.selectors.parties import PartyFilters, party_list
from peyvand.customers.services.parties import party_update

from ..api.conftest import ApiClient
from .test_import import run_import

pytestmark = pytest.mark.django_db

SIZES = (Choice("small", "کوچک", "Small"), Choice("large", "بزرگ", "Large"))


@pytest.fixture
def fields(admin):
    made = {}
    for key, kind, extra in (
        ("visit", FieldType.DATE, {"filterable": True, "in_list": True, "label_fa": "تاریخ بازدید"}),
        ("size", FieldType.CHOICE, {"filterable": True, "in_list": True, "choices": SIZES}),
        ("budget", FieldType.MONEY, {"filterable": True, "required": True}),
        ("topics", FieldType.MULTI_CHOICE, {"choices": SIZES}),
        ("vip", FieldType.YES_NO, {}),
        ("rep", FieldType.USER, {}),
        ("site", FieldType.LINK, {}),
    ):
        values = {"label_fa": f"فیلد {key}", "label_en": key.title(), **extra}
        made[key] = custom_field_create(
            actor=admin, data=CustomFieldInput(entity="person", key=key, type=kind, **values)
        )
    return made


def _client(user, language="en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    user.language = language
    user.save(update_fields=["language"])
    return client


FORM = {"last_name": "کریمی", "source": "other", "stage": "suspect", "owner": "", "phone_label": "mobile"}


def test_the_form_takes_persian_digits_and_jalali_dates(admin, fields):
    client = _client(admin, "fa")
    response = client.post(
        "/person/new/",
        FORM
        | {
            "cf_visit": "۱۴۰۳/۰۵/۱۲",
            "cf_size": "large",
            "cf_budget": "۱٬۲۵۰٬۰۰۰",
            "cf_topics": ["small", "large"],
            "cf_vip": "yes",
            "cf_rep": str(admin.pk),
            "cf_site": "example.com",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Party.objects.get(last_name="کریمی")
    assert person.custom == {
        "visit": "2024-08-02",
        "size": "large",
        "budget": "1250000",
        "topics": ["small", "large"],
        "vip": True,
        "rep": admin.pk,
        "site": "example.com",
    }
    page = client.get(f"/customers/{person.pk}/").content.decode()
    assert ">۱۴۰۳/۰۵/۱۲<" in page and ">بزرگ<" in page and ">۱,۲۵۰,۰۰۰<" in page
    assert 'href="https://example.com"' in page
    # The edit form shows the values as they were entered, in the reader's calendar.
    edit = client.get(f"/customers/{person.pk}/edit/").content.decode()
    assert 'value="1403/05/12"' in edit and 'value="1250000"' in edit


def test_bad_values_are_shown_on_their_fields_and_nothing_is_saved(admin, fields):
    client = _client(admin)
    response = client.post(
        "/person/new/", FORM | {"cf_visit": "1403/13/45", "cf_budget": "12abc", "cf_site": "javascript:x"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["cf_visit"] == ["There is no such day in the calendar."]
    assert errors["cf_budget"] == ["Enter a number."]
    assert errors["cf_site"] == ["Enter a web address, such as example.com."]
    response = client.post("/person/new/", FORM)
    assert response.context["form"].errors["cf_budget"] == ["This field is required."]
    assert not Party.objects.exists()


def test_the_list_shows_filters_and_sorts_by_custom_fields(
    admin, fields, make_person, django_assert_max_num_queries
):
    for name, visit, size, budget in (
        ("الف", "2024-01-10", "small", "900"),
        ("ب", "2024-03-01", "large", "20000"),
        ("پ", "2024-05-20", "large", "5"),
    ):
        make_person(last_name=name, data={"custom": {"visit": visit, "size": size, "budget": budget}})
    client = _client(admin, "fa")
    with django_assert_max_num_queries(16):
        page = client.get("/person/", {"cf_size": "large", "cf_visit_from": "۱۴۰۲/۱۲/۰۱"}).content.decode()
    assert 'data-testid="custom-column-cf_visit"' in page
    # Only the two large ones, visited from 1402/12/01 on: «الف» (small) is not listed.
    table = page.split('data-testid="party-table"')[1]
    assert table.count(">بزرگ<") == 2 and "الف" not in table
    people = party_list(
        user=admin,
        kind=Kind.PERSON,
        filters=PartyFilters(custom=[*_filters(admin, {"cf_size": "large", "cf_visit_from": "1402/12/01"})]),
    )
    assert [p.last_name for p in people] == ["ب", "پ"]
    by_budget = party_list(user=admin, kind=Kind.PERSON, filters=PartyFilters(), sort="-cf_budget", limit=2)
    assert [p.last_name for p in by_budget] == ["ب", "الف"]
    rest = party_list(
        user=admin, kind=Kind.PERSON, filters=PartyFilters(), sort="-cf_budget", cursor=by_budget.next_cursor
    )
    assert [p.last_name for p in rest] == ["پ"]
    ranged = party_list(
        user=admin,
        kind=Kind.PERSON,
        filters=PartyFilters(custom=[*_filters(admin, {"cf_budget_from": "۱۰۰", "cf_budget_to": "1,000"})]),
    )
    assert [p.last_name for p in ranged] == ["الف"]


def _filters(admin, data):
    form = PartyFilterForm(data, kind=Kind.PERSON)
    return form.filters().custom


def test_the_api_reads_and_writes_the_custom_object(admin, fields, make_person):
    api = ApiClient(api_token_create(user=admin, name="t")[1])
    created = api.post(
        "/people",
        {"last_name": "Smith", "custom": {"budget": "۵۰۰", "visit": "1403/05/12", "vip": False}},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["custom"] == {"budget": "500", "visit": "2024-08-02", "vip": False}
    refused = api.patch(f"/people/{body['id']}", {"custom": {"size": "huge", "nope": 1, "budget": None}})
    assert refused.status_code == 422
    fields_in_error = {f["field"] for f in refused.json()["error"]["fields"]}
    assert fields_in_error == {"custom.size", "custom.nope", "custom.budget"}
    changed = api.patch(f"/people/{body['id']}", {"custom": {"size": "بزرگ"}})
    assert changed.json()["custom"]["size"] == "large"
    # The list filters and sorts by them as the page does; what it cannot read is refused.
    api.post("/people", {"last_name": "Jones", "custom": {"budget": "90", "size": "small"}})
    listed = api.get("/people", {"cf_size": "large", "cf_budget_from": "۱۰۰"}).json()["items"]
    assert [person["last_name"] for person in listed] == ["Smith"]
    by_budget = api.get("/people", {"sort": "-cf_budget"}).json()["items"]
    assert [person["last_name"] for person in by_budget] == ["Smith", "Jones"]
    refused = api.get("/people", {"cf_vip": "maybe", "sort": "cf_topics"})
    assert refused.status_code == 422
    assert {f["field"] for f in refused.json()["error"]["fields"]} == {"cf_vip"}
    unsortable = api.get("/people", {"sort": "cf_topics"}).json()["error"]["fields"]
    assert {f["field"] for f in unsortable} == {"sort"}
    described = api.get("/custom-fields", {"entity": "person"}).json()["items"]
    assert [f["key"] for f in described] == ["visit", "size", "budget", "topics", "vip", "rep", "site"]
    assert described[1]["choices"][1] == {"key": "large", "label_fa": "بزرگ", "label_en": "Large"}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_an_export_with_custom_fields_imports_back_unchanged(admin, fields, make_person, language):
    make_person(
        last_name="کریمی",
        data={
            "custom": {
                "visit": "2024-08-02",
                "size": "large",
                "budget": "1250000.5",
                "topics": ["small", "large"],
                "vip": True,
                "rep": admin.pk,
                "site": "example.com",
            }
        },
    )
    make_person(last_name="Smith", data={"custom": {"budget": "7"}})
    before = sorted((p.last_name, p.custom) for p in Party.objects.filter(kind=Kind.PERSON))
    client = _client(admin, language)
    response = client.get("/person/export.csv")
    data = b"".join(response.streaming_content)
    Party.all_objects.filter(kind=Kind.PERSON).delete()
    job = run_import(admin, data)
    assert job.error_count == 0 and job.created_count == 2, job.failure
    assert sorted((p.last_name, p.custom) for p in Party.objects.filter(kind=Kind.PERSON)) == before


def test_an_import_refuses_a_bad_value_with_the_rules_message(admin, fields):
    data = "نام خانوادگی,Budget,Size\nکریمی,۱۲abc,Large\nرضایی,۳۰۰,بزرگ\n".encode()
    job = run_import(admin, data)
    assert job.created_count == 1 and job.error_count == 1
    assert Party.objects.get().custom == {"budget": "300", "size": "large"}


def test_a_value_of_a_user_field_must_be_an_active_user(admin, users, fields, make_person, english):
    person = make_person(data={"custom": {"budget": "1"}})
    users["sales2"].is_active = False
    users["sales2"].save()
    with pytest.raises(ValidationError) as error:
        party_update(party=person, actor=admin, data=PartyInput(custom={"rep": users["sales2"].pk}))
    assert error.value.message_dict == {"custom.rep": ["Choose an active user."]}
