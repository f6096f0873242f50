"""The quote and the invoice as PDFs, in Persian (RTL, shaped by HarfBuzz through Pango, Jalali dates,
Persian digits, the total in words) or in English, rendered by WeasyPrint."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from num2words import num2words

from peyvand.core import jalali

from . import conf
from .models import Invoice, OrderLine, Quote, QuoteLine
from .money import currency_name, display_parts, display_places
from .selectors.billing import invoice_lines, quote_lines


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    """The total in words, its fraction too: “two thousand, two hundred and fifty EUR and
    ninety hundredths”, «دو هزار و دویست و پنجاه ریال»."""
    lang = "fa" if language == "fa" else "en"
    shown, unit = display_parts(amount, currency)
    if currency != "IRR":
        unit = currency_name(currency)  # in words, the currency's name: «یورو», not EUR
    value = shown or Decimal(0)
    places = display_places(value, currency)
    whole = int(value)
    words = f"{num2words(whole, lang=lang)} {unit}"
    fraction = int((value - whole).scaleb(places))
    if not fraction:
        return words
    with translation.override(lang):
        if places == 1:
            part = ngettext("%(count)s tenth", "%(count)s tenths", fraction)
        elif places == 2:
            part = ngettext("%(count)s hundredth", "%(count)s hundredths", fraction)
        else:
            part = ngettext("%(count)s thousandth", "%(count)s thousandths", fraction)
        part %= {"count": num2words(fraction, lang=lang)}
        return _("%(whole)s and %(fraction)s") % {"whole": words, "fraction": part}


def line_description(line: QuoteLine | OrderLine, language: str) -> str:
    """A line's text in the document's language: the product's name in it when the line
    still says the product's name (in either language), else what was written."""
    product = line.product
    if product is None or line.description not in (product.name_fa, product.name_en):
        return line.description
    if language == "en":
        return product.name_en or product.name_fa
    return product.name_fa or product.name_en


def render_quote_pdf(quote: Quote, language: str) -> bytes:
    language = "fa" if language not in ("fa", "en") else language
    with translation.override(language):
        context = {
            "quote": quote,
            "lines": [(line, line_description(line, language)) for line in quote_lines(quote=quote)],
            "words": amount_in_words(quote.total, quote.currency, language),
            "issued": jalali.format_date(quote.issued_on, language, long=True),
            "valid_until": jalali.format_date(quote.valid_until, language, long=True),
        }
    return _render_pdf("sales/quote_pdf.html", context, language)


def render_invoice_pdf(invoice: Invoice, language: str) -> bytes:
    """The invoice as a PDF, laid out as the quote is: its lines, totals, payments and what
    is still due."""
    language = "fa" if language not in ("fa", "en") else language
    with translation.override(language):
        context = {
            "invoice": invoice,
            "lines": [
                (line, line_description(line.order_line, language)) for line in invoice_lines(invoice=invoice)
            ],
            "words": amount_in_words(invoice.total, invoice.currency, language),
            "issued": jalali.format_date(invoice.issued_on, language, long=True),
            "due_on": jalali.format_date(invoice.due_on, language, long=True),
        }
    return _render_pdf("sales/invoice_pdf.html", context, language)


def _render_pdf(template: str, context: dict[str, object], language: str) -> bytes:
    # Imported when a PDF is made: WeasyPrint and Pango add 1.6 s to a process start (measured).
    from weasyprint import HTML  # noqa: PLC0415

    font_dir = conf.pdf_font_dir()
    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "font_regular": (font_dir / _font_file(font_dir, "Regular")).as_uri() if font_dir else "",
                "font_bold": (font_dir / _font_file(font_dir, "Bold")).as_uri() if font_dir else "",
                "rtl": language == "fa",
                "LANGUAGE_CODE": language,
            },
        )
    return HTML(string=html).write_pdf()


def _font_file(font_dir: object, weight: str) -> str:
    folder = Path(str(font_dir))
    for suffix in (".ttf", ".woff2"):
        if (folder / f"Vazirmatn-{weight}{suffix}").exists():
            return f"Vazirmatn-{weight}{suffix}"
    return "Vazirmatn-Regular.ttf"
