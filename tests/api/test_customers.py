"""People, organisations, contact points, memberships, notes and tags through the API."""

import datetime as dt

import jdatetime
import pytest
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.core.text import to_persian_digits
from peyvand.customers.models import ContactPoint, Kind, Membership, Note, Party
from tests.api.conftest import assert_error, ids


def test_create_a_person_with_contacts_organisations_and_tags(api, make_org, users):
    org = make_org(name="شرکت پیوند")
    response = api.post(
        "/people",
        {
            "first_name": "علي",
            "last_name": "كريمي",
            "date_of_birth": "۱۳۷۰/۰۵/۱۲",
            "owner": users["sales"].pk,
            "stage": "prospect",
            "source": "website",
            "sms_consent": True,
            "contacts": [
                {"kind": "phone", "value": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "label": "mobile"},
                {"kind": "email", "value": "Ali@Example.com"},
            ],
            "organisations": [{"id": org.pk, "title": "مدیر فروش"}],
            "tags": ["مشتري ويژه", "VIP"],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "person" and data["display_name"] == "علی کریمی"
    assert data["date_of_birth"] == jdatetime.date(1370, 5, 12).togregorian().isoformat()
    assert data["owner"]["id"] == users["sales"].pk
    assert (data["stage"], data["source"], data["sms_consent"]) == ("prospect", "website", True)
    assert data["sms_consent_at"].endswith("Z")
    assert data["primary_phone"] == "+989121234567" and data["primary_email"] == "ali@example.com"
    assert [c["value"] for c in data["contact_points"]] == ["ali@example.com", "+989121234567"]
    assert data["memberships"][0]["organisation"] == {
        "id": org.pk,
        "kind": "organisation",
        "display_name": "شرکت پیوند",
    }
    assert data["memberships"][0]["title"] == "مدیر فروش"
    assert sorted(t["name"] for t in data["tags"]) == ["VIP", "مشتری ویژه"]
    assert "name" not in data and "website" not in data  # organisations' fields
    party = Party.objects.get(pk=data["id"])
    assert party.created_by == users["admin"]


def test_create_an_organisation_and_read_update_delete_it(api, users):
    response = api.post(
        "/organisations",
        {"name": "  پخش   البرز ", "website": "Example.COM", "industry": "پخش", "owner": None},
    )
    assert response.status_code == 201, response.content
    org = response.json()
    assert (org["name"], org["website"], org["owner"]) == ("پخش البرز", "example.com", None)
    assert "first_name" not in org

    assert api.get(f"/organisations/{org['id']}").json()["name"] == "پخش البرز"
    response = api.patch(f"/organisations/{org['id']}", {"industry": "توزیع", "owner": users["manager"].pk})
    assert response.status_code == 200, response.content
    assert response.json()["industry"] == "توزیع" and response.json()["owner"]["username"] == "manager"

    assert api.delete(f"/organisations/{org['id']}").status_code == 204
    assert_error(api.get(f"/organisations/{org['id']}"), 404, "not_found")
    assert org["id"] not in ids(api.get("/organisations"))
    assert Party.all_objects.get(pk=org["id"]).deleted_at is not None


def test_people_and_organisations_are_separate_lists(api, make_person, make_org):
    person, org = make_person(), make_org()
    assert ids(api.get("/people")) == [person.pk]
    assert ids(api.get("/organisations")) == [org.pk]
    assert_error(api.get(f"/organisations/{person.pk}"), 404, "not_found")
    assert_error(api.patch(f"/people/{org.pk}", {"first_name": "x"}), 404, "not_found")


def test_patch_changes_only_the_fields_sent_and_is_audited(api, make_person, users):
    person = make_person(first_name="علی", last_name="کریمی", data={"stage": "prospect"})
    response = api.patch(f"/people/{person.pk}", {"last_name": "رضایی", "date_of_birth": "1990-01-02"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["first_name"], data["last_name"], data["stage"]) == ("علی", "رضایی", "prospect")
    assert data["date_of_birth"] == "1990-01-02"
    event = AuditEvent.objects.filter(object_id=person.pk, kind="update").get()
    assert event.changes["last_name"] == ["کریمی", "رضایی"]

    response = api.patch(f"/people/{person.pk}", {"owner": None, "date_of_birth": None})
    assert response.json()["owner"] is None and response.json()["date_of_birth"] is None


def test_patch_refuses_fields_of_the_other_kind_and_service_rules(api, make_person):
    person = make_person()
    assert_error(api.patch(f"/people/{person.pk}", {"name": "Acme"}), 422, "validation_error", "name")
    error = assert_error(
        api.patch(f"/people/{person.pk}", {"first_name": "", "last_name": ""}),
        422,
        "validation_error",
    )
    assert error["fields"][0]["field"] == "last_name"
    assert_error(api.patch(f"/people/{person.pk}", {"stage": "bogus"}), 422, "validation_error", "stage")
    assert_error(
        api.patch(f"/people/{person.pk}", {"date_of_birth": "2999-01-01"}),
        422,
        "validation_error",
        "date_of_birth",
    )
    assert_error(
        api.patch(f"/people/{person.pk}", {"national_id": "1234567890"}),
        422,
        "validation_error",
        "national_id",
    )


def test_owner_must_be_an_active_user_the_caller_may_assign(api_as, make_person, users):
    person = make_person(owner="sales")
    sales = api_as("sales")
    assert_error(sales.patch(f"/people/{person.pk}", {"owner": 999_999}), 422, "validation_error", "owner")
    assert_error(
        sales.patch(f"/people/{person.pk}", {"owner": users["sales2"].pk}),
        422,
        "validation_error",
        "owner",
    )
    users["sales2"].is_active = False
    users["sales2"].save()
    assert_error(
        api_as("admin").patch(f"/people/{person.pk}", {"owner": users["sales2"].pk}),
        422,
        "validation_error",
        "owner",
    )
    assert Party.objects.get(pk=person.pk).owner == users["sales"]


def test_a_created_customer_defaults_to_the_caller_as_owner(api_as, users):
    response = api_as("sales").post("/people", {"last_name": "نوری"})
    assert response.json()["owner"]["id"] == users["sales"].pk


def test_duplicate_is_409_with_candidates_then_allowed_on_request(api_as, make_person, users):
    existing = make_person(owner="sales", contacts=[{"kind": "email", "value": "ali@example.com"}])
    body = {
        "first_name": "Ali",
        "last_name": "K",
        "contacts": [{"kind": "email", "value": "ALI@example.com"}],
    }
    client = api_as("sales2")
    error = assert_error(client.post("/people", body), 409, "duplicate")
    assert error["duplicates"] == [
        {
            "id": existing.pk,
            "kind": "person",
            "display_name": existing.display_name,
            "reasons": ["same email address"],
        }
    ]
    assert error["hidden_duplicates"] == 0
    assert Party.objects.filter(kind=Kind.PERSON).count() == 1

    response = client.post("/people", {**body, "allow_duplicate": True})
    assert response.status_code == 201
    assert Party.objects.filter(kind=Kind.PERSON).count() == 2


def test_duplicate_the_caller_may_not_see_is_only_counted(api_as, make_person):
    make_person(owner="sales", contacts=[{"kind": "phone", "value": "09121234567"}])
    response = api_as("outsider").post(
        "/people", {"last_name": "X", "contacts": [{"kind": "phone", "value": "+98 912 123 4567"}]}
    )
    error = assert_error(response, 409, "duplicate")
    assert error["duplicates"] == [] and error["hidden_duplicates"] == 1
    assert "کریمی" not in response.content.decode()


def test_duplicate_on_a_changed_contact_point_is_409(api, make_person):
    make_person(first_name="A", contacts=[{"kind": "phone", "value": "09121234567"}])
    other = make_person(first_name="B")
    assert_error(
        api.post(f"/parties/{other.pk}/contact-points", {"kind": "phone", "value": "09121234567"}),
        409,
        "duplicate",
    )
    response = api.post(
        f"/parties/{other.pk}/contact-points",
        {"kind": "phone", "value": "09121234567", "allow_duplicate": True},
    )
    assert response.status_code == 201


def test_merge_keeps_the_survivor_and_moves_the_other_records_rows(api, make_person):
    survivor = make_person(first_name="علی", contacts=[{"kind": "email", "value": "a@example.com"}])
    other = make_person(first_name="علی", contacts=[{"kind": "phone", "value": "09121234567"}])
    Note.objects.create(party=other, body="old note")
    response = api.post(f"/people/{survivor.pk}/merge", {"other_id": other.pk})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == survivor.pk
    assert {c["value"] for c in data["contact_points"]} == {"a@example.com", "+989121234567"}
    assert_error(api.get(f"/people/{other.pk}"), 404, "not_found")
    assert Party.all_objects.get(pk=other.pk).merged_into_id == survivor.pk
    assert_error(api.post(f"/people/{survivor.pk}/merge", {"other_id": survivor.pk}), 422, "validation_error")
    assert_error(
        api.post(f"/people/{survivor.pk}/merge", {"other_id": other.pk}),
        422,
        "validation_error",
        "other_id",
    )


def test_merge_refuses_an_organisation_into_a_person(api, make_person, make_org):
    person, org = make_person(), make_org()
    assert_error(
        api.post(f"/people/{person.pk}/merge", {"other_id": org.pk}),
        422,
        "validation_error",
        "other_id",
    )
    assert Party.objects.filter(pk=org.pk).exists()


# --- search and filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [(("علي", "كريمي"), "علی کریمی"), (("علی", "کریمی"), "علي كريمي"), (("علی", "کریمی"), "كريمي")],
)
def test_search_folds_arabic_and_persian_letters(api, make_person, stored, typed):
    person = make_person(first_name=stored[0], last_name=stored[1])
    make_person(first_name="حسن", last_name="رضایی")
    assert ids(api.get("/people", {"q": typed})) == [person.pk]


@pytest.mark.parametrize("typed", ["۰۹۱۲۱۲۳۴۵۶۷", "09121234567", "+989121234567", "٠٩١٢١٢٣", "۴۵۶۷"])
def test_search_finds_a_phone_in_any_digits(api, make_person, typed):
    person = make_person(contacts=[{"kind": "phone", "value": "+98 912 123 4567"}])
    make_person(first_name="دیگر", contacts=[{"kind": "phone", "value": "09351112233"}])
    assert ids(api.get("/people", {"q": typed})) == [person.pk]


def test_filters_by_owner_tag_stage_and_source(api, make_person, users):
    mine = make_person(owner="sales", data={"stage": "customer", "source": "store"}, tags=["وفادار"])
    theirs = make_person(owner="sales2", first_name="رضا")
    nobody = make_person(owner="sales", first_name="مینا")
    Party.objects.filter(pk=nobody.pk).update(owner=None)
    tag_id = mine.tags.get().pk

    assert ids(api.get("/people", {"owner": users["sales"].pk})) == [mine.pk]
    assert ids(api.get("/people", {"owner": "none"})) == [nobody.pk]
    assert ids(api.get("/people", {"owner": to_persian_digits(str(users["sales2"].pk))})) == [theirs.pk]
    assert ids(api.get("/people", {"tag": tag_id})) == [mine.pk]
    assert ids(api.get("/people", {"stage": "customer"})) == [mine.pk]
    assert ids(api.get("/people", {"source": "store"})) == [mine.pk]
    assert ids(api.get("/people", {"stage": "customer", "owner": users["sales2"].pk})) == []


def test_created_date_filters_take_jalali_or_gregorian_in_any_digits(api, make_person):
    old, new = make_person(first_name="قدیمی"), make_person(first_name="جدید")
    Party.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    today = timezone.localdate()
    jalali_today = to_persian_digits(jdatetime.date.fromgregorian(date=today).strftime("%Y/%m/%d"))
    week_ago = (today - dt.timedelta(days=7)).isoformat()

    assert ids(api.get("/people", {"created_from": jalali_today})) == [new.pk]
    assert ids(api.get("/people", {"created_from": week_ago})) == [new.pk]
    assert ids(api.get("/people", {"created_to": week_ago})) == [old.pk]
    assert set(ids(api.get("/people", {"created_to": jalali_today}))) == {old.pk, new.pk}
    assert_error(api.get("/people", {"created_from": "1403/13/01"}), 422, "validation_error", "created_from")


def test_sorts_by_persian_alphabet_and_by_dates(api, make_person):
    names = ["گلناز", "بهرام", "کاوه", "پرویز", "آرش"]
    people = {name: make_person(first_name=name, last_name="") for name in names}
    expected = [people[n].pk for n in ["آرش", "بهرام", "پرویز", "کاوه", "گلناز"]]
    assert ids(api.get("/people", {"sort": "name"})) == expected
    assert ids(api.get("/people", {"sort": "-name"})) == expected[::-1]
    created = [people[n].pk for n in names]
    assert ids(api.get("/people", {"sort": "created"})) == created
    assert ids(api.get("/people", {"sort": "-created"})) == created[::-1]
    Party.objects.filter(pk=people["کاوه"].pk).update(updated_at=timezone.now() + dt.timedelta(minutes=1))
    assert ids(api.get("/people", {"sort": "-updated"}))[0] == people["کاوه"].pk


# --- contact points -----------------------------------------------------------------------


def test_contact_point_lifecycle(api, make_person):
    person = make_person(contacts=[{"kind": "phone", "value": "09121234567"}])
    url = f"/parties/{person.pk}/contact-points"
    response = api.post(url, {"kind": "phone", "value": "۰۲۱ ۸۸۸۸ ۷۷۷۷", "label": "work", "is_primary": True})
    assert response.status_code == 201, response.content
    point = response.json()
    assert (point["value"], point["is_primary"], point["party_id"]) == (
        "+982188887777",
        True,
        person.pk,
    )

    listed = api.get(url).json()["items"]
    assert [(p["value"], p["is_primary"]) for p in listed] == [
        ("+982188887777", True),
        ("+989121234567", False),
    ]
    assert api.get(f"/contact-points/{point['id']}").json()["label"] == "work"

    response = api.patch(f"/contact-points/{point['id']}", {"value": "+98 21 8888 6666", "label": "home"})
    assert response.status_code == 200, response.content
    assert (response.json()["value"], response.json()["label"]) == ("+982188886666", "home")
    assert api.get(f"/people/{person.pk}").json()["primary_phone"] == "+982188886666"

    assert api.delete(f"/contact-points/{point['id']}").status_code == 204
    assert_error(api.get(f"/contact-points/{point['id']}"), 404, "not_found")
    assert api.get(f"/people/{person.pk}").json()["primary_phone"] == "+989121234567"


def test_contact_point_errors_name_the_field(api, make_person):
    person = make_person()
    url = f"/parties/{person.pk}/contact-points"
    assert_error(api.post(url, {"kind": "phone", "value": "12"}), 422, "validation_error", "value")
    assert_error(api.post(url, {"kind": "email", "value": "not-an-email"}), 422, "validation_error", "value")
    assert_error(api.post(url, {"kind": "fax", "value": "1"}), 422, "validation_error", "kind")
    point = api.post(url, {"kind": "address", "city": "تهران", "street": "خیابان آزادی"}).json()
    assert point["value"] == "خیابان آزادی، تهران"
    assert_error(
        api.patch(f"/contact-points/{point['id']}", {"kind": "email"}),
        422,
        "validation_error",
        "kind",
    )


def test_contacts_on_create_report_the_item_at_fault(api):
    response = api.post(
        "/people",
        {
            "last_name": "x",
            "contacts": [
                {"kind": "email", "value": "ok@example.com"},
                {"kind": "phone", "value": "1"},
            ],
        },
    )
    assert_error(response, 422, "validation_error", "contacts.1.value")
    assert not Party.objects.exists()


# --- memberships --------------------------------------------------------------------------


def test_membership_lifecycle(api, make_person, make_org):
    person, org = make_person(), make_org(name="آلفا")
    url = f"/people/{person.pk}/memberships"
    response = api.post(url, {"organisation_id": org.pk, "title": "حسابدار"})
    assert response.status_code == 201, response.content
    membership = response.json()
    assert membership["person"]["id"] == person.pk and membership["organisation"]["display_name"] == "آلفا"

    listed = api.get(url).json()
    assert [m["id"] for m in listed["items"]] == [membership["id"]] and listed["next_cursor"] is None
    org_detail = api.get(f"/organisations/{org.pk}").json()
    assert [m["person"]["id"] for m in org_detail["memberships"]] == [person.pk]

    response = api.patch(f"/memberships/{membership['id']}", {"title": "مدیر مالی"})
    assert response.json()["title"] == "مدیر مالی"
    assert_error(api.post(url, {"organisation_id": org.pk}), 422, "validation_error", "organisation")
    assert api.delete(f"/memberships/{membership['id']}").status_code == 204
    assert api.get(url).json()["items"] == []
    assert not Membership.objects.filter(pk=membership["id"]).exists()


def test_membership_needs_an_organisation_the_caller_sees(api_as, make_person, make_org):
    person = make_person(owner="sales")
    hidden = make_org(owner="outsider")
    response = api_as("sales").post(f"/people/{person.pk}/memberships", {"organisation_id": hidden.pk})
    assert_error(response, 422, "validation_error", "organisation_id")
    response = api_as("sales").post(f"/people/{person.pk}/memberships", {"organisation_id": person.pk})
    assert_error(response, 422, "validation_error", "organisation_id")
    assert_error(api_as("sales").get(f"/people/{hidden.pk}/memberships"), 404, "not_found")


# --- notes and tags -----------------------------------------------------------------------


def test_note_lifecycle_and_only_the_author_changes_it(api_as, make_person):
    person = make_person(owner="sales")
    sales, sales2 = api_as("sales"), api_as("sales2")
    url = f"/parties/{person.pk}/notes"
    response = sales.post(url, {"body": "  تماس گرفت، پیگیری شود  "})
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["body"] == "تماس گرفت، پیگیری شود" and note["created_by"]["username"] == "sales"

    assert [n["id"] for n in sales2.get(url).json()["items"]] == [note["id"]]  # teammates see it
    assert_error(sales2.patch(f"/notes/{note['id']}", {"body": "changed"}), 403, "permission_denied")
    assert_error(sales2.delete(f"/notes/{note['id']}"), 403, "permission_denied")
    assert Note.objects.get(pk=note["id"]).body == "تماس گرفت، پیگیری شود"

    assert sales.patch(f"/notes/{note['id']}", {"body": "پیگیری شد"}).json()["body"] == "پیگیری شد"
    assert_error(sales.patch(f"/notes/{note['id']}", {"body": "   "}), 422, "validation_error", "body")
    assert sales.delete(f"/notes/{note['id']}").status_code == 204
    assert sales.get(url).json()["items"] == []


def test_tags_are_replaced_normalised_and_listed(api, make_person):
    person = make_person(tags=["قدیمی"])
    response = api.put(f"/parties/{person.pk}/tags", {"names": ["مشتري ويژه", "مشتری ویژه", "VIP", " "]})
    assert response.status_code == 200, response.content
    assert [t["name"] for t in response.json()] == ["VIP", "مشتری ویژه"]
    assert sorted(t["name"] for t in api.get(f"/people/{person.pk}").json()["tags"]) == [
        "VIP",
        "مشتری ویژه",
    ]

    listed = api.get("/tags").json()["items"]
    assert [t["name"] for t in listed] == ["VIP", "قدیمی", "مشتری ویژه"]
    assert [t["name"] for t in api.get("/tags", {"q": "ويژه"}).json()["items"]] == ["مشتری ویژه"]
    page = api.get("/tags", {"limit": 2}).json()
    rest = api.get("/tags", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [t["name"] for t in page["items"] + rest["items"]] == ["VIP", "قدیمی", "مشتری ویژه"]

    assert api.put(f"/parties/{person.pk}/tags", {"names": []}).json() == []


def test_readonly_users_cannot_create(api_as):
    assert_error(api_as("readonly").post("/people", {"last_name": "x"}), 403, "permission_denied")
    assert not Party.objects.exists()


def test_contact_point_kinds_are_the_models(api, make_person):
    # The schema's choices come from the model, so the two cannot drift apart.
    person = make_person()
    for kind in ContactPoint.Kind.values:
        value = {"phone": "09121234567", "email": "x@example.com", "address": "تهران"}[kind]
        assert (
            api.post(f"/parties/{person.pk}/contact-points", {"kind": kind, "value": value}).status_code
            == 201
        )
