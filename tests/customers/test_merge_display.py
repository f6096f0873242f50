"""How a merge reads: the comparison page, the timeline and the note of values not kept,
each in the reader's language, with the audit log's labels, Jalali dates and Persian digits."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from peyvand.core.models import AuditEvent
from peyvand.customers import selectors, services
from peyvand.customers.models import Note
from peyvand.interactions.selectors.timeline import party_timeline
from tests.api.conftest import ApiClient, api_as  # noqa: F401 - fixture


@pytest.fixture
def pair(users, make_person):
    this = make_person(
        first_name="Sara",
        last_name="Tehrani",
        data={
            "source": "website",
            "stage": "prospect",
            "email_consent": True,
            "date_of_birth": dt.date(1995, 4, 26),
            "national_id": "0013542419",
        },
        contacts=[{"kind": "phone", "value": "09121234567"}],
    )
    other = make_person(
        first_name="Sara",
        last_name="Tehrany",
        data={"source": "phone", "stage": "customer", "date_of_birth": dt.date(1990, 1, 2)},
    )
    return this, other


def _merge_page(users, this, other, language):
    client = Client()
    client.force_login(users["admin"])
    response = client.get(
        f"/customers/{this.pk}/merge/", {"other": other.pk}, headers={"Accept-Language": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def _cells(html):
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body


def test_merge_page_shows_values_as_people_read_them_in_persian(users, pair):
    html = _cells(_merge_page(users, *pair, "fa"))
    for raw in ("True", "False", ">website<", ">prospect<", "1995", "آوریل", "09121234567", "0912 123"):
        assert raw not in html, raw
    for shown in ("وب‌سایت", "بالقوه", "بله", "خیر", "۱۳۷۴/۰۲/۰۶", "۰۰۱۳۵۴۲۴۱۹", "۰۹۱۲ ۱۲۳ ۴۵۶۷"):
        assert shown in html, shown


def test_merge_page_shows_values_as_people_read_them_in_english(users, pair):
    html = _cells(_merge_page(users, *pair, "en"))
    for shown in ("Website", "Prospect", "yes", "no", "1995-04-26", "0013542419", "0912 123 4567"):
        assert shown in html, shown
    assert "True" not in html and ">website<" not in html


def test_values_not_kept_are_data_shown_in_each_readers_language(users, pair):
    this, other = pair
    with translation.override("en"):
        services.merge.party_merge(survivor=this, other=other, actor=users["admin"])
    note = Note.objects.get(party=this)
    assert note.body == "" and note.kept_aside["values"]["date_of_birth"] == "1990-01-02"
    with translation.override("en"):
        english = selectors.parties.note_text(note)
    with translation.override("fa"):
        persian = selectors.parties.note_text(note)
    assert "Sara Tehrany" in english and "date of birth: 1990-01-02" in english
    assert "نگه داشته نشدند" in persian and "۱۳۶۸/۱۰/۱۲" in persian and "date of birth" not in persian

    # The timeline and the API show it the same way, in the reader's language.
    client = Client()
    client.force_login(users["admin"])
    page = client.get(f"/customers/{this.pk}/", headers={"Accept-Language": "fa"}).content.decode()
    assert "۱۳۶۸/۱۰/۱۲" in page
    api = ApiClient(client=client)
    api.headers["Accept-Language"] = "fa"
    items = api.get(f"/parties/{this.pk}/timeline").json()["items"]
    assert any(i["kind"] == "note" and "۱۳۶۸/۱۰/۱۲" in i["note"]["body"] for i in items)

    # Edited, it becomes ordinary text.
    services.notes.note_update(note=note, actor=users["admin"], body=english + "\nChecked.")
    note.refresh_from_db()
    assert note.kept_aside is None and selectors.parties.note_text(note).endswith("Checked.")


def test_merged_into_reads_as_the_survivors_name_on_the_timeline(users, pair):
    this, other = pair
    services.merge.party_merge(survivor=this, other=other, actor=users["admin"])
    with translation.override("fa"):
        entries = party_timeline(user=users["admin"], party=this, limit=50).items
        changes = [c for e in entries if e.kind == "change" for c in e.change.changes]
    merged_into = [c for c in changes if c.label == "ادغام‌شده در"]
    assert merged_into and merged_into[0].new == this.display_name, changes
    # The survivor's own entry names both records.
    merged = [c for c in changes if c.label == "ادغام‌شده"]
    assert [(c.old, c.new) for c in merged] == [(other.display_name, this.display_name)], changes


def test_timeline_api_labels_special_fields_in_the_readers_language(users, pair, api_as):  # noqa: F811
    this, other = pair
    services.tags.party_set_tags(party=this, actor=users["admin"], names=["vip"])
    services.merge.party_merge(survivor=this, other=other, actor=users["admin"])
    client = api_as("admin")
    client.headers["Accept-Language"] = "fa"
    # The token's user has no language of their own: the request's decides.
    items = client.get(f"/parties/{this.pk}/timeline", {"limit": 100}).json()["items"]
    labels = {c["field"]: c["label"] for i in items if i["kind"] == "change" for c in i["change"]["changes"]}
    assert labels["tags"] == "برچسب‌ها"
    assert labels["merged_into"] == "ادغام‌شده در"
    assert labels["first_name"] == "نام"


def test_bulk_tagging_names_each_customer_in_the_log(users, make_person):
    party = make_person(first_name="Nima", last_name="Rad")
    services.tags.party_bulk_add_tag(actor=users["admin"], party_ids=[party.pk], tag_name="vip")
    event = AuditEvent.objects.get(party_id=party.pk, changes__has_key="tags")
    assert event.object_repr == "Nima Rad"
