"""The quote as a PDF, in Persian (RTL, shaped by HarfBuzz through Pango, Jalali dates,
Persian digits, the total in words) or in English, rendered by WeasyPrint."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from num2words import num2words

from peyvand.core import jalali

from . import conf
from .models import Quote
from .money import display_parts
from .selectors.billing import quote_lines


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    shown, unit = display_parts(amount, currency)
    whole = int(shown or 0)
    words = num2words(whole, lang="fa" if language == "fa" else "en")
    return f"{words} {unit}"


def render_quote_pdf(quote: Quote, language: str) -> bytes:
    from weasyprint import HTML  # imported here: Pango loads only when a PDF is made

    language = "fa" if language not in ("fa", "en") else language
    font_dir = conf.pdf_font_dir()
    with translation.override(language):
        html = render_to_string(
            "sales/quote_pdf.html",
            {
                "quote": quote,
                "lines": quote_lines(quote=quote),
                "words": amount_in_words(quote.total, quote.currency, language),
                "issued": jalali.format_date(quote.issued_on, language, long=True),
                "valid_until": jalali.format_date(quote.valid_until, language, long=True),
                "font_regular": (font_dir / _font_file(font_dir, "Regular")).as_uri() if font_dir else "",
                "font_bold": (font_dir / _font_file(font_dir, "Bold")).as_uri() if font_dir else "",
                "rtl": language == "fa",
                "LANGUAGE_CODE": language,
            },
        )
    return HTML(string=html).write_pdf()


def _font_file(font_dir: object, weight: str) -> str:
    from pathlib import Path

    folder = Path(str(font_dir))
    for suffix in (".ttf", ".woff2"):
        if (folder / f"Vazirmatn-{weight}{suffix}").exists():
            return f"Vazirmatn-{weight}{suffix}"
    return "Vazirmatn-Regular.ttf"
