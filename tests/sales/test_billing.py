"""Quote → order → invoice (partly) → payments (partly) → the customer's balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from peyvand.core import jalali
from peyvand.interactions.models import Interaction
from peyvand.sales.models import (
    Deal,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    Outcome,
    Payment,
    Quote,
    QuoteStatus,
)
from peyvand.sales.selectors import billing as selectors
from peyvand.sales.services import billing, deals

pytestmark = pytest.mark.django_db


@pytest.fixture
def quoted(make_deal, products, users, customer_with_email):
    deal = make_deal(party=customer_with_email, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "2"})
    deals.deal_line_add(
        deal=deal, actor=users["sales"], data={"product": products["training"], "quantity": "3"}
    )
    return billing.quote_create(deal=deal, actor=users["sales"])


def test_a_quote_copies_the_lines_and_numbers_itself(quoted, make_deal, products, users):
    assert quoted.number == "Q-000001"
    assert quoted.total == Decimal("42500000")  # 27,500,000 + 15,000,000 (training has no tax)
    assert quoted.tax_total == Decimal("2500000")
    assert quoted.lines.count() == 2
    deal = make_deal(amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    assert billing.quote_create(deal=deal, actor=users["sales"]).number == "Q-000002"


def test_a_deal_without_lines_cannot_be_quoted(make_deal, users):
    with pytest.raises(ValidationError):
        billing.quote_create(deal=make_deal(), actor=users["sales"])


def test_the_whole_cycle_with_partial_invoices_and_payments(quoted, users):
    order = billing.quote_accept(quote=quoted, actor=users["sales"])
    quoted.refresh_from_db()
    assert quoted.status == QuoteStatus.ACCEPTED
    assert (
        quoted.deal.status == Outcome.WON
        or type(quoted.deal).objects.get(pk=quoted.deal_id).status == Outcome.WON
    )
    assert order.total == Decimal("42500000") and order.lines.count() == 2

    crm_line = order.lines.get(description="مجوز نرم‌افزار")
    first = billing.invoice_create(order=order, actor=users["sales"], quantities={crm_line.pk: "1"})
    assert first.total == Decimal("13750000")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_INVOICED and order.invoiced_total == Decimal("13750000")

    billing.payment_record(invoice=first, actor=users["sales"], amount="5000000")
    first.refresh_from_db()
    assert first.status == InvoiceStatus.PARTLY_PAID and first.due == Decimal("8750000")

    with pytest.raises(ValidationError) as error:
        billing.payment_record(invoice=first, actor=users["sales"], amount="8750001")
    assert "amount" in error.value.message_dict
    first.refresh_from_db()
    assert first.paid == Decimal("5000000") and Payment.objects.count() == 1

    billing.payment_record(invoice=first, actor=users["sales"], amount="8750000")
    first.refresh_from_db()
    assert first.status == InvoiceStatus.PAID

    rest = billing.invoice_create(order=order, actor=users["sales"])
    assert rest.total == Decimal("28750000")
    order.refresh_from_db()
    assert order.status == OrderStatus.INVOICED
    with pytest.raises(ValidationError):
        billing.invoice_create(order=order, actor=users["sales"])

    balances = selectors.party_balances(user=users["sales"], party=order.party)
    assert len(balances) == 1
    balance = balances[0]
    assert (balance.invoiced, balance.paid, balance.due) == (
        Decimal("42500000"),
        Decimal("13750000"),
        Decimal("28750000"),
    )
    assert balance.status == "outstanding"


@pytest.mark.parametrize("amount", ["0", "-10", "abc", "NaN", "1e30"])
def test_bad_payments_are_refused(quoted, users, amount):
    order = billing.quote_accept(quote=quoted, actor=users["sales"])
    invoice = billing.invoice_create(order=order, actor=users["sales"])
    with pytest.raises(ValidationError):
        billing.payment_record(invoice=invoice, actor=users["sales"], amount=amount)
    invoice.refresh_from_db()
    assert invoice.paid == 0 and not Payment.objects.exists()


def test_invoicing_more_than_is_left_is_refused(quoted, users):
    order = billing.quote_accept(quote=quoted, actor=users["sales"])
    line = order.lines.first()
    with pytest.raises(ValidationError):
        billing.invoice_create(order=order, actor=users["sales"], quantities={line.pk: "99"})
    with pytest.raises(ValidationError):
        billing.invoice_create(order=order, actor=users["sales"], quantities={line.pk: "-1"})
    assert not Invoice.objects.exists()


def test_a_declined_quote_cannot_be_accepted(quoted, users):
    billing.quote_decline(quote=quoted, actor=users["sales"], reason="بودجه ندارند")
    with pytest.raises(ValidationError):
        billing.quote_accept(quote=quoted, actor=users["sales"])


def test_sending_attaches_the_pdf_and_logs_an_email(quoted, users, client):
    sent = billing.quote_send(quote=quoted, actor=users["sales"], pdf=b"%PDF-1.7 test", language="fa")
    assert sent.status == QuoteStatus.SENT and sent.delivery_status == "queued"
    assert sent.pdf.name.endswith(".pdf") and sent.pdf.read() == b"%PDF-1.7 test"
    email = Interaction.objects.get(party=quoted.party)
    assert email.channel == "email" and quoted.number in email.subject
    assert [f.filename for f in email.attachments.all()] == [f"{quoted.number}-fa.pdf"]
    # Kept in the data directory, out of any public folder, and handed out through the policy.
    assert Path(settings.DATA_DIR).resolve() in Path(sent.pdf.path).resolve().parents
    url = reverse("sales:quote_attachment", args=[quoted.pk])
    client.force_login(users["sales"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.7 test"
    client.force_login(users["outsider"])
    assert client.get(url).status_code == 404


def test_a_closed_deal_cannot_be_quoted(make_deal, products, users, stages):
    deal = make_deal(amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    deals.deal_move_stage(deal=deal, stage=stages["lost"], actor=users["sales"], lost_reason="گران")
    with pytest.raises(ValidationError):
        billing.quote_create(deal=deal, actor=users["sales"])
    assert not Quote.objects.exists()


def test_a_quote_of_a_lost_deal_cannot_be_accepted(quoted, users, stages):
    deals.deal_move_stage(deal=quoted.deal, stage=stages["lost"], actor=users["sales"], lost_reason="گران")
    with pytest.raises(ValidationError):
        billing.quote_accept(quote=quoted, actor=users["sales"])
    quoted.refresh_from_db()
    assert quoted.status == QuoteStatus.DRAFT and not Order.objects.exists()


def test_an_expired_quote_cannot_be_accepted(quoted, users):
    Quote.objects.filter(pk=quoted.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with translation.override("fa"), pytest.raises(ValidationError) as error:
        billing.quote_accept(quote=quoted, actor=users["sales"])
    with translation.override("fa"):
        expected = jalali.format_date(timezone.localdate() - dt.timedelta(days=1), "fa", long=True)
    assert error.value.messages == [
        f"اعتبار این پیش‌فاکتور در {expected} تمام شده است؛ پیش‌فاکتور تازه‌ای صادر کنید."
    ]
    quoted.refresh_from_db()
    assert quoted.status == QuoteStatus.DRAFT and not Order.objects.exists()
    assert Deal.objects.get(pk=quoted.deal_id).status == Outcome.OPEN


def test_errors_write_amounts_as_the_reader_does(quoted, users):
    order = billing.quote_accept(quote=quoted, actor=users["sales"])
    invoice = billing.invoice_create(
        order=order, actor=users["sales"], quantities={order.lines.first().pk: "1"}
    )
    with translation.override("fa"), pytest.raises(ValidationError) as error:
        billing.payment_record(invoice=invoice, actor=users["sales"], amount="99999999")
    assert "۱۳٬۷۵۰٬۰۰۰ ریال" in error.value.message_dict["amount"][0]
    with translation.override("fa"), pytest.raises(ValidationError) as error:
        billing.invoice_create(order=order, actor=users["sales"], quantities={order.lines.first().pk: "5"})
    assert next(iter(error.value.message_dict.values())) == ["از این ردیف تنها ۱ برای فاکتور کردن مانده است."]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        billing.payment_record(invoice=invoice, actor=users["sales"], amount="-5")
    assert error.value.message_dict["amount"] == ["Enter an amount greater than zero."]
