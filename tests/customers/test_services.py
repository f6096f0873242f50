import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from peyvand.core.models import AuditEvent
from peyvand.customers import selectors, services
from peyvand.customers.models import ContactPoint, Kind, Membership, Note, Party, PartyTag, Stage
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.customers.selectors import duplicates
from peyvand.interactions import services as interaction_services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput


def create_person(actor, **kwargs):
    """A person through the services; ``data`` and ``contacts`` given as plain dicts."""
    data = PartyInput(**{"first_name": "علي", "last_name": "كريمي", **kwargs.pop("data", {})})
    contacts = [ContactInput(**c) for c in kwargs.pop("contacts", [])]
    return services.parties.party_create(
        actor=actor, kind=Kind.PERSON, data=data, contacts=contacts, **kwargs
    )


def test_create_person_normalises_names_contacts_and_search(users):
    party = create_person(
        users["sales"],
        contacts=[
            {"kind": "phone", "value": "۰۹۱۲۱۲۳۴۵۶۷", "label": "mobile"},
            {"kind": "email", "value": "Ali@Example.com"},
            {"kind": "phone", "value": "+98 21 8888 7777", "label": "work", "is_primary": True},
        ],
        tags=["مشتري ويژه"],
    )
    assert party.display_name == "علی کریمی"
    assert party.owner == users["sales"]
    assert party.primary_phone == "+982188887777"
    assert party.primary_email == "ali@example.com"
    assert "09121234567" in party.search_text and "علی کریمی" in party.search_text
    points = list(party.contact_points.order_by("id"))
    assert [p.value for p in points] == ["+989121234567", "ali@example.com", "+982188887777"]
    assert [p.is_primary for p in points] == [False, True, True]
    assert [t.name for t in party.tags.all()] == ["مشتری ویژه"]
    events = AuditEvent.objects.filter(party_id=party.pk)
    assert events.filter(kind="create", model="customers.party").count() == 1
    assert events.filter(kind="create", model="customers.contactpoint").count() == 3


def test_invalid_input_is_refused_with_field_errors_and_nothing_is_written(users, english):
    before = Party.all_objects.count(), ContactPoint.all_objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.parties.party_create(
            actor=users["sales"],
            kind=Kind.PERSON,
            data=PartyInput(first_name="", last_name="", date_of_birth=dt.date(2999, 1, 1), stage="x"),
            contacts=[ContactInput(kind="phone", value="12"), ContactInput(kind="email", value="nope")],
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"contacts.0.value", "contacts.1.value"}
    with pytest.raises(ValidationError) as caught:
        services.parties.party_create(
            actor=users["sales"],
            kind=Kind.PERSON,
            data=PartyInput(first_name="", last_name="", date_of_birth=dt.date(2999, 1, 1), stage="x"),
        )
    assert set(caught.value.message_dict) == {"last_name", "date_of_birth", "stage"}
    with pytest.raises(ValidationError) as caught:
        services.parties.party_create(
            actor=users["sales"], kind=Kind.PERSON, data=PartyInput(last_name="x" * 101)
        )
    assert "last_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # an organisation's field on a person
        services.parties.party_create(
            actor=users["sales"], kind=Kind.PERSON, data=PartyInput(last_name="x", website="x.ir")
        )
    assert caught.value.message_dict == {"website": ["A person has no such field."]}
    assert (Party.all_objects.count(), ContactPoint.all_objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("contacts", "reason"),
    [
        ([{"kind": "email", "value": "ALI@example.com"}], "same email address"),
        ([{"kind": "phone", "value": "+98 912 123 4567"}], "same phone number"),
    ],
)
@translation.override("en")
def test_duplicate_by_email_or_phone_is_reported_not_saved(users, contacts, reason):
    first = create_person(
        users["sales"],
        data={"first_name": "Ali", "last_name": "K"},
        contacts=[{"kind": "email", "value": "ali@example.com"}, {"kind": "phone", "value": "09121234567"}],
    )
    count = Party.objects.count()
    with pytest.raises(duplicates.DuplicateFound) as caught:
        create_person(users["sales"], data={"first_name": "Other", "last_name": "Name"}, contacts=contacts)
    assert [d.party for d in caught.value.duplicates] == [first]
    assert reason in caught.value.duplicates[0].reasons
    assert Party.objects.count() == count
    create_person(
        users["sales"],
        data={"first_name": "Other", "last_name": "Name"},
        contacts=contacts,
        allow_duplicate=True,
    )
    assert Party.objects.count() == count + 1


def test_same_name_is_a_duplicate_only_within_the_same_organisation(users, make_org):
    org = make_org()
    other_org = make_org(name="Other Co")
    create_person(users["sales"], organisations=[(org, "مدیر")])
    create_person(users["sales"], organisations=[(other_org, "")])  # same name elsewhere: fine
    with pytest.raises(duplicates.DuplicateFound):
        services.parties.party_create(
            actor=users["sales"],
            kind=Kind.PERSON,
            data=PartyInput(first_name="علی", last_name="کریمی"),
            organisations=[(org, "")],
        )


def test_organisation_with_the_same_normalised_name_is_a_duplicate(users, make_org):
    make_org(name="شركت پيوند")
    with pytest.raises(duplicates.DuplicateFound):
        services.parties.party_create(
            actor=users["sales"], kind=Kind.ORGANISATION, data=PartyInput(name="شرکت  پیوند")
        )


def test_update_records_old_and_new_values(users, make_person):
    party = make_person()
    services.parties.party_update(
        party=party, actor=users["sales"], data=PartyInput(stage=Stage.PROSPECT, email_consent=True)
    )
    event = AuditEvent.objects.filter(party_id=party.pk, kind="update").get()
    assert event.changes["stage"] == ["suspect", "prospect"]
    assert event.changes["email_consent"] == [False, True]
    party.refresh_from_db()
    assert party.email_consent_at is not None and party.email_consent_source == "manual"
    assert event.actor == users["sales"]


def test_contact_point_primary_is_unique_and_moves(users, make_person):
    party = make_person()
    a = services.contacts.contact_point_add(
        party=party, actor=users["sales"], data=ContactInput(kind="email", value="a@x.ir")
    )
    b = services.contacts.contact_point_add(
        party=party, actor=users["sales"], data=ContactInput(kind="email", value="b@x.ir", is_primary=True)
    )
    a.refresh_from_db()
    assert (a.is_primary, b.is_primary) == (False, True)
    party.refresh_from_db()
    assert party.primary_email == "b@x.ir"
    services.contacts.contact_point_delete(point=b, actor=users["sales"])
    a.refresh_from_db()
    party.refresh_from_db()
    assert a.is_primary and party.primary_email == "a@x.ir"
    with pytest.raises(ValidationError):
        services.contacts.contact_point_add(
            party=party, actor=users["sales"], data=ContactInput(kind="email", value="A@X.IR")
        )


def test_delete_goes_to_trash_and_restore_brings_relations_back(users, make_person, make_org):
    org = make_org()
    party = make_person(contacts=[{"kind": "email", "value": "t@x.ir"}], organisations=[(org, "CEO")])
    services.notes.note_add(party=party, actor=users["sales"], body="hello")
    interaction_services.interactions.interaction_log(
        party=party, actor=users["sales"], data=InteractionInput(channel="phone", subject="call")
    )
    old_point = services.contacts.contact_point_add(
        party=party, actor=users["sales"], data=ContactInput(kind="phone", value="09120000000")
    )
    services.contacts.contact_point_delete(
        point=old_point, actor=users["sales"]
    )  # deleted earlier: stays deleted

    services.parties.party_delete(party=party, actor=users["sales"])
    assert not Party.objects.filter(pk=party.pk).exists()
    assert not ContactPoint.objects.filter(party_id=party.pk).exists()
    assert not Membership.objects.filter(person_id=party.pk).exists()
    assert not Interaction.objects.filter(party_id=party.pk).exists()
    assert [p.pk for p in selectors.trash.trash_list(user=users["admin"])] == [party.pk]

    with pytest.raises(PermissionDenied):
        services.parties.party_restore(party=party, actor=users["manager"])
    services.parties.party_restore(party=party, actor=users["admin"])
    assert Party.objects.filter(pk=party.pk).exists()
    assert list(ContactPoint.objects.filter(party_id=party.pk).values_list("value", flat=True)) == ["t@x.ir"]
    assert Membership.objects.filter(person_id=party.pk, title="CEO").exists()
    assert Note.objects.filter(party_id=party.pk).count() == 1
    assert Interaction.objects.filter(party_id=party.pk).count() == 1
    assert AuditEvent.objects.filter(party_id=party.pk, kind="restore").exists()


def test_merge_moves_every_related_row_and_loses_nothing(users, make_person, make_org):
    org = make_org()
    org2 = make_org(name="Second Org")
    survivor = make_person(
        contacts=[{"kind": "email", "value": "same@x.ir"}], organisations=[(org, "Dev")], tags=["vip"]
    )
    other = make_person(
        first_name="Ali",
        last_name="Karimi",
        data={"date_of_birth": dt.date(1990, 1, 2), "national_id": "0013542419"},
        contacts=[{"kind": "email", "value": "same@x.ir"}, {"kind": "phone", "value": "09121111111"}],
        organisations=[(org, "Lead"), (org2, "Advisor")],
        tags=["vip", "lead"],
    )
    interaction_services.interactions.interaction_log(
        party=other, actor=users["sales"], data=InteractionInput(channel="sms", subject="hi")
    )
    services.notes.note_add(party=other, actor=users["sales"], body="remember")

    services.merge.party_merge(survivor=survivor, other=other, actor=users["sales"])

    survivor.refresh_from_db()
    other = Party.all_objects.get(pk=other.pk)
    assert other.deleted_at is not None and other.merged_into_id == survivor.pk
    assert survivor.date_of_birth == dt.date(1990, 1, 2) and survivor.national_id == "0013542419"
    assert sorted(ContactPoint.objects.filter(party=survivor).values_list("value", flat=True)) == [
        "+989121111111",
        "same@x.ir",
    ]
    assert ContactPoint.objects.filter(party=survivor, is_primary=True).count() == 2
    assert sorted(
        Membership.objects.filter(person=survivor).values_list("organisation__name", flat=True)
    ) == ["Second Org", "شرکت نمونه"]
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["lead", "vip"]
    assert Interaction.objects.filter(party=survivor).count() == 1
    notes = [selectors.parties.note_text(note) for note in Note.objects.filter(party=survivor)]
    assert "remember" in notes
    assert any("Ali Karimi" in n for n in notes)  # the other's name, not kept, is written down
    assert not PartyTag.objects.filter(party_id=other.pk).exists()
    assert AuditEvent.objects.filter(party_id=survivor.pk, kind="merge").get().changes["merged"] == [
        other.pk,
        survivor.pk,
    ]
    # The survivor's timeline includes the other's history.
    assert other.pk in selectors.parties.party_merged_ids(party=survivor)
    assert selectors.parties.party_resolve_merged(pk=other.pk) == survivor


def test_merge_refuses_mixed_kinds_and_foreign_records(users, make_person, make_org):
    person, org = make_person(), make_org()
    with pytest.raises(ValidationError):
        services.merge.party_merge(survivor=person, other=org, actor=users["admin"])
    foreign = make_person(owner="outsider", first_name="X")
    with pytest.raises(PermissionDenied):
        services.merge.party_merge(survivor=person, other=foreign, actor=users["sales"])
    assert Party.objects.filter(pk=foreign.pk).exists()


def test_bulk_actions_touch_only_what_the_actor_may_change(users, make_person):
    mine = make_person(owner="sales")
    teammate = make_person(owner="sales2", first_name="B")
    result = services.tags.party_bulk_add_tag(
        actor=users["sales"], party_ids=[mine.pk, teammate.pk], tag_name="هدف"
    )
    assert (result.changed, result.skipped) == (1, 1)
    assert list(mine.tags.values_list("name", flat=True)) == ["هدف"]
    assert not teammate.tags.exists()

    result = services.tags.party_bulk_assign_owner(
        actor=users["manager"], party_ids=[mine.pk, teammate.pk], owner=users["sales2"]
    )
    assert (result.changed, result.skipped) == (1, 0)
    mine.refresh_from_db()
    assert mine.owner == users["sales2"]
    with pytest.raises(ValidationError):
        services.tags.party_bulk_assign_owner(
            actor=users["manager"], party_ids=[mine.pk], owner=users["outsider"]
        )
    mine.refresh_from_db()
    assert mine.owner == users["sales2"]


def test_a_list_brings_each_customers_tags_in_name_order_without_more_queries(
    users, make_person, django_assert_num_queries
):
    make_person(first_name="الف", tags=["VIP", "نمایشگاه", "B2B"])
    make_person(first_name="ب", tags=["VIP"])
    make_person(first_name="پ")
    page = selectors.parties.party_list(
        user=users["admin"],
        kind=Kind.PERSON,
        filters=selectors.parties.PartyFilters(),
        sort="name",
        with_count=False,
    )
    with django_assert_num_queries(0):
        tags = {p.first_name: [t.name for t in p.tags.all()] for p in page.items}
    assert tags == {"الف": ["B2B", "VIP", "نمایشگاه"], "ب": ["VIP"], "پ": []}


@pytest.mark.parametrize("site", ["javascript:alert(1)", "data:text/html,x", "not a site"])
def test_an_organisations_website_is_a_web_address(users, site):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.parties.party_create(
            actor=users["admin"], kind="organisation", data=PartyInput(name="آلفا", website=site)
        )
    assert "website" in caught.value.message_dict


def test_a_bare_domain_is_a_website(users):
    party = services.parties.party_create(
        actor=users["admin"], kind="organisation", data=PartyInput(name="آلفا", website="Alfa.example")
    )
    assert party.website == "alfa.example"
