"""The import wizard, the export of lists and the import API, over HTTP."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from peyvand.core.exports import neutralise
from peyvand.customers.models import ImportJob, Party

PEOPLE_CSV = (
    "نام,نام خانوادگی,موبایل,ایمیل\r\nعلي,كريمي,09121234567,ali@x.ir\r\nبد,ردیف,12,bad@x.ir\r\n".encode()
)


def upload(client, data=PEOPLE_CSV, name="people.csv", kind="person"):
    return client.post(f"/{kind}/import/", {"file": io.BytesIO(data) and _file(data, name)})


def _file(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_wizard_from_upload_to_progress_and_undo(client, users, django_capture_on_commit_callbacks):
    client.force_login(users["sales"])
    response = client.post("/person/import/", {"file": _file(PEOPLE_CSV, "people.csv")})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'name="column-0"' in page and "علي" in page  # the preview
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs inline in tests
        response = client.post(
            f"/imports/{job.pk}/",
            {
                "column-0": "first_name",
                "column-1": "last_name",
                "column-2": "mobile",
                "column-3": "email",
                "duplicates": "skip",
            },
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("done", 1, 1)
    progress = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'data-status="done"' in progress and "hx-trigger" not in progress  # finished: no more polling
    problems = client.get(f"/imports/{job.pk}/problems.csv")
    rows = list(csv.reader(io.StringIO(b"".join(problems.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:3] == ["2", "موبایل", "12"]
    client.post(f"/imports/{job.pk}/undo/")
    assert not Party.objects.exists()


def test_mapping_without_a_name_column_is_refused(client, users):
    client.force_login(users["sales"])
    client.post("/person/import/", {"file": _file(PEOPLE_CSV, "people.csv")})
    job = ImportJob.objects.get()
    page = client.post(f"/imports/{job.pk}/", {"column-2": "mobile", "duplicates": "skip"}).content.decode()
    assert 'data-testid="mapping-errors"' in page
    job.refresh_from_db()
    assert job.status == "uploaded" and not Party.objects.exists()


def test_a_broken_upload_shows_an_error(client, users):
    client.force_login(users["sales"])
    page = client.post("/person/import/", {"file": _file(b"\x00\x01\x02" * 1000, "x.csv")}).content.decode()
    assert "is-invalid" in page and not ImportJob.objects.exists()


@pytest.mark.parametrize("role", ["readonly"])
def test_roles_that_may_not_create_may_not_import(client, users, role):
    client.force_login(users[role])
    assert client.get("/person/import/").status_code == 403


def test_someone_elses_import_is_not_found(client, users):
    client.force_login(users["sales"])
    client.post("/person/import/", {"file": _file(PEOPLE_CSV, "people.csv")})
    job = ImportJob.objects.get()
    client.force_login(users["sales2"])
    for url in (f"/imports/{job.pk}/", f"/imports/{job.pk}/progress/", f"/imports/{job.pk}/problems.csv"):
        assert client.get(url).status_code == 404
    assert client.post(f"/imports/{job.pk}/undo/").status_code == 404


def _export(client, kind="person", file_format="csv", **params):
    response = client.get(f"/{kind}/export.{file_format}", params)
    assert response.status_code == 200
    if file_format == "csv":
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [
        [c if c is not None else "" for c in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


def test_export_follows_filters_and_the_permission_policy(client, users, make_person):
    make_person(first_name="Mine", last_name="One", owner="sales")
    make_person(first_name="Teammate", last_name="Two", owner="sales2", data={"stage": "customer"})
    make_person(first_name="Hidden", last_name="Three", owner="outsider")
    client.force_login(users["sales"])
    names = {row[1] for row in _export(client)[1:]}
    assert names == {"Mine", "Teammate"}
    assert {row[1] for row in _export(client, stage="customer")[1:]} == {"Teammate"}
    assert {row[1] for row in _export(client, file_format="xlsx")[1:]} == {"Mine", "Teammate"}


@pytest.mark.parametrize(
    "payload", ["=1+1", "+98 912", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "   =cmd|' /C calc'!A0"]
)
def test_formula_injection_is_neutralised_in_csv_and_xlsx(client, users, make_person, payload):
    party = make_person(first_name="Safe", last_name="Row")
    Party.objects.filter(pk=party.pk).update(last_name=payload)  # as a raw import might have stored it
    client.force_login(users["admin"])
    row = next(r for r in _export(client)[1:] if r[1] == "Safe")
    assert row[2] == "'" + payload
    assert neutralise(payload) == "'" + payload
    response = client.get("/person/export.xlsx")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere: every cell is text


def test_export_headers_follow_the_language(client, users, make_person):
    make_person()
    users["admin"].language = "en"
    users["admin"].save()
    client.force_login(users["admin"])
    header = _export(client)[0]
    assert header[1:3] == ["First name", "Last name"]
    users["admin"].language = "fa"
    users["admin"].save()
    assert _export(client)[0][1:3] == ["نام", "نام خانوادگی"]


def test_export_of_many_rows_pages_through_the_list(client, users, make_person, monkeypatch):
    from peyvand.customers.selectors import exports as selectors

    monkeypatch.setattr(selectors, "EXPORT_PAGE", 3)
    for i in range(8):
        make_person(first_name=f"P{i}", tags=["t"])
    client.force_login(users["admin"])
    header, *rows = _export(client)
    tags = header.index("برچسب‌ها")
    assert sorted(r[1] for r in rows) == [f"P{i}" for i in range(8)] and all(r[tags] == "t" for r in rows)


def test_import_through_the_api(client, users, django_capture_on_commit_callbacks):
    from peyvand.core.services.tokens import api_token_create

    _token, key = api_token_create(user=users["sales"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post("/api/v1/imports", {"kind": "person", "file": _file(PEOPLE_CSV, "p.csv")}, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "uploaded" and body["mapping"]["2"] == "mobile" and body["columns"][0] == "نام"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/imports/{body['id']}/start",
            {"duplicates": "skip"},
            content_type="application/json",
            **auth,
        )
    assert response.status_code == 202
    job = client.get(f"/api/v1/imports/{body['id']}", **auth).json()
    assert (job["status"], job["created"], job["rejected"], job["processed_rows"]) == ("done", 1, 1, 2)
    problems = client.get(f"/api/v1/imports/{body['id']}/problems", **auth).json()
    assert problems["items"][0]["value"] == "12"
    assert client.post(f"/api/v1/imports/{body['id']}/undo", **auth).json()["status"] == "undone"
    bad = client.post(
        f"/api/v1/imports/{body['id']}/start",
        {"duplicates": "maybe"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    _token, other = api_token_create(user=users["sales2"], name="t")
    assert (
        client.get(f"/api/v1/imports/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    )
    empty = client.post("/api/v1/imports", {"kind": "person", "file": _file(b"", "e.csv")}, **auth)
    assert empty.status_code == 422 and empty.json()["error"]["fields"][0]["field"] == "file"
