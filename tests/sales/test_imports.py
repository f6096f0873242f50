"""Importing products and past orders from CSV and XLSX, through the import machinery: a job
that checks every row first, reports the refused ones by row and column, writes the rest a
chunk at a time, resumes after a crash, and can be undone.

Rows are numbered as the machinery numbers them for every kind: 1 is the first row after the
header (the people import's report counts the same way).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from peyvand import cli
from peyvand.customers import importer
from peyvand.customers.importer import engine, reading
from peyvand.customers.models import ContactPoint, ImportIssue, ImportJob
from peyvand.sales.models import Order, OrderLine, PriceList, Product
from peyvand.sales.services import catalogue, imports

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user, content: bytes, name: str = "p.csv", kind: str = "products") -> ImportJob:
    return importer.import_upload(
        actor=user, kind=kind, source=io.BytesIO(content), name=name, size=len(content)
    )


def run_import(user, content, name="p.csv", kind="products", duplicates=None, progress=None) -> ImportJob:
    """Upload, keep the guessed mapping, queue and run the job here (as the worker would)."""
    if isinstance(content, str):
        content = content.encode()
    job = upload(user, content, name, kind)
    job = importer.import_configure(
        job=job,
        actor=user,
        columns=job.mapping,
        duplicates=duplicates or importer.importer_for(kind).default_policy,
    )
    importer.import_queue(job=job, actor=user)
    return engine.run(job.pk, progress=progress)


def problems(job: ImportJob) -> set[tuple[int, str]]:
    return {(i.row, i.column) for i in ImportIssue.objects.filter(job=job, skipped=False)}


def report(job: ImportJob) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(importer.import_issue_rows(job)).removeprefix("\ufeff"))))


# --- products ---------------------------------------------------------------------------------


def test_products_from_xlsx_create_and_update(users, products):
    content = _xlsx(
        [
            ["SKU", "name_fa", "name_en", "unit", "tax_rate", "price", "currency"],
            ["crm-1", "مجوز نرم‌افزار (جدید)", "Licence", "licence", 9, 13000000, "IRR"],
            ["NEW-9", "کالای ۹", "", "piece", "", "۲۵۰۰۰", ""],
            ["USD-1", "خدمت ارزی", "", "service", 0, "19.99", "USD"],
        ]
    )
    job = run_import(users["admin"], content, name="p.xlsx")
    assert job.status == Status.DONE, (job.failure, problems(job))
    assert (job.created_count, job.updated_count, job.error_count) == (2, 1, 0)
    # The progress counters: every row checked, then every row written.
    assert (job.total_rows, job.checked_rows, job.next_row) == (3, 3, 4)
    crm = Product.objects.get(sku="CRM-1")
    assert crm.name_fa == "مجوز نرم‌افزار (جدید)" and crm.tax_rate == Decimal("9")
    assert crm.prices.get(price_list__currency="IRR").price == Decimal("13000000")
    assert Product.objects.get(sku="NEW-9").prices.get().price == Decimal("25000")
    assert Product.objects.get(sku="USD-1").prices.get().price_list.currency == "USD"


def test_products_read_like_people_from_excels_persian_csv(users, products):
    """The one spreadsheet reader: Windows-1256 with semicolons, as Excel on Persian Windows
    saves "CSV", imports products as it imports people."""
    content = "sku;name_fa;unit;price\nKAF-1;كيف چرمي;piece;1200000\n".encode("cp1256")  # Arabic ي and ك
    job = run_import(users["admin"], content)
    assert job.status == Status.DONE and job.created_count == 1, problems(job)
    assert (job.encoding, job.delimiter) == ("cp1256", ";")
    product = Product.objects.get(sku="KAF-1")
    assert product.name_fa == "کیف چرمی"
    assert product.prices.get().price == Decimal("1200000")


def test_bad_product_rows_are_reported_and_nothing_is_written(users, products):
    content = (
        "sku,name_fa,unit,tax_rate,price,currency\n"
        "A-1,کالا,piece,10,100,IRR\n"
        ",بی‌کد,piece,10,100,IRR\n"
        "B-1,کالا,bucket,150,-3,ZZZ\n"
        "A-1,تکراری,piece,10,100,IRR\n"
    )
    with translation.override("en"):  # the job reports in its uploader's language
        job = run_import(users["admin"], content)
    found = problems(job)
    assert {(2, "sku"), (3, "currency"), (4, "sku")} <= found
    assert (3, "unit") in found and (3, "tax_rate") in found  # every problem of a row, not the first
    assert not Product.objects.filter(sku__in=["A-1", "B-1"]).exists()
    assert job.status == Status.FAILED and "Nothing was imported" in job.failure
    assert (job.error_count, job.created_count, job.next_row) == (3, 0, 1)
    assert not job.undoable  # nothing to undo


def test_persian_and_english_headers_are_recognised(users, products):
    job = upload(
        users["admin"],
        "کد کالا,نام کالا,نام انگلیسی,واحد,نرخ مالیات,قیمت,ارز,فعال\n".encode() + b"X,Y,,,,,,\n",
    )
    assert job.mapping == {
        "0": "sku",
        "1": "name_fa",
        "2": "name_en",
        "3": "unit",
        "4": "tax_rate",
        "5": "price",
        "6": "currency",
        "7": "active",
    }
    header = "شماره سفارش,مشتری,تاریخ,کد کالا,شرح,تعداد,قیمت واحد,مبلغ کل,ارز,تخفیف\n"
    job = upload(users["admin"], header.encode() + b"1,2,3,4,5,6,7,8,9,0\n", kind="orders")
    assert [job.mapping[str(i)] for i in range(10)] == [
        "order",
        "customer",
        "date",
        "sku",
        "description",
        "quantity",
        "unit_price",
        "amount",
        "currency",
        "discount_percent",
    ]


def test_a_product_in_the_catalogue_is_updated_or_skipped(users, products):
    content = "sku,name_fa,price\nCRM-1,نام تازه,99\n"
    job = run_import(users["admin"], content, duplicates="skip")
    assert (job.status, job.updated_count, job.skipped_count) == (Status.DONE, 0, 1)
    assert Product.objects.get(sku="CRM-1").name_fa == "مجوز نرم‌افزار"
    job = run_import(users["admin"], content)  # the default: update
    assert (job.updated_count, job.skipped_count) == (1, 0)
    assert Product.objects.get(sku="CRM-1").name_fa == "نام تازه"


def test_undo_of_a_products_import(users, products, price_list):
    crm = products["crm"]
    content = (
        "sku,name_fa,tax_rate,price,currency\n"
        "CRM-1,مجوز تازه,9,13000000,IRR\n"  # changes a product
        "SUP-1,پشتیبانی,10,800000,IRR\n"  # the same as it was: nothing to put back
        "NEW-1,کالای تازه,0,5000,IRR\n"
        "EUR-1,کالای یورویی,0,12.50,EUR\n"  # a new currency: a price list of its own
    )
    job = run_import(users["admin"], content)
    assert (job.status, job.created_count, job.updated_count) == (Status.DONE, 2, 2)
    euro = PriceList.objects.get(currency="EUR")
    catalogue.product_update(product=products["training"], actor=users["admin"], data={"name_fa": "آموزش ۲"})

    importer.import_undo(job=job, actor=users["admin"])
    assert not Product.objects.filter(sku__in=["NEW-1", "EUR-1"]).exists()
    assert not PriceList.objects.filter(pk=euro.pk).exists()
    crm.refresh_from_db()
    assert (crm.name_fa, crm.tax_rate) == ("مجوز نرم‌افزار", Decimal("10"))
    assert crm.prices.get(price_list=price_list).price == Decimal("12500000")
    assert Product.objects.get(sku="TRN-1").name_fa == "آموزش ۲"  # not the import's: kept
    assert ImportJob.objects.get(pk=job.pk).status == Status.UNDONE
    with pytest.raises(ValidationError):
        importer.import_undo(job=job, actor=users["admin"])
    # The SKUs are free again: the same file imports anew.
    assert run_import(users["admin"], content).created_count == 2


def test_undo_keeps_a_change_made_after_the_import(users, products, price_list):
    job = run_import(users["admin"], "sku,name_fa,price\nCRM-1,نام وارد شده,100\n")
    catalogue.product_update(
        product=products["crm"], actor=users["admin"], data={"name_fa": "نام ویرایش شده"}
    )
    importer.import_undo(job=job, actor=users["admin"])
    crm = Product.objects.get(sku="CRM-1")
    assert crm.name_fa == "نام ویرایش شده"  # edited since: kept
    assert crm.prices.get(price_list=price_list).price == Decimal("12500000")  # the import's: put back


# --- past orders ------------------------------------------------------------------------------


def test_orders_import_groups_lines_and_finds_customers(users, products, make_org, make_person):
    org = make_org(name="شرکت البرز")
    person = make_person(contacts=[{"kind": ContactPoint.Kind.EMAIL, "value": "ali@example.com"}])
    content = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        f"H-1,{org.pk},1402/01/15,CRM-1,2,1000,2500\n"
        "H-1,شركت البرز,1402/01/15,SUP-1,1,500,2500\n"
        "H-2,ali@example.com,2023-06-01,TRN-1,1,300,300\n"
    )
    job = run_import(users["manager"], content, name="o.csv", kind="orders")
    assert job.status == Status.DONE, (job.failure, problems(job))
    assert (job.created_count, job.error_count, job.total_rows) == (2, 0, 3)
    first = Order.objects.get(number="IMP-H-1")
    assert first.party == org and first.lines.count() == 2 and first.total == Decimal("2500")
    assert first.ordered_on.isoformat() == "2023-04-04" and first.imported
    assert Order.objects.get(number="IMP-H-2").party == person
    again = run_import(users["manager"], content, name="o.csv", kind="orders")
    assert again.status == Status.FAILED
    assert any(column == "order" for _row, column in problems(again))
    assert Order.objects.count() == 2
    skipping = run_import(users["manager"], content, name="o.csv", kind="orders", duplicates="skip")
    assert (skipping.status, skipping.created_count, skipping.skipped_count) == (Status.DONE, 0, 3)
    assert Order.objects.count() == 2


def test_orders_import_checks_the_amount_and_customers_one_may_see(users, products, make_org):
    make_org(name="پنهان", owner="outsider")
    content = (
        "order,customer,date,sku,quantity,unit_price,amount\nX,پنهان,1402/01/01,CRM-1,1,100,100\n"
        "Y,شرکت نمونه,1402/01/01,CRM-1,1,100,999\n"
    )
    make_org()
    job = run_import(users["manager"], content, name="o.csv", kind="orders")
    assert problems(job) == {(1, "customer"), (2, "amount")}
    assert not Order.objects.exists()


def test_rows_of_one_order_must_agree(users, products, make_org):
    first, second = make_org(name="الف"), make_org(name="ب")
    content = (
        "order,customer,date,sku,quantity,unit_price\n"
        f"A,{first.pk},1402/01/01,CRM-1,1,100\n"
        f"A,{second.pk},1402/01/01,SUP-1,1,100\n"
    )
    job = run_import(users["admin"], content, name="o.csv", kind="orders")
    assert problems(job) == {(2, "customer")} and not Order.objects.exists()


def test_the_error_report_names_row_column_value_and_problem(users, products, make_org, client):
    make_org()
    content = (
        "order,customer,date,sku,quantity,unit_price\n"
        "A1,شرکت نمونه,1403/05/01,CRM-1,1,100\n"
        "A2,کسی که نیست,1403/05/01,CRM-1,1,100\n"
        "A3,شرکت نمونه,1403/13/01,NOPE,-1,100\n"
    )
    job = run_import(users["admin"], content, name="o.csv", kind="orders")
    with translation.override("en"):
        rows = report(job)
    assert rows[0] == ["Row", "Column", "Value", "Problem"]
    by_cell = {(r[0], r[1]): (r[2], r[3]) for r in rows[1:]}
    assert by_cell[("2", "customer")][0] == "کسی که نیست"
    assert {("3", "date"), ("3", "sku"), ("3", "quantity")} <= set(by_cell)
    assert by_cell[("3", "quantity")][0] == "'-1"  # as the report keeps Excel from reading a formula
    assert ImportIssue.objects.get(job=job, column="quantity").value == "-1"
    client.force_login(users["admin"])
    download = client.get(reverse("import_issues", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "کسی که نیست" in text and "NOPE" in text
    assert not Order.objects.exists()


def test_undo_of_an_orders_import(users, products, make_org):
    org = make_org()
    content = f"order,customer,date,sku,quantity,unit_price\nU-1,{org.pk},1402/01/01,CRM-1,1,100\n"
    content += f"U-2,{org.pk},1402/01/02,SUP-1,2,50\nU-2,{org.pk},1402/01/02,TRN-1,1,10\n"
    job = run_import(users["manager"], content, name="o.csv", kind="orders")
    assert job.created_count == 2 and OrderLine.objects.count() == 3
    made_here = Order.objects.create(
        number="SO-1", party=org, currency="IRR", ordered_on="2024-01-01", created_by=users["admin"]
    )
    importer.import_undo(job=job, actor=users["manager"])
    assert list(Order.all_objects.all()) == [made_here]
    assert not OrderLine.objects.exists()
    again = run_import(users["manager"], content, name="o.csv", kind="orders")  # the numbers are free
    assert again.status == Status.DONE and Order.objects.count() == 3
    for someone in ("sales", "sales2"):
        with pytest.raises(PermissionDenied):
            importer.import_undo(job=again, actor=users[someone])
    assert Order.objects.count() == 3


def test_an_order_split_across_chunks_and_rows_is_one_order(users, products, make_org, monkeypatch):
    """Chunks of two rows: order A's lines fall in three chunks, not next to each other."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 2)
    monkeypatch.setattr(reading, "FIRST_CHUNK_ROWS", 2)
    org = make_org()
    content = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        f"A,{org.pk},1402/01/01,CRM-1,1,100,\n"
        f"B,{org.pk},1402/01/01,CRM-1,1,100,\n"
        f"A,{org.pk},1402/01/01,SUP-1,2,100,\n"
        f"B,{org.pk},1402/01/01,SUP-1,1,100,\n"
        f"A,{org.pk},1402/01/01,TRN-1,1,100,400\n"
    )
    seen = []
    job = run_import(
        users["admin"],
        content,
        name="o.csv",
        kind="orders",
        progress=lambda j: seen.append((j.status, j.checked_rows, j.next_row, j.created_count)),
    )
    assert job.status == Status.DONE and job.created_count == 2
    a = Order.objects.get(number="IMP-A")
    assert [line.product.sku for line in a.lines.order_by("position")] == ["CRM-1", "SUP-1", "TRN-1"]
    assert a.total == Decimal("400") == a.invoiced_total
    # The counters, chunk by chunk: the check first, then the writing.
    assert seen == [
        ("checking", 2, 1, 0),
        ("checking", 4, 1, 0),
        ("checking", 5, 1, 0),
        ("running", 5, 1, 0),
        ("running", 5, 3, 2),
        ("running", 5, 5, 2),
        ("running", 5, 6, 2),
    ]


class Crash(Exception):
    pass


def test_an_orders_import_killed_mid_chunk_resumes_and_writes_each_order_once(
    users, products, make_org, monkeypatch
):
    """The worker dies while writing a chunk: that chunk is rolled back with its checkpoint,
    and the run that takes over carries on from the last committed row."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 4)
    monkeypatch.setattr(reading, "FIRST_CHUNK_ROWS", 4)
    org = make_org()
    lines = [(f"R{n // 3}", ("CRM-1", "SUP-1", "TRN-1")[n % 3]) for n in range(15)]  # 5 orders of 3
    content = "order,customer,date,sku,quantity,unit_price\n" + "".join(
        f"{ref},{org.pk},1402/01/01,{sku},1,10\n" for ref, sku in lines
    )
    real = imports.OrderWriter._lines
    calls = []

    def dying(self, order, rows, *, position):
        calls.append(order.number)
        if len(calls) == 6:  # in the third chunk (rows 9-12), after it has written an order's line
            raise Crash
        return real(self, order, rows, position=position)

    monkeypatch.setattr(imports.OrderWriter, "_lines", dying)
    with pytest.raises(Crash):
        run_import(users["admin"], content, name="o.csv", kind="orders")
    job = ImportJob.objects.get()
    assert (job.status, job.next_row) == (Status.RUNNING, 9)  # two chunks committed
    assert Order.objects.count() == 3  # R0, R1, R2 (R2 begun): the dying chunk's writes are gone
    monkeypatch.setattr(imports.OrderWriter, "_lines", real)
    assert engine.run(job.pk).status == Status.RUNNING  # a live lease: a second run backs off
    stale = timezone.now() - dt.timedelta(seconds=engine.LEASE_SECONDS + 1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)  # the dead run's lease runs out
    job = engine.run(job.pk)
    assert job.status == Status.DONE and job.created_count == 5
    assert sorted(Order.objects.values_list("number", flat=True)) == [f"IMP-R{n}" for n in range(5)]
    for order in Order.objects.all():
        assert [line.product.sku for line in order.lines.order_by("position")] == ["CRM-1", "SUP-1", "TRN-1"]
        assert order.total == Decimal("30")


# --- files, permissions, the page, the API and the command line -------------------------------


def test_files_that_are_not_tables(users):
    for name, content in (
        ("x.pdf", b"%PDF"),
        ("x.xlsx", b"not a zip"),
        ("x.csv", b"\xff\xfe\x00"),
        ("x.csv", b""),
    ):
        with pytest.raises(ValidationError):
            upload(users["admin"], content, name=name)
    with pytest.raises(PermissionDenied):
        upload(users["sales"], b"sku,name_fa\na,b\n")
    assert not ImportJob.objects.exists()


def test_only_administrators_and_managers_import_orders_on_the_page_and_the_api(
    users, products, make_org, client, api_as
):
    make_org()
    content = (
        "order,customer,date,quantity,unit_price,description\nZ,شرکت نمونه,1402/01/01,1,100,x\n".encode()
    )
    for name in ("sales", "support", "readonly"):
        with pytest.raises(PermissionDenied):
            upload(users[name], content, name="o.csv", kind="orders")
        api = api_as(name)
        for endpoint in ("/api/v1/orders/import", "/api/v1/products/import"):
            response = api.client.post(endpoint, {"file": _file(content, "o.csv")}, headers=api.headers)
            assert response.status_code == 403, (name, response.content)
        response = api.client.post(
            "/api/v1/imports", {"kind": "orders", "file": _file(content, "o.csv")}, headers=api.headers
        )
        assert response.status_code == 403
        client.force_login(users[name])
        assert client.get(reverse("sales:import")).status_code == 403
        assert (
            client.post(
                reverse("sales:import"), {"kind": "orders", "file": _file(content, "o.csv")}
            ).status_code
            == 403
        )
    assert not Order.objects.exists() and not ImportJob.objects.exists()
    client.force_login(users["manager"])
    page = client.get(reverse("sales:import"))
    assert page.status_code == 200 and 'value="products"' not in page.content.decode()
    manager_api = api_as("manager")
    refused = manager_api.client.post(
        "/api/v1/products/import",
        {"file": _file(b"sku,name_fa\nA,B\n", "p.csv")},
        headers=manager_api.headers,
    )
    assert refused.status_code == 403 and not Product.objects.filter(sku="A").exists()
    job = run_import(users["manager"], content, name="o.csv", kind="orders")
    assert job.status == Status.DONE and Order.objects.count() == 1


def _file(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_page_hands_over_to_the_import_pages(users, products, client, django_capture_on_commit_callbacks):
    client.force_login(users["admin"])
    content = "کد کالا,نام کالا,قیمت\nP-1,کالای یک,1000\nP-2,کالای دو,2000\n".encode()
    response = client.post(reverse("sales:import"), {"kind": "products", "file": _file(content, "p.csv")})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import_detail", args=[job.pk]) and job.kind == "products"
    page = client.get(response["Location"]).content.decode()
    assert 'name="column-0"' in page and "کالای یک" in page  # the mapping, with a preview
    assert 'value="update"' in page and 'value="create"' not in page  # the kind's own choices
    assert 'name="owner"' not in page and 'data-testid="all-or-nothing"' in page
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs inline in tests
        response = client.post(
            response["Location"],
            {"column-0": "sku", "column-1": "name_fa", "column-2": "price", "duplicates": "update"},
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count) == (Status.DONE, 2)
    progress = client.get(reverse("import_progress", args=[job.pk])).content.decode()
    assert 'data-status="done"' in progress and reverse("sales:product_list") in progress
    listing = client.get(reverse("sales:import")).content.decode()
    assert reverse("import_detail", args=[job.pk]) in listing
    client.post(reverse("import_undo", args=[job.pk]))
    assert not Product.objects.filter(sku__in=["P-1", "P-2"]).exists()


def test_the_api_starts_a_job_as_the_imports_api_does(
    api, make_org, products, users, django_capture_on_commit_callbacks
):
    csv_text = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        "A1,شرکت نمونه,1403/05/01,CRM-1,1,100,100\n"
        "A2,کسی که نیست,1403/05/01,CRM-1,1,100,\n"
        "A3,شرکت نمونه,1403/13/01,NOPE,-1,100,\n"
    )
    make_org()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post(
            "/api/v1/orders/import", {"file": _file(csv_text.encode(), "orders.csv")}, headers=api.headers
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["mapping"]["1"]) == ("orders", "queued", "customer")
    job = api.get(f"/imports/{body['id']}").json()
    assert (job["status"], job["rejected"], job["checked_rows"], job["created"]) == ("failed", 2, 3, 0)
    problems_page = api.get(f"/imports/{body['id']}/problems").json()["items"]
    assert {(2, "customer"), (3, "date"), (3, "sku"), (3, "quantity")} <= {
        (p["row"], p["column"]) for p in problems_page
    }
    assert not Order.objects.exists()  # row 1 was fine, but nothing is written unless all are

    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post(
            "/api/v1/products/import",
            {"file": _file(b"sku,name_fa,price\nAPI-1,\xda\xa9\xd8\xa7\xd9\x84\xd8\xa7,10\n", "p.csv")},
            headers=api.headers,
        )
    assert response.status_code == 202
    job = api.get(f"/imports/{response.json()['id']}").json()
    assert (job["status"], job["created"], job["processed_rows"]) == ("done", 1, 1)
    assert api.post(f"/imports/{job['id']}/undo").json()["status"] == "undone"
    assert not Product.objects.filter(sku="API-1").exists()

    missing = api.client.post(
        "/api/v1/products/import", {"file": _file(b"name_fa\nx\n", "p.csv")}, headers=api.headers
    )
    assert missing.status_code == 422 and missing.json()["error"]["fields"][0]["field"] == "columns"
    assert ImportJob.objects.filter(status=Status.UPLOADED).count() == 0  # a refused start keeps nothing


def test_the_command_line_imports_products_and_orders(users, products, make_org, tmp_path, capsys):
    org = make_org()
    (tmp_path / "p.csv").write_text("sku,name_fa,price\nCLI-1,کالای خط فرمان,10\n", encoding="utf-8")
    (tmp_path / "o.csv").write_text(
        f"order,customer,date,sku,quantity,unit_price\nC-1,{org.pk},1402/01/01,CLI-1,3,10\n", encoding="utf-8"
    )
    assert cli.main(["import", "products", str(tmp_path / "p.csv"), "--as", "admin"]) == 0
    assert cli.main(["import", "orders", str(tmp_path / "o.csv"), "--as", "manager"]) == 0
    out = capsys.readouterr().out
    assert "1 created" in out and "checking" in out
    assert Order.objects.get(number="IMP-C-1").lines.get().product.sku == "CLI-1"
    assert cli.main(["import", "orders", str(tmp_path / "o.csv"), "--as", "manager"]) == 1  # imported before
    assert "failed" in capsys.readouterr().out
    assert (
        cli.main(["import", "orders", str(tmp_path / "o.csv"), "--as", "manager", "--duplicates", "skip"])
        == 0
    )
    with pytest.raises(SystemExit):
        cli.main(["import", "products", str(tmp_path / "p.csv"), "--as", "sales"])


@pytest.mark.parametrize(("language", "rtl", "created"), [("fa", True, "۲"), ("en", False, "2")])
def test_the_import_pages_in_persian_and_english(users, products, client, language, rtl, created):
    admin = users["admin"]
    admin.language = language
    admin.save()
    client.force_login(admin)
    job = run_import(admin, "sku,name_fa,price\nL-1,یک,1\nL-2,دو,2\n")
    pages = [
        client.get(reverse("sales:import")).content.decode(),
        client.get(reverse("import_detail", args=[job.pk])).content.decode(),
    ]
    for html in pages:
        assert f'lang="{language}"' in html and ('dir="rtl"' in html) == rtl
    progress = client.get(reverse("import_progress", args=[job.pk])).content.decode()
    assert f'data-testid="created-count">{created}<' in progress
    mapping_job = upload(
        admin, "شماره سفارش,مشتری,تاریخ,تعداد,قیمت واحد\nA,B,1402/01/01,1,1\n".encode(), kind="orders"
    )
    mapping = client.get(reverse("import_detail", args=[mapping_job.pk])).content.decode()
    label = "مرجع سفارش" if language == "fa" else "Order reference"
    assert f'value="order" selected>{label}<' in mapping and 'value="refuse"' in mapping
