import datetime as dt
import re

import pytest
from django.utils import translation

from peyvand.core.models import AuditEvent
from peyvand.core.text import search_key
from peyvand.customers import services
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.rules import PartyInput
from peyvand.interactions import services as interaction_services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput


@pytest.fixture
def as_user(client, users):
    def login(name):
        client.force_login(users[name])
        return client

    return login


def test_pages_require_login(client, db):
    for url in ["/", "/person/", "/organisation/", "/customers/1/", "/admin/trash/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_list_finds_arabic_spelling_with_persian_query_and_back(as_user, make_person):
    make_person(first_name="Placeholder")
    stored = Party.objects.get(first_name="Placeholder")
    # Written straight to the table, as an old system or a raw import would have left it;
    # only the search key is computed, as every write path computes it.
    Party.objects.filter(pk=stored.pk).update(
        first_name="علي", last_name="كريمي", display_name="علي كريمي", search_text=search_key("علي كريمي")
    )
    client = as_user("sales")
    html = client.get("/person/", {"q": "علی کریمی"}).content.decode()
    assert "علي كريمي" in html
    other = make_person(first_name="رضا", last_name="کاظمی")
    html = client.get("/person/", {"q": "رضا كاظمي"}).content.decode()
    assert other.display_name in html and "علي كريمي" not in html


def test_list_search_by_phone_in_persian_digits(as_user, make_person):
    make_person(contacts=[{"kind": "phone", "value": "09121234567"}])
    make_person(first_name="Zorro", contacts=[{"kind": "phone", "value": "09350000000"}])
    html = as_user("sales").get("/person/", {"q": "۰۹۱۲۱۲۳"}).content.decode()
    assert "علی کریمی" in html and "Zorro" not in html


def test_list_filters_by_jalali_and_gregorian_dates(as_user, make_person):
    old = make_person(first_name="Oldfield")
    Party.objects.filter(pk=old.pk).update(created_at=dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    make_person(first_name="Newcomb")
    client = as_user("sales")
    for start, end in (
        ("1402/12/01", "1402/12/20"),
        ("2024-02-20", "2024-03-10"),
        ("۱۴۰۲/۱۲/۰۱", "۱۴۰۲/۱۲/۲۰"),
    ):
        html = client.get("/person/", {"created_from": start, "created_to": end}).content.decode()
        assert "Oldfield" in html and "Newcomb" not in html, (start, end)


def test_invalid_filter_date_shows_an_error_not_a_500(as_user, make_person):
    make_person()
    response = as_user("sales").get("/person/", {"created_from": "1403/13/40"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_bad_cursor_is_an_error_message_not_a_500(as_user):
    response = as_user("sales").get("/person/", {"cursor": "!!garbage"})
    assert response.status_code == 302


def test_list_query_count_does_not_grow_with_rows(as_user, make_person, users, queries):
    client = as_user("manager")
    make_person(tags=["a"])
    client.get("/person/")  # warm caches (content types, sessions)
    with queries() as few:
        assert client.get("/person/").status_code == 200
    for i in range(30):
        make_person(first_name=f"P{i}", tags=["a", f"t{i}"], owner="sales2" if i % 2 else "sales")
    with queries() as many:
        assert client.get("/person/").status_code == 200
    assert len(many) == len(few)


def test_list_pages_walk_all_rows_once_in_both_directions(as_user, make_person, monkeypatch):
    names = [f"n{i:02d}" for i in range(7)]
    for name in names:
        make_person(first_name=name, last_name="Pager")
    client = as_user("admin")

    def names_and_links(url):
        html = client.get(url).content.decode()
        found = re.findall(r'class="fw-medium">(n\d\d) Pager<', html)
        links = dict(re.findall(r'rel="(next|prev)" href="([^"]+)"', html))
        return found, {k: "/person/" + v.replace("&amp;", "&") for k, v in links.items()}

    from peyvand.customers.views import parties as views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    seen, pages = [], []
    url = "/person/?sort=-name&q=Pager"
    while url:
        found, links = names_and_links(url)
        seen.extend(found)
        pages.append(found)
        url = links.get("next")
    assert seen == sorted(names, reverse=True)
    assert [len(p) for p in pages] == [3, 3, 1]
    back, links = names_and_links(names_and_links(links["prev"])[1]["prev"])
    assert back == pages[0] and "prev" not in links


def test_create_person_with_jalali_birth_date_and_phone(as_user, users):
    client = as_user("sales")
    response = client.post(
        "/person/new/",
        {
            "first_name": "سارا",
            "last_name": "احمدي",
            "date_of_birth": "۱۳۷۰/۰۶/۳۱",
            "source": "phone",
            "stage": "prospect",
            "phone": "۰۹۱۲ ۱۱۱ ۲۲۳۳",
            "phone_label": "mobile",
            "email": "Sara@Example.com",
            "tags": "VIP، نمایشگاه",
            "owner": users["sales"].pk,
        },
    )
    party = Party.objects.get(last_name="احمدی")
    assert response.status_code == 302 and response["Location"] == f"/customers/{party.pk}/"
    assert party.date_of_birth == dt.date(1991, 9, 22)
    assert party.primary_phone == "+989121112233" and party.primary_email == "sara@example.com"
    assert sorted(party.tags.values_list("name", flat=True)) == ["VIP", "نمایشگاه"]


def test_create_with_bad_input_shows_errors_and_writes_nothing(as_user):
    client = as_user("sales")
    before = Party.all_objects.count(), AuditEvent.objects.count()
    response = client.post(
        "/person/new/",
        {
            "first_name": "",
            "last_name": "",
            "date_of_birth": "1370/13/01",
            "source": "phone",
            "stage": "prospect",
            "phone": "12",
            "phone_label": "mobile",
            "email": "not-an-email",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("invalid-feedback") >= 3
    assert (Party.all_objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_warning_offers_the_existing_record_then_allows_creating(as_user, make_person, users):
    existing = make_person(contacts=[{"kind": "phone", "value": "09121234567"}])
    client = as_user("sales")
    data = {
        "first_name": "Another",
        "last_name": "Person",
        "source": "phone",
        "stage": "prospect",
        "phone": "+98 912 123 4567",
        "phone_label": "mobile",
        "owner": users["sales"].pk,
    }
    response = client.post("/person/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="duplicates"' in html
    assert f"/customers/{existing.pk}/" in html
    assert not Party.objects.filter(first_name="Another").exists()
    response = client.post("/person/new/", {**data, "allow_duplicate": "on"})
    assert response.status_code == 302 and Party.objects.filter(first_name="Another").exists()


def test_duplicate_owned_by_someone_invisible_is_counted_not_shown(as_user, make_person):
    make_person(owner="outsider", first_name="Secret", contacts=[{"kind": "email", "value": "s@x.ir"}])
    html = (
        as_user("sales")
        .post(
            "/person/new/",
            {
                "first_name": "Me",
                "last_name": "Too",
                "source": "phone",
                "stage": "prospect",
                "phone_label": "mobile",
                "email": "S@X.IR",
            },
        )
        .content.decode()
    )
    assert 'data-testid="duplicates"' in html and "Secret" not in html


def test_detail_page_shows_everything_and_escapes_names(as_user, make_person, make_org, users):
    org = make_org(name="<b>Org</b>")
    party = make_person(
        first_name="<script>alert(1)</script>",
        contacts=[{"kind": "phone", "value": "09121234567"}],
        organisations=[(org, "مدیر فروش")],
    )
    interaction_services.interactions.interaction_log(
        party=party, actor=users["sales"], data=InteractionInput(channel="phone", subject="تماس <i>ورودی</i>")
    )
    html = as_user("sales").get(f"/customers/{party.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Org&lt;/b&gt;" in html and "<i>ورودی</i>" not in html
    assert "0912 123 4567" in html or "۰۹۱۲ ۱۲۳ ۴۵۶۷" in html
    assert "مدیر فروش" in html


def test_detail_query_count_does_not_grow_with_history(as_user, make_person, users, queries):
    party = make_person(contacts=[{"kind": "phone", "value": "09121234567"}])

    def add_history(count):
        for i in range(count):
            interaction_services.interactions.interaction_log(
                party=party, actor=users["sales"], data=InteractionInput(channel="sms", subject=f"s{i}")
            )
            services.notes.note_add(party=party, actor=users["sales"], body=f"note {i}")
            services.parties.party_update(
                party=party, actor=users["admin"], data=PartyInput(stage="prospect" if i % 2 else "customer")
            )
            owner = users["sales2"] if i % 2 == 0 else users["sales"]  # a change naming users: one lookup
            services.parties.party_update(party=party, actor=users["admin"], data=PartyInput(owner=owner))

    add_history(2)  # every kind of entry, ending with the same owner, so both pages take the same paths
    client = as_user("sales")
    client.get(f"/customers/{party.pk}/")
    with queries() as few:
        client.get(f"/customers/{party.pk}/")
    add_history(40)
    with queries() as many:
        response = client.get(f"/customers/{party.pk}/")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_timeline_fragment_filters_by_channel_and_pages(as_user, make_person, users):
    party = make_person()
    for i in range(25):
        interaction_services.interactions.interaction_log(
            party=party,
            actor=users["sales"],
            data=InteractionInput(channel="sms" if i % 5 else "fax", subject=f"subject-{i:02d}"),
        )
    client = as_user("sales")
    html = client.get(f"/customers/{party.pk}/timeline/", {"channel": "fax"}).content.decode()
    assert html.count('data-kind="interaction"') == 5 and "subject-01" not in html
    first = client.get(f"/customers/{party.pk}/timeline/", {"kind": "interaction"}).content.decode()
    assert (first.count('data-kind="interaction"') == 20 and "Show more" in first) or "نمایش بیشتر" in first
    assert client.get(f"/customers/{party.pk}/timeline/", {"cursor": "bogus"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 404), ("readonly", 404), ("sales2", 200), ("manager", 200)]
)
def test_detail_visibility_per_role(as_user, make_person, role, status):
    party = make_person(owner="sales")
    assert as_user(role).get(f"/customers/{party.pk}/").status_code == status


@pytest.mark.parametrize("role", ["sales2", "support", "outsider", "readonly"])
def test_editing_someone_elses_customer_is_refused_and_changes_nothing(as_user, make_person, role):
    party = make_person(owner="sales")
    client = as_user(role)
    response = client.post(
        f"/customers/{party.pk}/edit/",
        {"first_name": "Hacked", "last_name": "x", "source": "other", "stage": "customer"},
    )
    assert response.status_code in (403, 404)
    assert client.post(f"/customers/{party.pk}/delete/").status_code in (403, 404)
    party.refresh_from_db()
    assert party.first_name == "علی" and party.deleted_at is None


def test_cross_owner_contact_and_note_ids_are_refused(as_user, make_person, users):
    party = make_person(owner="sales", contacts=[{"kind": "email", "value": "a@x.ir"}])
    point = ContactPoint.objects.get(party=party)
    note = services.notes.note_add(party=party, actor=users["sales"], body="private")
    client = as_user("outsider")
    assert client.post(f"/contacts/{point.pk}/delete/").status_code == 404
    assert client.post(f"/notes/{note.pk}/delete/").status_code == 404
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 404
    assert ContactPoint.objects.filter(pk=point.pk).exists()


def test_log_interaction_from_the_page_with_jalali_time(as_user, make_person, users):
    party = make_person()
    client = as_user("support")
    response = client.post(
        f"/customers/{party.pk}/interactions/new/",
        {
            "channel": "phone",
            "direction": "inbound",
            "occurred_at": "۱۴۰۳/۰۵/۱۲ ۱۴:۳۰",
            "subject": "پیگیری سفارش",
            "outcome": "completed",
            "handled_by": users["support"].pk,
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(party=party)
    assert interaction.occurred_at == dt.datetime(2024, 8, 2, 11, 0, tzinfo=dt.UTC)
    assert "پیگیری سفارش" in client.get(f"/customers/{party.pk}/").content.decode()


def test_bulk_assign_and_tag(as_user, make_person, users):
    a, b = make_person(owner="sales"), make_person(owner="outsider", first_name="B")
    client = as_user("manager")
    client.post("/person/bulk/", {"ids": [a.pk, b.pk], "action": "assign", "owner": users["sales2"].pk})
    client.post("/person/bulk/", {"ids": [a.pk, b.pk], "action": "tag", "tag": "هدف"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.owner == users["sales2"] and b.owner == users["outsider"]
    assert list(a.tags.values_list("name", flat=True)) == ["هدف"] and not b.tags.exists()


def test_merge_through_the_page(as_user, make_person):
    keep = make_person(contacts=[{"kind": "email", "value": "one@x.ir"}])
    drop = make_person(first_name="Dup", contacts=[{"kind": "phone", "value": "09120000001"}])
    client = as_user("sales")
    assert "Dup" in client.get(f"/customers/{keep.pk}/merge/", {"other": drop.pk}).content.decode()
    response = client.post(f"/customers/{keep.pk}/merge/", {"other": drop.pk, "survivor": "this"})
    assert response.status_code == 302
    assert ContactPoint.objects.filter(party=keep).count() == 2
    # The old address of the merged record leads to the survivor.
    assert client.get(f"/customers/{drop.pk}/")["Location"] == f"/customers/{keep.pk}/"


def test_trash_is_for_administrators(as_user, make_person, users):
    party = make_person()
    services.parties.party_delete(party=party, actor=users["sales"])
    assert as_user("manager").get("/admin/trash/").status_code == 403
    assert as_user("manager").post(f"/admin/trash/{party.pk}/restore/").status_code == 403
    client = as_user("admin")
    assert party.display_name in client.get("/admin/trash/").content.decode()
    assert client.post(f"/admin/trash/{party.pk}/restore/").status_code == 302
    assert Party.objects.filter(pk=party.pk).exists()


def test_contact_point_bad_phone_shows_error(as_user, make_person):
    party = make_person()
    response = as_user("sales").post(
        f"/customers/{party.pk}/contacts/new/", {"kind": "phone", "label": "mobile", "value": "abc"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ContactPoint.objects.filter(party=party).exists()


def test_organisation_list_and_person_creation_inside_it(as_user, make_org):
    org = make_org(name="بازرگانی پارس")
    client = as_user("sales")
    assert "بازرگانی پارس" in client.get("/organisation/").content.decode()
    response = client.post(
        "/person/new/",
        {
            "first_name": "Nima",
            "last_name": "R",
            "source": "other",
            "stage": "suspect",
            "phone_label": "mobile",
            "organisation": org.pk,
            "title": "CEO",
        },
    )
    assert response.status_code == 302
    person = Party.objects.get(first_name="Nima")
    assert person.memberships.get().organisation == org
    assert "Nima" in client.get(f"/customers/{org.pk}/").content.decode()


def test_unknown_kind_is_404(as_user):
    assert as_user("sales").get("/robots/").status_code == 404
    assert as_user("sales").get("/customers/99999/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/customers/99999999999999999999999/",
        "/customers/99999999999999999999999/edit/",
        "/customers/1/merge/?other=99999999999999999999999",
        "/person/?owner=99999999999999999999999&tag=x",
        "/customers/search/?kind=organisation&q=%00",
        "/person/?q=%00&sort=bogus",
    ],
)
def test_hostile_ids_and_parameters_never_give_a_500(as_user, make_person, url):
    make_person()
    assert as_user("admin").get(url).status_code in (200, 302, 400, 404)


def test_hostile_bulk_ids_are_refused_cleanly(as_user, make_person):
    party = make_person()
    response = as_user("admin").post(
        "/person/bulk/", {"ids": ["99999999999999999999999", "x"], "action": "tag", "tag": "t"}
    )
    assert response.status_code == 302
    assert not party.tags.exists()


def test_a_call_logged_at_the_time_shown_happened_now_to_the_second(as_user, make_person, users):
    party = make_person()
    client = as_user("sales")
    html = client.get(f"/customers/{party.pk}/").content.decode()
    shown = re.search(r'name="occurred_at_shown" value="([^"]+)"', html).group(1)
    client.post(
        f"/customers/{party.pk}/interactions/new/",
        {
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": shown,
            "occurred_at_shown": shown,
            "subject": "just now",
            "handled_by": users["sales"].pk,
        },
    )
    interaction = Interaction.objects.get(party=party)
    assert interaction.occurred_at.second != 0 or interaction.occurred_at.microsecond != 0
    page = client.get(f"/customers/{party.pk}/timeline/").content.decode()
    assert page.index('data-kind="interaction"') < page.index('data-kind="change"')


@pytest.mark.parametrize("owner", ["abc", "99999999999999999999999", "-1", "", "12abc", "0"])
def test_bulk_assign_to_a_bad_owner_is_an_error_and_changes_nothing(as_user, make_person, users, owner):
    party = make_person(owner="sales")
    client = as_user("admin")
    response = client.post(
        "/person/bulk/",
        {"ids": [party.pk], "action": "assign", "owner": owner},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Choose an active user."]
    party.refresh_from_db()
    assert party.owner == users["sales"]
    assert not AuditEvent.objects.filter(object_id=party.pk, kind="update").exists()


def test_bulk_assign_to_an_inactive_user_is_refused_and_to_nobody_works(as_user, make_person, users):
    party = make_person(owner="sales")
    users["sales2"].is_active = False
    users["sales2"].save()
    client = as_user("admin")
    client.post("/person/bulk/", {"ids": [party.pk], "action": "assign", "owner": users["sales2"].pk})
    party.refresh_from_db()
    assert party.owner == users["sales"]
    client.post("/person/bulk/", {"ids": [party.pk], "action": "assign", "owner": "none"})
    party.refresh_from_db()
    assert party.owner is None
    # Persian digits are a user's id too.
    persian_id = str(users["sales"].pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    client.post("/person/bulk/", {"ids": [party.pk], "action": "assign", "owner": persian_id})
    party.refresh_from_db()
    assert party.owner == users["sales"]


def test_create_with_an_unknown_phone_type_is_a_form_error(as_user):
    before = Party.all_objects.count()
    response = as_user("sales").post(
        "/person/new/",
        {"first_name": "Ali", "phone": "abc", "phone_label": "bogus", "source": "other", "stage": "suspect"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "phone_label" in form.errors and "phone" in form.errors
    assert Party.all_objects.count() == before


def test_editing_is_all_or_nothing_when_a_tag_is_refused(as_user, make_person):
    party = make_person(first_name="Before", tags=["old"])
    response = as_user("sales").post(
        f"/customers/{party.pk}/edit/",
        {"first_name": "After", "last_name": "X", "source": "other", "stage": "suspect", "tags": "t" * 60},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "tags" in response.context["form"].errors
    party.refresh_from_db()
    assert party.first_name == "Before"
    assert [t.name for t in party.tags.all()] == ["old"]
    assert not AuditEvent.objects.filter(party_id=party.pk, kind="update").exists()


def test_editing_fields_and_tags_is_one_change(as_user, make_person):
    party = make_person(first_name="Before", tags=["old"])
    as_user("sales").post(
        f"/customers/{party.pk}/edit/",
        {"first_name": "After", "last_name": "X", "source": "other", "stage": "suspect", "tags": "new, old"},
    )
    party.refresh_from_db()
    assert party.first_name == "After"
    assert sorted(t.name for t in party.tags.all()) == ["new", "old"]


@pytest.mark.parametrize("url", ["/person/new/", "edit"])
def test_a_too_long_first_name_is_the_only_error(as_user, make_person, url):
    if url == "edit":
        url = f"/customers/{make_person(owner='sales', last_name='').pk}/edit/"
    response = as_user("sales").post(
        url,
        {"first_name": "x" * 150, "source": "other", "stage": "suspect", "phone_label": "mobile"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    with translation.override("en"):
        errors = {name: list(messages) for name, messages in response.context["form"].errors.items()}
    assert errors == {"first_name": ["Use at most 100 characters (this has 150)."]}
    assert 'maxlength="100"' in response.content.decode()


def test_editing_an_unowned_customer_without_an_owner_field_saves(as_user, make_person):
    party = make_person(owner="sales")
    Party.objects.filter(pk=party.pk).update(owner=None)
    response = as_user("manager").post(
        f"/customers/{party.pk}/edit/", {"first_name": "Nobody's", "source": "other", "stage": "suspect"}
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.first_name == "Nobody's" and party.owner is None


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)"])
def test_bulk_actions_never_send_the_user_to_another_site(as_user, make_person, target):
    party = make_person()
    response = as_user("sales").post(
        "/person/bulk/", {"ids": [party.pk], "action": "tag", "tag": "t", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/person/"
