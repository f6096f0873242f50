"""A quote sent from sales goes out through the outbox with its PDF attached, against a real
SMTP server, and the quote's delivery status follows the email's."""

from __future__ import annotations

import pytest

from peyvand.interactions.models import Attachment, Interaction, OutboundMessage
from peyvand.interactions.services import outbox
from peyvand.sales.documents import render_quote_pdf
from peyvand.sales.models import Quote
from peyvand.sales.services import billing, deals

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(make_deal, products, users, customer_with_email):
    deal = make_deal(party=customer_with_email, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "2"})
    return billing.quote_create(deal=deal, actor=users["sales"])


def delivery(quote: Quote) -> str:
    return Quote.objects.values_list("delivery_status", flat=True).get(pk=quote.pk)


def test_a_quote_arrives_with_its_pdf_and_the_quote_says_sent(
    smtp, quote, users, client, django_capture_on_commit_callbacks
):
    pdf = render_quote_pdf(quote, "fa")
    assert pdf.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = billing.quote_send(quote=quote, actor=users["sales"], pdf=pdf, language="fa")
    assert sent.delivery_status == "queued" and delivery(quote) == "queued"
    for callback in callbacks:  # the worker's immediate job, once the transaction committed
        callback()
    assert delivery(quote) == "sent"

    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["To"] == "info@aseman.example"
    assert received["Subject"] == f"پیش‌فاکتور {quote.number}"
    text = received.get_body(("plain",)).get_content()
    assert text.startswith("شرکت آسمان آبی گرامی،") and quote.number in text and "{" not in text
    files = list(received.iter_attachments())
    assert len(files) == 1
    assert files[0].get_filename() == f"{quote.number}-fa.pdf"
    assert files[0].get_content_type() == "application/pdf"
    assert files[0].get_content() == pdf  # byte for byte, what sales rendered

    # On the customer's timeline: the email, its status and the file.
    message = OutboundMessage.objects.get()
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.channel == "email" and quote.number in interaction.subject
    attachment = Attachment.objects.get(message=message)
    assert attachment.interaction_id == interaction.pk and attachment.size == len(pdf)
    client.force_login(users["sales"])
    html = client.get(f"/customers/{quote.party_id}/").content.decode()
    assert 'data-status="sent"' in html and f"{quote.number}-fa.pdf" in html
    page = client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert 'data-testid="quote-delivery">ارسال‌شده<' in page
    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    client.force_login(users["outsider"])
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404

    # Delivered once: later runs of the worker send nothing again.
    assert outbox.outbox_flush() == 0
    assert len(smtp.messages) == 1


def test_an_english_quote_email_is_in_english(smtp, quote, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billing.quote_send(quote=quote, actor=users["sales"], pdf=b"%PDF-1.7 en", language="en")
    received = smtp.messages[0]
    assert received["Subject"] == f"Quote {quote.number}"
    assert received.get_body(("plain",)).get_content().startswith("Dear شرکت آسمان آبی,")
    assert [f.get_filename() for f in received.iter_attachments()] == [f"{quote.number}-en.pdf"]


def test_a_refused_quote_email_marks_the_quote_failed_and_a_retry_sends_it(smtp, quote, users):
    smtp.replies = ["550 5.1.1 Mailbox unavailable"]
    billing.quote_send(quote=quote, actor=users["sales"], pdf=b"%PDF-1.7 q", language="fa")
    message = OutboundMessage.objects.get()
    assert outbox.outbound_deliver(message_id=message.pk) == "failed"
    assert delivery(quote) == "failed"
    outbox.outbound_retry(message=message, actor=users["sales"])
    assert delivery(quote) == "queued"
    assert outbox.outbox_flush() == 1
    assert delivery(quote) == "sent"
    assert [f.get_content() for f in smtp.messages[0].iter_attachments()] == [b"%PDF-1.7 q"]


def test_a_retry_sends_the_same_file_under_the_same_message_id(smtp, quote, users, settings):
    settings.PEYVAND_OUTBOX_RETRY_SECONDS = 1
    smtp.replies = ["451 4.3.0 Try later"]
    billing.quote_send(quote=quote, actor=users["sales"], pdf=b"%PDF-1.7 twice", language="fa")
    message = OutboundMessage.objects.get()
    assert outbox.outbound_deliver(message_id=message.pk) == "queued"
    assert delivery(quote) == "queued"
    message.refresh_from_db()
    assert outbox.outbound_deliver(message_id=message.pk, now=message.next_attempt_at) == "sent"
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Message-ID"] == f"<{message.idempotency_key}@peyvand.local>"
    assert [f.get_content() for f in smtp.messages[0].iter_attachments()] == [b"%PDF-1.7 twice"]


def test_a_missing_attachment_fails_with_the_reason_and_sends_nothing(smtp, quote, users):
    from peyvand.interactions.files import resolve

    billing.quote_send(quote=quote, actor=users["sales"], pdf=b"%PDF-1.7 gone", language="fa")
    attachment = Attachment.objects.get()
    resolve(attachment.path).unlink()
    message = OutboundMessage.objects.get()
    assert outbox.outbound_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert attachment.filename in message.last_error
    assert delivery(quote) == "failed" and smtp.messages == []


def test_a_quote_that_cannot_be_emailed_queues_nothing(quote, users, customer_with_email):
    from django.core.exceptions import ValidationError

    from peyvand.customers.models import ContactPoint

    ContactPoint.objects.filter(party=customer_with_email).delete()
    customer_with_email.primary_email = ""
    customer_with_email.save(update_fields=["primary_email"])
    with pytest.raises(ValidationError):
        billing.quote_send(quote=quote, actor=users["sales"], pdf=b"%PDF", language="fa")
    assert not OutboundMessage.objects.exists() and not Attachment.objects.exists()
