"""Importing products and past orders from CSV and XLSX, with a per-row error report."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.customers.models import ContactPoint
from peyvand.sales.models import Order, Product
from peyvand.sales.services import imports

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_products_from_xlsx_create_and_update(users, products):
    content = _xlsx(
        [
            ["SKU", "name_fa", "name_en", "unit", "tax_rate", "price", "currency"],
            ["crm-1", "مجوز نرم‌افزار (جدید)", "Licence", "licence", 9, 13000000, "IRR"],
            ["NEW-9", "کالای ۹", "", "piece", "", "۲۵۰۰۰", ""],
            ["USD-1", "خدمت ارزی", "", "service", 0, "19.99", "USD"],
        ]
    )
    result = imports.products_import(
        actor=users["admin"], rows=imports.read_rows(name="p.xlsx", content=content)
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    crm = Product.objects.get(sku="CRM-1")
    assert crm.name_fa == "مجوز نرم‌افزار (جدید)" and crm.tax_rate == Decimal("9")
    assert crm.prices.get(price_list__currency="IRR").price == Decimal("13000000")
    assert Product.objects.get(sku="NEW-9").prices.get().price == Decimal("25000")
    assert Product.objects.get(sku="USD-1").prices.get().price_list.currency == "USD"


def test_products_read_like_people_from_excels_persian_csv(users, products):
    """The one spreadsheet reader: Windows-1256 with semicolons, as Excel on Persian Windows
    saves "CSV", imports products as it imports people."""
    content = "sku;name_fa;unit;price\nKAF-1;كيف چرمي;piece;1200000\n".encode("cp1256")  # Arabic ي and ك
    result = imports.products_import(actor=users["admin"], rows=imports.read_rows(name="p.csv", content=content))
    assert result.ok, result.errors
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
    result = imports.products_import(
        actor=users["admin"], rows=imports.read_rows(name="p.csv", content=content.encode())
    )
    found = {(e.row, e.column) for e in result.errors}
    assert {(3, "sku"), (4, "currency"), (5, "sku")} <= found
    assert not Product.objects.filter(sku__in=["A-1", "B-1"]).exists()


def test_orders_import_groups_lines_and_finds_customers(users, products, make_org, make_person):
    org = make_org(name="شرکت البرز")
    person = make_person(contacts=[{"kind": ContactPoint.Kind.EMAIL, "value": "ali@example.com"}])
    content = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        f"H-1,{org.pk},1402/01/15,CRM-1,2,1000,2500\n"
        "H-1,شركت البرز,1402/01/15,SUP-1,1,500,2500\n"
        "H-2,ali@example.com,2023-06-01,TRN-1,1,300,300\n"
    )
    result = imports.orders_import(
        actor=users["manager"], rows=imports.read_rows(name="o.csv", content=content.encode())
    )
    assert result.ok, result.errors
    first = Order.objects.get(number="IMP-H-1")
    assert first.party == org and first.lines.count() == 2 and first.total == Decimal("2500")
    assert first.ordered_on.isoformat() == "2023-04-04" and first.imported
    assert Order.objects.get(number="IMP-H-2").party == person
    again = imports.orders_import(
        actor=users["manager"], rows=imports.read_rows(name="o.csv", content=content.encode())
    )
    assert any(e.column == "order" for e in again.errors)
    assert Order.objects.count() == 2


def test_orders_import_checks_the_amount_and_customers_one_may_see(users, products, make_org):
    make_org(name="پنهان", owner="outsider")
    content = (
        "order,customer,date,sku,quantity,unit_price,amount\nX,پنهان,1402/01/01,CRM-1,1,100,100\n"
        "Y,شرکت نمونه,1402/01/01,CRM-1,1,100,999\n"
    )
    make_org()
    result = imports.orders_import(
        actor=users["manager"], rows=imports.read_rows(name="o.csv", content=content.encode())
    )
    assert {(e.row, e.column) for e in result.errors} == {(2, "customer"), (3, "amount")}
    assert not Order.objects.exists()


def test_files_that_are_not_tables(users):
    for name, content in (
        ("x.pdf", b"%PDF"),
        ("x.xlsx", b"not a zip"),
        ("x.csv", b"\xff\xfe\x00"),
        ("x.csv", b""),
    ):
        with pytest.raises(ValidationError):
            imports.read_rows(name=name, content=content)
    with pytest.raises(PermissionDenied):
        imports.products_import(actor=users["sales"], rows=[{"sku": "a", "name_fa": "b"}])


def test_only_administrators_and_managers_import_orders_on_the_page_and_the_api(
    users, products, make_org, client, api_as
):
    make_org()
    content = (
        "order,customer,date,quantity,unit_price,description\nZ,شرکت نمونه,1402/01/01,1,100,x\n".encode()
    )
    for name in ("sales", "support", "readonly"):
        with pytest.raises(PermissionDenied):
            imports.orders_import(actor=users[name], rows=imports.read_rows(name="o.csv", content=content))
        api = api_as(name)
        upload = io.BytesIO(content)
        upload.name = "o.csv"
        response = api.client.post("/api/v1/orders/import", {"file": upload}, headers=api.headers)
        assert response.status_code == 403, (name, response.content)
        client.force_login(users[name])
        assert client.get(reverse("sales:import")).status_code == 403
    assert not Order.objects.exists()
    client.force_login(users["manager"])
    page = client.get(reverse("sales:import"))
    assert page.status_code == 200 and 'value="products"' not in page.content.decode()
    result = imports.orders_import(
        actor=users["manager"], rows=imports.read_rows(name="o.csv", content=content)
    )
    assert result.ok and Order.objects.count() == 1
