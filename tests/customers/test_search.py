"""Search through the trigram index: substrings in any script, ranked, never a full scan."""

import pytest
from django.db import connection

from peyvand.core.text import search_key
from peyvand.customers import search, selectors, services
from peyvand.customers.models import Kind, Party
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.customers.selectors.parties import PartyFilters


def found(user, query, sort="relevance", kind=Kind.PERSON):
    page = selectors.parties.party_list(
        user=user, kind=kind, filters=PartyFilters(q=query), sort=sort, with_count=False
    )
    return [p.display_name for p in page]


@pytest.fixture
def people(make_person):
    return {
        "ali": make_person(
            first_name="علی", last_name="کریمی", contacts=[{"kind": "phone", "value": "09121234567"}]
        ),
        "alireza": make_person(
            first_name="علیرضا",
            last_name="محمدی",
            contacts=[{"kind": "email", "value": "alireza.m@example.com"}],
        ),
        "reza": make_person(first_name="رضا", last_name="علی‌پور"),
        "john": make_person(
            first_name="John", last_name="Alison", contacts=[{"kind": "phone", "value": "+442079460958"}]
        ),
    }


def test_substrings_of_names_phones_and_emails(admin, people):
    assert set(found(admin, "کریم")) == {"علی کریمی"}
    assert set(found(admin, "۱۲۳۴۵")) == {"علی کریمی"}  # part of 0912 123 4567, Persian digits
    assert set(found(admin, "2079460")) == {"John Alison"}
    assert set(found(admin, "reza.m@exa")) == {"علیرضا محمدی"}
    assert set(found(admin, "ALISON")) == {"John Alison"}


def test_arabic_letters_and_digits_find_persian_text(admin, people):
    assert set(found(admin, "علي كريمي")) == {"علی کریمی"}
    assert set(found(admin, "٠٩١٢١٢٣")) == {"علی کریمی"}


def test_every_term_must_match(admin, people):
    assert set(found(admin, "علی محمدی")) == {"علیرضا محمدی"}
    assert found(admin, "علی nobody") == []


def test_names_starting_with_the_query_rank_first(admin, people):
    # «علی» is in four names: two start with it (alphabetical among themselves), then the rest.
    assert found(admin, "علی") == ["علی کریمی", "علیرضا محمدی", "رضا علی‌پور"]


def test_short_queries_match_the_start_of_names_through_the_index(admin, people):
    assert found(admin, "عل", sort="name") == ["علی کریمی", "علیرضا محمدی"]
    assert found(admin, "jo") == ["John Alison"]


def test_the_index_follows_every_change(admin, people, users):
    ali = people["ali"]
    services.parties.party_update(party=ali, actor=admin, data=PartyInput(last_name="کاظمی"))
    assert found(admin, "کریمی") == [] and found(admin, "کاظمی") == ["علی کاظمی"]
    services.contacts.contact_point_add(
        party=ali, actor=admin, data=ContactInput(kind="email", value="ali.k@example.ir")
    )
    assert found(admin, "ali.k@") == ["علی کاظمی"]
    services.parties.party_delete(party=ali, actor=admin)
    assert found(admin, "کاظمی") == []
    services.parties.party_restore(party=ali, actor=admin)
    assert found(admin, "کاظمی") == ["علی کاظمی"]
    services.merge.party_merge(survivor=people["reza"], other=people["alireza"], actor=admin)
    assert found(admin, "alireza.m@") == ["رضا علی‌پور"]


def test_search_respects_the_permission_policy(users, make_person):
    make_person(owner="outsider", first_name="پنهان", last_name="ناپیدا")
    assert found(users["sales"], "ناپیدا") == []
    assert found(users["outsider"], "ناپیدا") == ["پنهان ناپیدا"]


def test_rows_written_by_an_import_are_indexed_in_bulk_later(admin, make_person):
    template = make_person(first_name="Template")
    Party.objects.filter(pk=template.pk).update(deleted_at=None)
    job_party = Party(
        kind=Kind.PERSON,
        first_name="Bulk",
        last_name="Row",
        display_name="Bulk Row",
        search_text=search_key("Bulk Row"),
        sort_key="x",
    )
    from peyvand.customers.models import ImportJob

    job = ImportJob.objects.create(kind=Kind.PERSON, created_by=admin, original_name="x.csv")
    job_party.import_job = job
    job_party.save()
    assert found(admin, "Bulk Row") == []  # not in the index yet: the import fills it
    assert search.index_rows(job_party.pk, job_party.pk, import_job_id=job.pk) == 1
    assert search.index_rows(job_party.pk, job_party.pk, import_job_id=job.pk) == 1  # idempotent
    assert found(admin, "Bulk Row") == ["Bulk Row"]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: ask which paths exist
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("query", ["کریمی", "0912123", "عل", "علی کریمی"])
def test_search_never_scans_the_whole_table(admin, people, query):
    queryset = selectors.parties.party_queryset(user=admin, kind=Kind.PERSON, filters=PartyFilters(q=query))
    plan = _plan(queryset.order_by("sort_key", "id")[:50])
    if connection.vendor == "sqlite":
        assert "SCAN customers_party " not in plan + " " and "SCAN customers_party\n" not in plan + "\n"
    else:
        assert "Seq Scan on customers_party " not in plan and "Seq Scan on customers_party_search" not in plan


@pytest.fixture
def many_rezas(make_person, users):
    """Twelve people named «رضا», half of them the other team's: more than the candidates."""
    made = []
    for i in range(12):
        owner = "sales" if i % 2 else "outsider"
        made.append(make_person(first_name="رضا", last_name=f"نفر {i:02d}", owner=owner))
    return made


@pytest.mark.parametrize("sort", ["name", "-name"])
@pytest.mark.parametrize("who", ["admin", "sales"])
def test_a_first_page_from_the_first_matches_is_the_same_as_from_all(
    users, many_rezas, monkeypatch, sort, who
):
    user = users[who]

    def pages(limit):
        page = selectors.parties.party_list(
            user=user,
            kind=Kind.PERSON,
            filters=PartyFilters(q="رضا"),
            sort=sort,
            limit=limit,
            with_count=False,
        )
        rest = selectors.parties.party_list(
            user=user,
            kind=Kind.PERSON,
            filters=PartyFilters(q="رضا"),
            sort=sort,
            cursor=page.next_cursor,
            limit=100,
            with_count=False,
        )
        return [p.pk for p in page], [p.pk for p in rest] if page.next_cursor else []

    everything = pages(100)[0]
    assert len(everything) == (12 if who == "admin" else 6)
    asked = []
    original = search.first_matches
    monkeypatch.setattr(search, "first_matches", lambda *args: asked.append(args) or original(*args))
    for candidates in (3, 5, 50):  # fewer than a page, about a page, all of them
        monkeypatch.setattr(search, "CANDIDATES", candidates)
        first, rest = pages(4)
        assert first + rest == everything, candidates
    if connection.vendor == "postgresql":
        assert asked  # the narrowed path was taken


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_search_tables_sort_key_follows_a_renamed_customer(users, make_person):
    person = make_person(first_name="رضا", last_name="اول")
    services.parties.party_update(party=person, actor=users["admin"], data=PartyInput(last_name="دوم"))
    person.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sort_key FROM customers_party_search WHERE party_id = %s", [person.pk])
        assert cursor.fetchone()[0] == person.sort_key
