"""An export imports back unchanged: every column the import reads is exported, under a
heading the import recognises, in Persian and English, as CSV and as XLSX (where dates and
numbers are real dates and numbers)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from peyvand.customers.models import ContactPoint, Kind, Membership, Party

from .test_import import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(users, make_person, make_org):
    pars = make_org(name="پارس کالا")
    ali = make_person(
        first_name="علی",
        last_name="کریمی",
        contacts=[
            {"kind": "phone", "value": "09121234567"},
            {"kind": "email", "value": "ali@example.com"},
            {
                "kind": "address",
                "value": "",
                "street": "خیابان ولیعصر، پلاک ۱۲",
                "city": "تهران",
                "province": "تهران",
                "postal_code": "1234567890",
                "country": "IR",
            },
        ],
        data={"date_of_birth": dt.date(1991, 9, 22), "national_id": "0012345679"},
    )
    Membership.objects.create(person=ali, organisation=pars, title="مدیر خرید")
    Party.objects.filter(pk=ali.pk).update(email_consent=True, stage="customer", source="website")
    make_person(
        first_name="Sara", last_name="Smith", contacts=[{"kind": "email", "value": "sara@example.co.uk"}]
    )
    return users


def snapshot() -> list[tuple]:
    """What the import reads of each person, as it would compare after a round trip."""
    found = []
    for person in Party.objects.filter(kind=Kind.PERSON).order_by("last_name"):
        address = ContactPoint.objects.filter(party=person, kind=ContactPoint.Kind.ADDRESS).first()
        job = Membership.objects.filter(person=person).select_related("organisation").first()
        found.append(
            (
                person.first_name,
                person.last_name,
                person.primary_phone,
                person.primary_email,
                person.national_id,
                person.date_of_birth,
                person.stage,
                person.source,
                person.owner.username if person.owner else None,
                person.email_consent,
                person.sms_consent,
                (address.street, address.city, address.province, address.postal_code, address.country)
                if address
                else None,
                (job.organisation.name, job.title) if job else None,
            )
        )
    return found


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(people, language, file_format):
    admin = people["admin"]
    admin.language = language
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get(f"/person/export.{file_format}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    before = snapshot()
    ali = next(row for row in before if row[1] == "کریمی")
    assert ali[11] is not None and ali[12] == ("پارس کالا", "مدیر خرید") and ali[5] == dt.date(1991, 9, 22)

    Membership.objects.all().delete()
    Party.all_objects.filter(kind=Kind.PERSON).delete()
    job = run_import(admin, data, name=f"people.{file_format}")
    assert job.error_count == 0 and job.created_count == 2, job.failure
    assert snapshot() == before


def test_xlsx_dates_and_ids_are_real_dates_and_numbers(people):
    client = Client()
    client.force_login(people["admin"])
    response = client.get("/person/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("نام")].value == "علی")
    assert isinstance(row[0].value, int)
    assert row[header.index("تاریخ تولد")].value == dt.datetime(1991, 9, 22)
    assert row[header.index("تاریخ تولد")].number_format == "yyyy-mm-dd"
    assert isinstance(row[header.index("ایجاد")].value, dt.datetime)
    assert row[header.index("نام")].data_type == "s"
