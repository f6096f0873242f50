"""Importing past interactions through the import machinery: headers in Persian, English and
the API's names, Jalali and Gregorian times in any digits, encodings, problems per row, the
customer found (never made up unless asked), external ids skipped on re-import, undo, who
may import, the page, the API and the command line."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from peyvand.core.services.tokens import api_token_create
from peyvand.customers import importer
from peyvand.customers.importer import engine
from peyvand.customers.models import ImportIssue, ImportJob, Party
from peyvand.customers.models.imports import ImportRecord
from peyvand.interactions.models import Channel, Direction, Interaction, PhoneCall
from peyvand.interactions.selectors.timeline import party_timeline
from peyvand.interactions.services import imports

TEHRAN = timezone.get_fixed_timezone(210)


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(user, data, name="interactions.csv"):
    return importer.import_upload(
        actor=user, kind=imports.INTERACTIONS, source=io.BytesIO(data), name=name, size=len(data)
    )


def run_import(user, data, name="interactions.csv", duplicates="refuse", columns=None):
    job = upload(user, data, name)
    job = importer.import_configure(
        job=job, actor=user, columns=job.mapping if columns is None else columns, duplicates=duplicates
    )
    importer.import_queue(job=job, actor=user)
    return engine.run(job.pk)


def problems(job):
    return list(
        ImportIssue.objects.filter(job=job, skipped=False).order_by("row", "id").values_list("row", "message")
    )


@pytest.fixture
def customers(make_person):
    ali = make_person(
        owner="sales",
        contacts=[{"kind": "email", "value": "ali@example.com"}, {"kind": "phone", "value": "+989121234567"}],
    )
    sara = make_person(
        owner="sales2",
        first_name="Sara",
        last_name="Smith",
        contacts=[{"kind": "email", "value": "sara@example.com"}],
    )
    far = make_person(
        owner="outsider",
        first_name="دور",
        last_name="تیم دیگر",
        contacts=[{"kind": "email", "value": "far@example.com"}],
    )
    return {"ali": ali, "sara": sara, "far": far}


PERSIAN = [
    ["مشتری", "کانال", "جهت", "تاریخ", "موضوع", "شرح", "مدت تماس", "کارشناس", "شناسه"],
    [
        "ali@example.com",
        "تماس تلفنی",
        "ورودی",
        "۱۴۰۳/۰۵/۱۲ ۱۴:۳۰",
        "پیگیری سفارش",
        "مشتری تماس گرفت",
        "۲:۰۵",
        "sales",
        "A-1",
    ],
    ["۰۹۱۲۱۲۳۴۵۶۷", "ایمیل", "خروجی", "1403/05/13", "", "پیش‌فاکتور فرستاده شد\nخط دوم", "", "", "A-2"],
    ["sara@example.com", "جلسه", "خروجی", "٢٠٢٤-٠٨-٠٥ ٠٩:١٥", "دیدار در دفتر", "", "", "manager", "A-3"],
]


def test_a_persian_file_lands_on_each_customers_timeline(users, customers):
    admin = users["admin"]
    job = run_import(admin, csv_bytes(PERSIAN))
    assert job.status == ImportJob.Status.DONE, job.failure
    assert set(job.mapping.values()) == {
        "customer",
        "channel",
        "direction",
        "occurred_at",
        "subject",
        "body",
        "duration",
        "handled_by",
        "external_id",
    }
    assert (job.created_count, job.error_count, job.skipped_count) == (3, 0, 0), problems(job)
    ali, sara = customers["ali"], customers["sara"]
    call, email = Interaction.objects.filter(party=ali).order_by("occurred_at")
    assert (call.channel, call.direction, call.subject, call.handled_by) == (
        Channel.PHONE,
        Direction.INBOUND,
        "پیگیری سفارش",
        users["sales"],
    )
    assert call.occurred_at == dt.datetime(2024, 8, 2, 14, 30, tzinfo=TEHRAN)  # 1403/05/12, Tehran time
    assert call.created_by == admin and call.phone_call.duration == 125
    assert call.phone_call.ended_at - call.phone_call.started_at == dt.timedelta(seconds=125)
    # No subject: the body's first line; found by phone, in Persian digits.
    assert (email.channel, email.direction, email.subject) == (
        Channel.EMAIL,
        Direction.OUTBOUND,
        "پیش‌فاکتور فرستاده شد",
    )
    assert email.body == "پیش‌فاکتور فرستاده شد\nخط دوم"
    assert email.occurred_at == dt.datetime(2024, 8, 3, tzinfo=TEHRAN)
    meeting = Interaction.objects.get(party=sara)
    assert (meeting.channel, meeting.handled_by) == (Channel.IN_PERSON, users["manager"])
    assert meeting.occurred_at == dt.datetime(2024, 8, 5, 9, 15, tzinfo=TEHRAN)  # Arabic-Indic digits
    # On the 360° timeline, newest first, the call with its duration.
    timeline = party_timeline(user=users["sales"], party=ali)
    subjects = [entry.obj.subject for entry in timeline.items if entry.kind == "interaction"]
    assert subjects == ["پیش‌فاکتور فرستاده شد", "پیگیری سفارش"]


ENGLISH = [
    ["Customer ID", "Type", "Direction", "Date", "Subject", "Notes", "Duration", "User", "Reference"],
    ["{ali}", "Call", "Outgoing", "2024-08-02T11:00:00Z", "Follow-up", "", "90 s", "sales@example.com", "X1"],
    ["{sara}", "SMS", "in", "2024-08-02 10:00", "Thanks", "", "", "", "X2"],
    ["{ali}", "visit", "out", "2024-08-02T10:00:00+03:30", "Site visit", "", "", "", "X3"],
]


def test_english_headers_and_iso_times(users, customers):
    users["sales"].email = "sales@example.com"
    users["sales"].save()
    ids = {"ali": customers["ali"].pk, "sara": customers["sara"].pk}
    rows = [[cell.format(**ids) for cell in row] for row in ENGLISH]
    job = run_import(users["admin"], csv_bytes(rows))
    assert job.mapping == {
        "0": "customer_id",
        "1": "channel",
        "2": "direction",
        "3": "occurred_at",
        "4": "subject",
        "5": "body",
        "6": "duration",
        "7": "handled_by",
        "8": "external_id",
    }
    assert (job.created_count, job.error_count) == (3, 0), problems(job)
    call = Interaction.objects.get(subject="Follow-up")
    assert call.occurred_at == dt.datetime(2024, 8, 2, 11, 0, tzinfo=dt.UTC)
    assert (call.direction, call.handled_by, call.phone_call.duration) == (
        Direction.OUTBOUND,
        users["sales"],
        90,
    )
    assert Interaction.objects.get(subject="Site visit").occurred_at == dt.datetime(
        2024, 8, 2, 6, 30, tzinfo=dt.UTC
    )
    sms = Interaction.objects.get(subject="Thanks")
    assert (sms.channel, sms.direction, sms.party) == (Channel.SMS, Direction.INBOUND, customers["sara"])


def test_the_api_field_names_are_headers_too(users, customers):
    rows = [
        [
            "party_id",
            "channel",
            "direction",
            "occurred_at",
            "subject",
            "body",
            "outcome",
            "handled_by",
            "external_id",
        ],
        [customers["ali"].pk, "phone", "outbound", "2024-01-01 08:00", "s", "b", "no_answer", "sales", "e1"],
    ]
    job = run_import(users["admin"], csv_bytes(rows))
    assert job.mapping == {
        "0": "customer_id",
        "1": "channel",
        "2": "direction",
        "3": "occurred_at",
        "4": "subject",
        "5": "body",
        "6": "outcome",
        "7": "handled_by",
        "8": "external_id",
    }
    assert job.created_count == 1
    assert Interaction.objects.get().outcome == "no_answer"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256"])
def test_encodings(users, customers, encoding):
    rows = [
        ["مشتری", "کانال", "تاریخ", "موضوع"],
        ["ali@example.com", "تلفن", "1403/01/05 10:00", "تماس كوتاه"],
    ]
    if encoding == "cp1256":  # what Persian Windows writes: Arabic yeh and kaf
        rows = [[cell.translate(str.maketrans("یک", "يك")) for cell in row] for row in rows]
    job = run_import(users["admin"], csv_bytes(rows, encoding=encoding))
    assert (job.status, job.created_count, job.error_count) == (ImportJob.Status.DONE, 1, 0), problems(job)
    interaction = Interaction.objects.get()
    assert interaction.channel == Channel.PHONE
    assert interaction.subject in ("تماس كوتاه", "تماس کوتاه")
    assert interaction.occurred_at.date() == dt.date(2024, 3, 24)


BROKEN = [
    ["customer", "channel", "direction", "occurred_at", "subject", "duration", "handled_by"],
    ["ali@example.com", "phone", "in", "2024-01-01 10:00", "good", "60", ""],  # 1: fine
    ["nobody@example.com", "phone", "in", "2024-01-01 10:00", "unknown customer", "", ""],  # 2
    ["ali@example.com", "pigeon", "in", "2024-01-01 10:00", "bad channel", "", ""],  # 3
    ["ali@example.com", "email", "sideways", "2024-01-01 10:00", "bad direction", "", ""],  # 4
    ["ali@example.com", "email", "in", "1403/13/40", "bad date", "", ""],  # 5
    ["ali@example.com", "email", "in", "2999-01-01 10:00", "future", "", ""],  # 6
    ["ali@example.com", "phone", "in", "2024-01-01 10:00", "bad duration", "forever", ""],  # 7
    ["ali@example.com", "email", "in", "2024-01-01 10:00", "duration on an email", "60", ""],  # 8
    ["ali@example.com", "phone", "in", "2024-01-01 10:00", "unknown user", "", "ghost"],  # 9
    ["far@example.com", "phone", "in", "2024-01-01 10:00", "not visible to the manager", "", ""],  # 10
    ["", "phone", "in", "2024-01-01 10:00", "no customer", "", ""],  # 11
    ["ali@example.com", "", "in", "", "no channel nor date", "", ""],  # 12
    ["ali@example.com", "phone", "in", "2024-01-01 10:00", "x" * 201, "", ""],  # 13
]


def test_broken_rows_are_reported_in_english_and_nothing_half_written(users, customers, english):
    job = run_import(users["manager"], csv_bytes(BROKEN))
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (1, 12)
    found = dict(problems(job))
    assert found[2] == "No customer you may see matches “nobody@example.com”."
    assert found[3].startswith("“pigeon” is not a channel; use one of: Phone, Email, SMS")
    assert found[4] == "“sideways” is not a direction; write inbound or outbound."
    assert found[5] == "There is no such day in the calendar."
    assert found[6] == "An interaction cannot be in the future."
    assert found[7].startswith("Enter a duration in seconds or as minutes:seconds")
    assert found[8] == "A duration is kept for calls only."
    assert found[9] == "No user you may name as the handler is called “ghost”."
    assert found[10] == "No customer you may see matches “far@example.com”."  # never says it exists
    assert found[11] == "The row names no customer."
    assert {m for r, m in problems(job) if r == 12} == {"The row has no channel.", "The row has no date."}
    assert found[13] == "Use at most 200 characters (this has 201)."
    assert list(Interaction.objects.values_list("subject", flat=True)) == ["good"]
    assert PhoneCall.objects.count() == 1
    assert not Party.objects.filter(first_name="", last_name__contains="@").exists()
    report = "".join(importer.import_issue_rows(job))
    assert "pigeon" in report and "“sideways”" in report


def test_broken_rows_are_reported_in_the_uploaders_language(users, customers):
    job = run_import(users["admin"], csv_bytes(BROKEN[:5]))  # uploaded in Persian, the default
    assert job.language == "fa"
    messages = dict(problems(job))
    with translation.override("fa"):
        expected = translation.gettext("No customer you may see matches “%(value)s”.") % {
            "value": "nobody@example.com"
        }
    assert messages[2] == expected and expected.startswith("هیچ مشتری")


def test_an_excel_file_with_real_dates_and_numbers(users, customers):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["شناسه مشتری", "کانال", "تاریخ", "موضوع", "مدت"])
    sheet.append([customers["ali"].pk, "تماس", dt.datetime(2024, 8, 2, 14, 30), "از اکسل", 75])
    sheet.append([customers["sara"].pk, "SMS", dt.date(2024, 8, 3), "روز بدون ساعت", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_import(users["admin"], buffer.getvalue(), name="calls.xlsx")
    assert (job.file_format, job.created_count, job.error_count) == ("xlsx", 2, 0), problems(job)
    call = Interaction.objects.get(subject="از اکسل")
    assert call.occurred_at == dt.datetime(2024, 8, 2, 14, 30, tzinfo=TEHRAN)
    assert call.phone_call.duration == 75
    assert Interaction.objects.get(party=customers["sara"]).occurred_at == dt.datetime(
        2024, 8, 3, tzinfo=TEHRAN
    )


def test_unknown_customers_are_created_as_suspects_only_when_asked(users, customers):
    rows = [
        ["customer name", "email", "phone", "channel", "date", "subject"],
        ["Nima Rad", "nima@example.com", "", "call", "2024-01-01 10:00", "first"],
        ["Nima Rad", "nima@example.com", "", "call", "2024-01-02 10:00", "second"],
        ["", "", "09351112233", "sms", "2024-01-03 10:00", "by phone"],
        ["Hidden", "far@example.com", "", "call", "2024-01-04 10:00", "someone the manager may not see"],
    ]
    refused = run_import(users["manager"], csv_bytes(rows))
    assert (refused.created_count, refused.error_count) == (0, 4)
    assert not Party.objects.filter(import_job=refused).exists()

    job = run_import(users["manager"], csv_bytes(rows), duplicates="create")
    assert (job.created_count, job.error_count) == (3, 1), problems(job)
    nima = Party.objects.get(first_name="Nima", last_name="Rad")
    assert (nima.stage, nima.import_job, nima.primary_email) == ("suspect", job, "nima@example.com")
    assert list(nima.interactions.order_by("occurred_at").values_list("subject", flat=True)) == [
        "first",
        "second",
    ]
    assert Party.objects.get(primary_phone="+989351112233").interactions.count() == 1
    # Not a second «far»: the row is refused as if nobody had that email.
    assert Party.objects.filter(contact_points__value="far@example.com").count() == 1


def test_external_ids_are_skipped_on_re_import_and_within_a_file(users, customers):
    rows = [
        ["customer", "channel", "date", "subject", "external id"],
        ["ali@example.com", "call", "2024-01-01 10:00", "one", "E-1"],
        ["ali@example.com", "call", "2024-01-01 11:00", "two", "E-2"],
        ["ali@example.com", "call", "2024-01-01 12:00", "two again", "E-2"],
        ["ali@example.com", "call", "2024-01-01 13:00", "no id", ""],
    ]
    first = run_import(users["admin"], csv_bytes(rows))
    assert (first.created_count, first.skipped_count) == (3, 1)
    again = run_import(users["admin"], csv_bytes(rows))
    assert (again.created_count, again.skipped_count, again.error_count) == (1, 3, 0)
    assert Interaction.objects.filter(subject="no id").count() == 2
    skipped = ImportIssue.objects.filter(job=again, skipped=True).values_list("row", "value")
    assert sorted(skipped) == [(1, "E-1"), (2, "E-2"), (3, "E-2")]
    # Once the first import is undone, its external ids may come in again.
    importer.import_undo(job=again, actor=users["admin"])
    importer.import_undo(job=first, actor=users["admin"])
    third = run_import(users["admin"], csv_bytes(rows))
    assert (third.created_count, third.skipped_count) == (3, 1)


def test_undo_removes_exactly_what_the_job_wrote(users, customers, make_person):
    ali = customers["ali"]
    before = Interaction.objects.create(
        party=ali,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        occurred_at=timezone.now(),
        subject="kept",
    )
    rows = [["customer", "channel", "date", "subject", "duration", "customer name", "email"]]
    rows += [
        ["ali@example.com", "call", f"2024-01-{d:02d} 10:00", f"call {d}", "30", "", ""] for d in range(1, 21)
    ]
    rows += [["", "email", "2024-02-01 10:00", "new one", "", "Tara Nik", "tara@example.com"]]
    job = run_import(users["admin"], csv_bytes(rows), duplicates="create")
    assert job.created_count == 21
    after = Interaction.objects.create(
        party=ali,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now(),
        subject="later",
    )
    record = ImportRecord.objects.get(job=job, model=imports.RUNS_MODEL)
    ((first, last),) = record.after["runs"]
    assert last - first + 1 == 21 and before.pk < first and after.pk > last

    job = importer.import_undo(job=job, actor=users["admin"])
    assert job.status == ImportJob.Status.UNDONE
    assert sorted(Interaction.objects.values_list("subject", flat=True)) == ["kept", "later"]
    assert Interaction.all_objects.filter(deletion_batch=job.deletion_batch).count() == 21
    assert PhoneCall.objects.count() == 0
    assert not Party.objects.filter(first_name="Tara").exists()
    assert Party.all_objects.get(first_name="Tara").deletion_batch == job.deletion_batch


@pytest.mark.parametrize(
    "role", ["admin", "manager", "sales", "support", "marketing", "readonly", "outsider"]
)
def test_who_may_import_is_who_may_import_people(users, customers, role):
    from peyvand.customers.importer import importer_for

    user = users[role]
    people = importer_for("person").may_import(user)
    assert imports.may_import(user) == (people and role not in ("readonly",))
    data = csv_bytes([["customer", "channel", "date"], ["ali@example.com", "call", "2024-01-01"]])
    if imports.may_import(user):
        job = run_import(user, data)
        sees_ali = role in ("admin", "manager", "sales", "support", "marketing")
        assert job.created_count == (1 if sees_ali else 0)
    else:
        with pytest.raises(PermissionDenied):
            upload(user, data)
        assert not ImportJob.objects.exists()


def test_someone_elses_job_cannot_be_started_or_undone(users, customers):
    data = csv_bytes([["customer", "channel", "date"], ["ali@example.com", "call", "2024-01-01"]])
    job = run_import(users["sales"], data)
    with pytest.raises(PermissionDenied):
        importer.import_undo(job=job, actor=users["sales2"])
    assert Interaction.objects.count() == 1
    pending = upload(users["sales"], data)
    with pytest.raises(PermissionDenied):
        importer.import_configure(
            job=pending, actor=users["sales2"], columns=pending.mapping, duplicates="refuse"
        )


def test_the_mapping_requires_customer_channel_and_date(users, customers, english):
    job = upload(users["admin"], csv_bytes([["subject", "body"], ["s", "b"]]))
    with pytest.raises(ValidationError) as refused:
        importer.import_configure(
            job=job, actor=users["admin"], columns={"0": "subject"}, duplicates="refuse"
        )
    assert refused.value.message_dict["columns"] == [
        "Choose the column with the customer (an id, an email, a phone or a national ID).",
        "Choose the column with the channel.",
        "Choose the column with the date.",
    ]
    with pytest.raises(ValidationError):
        importer.import_configure(job=job, actor=users["admin"], columns={}, duplicates="update")


def test_imported_interactions_reach_the_analytics_snapshot(users, customers, tmp_path, settings):
    from peyvand.analytics.engine import snapshot

    rows = [["customer", "channel", "date"]] + [
        ["ali@example.com", "call", f"2023-0{m}-01 10:00"] for m in range(1, 6)
    ]
    job = run_import(users["admin"], csv_bytes(rows))
    assert job.created_count == 5
    with snapshot.connect(tmp_path / "snapshot.duckdb") as con:
        snapshot.refresh(con, full=True)
        ((count,),) = con.execute(
            "SELECT COUNT(*) FROM interactions WHERE party_id = ? AND NOT deleted", [customers["ali"].pk]
        ).fetchall()
        assert count == 5
        importer.import_undo(job=job, actor=users["admin"])
        snapshot.refresh(con, full=False)
        ((count,),) = con.execute(
            "SELECT COUNT(*) FROM interactions WHERE party_id = ? AND NOT deleted", [customers["ali"].pk]
        ).fetchall()
        assert count == 0


def test_a_chunk_is_written_in_a_few_queries(users, customers, queries, monkeypatch):
    monkeypatch.setattr("peyvand.customers.importer.reading.FIRST_CHUNK_ROWS", 500)
    small = [["customer", "channel", "date", "external_id"]]
    small += [["ali@example.com", "call", "2024-01-01 10:00", f"s{n}"] for n in range(10)]
    big = [["customer", "channel", "date", "external_id"]]
    big += [
        ["sara@example.com" if n % 2 else "ali@example.com", "call", "2024-01-01 10:00", f"b{n}"]
        for n in range(400)
    ]
    counts = []
    for rows in (small, big):
        job = upload(users["admin"], csv_bytes(rows))
        job = importer.import_configure(
            job=job, actor=users["admin"], columns=job.mapping, duplicates="refuse"
        )
        importer.import_queue(job=job, actor=users["admin"])
        with queries() as captured:
            job = engine.run(job.pk)
        assert job.created_count == len(rows) - 1
        counts.append(len(captured))
    assert counts[1] == counts[0], "the same queries for 10 rows as for 400"


def test_the_page_uploads_and_maps_the_columns(client, users, customers):
    client.force_login(users["manager"])
    page = client.get(reverse("interaction_import"))
    assert page.status_code == 200
    data = csv_bytes(PERSIAN)
    upload_file = io.BytesIO(data)
    upload_file.name = "تعاملات.csv"
    response = client.post(reverse("interaction_import"), {"file": upload_file})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_detail", args=[job.pk])
    mapping_page = client.get(reverse("import_detail", args=[job.pk]))
    assert mapping_page.status_code == 200
    assert "مدت تماس" in mapping_page.content.decode()
    client.force_login(users["readonly"])
    assert client.get(reverse("interaction_import")).status_code == 403


def token_of(user):
    return api_token_create(user=user, name="tests")[1]


def test_the_api_imports_a_file(client, users, customers):
    token = token_of(users["manager"])
    data = csv_bytes(PERSIAN)
    response = client.post(
        "/api/v1/interactions/import",
        {"file": io.BytesIO(data)},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "interactions" and body["status"] == "queued" and body["duplicates"] == "refuse"
    job = engine.run(body["id"])
    assert job.created_count == 3
    bad = client.post(
        "/api/v1/interactions/import",
        {"file": io.BytesIO(b"subject\nx\n")},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert "columns" in json.dumps(bad.json())
    denied = client.post(
        "/api/v1/interactions/import",
        {"file": io.BytesIO(data)},
        headers={"Authorization": f"Bearer {token_of(users['readonly'])}"},
    )
    assert denied.status_code == 403
    assert ImportJob.objects.count() == 1


def test_the_command_line_imports_a_file(users, customers, tmp_path, capsys):
    from peyvand import cli

    path = tmp_path / "تعاملات.csv"
    path.write_bytes(csv_bytes(PERSIAN, encoding="utf-8-sig"))
    assert cli.main(["import", "interactions", str(path), "--as", "admin"]) == 0
    out = capsys.readouterr().out
    assert "تاریخ → occurred_at" in out and "3 created, 0 updated, 0 skipped, 0 rejected." in out
    assert Interaction.objects.count() == 3
    assert cli.main(["import", "interactions", str(path), "--as", "admin"]) == 0  # again: all skipped
    assert "0 created, 0 updated, 3 skipped" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="permission"):
        cli.main(["import", "interactions", str(path), "--as", "readonly"])
    assert Interaction.objects.count() == 3
