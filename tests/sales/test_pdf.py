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
from peyvand.core.text import to_persian_digits
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


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_persian_pdf_reads_back_correctly(quote):
    text = _text(render_quote_pdf(quote, "fa"))
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
    text = _text(render_quote_pdf(quote, "en"))
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
