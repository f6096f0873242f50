"""The report builder's pages and API in Persian and English: the list (filtered, sorted,
paged, in a fixed number of queries), the builder's live preview and saving, bad input
answered with messages (never a 500), a report's page and its CSV (formula-safe), XLSX (real
numbers) and PDF, and the API's CRUD and runs through the policy."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from peyvand.analytics.models import SavedReport
from peyvand.analytics.reporting import ReportSpec
from peyvand.analytics.services import reports as services
from peyvand.sales.models import Deal, DealStatus
from peyvand.sales.services import pipelines

pytestmark = pytest.mark.django_db

NEW = "/analytics/reports/new/"  # as text: reverse() here would load every app's URLs at collection
LIST = "/analytics/reports/"
SPEC = {
    "entity": "deal",
    "measure": "sum",
    "measure_field": "amount_base",
    "rows": "city",
    "columns": "closed_at:quarter",
    "calendar": "jalali",
}
FORM = {
    **{k: v for k, v in SPEC.items() if k != "measure_field"},
    "measure": "sum:amount_base",
    "chart": "bar",
}


@pytest.fixture
def deals(users, make_org):
    """Won deals of the salesperson (one customer in a city named like a formula) and one
    of another team."""
    pipeline = pipelines.pipeline_ensure_default()
    won = pipeline.stages.order_by("order")[len(pipeline.stages.all()) - 2]
    evil = make_org(
        name="شرکت فرمول",
        owner="sales",
        contacts=[{"kind": "address", "value": "خیابان", "city": "=HYPERLINK(1)", "province": "تهران"}],
    )
    other = make_org(name="شرکت دیگر", owner="outsider")
    closed = timezone.make_aware(dt.datetime(2025, 4, 10, 12))

    def deal(party, owner, amount):
        return Deal.objects.create(
            title="فروش",
            party=party,
            pipeline=pipeline,
            stage=won,
            status=DealStatus.WON,
            currency="IRR",
            amount=Decimal(amount),
            amount_base=Decimal(amount),
            expected_close=dt.date(2025, 4, 1),
            owner=users[owner],
            closed_at=closed,
            stage_entered_at=closed,
        )

    return [deal(evil, "sales", 1_500_000), deal(evil, "sales", 500_000), deal(other, "outsider", 9_000_000)]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def saved(user, name="گزارش شهرها", **extra):
    return services.report_save(
        actor=user, data=services.ReportInput(name=name, spec=ReportSpec.model_validate(SPEC), **extra)
    )


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_builder_previews_and_saves(as_user, deals, users, language):
    client = as_user("sales")
    page = client.get(NEW, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and 'data-testid="report-pivot"' in page.content.decode()
    query = {**FORM, "chart": "stacked", "owner": [str(users["sales"].pk)]}
    preview = client.get(NEW, query, HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true")
    text = preview.content.decode()
    assert preview.status_code == 200
    assert ("۲٬۰۰۰٬۰۰۰" if language == "fa" else "2,000,000") in text  # the sales team's only
    assert "9,000,000" not in text and "۹٬۰۰۰٬۰۰۰" not in text
    assert "=HYPERLINK(1)" in text and "<script>" not in text.split("report-pivot")[1].split("</table>")[0]
    response = client.post(NEW, {**query, "name": "شهرها ي ك", "visibility": "team", "schedule": "monthly"})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = SavedReport.objects.get()
    assert (report.name, report.visibility, report.schedule) == ("شهرها ی ک", "team", "monthly")
    assert report.definition["filters"] == [{"dimension": "owner", "values": [str(users["sales"].pk)]}]
    assert response["Location"] == reverse("analytics:report_detail", args=[report.pk])


def test_changing_the_records_starts_the_other_choices_over(as_user, deals):
    response = as_user("sales").get(NEW, {**FORM, "entity": "interaction"})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="report-empty"' in page  # it ran: no interactions
    assert 'value="count" selected' in page  # interactions have no amount to sum
    assert "closed_at:quarter" not in page and "report-errors" not in page  # nor a closing date


@pytest.mark.parametrize(
    "bad",
    [
        {"date_field": "closed_at", "date_from": "۱۴۰۴/۱۳/۴۰"},
        {"date_field": "closed_at", "date_from": "1404/02/01", "date_to": "1404/01/01"},
        {"rows": "owner__password"},
        {"measure": "sum:owner__password"},
        {"columns": "city"},
        {"filter_dimension": "status", "filter_values": ["stolen"]},
        {"entity": "nothing"},
    ],
)
def test_bad_input_is_a_message_not_an_error(as_user, deals, bad, english):
    client = as_user("sales")
    preview = client.get(NEW, {**FORM, **bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert preview.status_code == 200
    saving = client.post(NEW, {**FORM, **bad, "name": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert saving.status_code in (302, 400)  # an unknown entity falls back to deals and saves
    if saving.status_code == 400:
        assert "is-invalid" in saving.content.decode() or "report-errors" in saving.content.decode()


def test_saving_without_a_name_says_so(as_user, deals, english):
    response = as_user("sales").post(NEW, {**FORM, "name": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Give the report a name." in response.content.decode()
    assert not SavedReport.objects.exists()


def test_the_list_filters_sorts_and_pages_in_few_queries(as_user, users, django_assert_max_num_queries):
    for i in range(30):
        saved(users["sales"], f"گزارش {i:02d}")
    saved(users["sales2"], "گزارش همکار", visibility="team")
    saved(users["outsider"], "گزارش تیم دیگر", visibility="team")
    client = as_user("sales")
    client.get(LIST)
    with django_assert_max_num_queries(12):
        page = client.get(LIST, {"sort": "name"}).content.decode()
    assert "گزارش 00" in page and "گزارش تیم دیگر" not in page
    assert "گزارش همکار" not in page  # the 26th by name: on the next page
    found = client.get(LIST, {"q": "همكار"}).content.decode()  # Arabic ك
    assert "گزارش همکار" in found and "گزارش 00" not in found
    mine = client.get(LIST, {"mine": "on", "q": "همکار"}).content.decode()
    assert "گزارش همکار" not in mine
    assert client.get(LIST, {"cursor": "garbage"}).status_code == 302


def test_a_reports_page_and_its_exports(as_user, deals, users):
    report = saved(users["sales"])
    client = as_user("sales2")  # not shared: another salesperson does not find it
    assert client.get(reverse("analytics:report_detail", args=[report.pk])).status_code == 404
    client = as_user("sales")
    url = reverse("analytics:report_detail", args=[report.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fa")
    assert page.status_code == 200 and "report-chart" in page.content.decode()
    lines = b"".join(client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").streaming_content)
    rows = list(csv.reader(io.StringIO(lines.decode("utf-8-sig"))))
    assert rows[0] == ["City", "Q1 1404", "Total"]
    assert rows[1] == ["'=HYPERLINK(1)", "2000000", "2000000"]  # neutralised, not a formula
    workbook = client.get(url, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1] == ("=HYPERLINK(1)", 2000000, 2000000)
    assert sheet.cell(row=2, column=1).data_type == "s" and sheet.cell(row=2, column=2).data_type == "n"
    pdf = client.get(url, {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="fa")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The chart above the table, as the page draws it: its value axis ticks in Persian digits.
    text = pdf_text(pdf.content)
    assert any(tick in text for tick in ("۵۰۰٬۰۰۰", "۰۰۰٬۰۰۵")) and "500,000" not in text
    english = pdf_text(client.get(url, {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Sum of Value (base currency)" in english and "1,500,000" in english


def test_without_node_the_pdf_has_the_table_and_says_why(as_user, deals, users, settings):
    settings.PEYVAND_NODE = "/nowhere/node"
    report = saved(users["sales"])
    url = reverse("analytics:report_detail", args=[report.pk])
    text = " ".join(
        pdf_text(as_user("sales").get(url, {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE="en").content).split()
    )
    assert "The chart could not be drawn on the server (it needs Node.js)" in text
    assert "2,000,000" in text and "1,500,000" not in text  # the table, and no axis


def test_editing_and_removing(as_user, deals, users):
    report = saved(users["sales"], visibility="team")
    edit = reverse("analytics:report_edit", args=[report.pk])
    assert as_user("sales2").get(edit).status_code == 403  # shared to read, not to change
    client = as_user("sales")
    form = client.get(edit)
    assert form.status_code == 200 and "گزارش شهرها" in form.content.decode()
    response = client.post(
        edit, {**FORM, "rows": "owner", "chart": "line", "name": "تازه", "visibility": "private"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.name, report.definition["rows"], report.team_id) == ("تازه", "owner", None)
    delete = reverse("analytics:report_delete", args=[report.pk])
    assert as_user("outsider").post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not SavedReport.objects.filter(pk=report.pk).exists()


def test_a_report_whose_settings_no_longer_hold_says_so_instead_of_failing(as_user, api_as, deals, users):
    # As if saved by an earlier Peyvand that offered a dimension this one does not.
    report = saved(users["sales"])
    SavedReport.objects.filter(pk=report.pk).update(definition={**report.definition, "rows": "gone"})
    client = as_user("sales")
    page = client.get(reverse("analytics:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "no longer hold" in page.content.decode() and "report-chart" not in page.content.decode()
    assert (
        client.get(reverse("analytics:report_detail", args=[report.pk]), {"format": "csv"}).status_code == 200
    )
    edit = client.get(reverse("analytics:report_edit", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="fa")
    assert edit.status_code == 200 and report.name in edit.content.decode()
    run = api_as("sales").get(f"/analytics/reports/{report.pk}/run")
    assert run.status_code == 422 and "no longer hold" in run.content.decode()


def test_readonly_users_do_not_build_reports(as_user):
    client = as_user("readonly")
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_saves_runs_and_refuses(api_as, deals, users):
    api = api_as("sales")
    created = api.post("/analytics/reports", {"name": "API", "definition": SPEC, "visibility": "team"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["definition"]["rows"] == "city" and body["team_id"] == users["sales"].team_id
    run = api.get(f"/analytics/reports/{body['id']}/run").json()
    assert run["columns"] == ["Q1 1404", "Total"] or run["columns"][0].endswith("1404")
    assert run["total"] == 2_000_000 and run["rows"][0]["label"] == "=HYPERLINK(1)"
    assert api_as("sales2").get(f"/analytics/reports/{body['id']}/run").json()["total"] == 2_000_000
    assert api_as("outsider").get(f"/analytics/reports/{body['id']}").status_code == 404
    assert api_as("outsider").post("/analytics/reports/run", SPEC).json()["total"] == 9_000_000
    assert api_as("admin").post("/analytics/reports/run", SPEC).json()["total"] == 11_000_000
    bad = api.post("/analytics/reports/run", {**SPEC, "rows": "owner__password"})
    assert bad.status_code == 422
    unknown = api.post("/analytics/reports", {"name": "x", "definition": {**SPEC, "raw_sql": "1"}})
    assert unknown.status_code == 422
    changed = api.patch(f"/analytics/reports/{body['id']}", {"name": "تازه", "schedule": "daily"})
    assert changed.status_code == 200 and changed.json()["schedule"] == "daily"
    assert api_as("sales2").patch(f"/analytics/reports/{body['id']}", {"name": "نه"}).status_code == 403
    listed = api.get("/analytics/reports", {"q": "تازه"}).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert api.delete(f"/analytics/reports/{body['id']}").status_code == 204
    assert api.get(f"/analytics/reports/{body['id']}").status_code == 404
    assert api_as("readonly").get("/analytics/reports").status_code == 403
