"""The trash of single records: contact points, organisation links, notes and interactions
deleted on their own are listed (web and API) and restored, by administrators only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from peyvand.core.models import AuditEvent
from peyvand.customers import selectors, services
from peyvand.customers.models import ContactPoint, Membership, Note, Party
from peyvand.customers.rules import ContactInput
from peyvand.interactions import services as interaction_services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput
from tests.api.conftest import api_as, assert_error  # noqa: F401 - fixture


@pytest.fixture
def deleted(users, make_person, make_org):
    """A person with one of each record deleted on its own."""
    org = make_org(name="Aseman Co")
    person = make_person(
        first_name="Sara",
        last_name="Tehrani",
        contacts=[{"kind": "phone", "value": "09121234567"}, {"kind": "email", "value": "s@x.ir"}],
        organisations=[(org, "CTO")],
    )
    actor = users["sales"]
    phone = ContactPoint.objects.get(party=person, kind="phone")
    services.contacts.contact_point_delete(point=phone, actor=actor)
    membership = Membership.objects.get(person=person)
    services.memberships.membership_remove(membership=membership, actor=actor)
    note = services.notes.note_add(party=person, actor=actor, body="Call back on Sunday")
    services.notes.note_delete(note=note, actor=actor)
    interaction = interaction_services.interactions.interaction_log(
        party=person, actor=actor, data=InteractionInput(channel="phone", subject="First call")
    )
    interaction_services.interactions.interaction_delete(interaction=interaction, actor=actor)
    return {
        "person": person,
        "contact_point": phone,
        "membership": membership,
        "note": note,
        "interaction": interaction,
    }


def _restored(record):
    return type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("kind", ["contact_point", "membership", "note", "interaction"])
def test_each_kind_is_listed_and_restored_through_the_page(users, deleted, kind):
    record = deleted[kind]
    client = Client()
    client.force_login(users["admin"])

    def table():
        page = client.get("/admin/trash/", {"kind": kind}, headers={"Accept-Language": "en"})
        html = page.content.decode().replace("&#x27;", "'")
        return html.split('data-testid="trash-table"', 1)[1].split("</table>", 1)[0]

    with translation.override("en"):
        text = selectors.trash.trash_record_text(record)
    assert text in table() and "Sara Tehrani" in table()
    response = client.post(f"/admin/trash/{kind}/{record.pk}/restore/")
    assert response.status_code == 302 and response["Location"] == f"/customers/{deleted['person'].pk}/"
    assert _restored(record)
    restored = AuditEvent.objects.filter(kind="restore", object_id=record.pk, party_id=deleted["person"].pk)
    assert restored.exists()
    assert text not in table()  # gone from the trash once restored


def test_a_restored_phone_is_found_again_and_does_not_steal_the_primary(users, deleted, make_person):
    person, phone = deleted["person"], deleted["contact_point"]
    services.contacts.contact_point_add(
        party=person, actor=users["sales"], data=ContactInput(kind="phone", value="09350000000")
    )
    services.parties.record_restore(record=phone, actor=users["admin"])
    phones = ContactPoint.objects.filter(party=person, kind="phone")
    assert phones.count() == 2 and phones.filter(is_primary=True).count() == 1
    person.refresh_from_db()
    assert "09121234567" in person.search_text


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_only_administrators_see_or_restore_the_trash(users, deleted, role, api_as):  # noqa: F811
    record = deleted["note"]
    client = Client()
    client.force_login(users[role])
    assert client.get("/admin/trash/", {"kind": "note"}).status_code == 403
    assert client.post(f"/admin/trash/note/{record.pk}/restore/").status_code == 403
    api = api_as(role)
    assert_error(api.get("/trash", {"kind": "note"}), 403, "permission_denied")
    assert_error(api.post(f"/trash/note/{record.pk}/restore"), 403, "permission_denied")
    with pytest.raises(PermissionDenied):
        services.parties.record_restore(record=record, actor=users[role])
    assert not _restored(record)


def test_records_deleted_with_their_customer_come_back_only_with_it(users, deleted):
    person = deleted["person"]
    email = ContactPoint.objects.get(party=person, kind="email")
    services.parties.party_delete(party=person, actor=users["admin"])
    listed = [p.pk for p in selectors.trash.trash_records(user=users["admin"], kind="contact_point")]
    assert email.pk not in listed and deleted["contact_point"].pk not in listed
    with pytest.raises(ValidationError):
        services.parties.record_restore(record=deleted["note"], actor=users["admin"])
    assert not _restored(deleted["note"])


def test_a_clash_is_refused_and_changes_nothing(users, deleted):
    person, phone = deleted["person"], deleted["contact_point"]
    services.contacts.contact_point_add(
        party=person, actor=users["sales"], data=ContactInput(kind="phone", value="09121234567")
    )
    with pytest.raises(ValidationError):
        services.parties.record_restore(record=phone, actor=users["admin"])
    assert not _restored(phone)
    org = deleted["membership"].organisation
    services.memberships.membership_add(person=person, organisation=org, actor=users["sales"], title="CEO")
    with pytest.raises(ValidationError):
        services.parties.record_restore(record=deleted["membership"], actor=users["admin"])
    assert Membership.objects.filter(person=person).get().title == "CEO"


def test_the_api_lists_and_restores_every_kind(users, deleted, api_as):  # noqa: F811
    api = api_as("admin")
    for kind in ("contact_point", "membership", "note", "interaction"):
        record = deleted[kind]
        items = api.get("/trash", {"kind": kind}).json()["items"]
        assert [(i["id"], i["party"]["id"]) for i in items] == [(record.pk, deleted["person"].pk)]
        assert items[0]["deleted_by"]["username"] == "sales"
        response = api.post(f"/trash/{kind}/{record.pk}/restore")
        assert response.status_code == 200, response.content
        assert response.json()["deleted_at"] is None and _restored(record)
        assert api.get("/trash", {"kind": kind}).json()["items"] == []
    # Customers too, and bad kinds or ids are not found.
    services.parties.party_delete(party=deleted["person"], actor=users["admin"])
    assert [i["id"] for i in api.get("/trash").json()["items"]] == [deleted["person"].pk]
    assert api.post(f"/trash/customer/{deleted['person'].pk}/restore").status_code == 200
    assert Party.objects.filter(pk=deleted["person"].pk).exists()
    assert_error(api.post("/trash/gossip/1/restore"), 404, "not_found")
    assert_error(api.post("/trash/note/99999999/restore"), 404, "not_found")
    assert_error(api.get("/trash", {"kind": "gossip"}), 422, "validation_error", "kind")


def test_notes_and_interactions_restored_show_on_the_timeline_again(users, deleted):
    services.parties.record_restore(record=deleted["note"], actor=users["admin"])
    services.parties.record_restore(record=deleted["interaction"], actor=users["admin"])
    assert Note.objects.filter(party=deleted["person"]).count() == 1
    assert Interaction.objects.filter(party=deleted["person"]).count() == 1
