"""Phones in an export as people write them, with no apostrophe in front of Iranian numbers."""

import csv
import io

import pytest

from peyvand.customers.models import Party


def _csv_rows(client):
    response = client.get("/person/export.csv", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ("09121234567", "0912 123 4567"),
        ("+98 21 8888 7777", "021 8888 7777"),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),  # international: still kept from running as a formula
    ],
)
def test_phones_are_exported_in_their_display_form(client, users, make_person, typed, exported):
    make_person(first_name="Phone", last_name="Row", contacts=[{"kind": "phone", "value": typed}])
    client.force_login(users["admin"])
    header, *rows = _csv_rows(client)
    row = next(r for r in rows if r[1] == "Phone")
    assert row[header.index("Phone")] == exported


def test_a_formula_in_a_name_is_still_neutralised(client, users, make_person):
    party = make_person(first_name="Formula", contacts=[{"kind": "phone", "value": "09121234567"}])
    Party.objects.filter(pk=party.pk).update(last_name="=HYPERLINK(1)")
    client.force_login(users["admin"])
    header, *rows = _csv_rows(client)
    row = next(r for r in rows if r[1] == "Formula")
    assert row[2] == "'=HYPERLINK(1)" and row[header.index("Phone")] == "0912 123 4567"
