"""Importing people and organisations: files of every kind, validation, duplicates, undo."""

import codecs
import csv
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from openpyxl import Workbook

from peyvand.core.models import AuditEvent
from peyvand.core.selectors.audit import describe_events
from peyvand.customers import importer, selectors, services
from peyvand.customers.importer import engine
from peyvand.customers.models import ContactPoint, ImportIssue, ImportJob, ImportMapping, Kind, Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.selectors.parties import PartyFilters

PEOPLE = [
    ["نام", "نام خانوادگی", "موبایل", "ایمیل", "تاریخ تولد", "برچسب"],
    ["علي", "كريمي", "۰۹۱۲۱۲۳۴۵۶۷", "Ali@Example.com", "1370/06/31", "VIP، نمایشگاه"],
    ["Sara", "Smith", "+44 20 7946 0958", "sara@example.co.uk", "1991-09-22", ""],
]


def csv_bytes(rows, delimiter=",", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(user, data, name="people.csv", kind=Kind.PERSON):
    return importer.import_upload(actor=user, kind=kind, source=io.BytesIO(data), name=name, size=len(data))


def run_import(user, data, name="people.csv", kind=Kind.PERSON, duplicates="skip", **configure):
    job = upload(user, data, name, kind)
    job = importer.import_configure(
        job=job, actor=user, columns=configure.pop("columns", job.mapping), duplicates=duplicates, **configure
    )
    importer.import_queue(job=job, actor=user)
    return engine.run(job.pk)


def names(user, query=""):
    page = selectors.parties.party_list(
        user=user, kind=Kind.PERSON, filters=PartyFilters(q=query), with_count=False
    )
    return sorted(p.display_name for p in page)


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256"],
)
def test_every_encoding_reads_the_same_people(admin, encoding):
    rows = PEOPLE
    if encoding == "cp1256":
        # What Persian Windows writes: Arabic yeh and kaf, ASCII digits.
        as_windows = str.maketrans("یک۰۱۲۳۴۵۶۷۸۹", "يك0123456789")
        rows = [[cell.translate(as_windows) for cell in row] for row in PEOPLE]
    data = csv_bytes(rows, encoding=encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    job = run_import(admin, data)
    assert job.status == ImportJob.Status.DONE, job.failure
    assert job.created_count == 2 and job.error_count == 0
    assert names(admin) == ["Sara Smith", "علی کریمی"]
    ali = Party.objects.get(last_name="کریمی")
    assert ali.primary_phone == "+989121234567" and ali.primary_email == "ali@example.com"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|", "،", "؛"])
def test_every_delimiter_is_detected(admin, delimiter):
    job = run_import(admin, csv_bytes(PEOPLE, delimiter=delimiter))
    assert (job.delimiter, job.created_count) == (delimiter, 2)


def test_headers_in_persian_and_english_are_mapped_and_the_mapping_remembered(admin):
    job = upload(
        admin,
        csv_bytes([["First Name", "Surname", "E-mail", "Company", "Notes"], ["a", "b", "a@b.ir", "x", "y"]]),
    )
    assert job.mapping == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "organisation",
        "4": "note",
    }
    columns = {"0": "first_name", "1": "last_name", "2": "email"}  # leave two out
    importer.import_configure(job=job, actor=admin, columns=columns, duplicates="skip")
    again = upload(
        admin, csv_bytes([["First Name", "Surname", "E-mail", "Company", "Notes"], ["c", "d", "", "", ""]])
    )
    assert again.mapping == columns
    assert ImportMapping.objects.count() == 1


def test_xlsx_is_read_like_csv(admin):
    workbook = Workbook()
    sheet = workbook.active
    for row in PEOPLE:
        sheet.append(row)
    sheet.append(["Nima", "R", 9121112233, "nima@x.ir", None, None])  # Excel keeps the number, not «0912…»
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_import(admin, buffer.getvalue(), name="people.xlsx")
    assert job.file_format == "xlsx" and job.created_count == 3, list(
        job.issues.values_list("message", flat=True)
    )
    assert Party.objects.get(first_name="Nima").primary_phone == "+989121112233"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "empty"),
        (csv_bytes([PEOPLE[0]]), "no rows"),
        (bytes(range(256)) * 50, "not a spreadsheet"),
        (b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    ],
)
def test_broken_files_are_refused_with_a_clear_reason_and_nothing_kept(
    admin, data, message, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    with pytest.raises(ValidationError) as caught, __import__("django").utils.translation.override("en"):
        upload(admin, data)
    assert message in " ".join(caught.value.messages)
    assert not ImportJob.objects.exists() and not list((tmp_path / "imports").glob("*"))


def test_ragged_rows_and_invalid_values_are_rejected_with_row_column_value_and_reason(admin):
    rows = [
        ["First name", "Last name", "Mobile", "Email", "Date of birth"],
        ["Good", "Row", "09121234567", "good@x.ir", "1991-09-22"],
        ["Short"],  # ragged: missing cells are empty
        ["Long", "Row", "09120000001", "long@x.ir", "", "extra", "cells"],  # extra cells ignored
        ["Bad", "Phone", "12", "bad@x.ir", ""],
        ["Bad", "Email", "09120000002", "not-an-email", "1403/13/40"],
        ["", "", "09120000003", "", ""],  # no name at all
        ["", "", "", "", ""],  # blank: ignored
    ]
    job = run_import(admin, csv_bytes(rows))
    assert job.created_count == 3  # Good Row, Short, Long Row
    assert job.error_count == 3
    issues = {(i.row, i.column, i.value) for i in ImportIssue.objects.filter(job=job)}
    assert (4, "Mobile", "12") in issues
    assert (5, "Email", "not-an-email") in issues and (5, "Date of birth", "1403/13/40") in issues
    assert any(row == 6 for row, _c, _v in issues)
    report = "".join(importer.import_issue_rows(job))
    assert report.startswith("\ufeff") and "not-an-email" in report


def test_a_huge_cell_rejects_its_row_not_the_file(admin):
    big = "x" * (10 * 1024 * 1024)
    job = run_import(
        admin, csv_bytes([["First name", "Last name"], ["Ok", "One"], ["Huge", big], ["Ok", "Two"]])
    )
    assert job.status == ImportJob.Status.DONE and job.created_count == 2 and job.error_count == 1
    issue = ImportIssue.objects.get(job=job)
    assert issue.row == 2 and len(issue.value) <= 10_000


def test_duplicates_within_the_file_and_against_the_database(admin, make_person):
    existing = make_person(
        first_name="Old", last_name="Timer", contacts=[{"kind": "email", "value": "old@x.ir"}]
    )
    rows = [
        ["First name", "Last name", "Email", "Mobile"],
        ["New", "Person", "new@x.ir", "09121110000"],
        ["Same", "AsRowOne", "NEW@X.IR", ""],  # same email as row 1
        ["Phone", "Twin", "", "+98 912 111 0000"],  # same phone as row 1
        ["Old", "Again", "old@x.ir", "09125556666"],  # matches the database
    ]
    job = run_import(admin, csv_bytes(rows), duplicates="skip")
    assert (job.created_count, job.skipped_count) == (1, 3)
    assert Party.objects.count() == 2
    assert ImportIssue.objects.filter(job=job, skipped=True).count() == 3

    job = run_import(admin, csv_bytes(rows), duplicates="update")
    existing.refresh_from_db()
    # Rows 1–3 all match «New Person», now in the database, and update it in turn; row 4 «Old Timer».
    assert (job.updated_count, job.created_count) == (4, 0)
    assert Party.objects.get(primary_email="new@x.ir").last_name == "Twin"
    assert ContactPoint.objects.filter(party=existing, value="+989125556666").exists()
    assert existing.last_name == "Again"

    before = Party.objects.count()
    job = run_import(admin, csv_bytes(rows), duplicates="create")
    assert job.created_count == 4 and Party.objects.count() == before + 4


def test_update_is_refused_for_a_customer_the_importer_may_not_change(users, make_person):
    make_person(owner="outsider", first_name="Theirs", contacts=[{"kind": "email", "value": "t@x.ir"}])
    job = run_import(
        users["sales"],
        csv_bytes([["First name", "Last name", "Email"], ["Mine", "Now", "t@x.ir"]]),
        duplicates="update",
    )
    assert job.updated_count == 0 and job.error_count == 1
    assert Party.objects.get(first_name="Theirs").last_name == "کریمی"
    # The report does not tell a record's id to someone who may not see it.
    issue = ImportIssue.objects.get(job=job)
    assert issue.value == "" and "#" not in issue.message


def test_imported_people_are_found_by_search_once_indexed(admin):
    run_import(admin, csv_bytes(PEOPLE))
    assert names(admin, "كريمي") == ["علی کریمی"]
    assert names(admin, "7946") == ["Sara Smith"]


def test_tags_owner_organisations_and_notes(admin, users):
    rows = [
        ["Name", "Company", "Title", "Tags", "Note"],
        ["Reza Karimi", "بازرگانی پارس", "مدیر", "a, b", "hello"],
        ["Mina Rad", "بازرگانی  پارس", "", "b", ""],
    ]
    job = run_import(admin, csv_bytes(rows), owner=users["sales"], tag="نمایشگاه")
    reza = Party.objects.get(last_name="Karimi")
    assert reza.first_name == "Reza" and reza.owner == users["sales"]
    assert sorted(reza.tags.values_list("name", flat=True)) == ["a", "b", "نمایشگاه"]
    organisations = Party.objects.filter(kind=Kind.ORGANISATION)
    assert organisations.count() == 1 and organisations.get().members.count() == 2
    assert reza.notes.get().body == "hello"
    assert job.created_count == 2


def test_undo_removes_created_customers_and_reverts_updates(admin, make_person):
    kept = make_person(first_name="Kept", last_name="Name", contacts=[{"kind": "email", "value": "k@x.ir"}])
    rows = [["First name", "Last name", "Email"], ["Brand", "New", "b@x.ir"], ["Kept", "Changed", "k@x.ir"]]
    job = run_import(admin, csv_bytes(rows), duplicates="update")
    kept.refresh_from_db()
    assert kept.last_name == "Changed" and Party.objects.filter(first_name="Brand").exists()
    importer.import_undo(job=job, actor=admin)
    kept.refresh_from_db()
    assert kept.last_name == "Name"
    assert not Party.objects.filter(first_name="Brand").exists()
    assert names(admin, "Brand") == []
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.UNDONE
    with pytest.raises(ValidationError):
        importer.import_undo(job=job, actor=admin)


def test_undo_keeps_edits_made_after_the_import(admin, make_person):
    kept = make_person(first_name="Kept", last_name="Name", contacts=[{"kind": "email", "value": "k@x.ir"}])
    job = run_import(
        admin,
        csv_bytes([["First name", "Last name", "Email"], ["Kept", "Imported", "k@x.ir"]]),
        duplicates="update",
    )
    services.parties.party_update(party=kept, actor=admin, data=PartyInput(last_name="Edited later"))
    importer.import_undo(job=job, actor=admin)
    kept.refresh_from_db()
    assert kept.last_name == "Edited later"


def test_a_second_run_of_a_finished_job_writes_nothing(admin):
    job = run_import(admin, csv_bytes(PEOPLE))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, next_row=1, heartbeat_at=None)
    before = Party.objects.count()
    engine.run(job.pk)  # replays every row: each is now a duplicate, skipped
    assert Party.objects.count() == before


def test_a_live_run_holds_the_job(admin):
    job = upload(admin, csv_bytes(PEOPLE))
    importer.import_configure(job=job, actor=admin, columns=job.mapping, duplicates="skip")
    importer.import_queue(job=job, actor=admin)
    lease = engine._take(job.pk)
    assert lease is not None and engine._take(job.pk) is None  # a second worker backs off
    assert Party.objects.count() == 0


def test_permissions(users):
    with pytest.raises(PermissionDenied):
        upload(users["readonly"], csv_bytes(PEOPLE))
    job = upload(users["sales"], csv_bytes(PEOPLE))
    with pytest.raises(PermissionDenied):
        importer.import_configure(job=job, actor=users["sales2"], columns=job.mapping, duplicates="skip")
    assert list(importer.import_list(actor=users["sales2"])) == []
    assert list(importer.import_list(actor=users["admin"])) == [job]


def test_sales_cannot_give_imported_customers_to_someone_else(users):
    job = upload(users["sales"], csv_bytes(PEOPLE))
    with pytest.raises(ValidationError):
        importer.import_configure(
            job=job, actor=users["sales"], columns=job.mapping, duplicates="skip", owner=users["sales2"]
        )
    rows = [["First name", "Last name", "Owner"], ["A", "B", "sales2"]]
    job = run_import(users["sales"], csv_bytes(rows))
    assert job.created_count == 0 and job.error_count == 1


def test_a_bad_zip_named_xlsx_is_refused(admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationError):
        upload(admin, buffer.getvalue(), name="x.xlsx")


def test_an_import_leaves_the_connection_as_it_found_it(admin, transactional_db):
    from django.db import connection

    def pragmas():
        with connection.cursor() as cursor:
            found = []
            for name in ("cache_size", "wal_autocheckpoint"):
                cursor.execute(f"PRAGMA {name}")
                found.append(cursor.fetchone()[0])
            return found

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache and checkpoints")
    before = pragmas()
    job = run_import(admin, csv_bytes(PEOPLE))
    assert job.status == ImportJob.Status.DONE
    assert pragmas() == before


def test_a_chunk_takes_its_ids_in_name_order(admin):
    rows = [["نام", "نام خانوادگی"], ["Zoe", "Young"], ["Adam", "Brown"], ["Mina", "Karimi"]]
    job = run_import(admin, csv_bytes(rows))
    assert job.created_count == 3
    by_id = list(Party.objects.filter(import_job=job).order_by("id").values_list("last_name", flat=True))
    assert by_id == ["Brown", "Karimi", "Young"]


def test_every_kind_is_an_importer_of_the_registry_and_an_unknown_one_is_refused(admin):
    for kind in ("person", "organisation", "products", "orders"):  # the last two from sales' hooks
        assert importer.importer_for(kind).key == kind
    people = importer.importer_for(Kind.PERSON)
    assert not people.all_or_nothing and people.read_ahead and people.index is not None
    assert [value for value, _label in people.policies] == ["skip", "update", "create"]
    with pytest.raises(ValidationError) as caught:
        upload(admin, csv_bytes(PEOPLE), kind="nothing")
    assert "kind" in caught.value.message_dict
    assert not ImportJob.objects.exists()


def test_a_setting_the_kind_does_not_offer_is_refused(admin, users):
    data = b"sku,name_fa\nA,B\n"
    job = importer.import_upload(
        actor=admin, kind="products", source=io.BytesIO(data), name="p.csv", size=len(data)
    )
    with pytest.raises(ValidationError) as caught:
        importer.import_configure(
            job=job, actor=admin, columns=job.mapping, duplicates="create", owner=users["sales"], tag="x"
        )
    assert set(caught.value.message_dict) == {"duplicates", "owner", "tag"}


def test_the_audit_log_names_an_imports_counts_in_words(admin):
    job = run_import(admin, csv_bytes(PEOPLE))
    event = AuditEvent.objects.filter(model="customers.importjob", object_id=job.pk).latest("pk")
    with translation.override("fa"):
        (view,) = describe_events([event])
    labels = [change.label for change in view.changes]
    assert len(labels) == 4 and not {"created", "updated", "skipped", "rejected"} & set(labels), labels
