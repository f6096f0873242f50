"""The quote PDF, read back with pypdf: Persian shaped and in order, Jalali dates, words.

WeasyPrint shapes Persian through Pango/HarfBuzz and maps every glyph back to its letter,
so the extracted text has plain letters (no presentation forms) and Persian words in
logical order. pypdf puts a line back into reading order by reversing it when it is mostly
right-to-left, which also turns the digits of a number in that line back to front (and
leaves them alone in a line that is mostly left-to-right): ``has_number`` accepts a number
in either order, as one unbroken run, and nothing looser.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import jdatetime
import pytest
from django.utils import translation
from pypdf import PdfReader

from peyvand.core.jalali import JALALI_MONTHS
from peyvand.core.text import ZWNJ, to_persian_digits
from peyvand.sales.documents import amount_in_words, render_quote_pdf
from peyvand.sales.services import billing, deals

pytestmark = pytest.mark.django_db

PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def has_number(text: str, digits: str) -> bool:
    return digits in text or digits[::-1] in text


@pytest.fixture
def quote(make_deal, products, users, make_org):
    party = make_org(name="شرکت پیوند نوین")
    deal = make_deal(party=party, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    return billing.quote_create(deal=deal, actor=users["sales"])


def clean_text_field(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_persian_pdf_reads_back_correctly(quote):
    text = clean_text_field(render_quote_pdf(quote, "fa"))
    assert not PRESENTATION_FORMS.search(text), "letters should come back as letters, not glyph forms"
    assert "شرکت پیوند نوین" in text
    assert quote.total == Decimal("13750000")
    assert has_number(text, "۱۳٬۷۵۰٬۰۰۰")  # the total, in Persian digits and separators
    assert "13750000" not in text and "13,750,000" not in text
    assert "سیزده میلیون و هفتصد و پنجاه هزار" in text  # num2words(lang="fa")
    issued = jdatetime.date.fromgregorian(date=quote.issued_on)
    assert JALALI_MONTHS[issued.month - 1] in text
    assert has_number(text, to_persian_digits(str(issued.year)))
    assert str(quote.issued_on.year) not in text  # no Gregorian date in the Persian quote


def test_the_english_pdf(quote):
    text = clean_text_field(render_quote_pdf(quote, "en"))
    assert "Quote Q-000001" in text
    assert "13,750,000" in text
    assert "thirteen million, seven hundred and fifty thousand Rial" in text
    assert quote.issued_on.strftime("%B") in text


def test_amount_in_words_in_toman(monkeypatch):
    monkeypatch.setenv("PEYVAND_SHOW_TOMAN", "1")
    with translation.override("fa"):
        assert amount_in_words(
            Decimal("125000"), "IRR", "fa"
        ) == "دوازده هزار و پانصد " + translation.gettext("Toman")


def test_the_page_counter_uses_the_documents_digits(quote):
    fa = clean_text_field(render_quote_pdf(quote, "fa"))
    assert re.search(r"۱\s*/\s*۱", fa), fa[-200:]
    assert not re.search(r"\b1\s*/\s*1\b", fa)
    assert re.search(r"\b1\s*/\s*1\b", clean_text_field(render_quote_pdf(quote, "en")))


def test_a_products_line_is_named_in_the_documents_language(make_deal, products, users, make_org):
    deal = make_deal(party=make_org(name="Northwind Ltd"), amount=0)
    with translation.override("en"):  # added by someone working in English
        deals.deal_line_add(
            deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"}
        )
    deals.deal_line_add(
        deal=deal,
        actor=users["sales"],
        data={"description": "نصب در محل", "quantity": "1", "unit_price": "100"},
    )
    quote = billing.quote_create(deal=deal, actor=users["sales"])
    assert quote.lines.order_by("position").first().description == "Software licence"
    fa = clean_text_field(render_quote_pdf(quote, "fa")).replace(ZWNJ, "")  # extraction may drop the ZWNJ
    assert "مجوز نرمافزار" in fa and "Software licence" not in fa
    assert "نصب در محل" in fa  # written by hand: kept as written
    en = clean_text_field(render_quote_pdf(quote, "en"))
    assert "Software licence" in en and "مجوز" not in en


def test_fractions_are_in_words_and_decimals_are_shown(make_deal, users, make_org):
    from django.utils import timezone

    from peyvand.sales.services import catalogue

    catalogue.currency_rate_set(
        actor=users["admin"], currency="EUR", rate="600000", valid_from=timezone.localdate()
    )
    deal = make_deal(party=make_org(name="Euro GmbH"), currency="EUR", amount=0)
    deals.deal_line_add(
        deal=deal,
        actor=users["sales"],
        data={"description": "Consulting", "quantity": "1", "unit_price": "2250.90"},
    )
    quote = billing.quote_create(deal=deal, actor=users["sales"])
    en = clean_text_field(render_quote_pdf(quote, "en"))
    assert "2,250.90 EUR" in en and "2,250.9 EUR" not in en
    assert "two thousand, two hundred and fifty Euro and ninety hundredths" in en
    fa = clean_text_field(render_quote_pdf(quote, "fa"))
    assert has_number(fa, "۲٬۲۵۰٫۹۰")
    assert "دو هزار و دویست و پنجاه یورو و نود صدم" in fa
    with translation.override("en"):
        assert amount_in_words(Decimal("0.01"), "USD", "en") == "zero US dollar and one hundredth"
