"""The quote and the invoice as PDFs, in Persian (RTL, shaped by HarfBuzz through Pango, Jalali dates,
Persian digits, the total in words) or in English, rendered by WeasyPrint.

Both are laid out as an official Iranian sales invoice («صورتحساب فروش کالا و خدمات»): the
seller's block (the company profile), the buyer's block (the customer, their economic code,
national ID or code, postal address and phone), the lines with their unit, discount and tax,
the totals, the terms, the bank account and two signature lines. One base template holds the
layout; the quote and the invoice templates fill in what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from num2words import num2words

from peyvand.core import jalali
from peyvand.core.identifiers import iban_display
from peyvand.core.models import CompanyProfile
from peyvand.core.selectors.company import company_logo_data_uri, company_profile
from peyvand.customers.models import Party
from peyvand.customers.selectors.parties import party_postal_address

from . import conf
from .models import Invoice, InvoiceLine, OrderLine, Quote, QuoteLine
from .money import currency_name, display_parts, display_places, round_money
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


@dataclass(frozen=True)
class PartyBlock:
    """The seller's or the buyer's block of the document."""

    name: str
    economic_code: str = ""
    national_id: str = ""
    national_id_label: str = ""
    registration_number: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class DocumentLine:
    description: str
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def _joined(parts: list[str], language: str) -> str:
    return ("، " if language == "fa" else ", ").join(part for part in parts if part)


def seller_block(profile: CompanyProfile, language: str) -> PartyBlock:
    return PartyBlock(
        name=profile.legal_name(language),
        economic_code=profile.economic_code,
        national_id=profile.national_id,
        national_id_label=pgettext("official invoice", "National ID"),
        registration_number=profile.registration_number,
        postal_code=profile.postal_code,
        address=profile.address,
        phone=profile.phone,
    )


def buyer_block(party: Party, language: str) -> PartyBlock:
    address = party_postal_address(party)
    return PartyBlock(
        name=party.display_name,
        economic_code=party.economic_code,
        national_id=party.national_id,
        national_id_label=(
            pgettext("official invoice", "National code")
            if party.is_person
            else pgettext("official invoice", "National ID")
        ),
        postal_code=address.postal_code if address else "",
        address=_joined([address.street, address.city, address.province], language) if address else "",
        phone=party.primary_phone,
        email=party.primary_email,
    )


def _document_line(
    line: QuoteLine | OrderLine,
    quantity: Decimal,
    amounts: tuple[Decimal, Decimal, Decimal],
    currency: str,
    language: str,
) -> DocumentLine:
    """A line as the official form lists it: the discount as an amount, the amount after it."""
    net, tax, total = amounts
    product = line.product
    gross = round_money(quantity * line.unit_price, currency)
    return DocumentLine(
        description=line_description(line, language),
        sku=product.sku if product else "",
        quantity=quantity,
        unit=product.get_unit_display() if product else "",
        unit_price=line.unit_price,
        discount=max(gross - net, Decimal(0)),
        net=net,
        tax=tax,
        total=total,
    )


def _quote_line(line: QuoteLine, currency: str, language: str) -> DocumentLine:
    return _document_line(line, line.quantity, (line.net, line.tax, line.total), currency, language)


def _invoice_line(line: InvoiceLine, currency: str, language: str) -> DocumentLine:
    amounts = (line.net, line.tax, line.total)
    return _document_line(line.order_line, line.quantity, amounts, currency, language)


def _parties_context(party: Party, language: str) -> dict[str, object]:
    """The seller (the company profile), the buyer, the company's terms and bank account."""
    profile = company_profile()
    return {
        "seller": seller_block(profile, language),
        "buyer": buyer_block(party, language),
        "logo": company_logo_data_uri(profile),
        "terms": profile.default_terms,
        "iban": iban_display(profile.iban) if profile.iban else "",
        "bank_name": profile.bank_name,
    }


def render_quote_pdf(quote: Quote, language: str) -> bytes:
    language = "fa" if language not in ("fa", "en") else language
    with translation.override(language):
        context = {
            **_parties_context(quote.party, language),
            "document": quote,
            "quote": quote,
            "lines": [_quote_line(line, quote.currency, language) for line in quote_lines(quote=quote)],
            "words": amount_in_words(quote.total, quote.currency, language),
            "issued": jalali.format_date(quote.issued_on, language, long=True),
            "valid_until": jalali.format_date(quote.valid_until, language, long=True),
        }
    return _render_pdf("sales/quote_pdf.html", context, language)


def render_invoice_pdf(invoice: Invoice, language: str) -> bytes:
    """The invoice as a PDF, laid out as the quote is: its lines, totals, payments and what
    is still due, under the official title «صورتحساب فروش کالا و خدمات»."""
    language = "fa" if language not in ("fa", "en") else language
    with translation.override(language):
        context = {
            **_parties_context(invoice.party, language),
            "document": invoice,
            "invoice": invoice,
            "lines": [
                _invoice_line(line, invoice.currency, language) for line in invoice_lines(invoice=invoice)
            ],
            "words": amount_in_words(invoice.total, invoice.currency, language),
            "issued": jalali.format_date(invoice.issued_on, language, long=True),
            "due_on": jalali.format_date(invoice.due_on, language, long=True),
        }
    return _render_pdf("sales/invoice_pdf.html", context, language)


def render_pdf(template: str, context: dict[str, object], language: str) -> bytes:
    """Any page (an analytics report) as a PDF through the same path as quotes and invoices:
    WeasyPrint with the Vazirmatn font, ``rtl`` and ``LANGUAGE_CODE`` in the context."""
    language = "fa" if language not in ("fa", "en") else language
    return _render_pdf(template, context, language)


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
