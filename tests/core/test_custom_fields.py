"""Custom fields: the rules of each type (shared by forms, API and import), the definitions'
service (audited; key and type fixed once records hold values; an index when filterable)
and the administration pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import translation

from peyvand.core.custom_fields import (
    Choice,
    Definition,
    FieldType,
    clean_custom,
    clean_value,
    display_value,
    parse_choices,
)
from peyvand.core.models import AuditEvent, CustomField
from peyvand.core.services.custom_fields import (
    CustomFieldInput,
    custom_field_create,
    custom_field_deactivate,
    custom_field_update,
    index_name,
)
from peyvand.customers.models import Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.services.parties import party_update

SIZES = (Choice("small", "کوچک", "Small"), Choice("large", "بزرگ", "Large"))


def d(kind: str, **kwargs) -> Definition:
    return Definition(key="f", type=kind, label_fa="ف", label_en="F", **kwargs)


# --- the rules (no database) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        (FieldType.NUMBER, "۱۲٬۵۰۰٫۵", "12500.5"),
        (FieldType.NUMBER, "١٢٣", "123"),
        (FieldType.NUMBER, 7, "7"),
        (FieldType.MONEY, "1,250,000", "1250000"),
        (FieldType.MONEY, "-3.50", "-3.5"),
        (FieldType.DATE, "۱۴۰۳/۰۵/۱۲", "2024-08-02"),
        (FieldType.DATE, "2024-08-02", "2024-08-02"),
        (FieldType.DATE, dt.date(2024, 8, 2), "2024-08-02"),
        (FieldType.YES_NO, "بله", True),
        (FieldType.YES_NO, "no", False),
        (FieldType.YES_NO, False, False),
        (FieldType.TEXT, "  علي  ", "علی"),
        (FieldType.LINK, "Example.com/a", "Example.com/a"),
        (FieldType.USER, "۱۲", 12),
    ],
)
def test_values_are_read_in_any_digits_and_stored_in_one_form(kind, raw, stored):
    assert clean_value(d(kind), raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (FieldType.NUMBER, "12abc", "Enter a number."),
        (FieldType.NUMBER, "1e400", "Enter a number of at most 15 digits."),
        (FieldType.NUMBER, "NaN", "Enter a number."),
        (FieldType.MONEY, "1.234", "Use at most 2 digits after the decimal point."),
        (FieldType.DATE, "1403/13/40", "Enter a valid date."),
        (FieldType.YES_NO, "maybe", "Choose yes or no."),
        (FieldType.LINK, "javascript:alert(1)", "Enter a web address, such as example.com."),
        (FieldType.TEXT, "x" * 501, "Use at most 500 characters (this has 501)."),
        (FieldType.USER, "-3", "Choose an active user."),
        (FieldType.USER, True, "Choose an active user."),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(kind, raw, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        clean_value(d(kind), raw)
    assert error.value.messages == [message]


def test_choices_by_key_or_label_in_either_language_in_the_definitions_order():
    assert clean_value(d(FieldType.CHOICE, choices=SIZES), "بزرگ") == "large"
    assert clean_value(d(FieldType.CHOICE, choices=SIZES), "SMALL") == "small"
    assert clean_value(d(FieldType.MULTI_CHOICE, choices=SIZES), "Large، کوچک") == ["small", "large"]
    assert clean_value(d(FieldType.MULTI_CHOICE, choices=SIZES), ["large"]) == ["large"]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        clean_value(d(FieldType.CHOICE, choices=SIZES), "huge")
    assert error.value.messages == ["“huge” is not one of the options."]


def test_a_records_values_merge_required_and_unknown_keys():
    size = Definition("size", FieldType.CHOICE, "اندازه", "Size", required=True, choices=SIZES)
    note = Definition("note", FieldType.TEXT, "یادداشت", "Note")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        clean_custom([size, note], {"note": "x", "nope": 1}, current=None)
    assert error.value.message_dict == {
        "custom.nope": ["There is no such custom field."],
        "custom.size": ["This field is required."],
    }
    # A change keeps what it does not name, and null clears.
    current = {"size": "small", "note": "x"}
    assert clean_custom([size, note], {"note": None}, current=current) == {"size": "small"}
    with pytest.raises(ValidationError):
        clean_custom([size, note], {"size": ""}, current=current)


def test_values_read_as_people_read_them():
    assert display_value(d(FieldType.MONEY), "1250000", "fa") == "۱,۲۵۰,۰۰۰"
    assert display_value(d(FieldType.MONEY), "1250000.5", "en") == "1,250,000.5"
    assert display_value(d(FieldType.DATE), "2024-08-02", "fa") == "۱۴۰۳/۰۵/۱۲"
    assert display_value(d(FieldType.MULTI_CHOICE, choices=SIZES), ["small", "large"], "en") == "Small, Large"
    assert display_value(d(FieldType.CHOICE, choices=SIZES), "large", "fa") == "بزرگ"


def test_options_are_typed_one_a_line():
    assert parse_choices("small | کوچک | Small\n\nlarge|بزرگ") == (
        Choice("small", "کوچک", "Small"),
        Choice("large", "بزرگ", "بزرگ"),
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        parse_choices("ok\nok")
    assert error.value.messages == ["Line 2: this key is already an option."]


# --- the definitions ----------------------------------------------------------------------


def _make(admin, **kwargs) -> CustomField:
    values = {
        "entity": "person",
        "key": "size",
        "type": FieldType.CHOICE,
        "label_fa": "اندازه",
        "label_en": "Size",
    }
    values.update(kwargs)
    if values["type"] in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        values.setdefault("choices", SIZES)
    return custom_field_create(actor=admin, data=CustomFieldInput(**values))


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return {
            i
            for i in connection.introspection.get_constraints(cursor, "customers_party")
            if i.startswith("cf_")
        }


@pytest.mark.django_db
def test_only_administrators_make_fields(users):
    with pytest.raises(PermissionDenied):
        _make(users["manager"])
    assert not CustomField.objects.exists()


@pytest.mark.django_db
def test_a_field_is_audited_and_its_key_checked(admin, english):
    field = _make(admin, filterable=True)
    event = AuditEvent.objects.get(model="core.customfield", object_id=field.pk)
    assert event.kind == "create" and event.changes["key"] == [None, "size"]
    with pytest.raises(ValidationError) as error:
        _make(admin, label_fa="دیگر")
    assert error.value.message_dict["key"] == ["These records already have a field with this key."]
    with pytest.raises(ValidationError) as error:
        _make(admin, key="Bad Key!")
    assert "key" in error.value.message_dict
    # One table holds people and organisations: a key there keeps one type.
    with pytest.raises(ValidationError) as error:
        _make(admin, entity="organisation", type=FieldType.NUMBER)
    assert error.value.message_dict["key"] == [
        "Records of the same table have a field of another type with this key."
    ]
    with pytest.raises(ValidationError) as error:
        _make(admin, key="kind2", type=FieldType.CHOICE, choices=())
    assert error.value.message_dict["choices"] == ["Give at least one option."]


@pytest.mark.django_db
def test_key_and_type_are_fixed_once_a_record_holds_a_value(admin, make_person, english):
    field = _make(admin)
    custom_field_update(field=field, actor=admin, data=CustomFieldInput(key="size2"))  # no values yet
    field.refresh_from_db()
    assert field.key == "size2"
    person = make_person(data={"custom": {"size2": "large"}})
    assert person.custom == {"size2": "large"}
    with pytest.raises(ValidationError) as error:
        custom_field_update(field=field, actor=admin, data=CustomFieldInput(key="other", type=FieldType.TEXT))
    assert error.value.message_dict == {
        "key": ["Records hold values under this key: it cannot change."],
        "type": ["Records hold values of this type: it cannot change."],
    }


@pytest.mark.django_db
def test_a_filterable_field_has_an_index_until_it_is_not(admin):
    field = _make(admin, filterable=True)
    assert index_name("person", "size") in _indexes()
    custom_field_update(field=field, actor=admin, data=CustomFieldInput(filterable=False))
    assert index_name("person", "size") not in _indexes()
    custom_field_update(field=field, actor=admin, data=CustomFieldInput(filterable=True))
    assert index_name("person", "size") in _indexes()
    custom_field_deactivate(field=field, actor=admin)
    assert index_name("person", "size") not in _indexes()


@pytest.mark.django_db
def test_a_deactivated_fields_values_stay_and_cannot_be_written(admin, make_person, english):
    field = _make(admin)
    person = make_person(data={"custom": {"size": "small"}})
    custom_field_deactivate(field=field, actor=admin)
    person = party_update(party=person, actor=admin, data=PartyInput(first_name="رضا"))
    assert person.custom == {"size": "small"}
    with pytest.raises(ValidationError) as error:
        party_update(party=person, actor=admin, data=PartyInput(custom={"size": "large"}))
    assert error.value.message_dict == {"custom.size": ["There is no such custom field."]}
    assert Party.objects.get(pk=person.pk).custom == {"size": "small"}


@pytest.mark.django_db
def test_a_change_of_value_goes_through_the_customers_service_and_its_audit(admin, make_person):
    _make(admin)
    person = make_person()
    party_update(party=person, actor=admin, data=PartyInput(custom={"size": "large"}))
    event = AuditEvent.objects.filter(model="customers.party", object_id=person.pk, kind="update").get()
    assert event.changes == {"custom.size": [None, "large"]}


# --- the administration pages -------------------------------------------------------------


@pytest.fixture
def admin_client(admin) -> Client:
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_the_administrator_adds_edits_and_deactivates_a_field(admin_client, make_person):
    response = admin_client.post(
        "/admin/custom-fields/new/",
        {
            "entity": "person",
            "key": "size",
            "type": "choice",
            "label_fa": "اندازه",
            "label_en": "Size",
            "choices": "small | کوچک | Small\nlarge | بزرگ | Large",
            "position": "۳",
            "filterable": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.position, field.option_list()) == (3, SIZES)
    page = admin_client.get("/admin/custom-fields/?entity=person&active=yes&sort=key").content.decode()
    assert "Size" in page and "<code>size</code>" in page
    make_person(data={"custom": {"size": "small"}})
    edit = admin_client.get(f"/admin/custom-fields/{field.pk}/").content.decode()
    assert 'data-testid="custom-field-locked"' in edit
    response = admin_client.post(f"/admin/custom-fields/{field.pk}/deactivate/")
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.active is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "۱bad", "type": "text"}, "key", "Use lower-case Latin letters"),
        ({"key": "ok", "type": "choice", "choices": "a b"}, "choices", "Line 1: an option"),
        ({"key": "ok", "type": "nope"}, "type", None),  # Django's own message
        ({"key": "ok", "type": "text", "position": "x"}, "position", None),
        ({"key": "ok", "type": "choice"}, "choices", "Give at least one option."),
    ],
)
def test_bad_settings_are_shown_on_the_form(admin_client, english, data, field, message):
    base = {"entity": "person", "label_fa": "ف", "label_en": "F", "position": "0"}
    response = admin_client.post("/admin/custom-fields/new/", base | data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in str(errors[field])
    assert not CustomField.objects.exists()


@pytest.mark.django_db
def test_other_roles_cannot_open_the_pages(users):
    client = Client()
    client.force_login(users["manager"])
    assert client.get("/admin/custom-fields/").status_code == 403


def test_money_is_exact():
    assert clean_value(d(FieldType.MONEY), Decimal("99999999999999999.99")) == "99999999999999999.99"
