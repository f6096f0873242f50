"""The quote and the invoice as an official Iranian sales invoice: the seller's block from the
company profile, the buyer's from the customer, the terms, the bank account and the signature
lines, in Persian and in English, read back from the rendered PDF with pypdf."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.core.text import ZWNJ, to_persian_digits
from peyvand.customers.rules import PartyInput
from peyvand.customers.services import parties
from peyvand.sales.documents import render_invoice_pdf, render_quote_pdf
from peyvand.sales.services import billing, deals
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

IBAN = "IR062960000000100324200001"


def png() -> bytes:
    """A small PNG logo: embedded into the PDF as a data URI."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 60, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1, "the document should fit on one A4 page"
    text = "\n".join(page.extract_text() for page in pages).replace(ZWNJ, "")
    return re.sub(r"\s+", " ", text)  # a long title may wrap


def has_number(text: str, digits: str) -> bool:
    """A number as one run, in either order (pypdf reverses a right-to-left line's digits)."""
    return digits in text or digits[::-1] in text


@pytest.fixture
def company(admin):
    return company_profile_save(
        actor=admin,
        data=CompanyProfileInput(
            legal_name_fa="شرکت پیوند نوین",
            legal_name_en="Peyvand Novin Co.",
            economic_code="411111111111",
            national_id="14007650912",
            registration_number="556677",
            address="تهران خیابان آزادی",
            postal_code="1458889999",
            phone="02188776655",
            iban=IBAN,
            bank_name="بانک ملت",
            default_terms="تحویل ظرف ده روز کاری",
            logo=png(),
        ),
    )


@pytest.fixture
def buyer(make_org, users):
    party = make_org(
        name="بازرگانی آرمان",
        contacts=[
            {
                "kind": "address",
                "value": "",
                "street": "خیابان ولیعصر",
                "city": "تهران",
                "postal_code": "1966777777",
                "is_primary": True,
            },
            {"kind": "phone", "value": "02122334455", "is_primary": True},
        ],
    )
    return parties.party_update(
        party=party,
        actor=users["admin"],
        data=PartyInput(economic_code="۴۱۱۲۲۲۳۳۳۴۴۴", national_id="10320894878"),
    )


@pytest.fixture
def quote(make_deal, products, users, buyer):
    deal = make_deal(party=buyer, amount=0)
    deals.deal_line_add(
        deal=deal,
        actor=users["sales"],
        data={"product": products["crm"], "quantity": "2", "discount_percent": "10"},
    )
    return billing.quote_create(deal=deal, actor=users["sales"])


@pytest.fixture
def invoice(quote, users):
    order = billing.quote_accept(quote=quote, actor=users["sales"])
    return billing.invoice_create(order=order, actor=users["sales"])


def test_the_persian_invoice_is_an_official_sales_invoice(company, invoice, buyer):
    text = pdf_text(render_invoice_pdf(invoice, "fa"))
    with translation.override("fa"):
        # «صورتحساب فروش کالا و خدمات» once the catalogue has it (/tmp/company_fa.json)
        assert translation.gettext("Sales invoice for goods and services") in text
        for label in ("Seller’s details", "Buyer’s details", "Economic code", "Registration number"):
            assert translation.gettext(label) in text, label
    # the seller
    assert "شرکت پیوند نوین" in text and "Peyvand Novin" not in text
    for number in ("411111111111", "14007650912", "556677", "1458889999"):
        assert has_number(text, to_persian_digits(number)), number
    assert "تحویل ظرف ده روز کاری" in text  # the default terms
    assert "IR06 2960 0000 0010 0324 2000 01" in text and "بانک ملت" in text
    # the buyer
    assert "بازرگانی آرمان" in text and "خیابان ولیعصر" in text
    for number in ("411222333444", "10320894878", "1966777777"):
        assert has_number(text, to_persian_digits(number)), number
    assert buyer.economic_code == "411222333444"  # typed in Persian digits, stored in ASCII


def test_the_english_invoice(company, invoice):
    text = pdf_text(render_invoice_pdf(invoice, "en"))
    assert "Sales invoice for goods and services" in text
    for label in ("Seller’s details", "Buyer’s details", "Economic code", "National ID", "Postal code"):
        assert label in text, label
    assert "Peyvand Novin Co." in text
    for number in ("411111111111", "14007650912", "556677", "1458889999", "411222333444", "1966777777"):
        assert number in text, number
    assert "Seller’s stamp and signature" in text and "Buyer’s signature" in text
    assert "Amount after discount" in text and "Unit" in text
    assert "IR06 2960 0000 0010 0324 2000 01" in text


def test_the_lines_show_the_discount_as_an_amount(company, invoice):
    text = pdf_text(render_invoice_pdf(invoice, "en"))
    # 2 × 12,500,000 = 25,000,000; 10% off: 2,500,000; after it 22,500,000; 10% tax 2,250,000
    line = invoice.lines.get()
    assert line.net == Decimal("22500000")
    for amount in ("12,500,000", "2,500,000", "22,500,000", "2,250,000", "24,750,000"):
        assert amount in text, amount
    assert re.search(r"\bLicence\b", text)  # the product's unit


def test_the_quote_carries_the_same_blocks(company, quote):
    en = pdf_text(render_quote_pdf(quote, "en"))
    assert "Quote Q-000001" in en and "Sales invoice" not in en
    assert "Peyvand Novin Co." in en and "411222333444" in en and "Valid until" in en
    fa = pdf_text(render_quote_pdf(quote, "fa"))
    assert "شرکت پیوند نوین" in fa and "بازرگانی آرمان" in fa
    assert has_number(fa, to_persian_digits("411111111111"))


def test_without_a_profile_the_blocks_are_still_there(invoice):
    text = pdf_text(render_invoice_pdf(invoice, "en"))
    assert "Seller" in text and "Buyer" in text and "Bank account" not in text


def test_the_buyers_economic_code_is_validated(make_org, users):
    party = make_org(name="Economic Co")
    with pytest.raises(ValidationError) as caught:
        parties.party_update(party=party, actor=users["admin"], data=PartyInput(economic_code="12345"))
    assert "economic_code" in caught.value.message_dict


def test_the_api_reads_and_writes_the_buyers_economic_code(api, make_org):
    org = make_org(name="Economic API Co")
    response = api.patch(f"/organisations/{org.pk}", {"economic_code": "۴۱۱۲۲۲۳۳۳۴۴۴"})
    assert response.status_code == 200, response.content
    assert response.json()["economic_code"] == "411222333444"
    assert api.get(f"/organisations/{org.pk}").json()["economic_code"] == "411222333444"
    assert_error(
        api.patch(f"/organisations/{org.pk}", {"economic_code": "12"}),
        422,
        "validation_error",
        "economic_code",
    )
    assert api.patch(f"/organisations/{org.pk}", {"economic_code": None}).json()["economic_code"] == ""
