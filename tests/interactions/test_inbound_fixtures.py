"""Inbound mail from raw .eml files as real clients and servers send them (tests/interactions/
data/): Outlook's windows-1256 with Q-encoded headers, Thunderbird's multipart/alternative
with a B-encoded subject and an RFC 2231 file name, an HTML-only newsletter with styles and
scripts, a Postfix bounce (RFC 3464), and a body with a NUL; and a worker that keeps going
past a message it cannot log."""

from __future__ import annotations

import hashlib
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError

from peyvand.customers.models import Party
from peyvand.interactions.models import Attachment, InboundReceipt, Interaction, OutboundMessage
from peyvand.interactions.services import inbound, messaging, outbox
from peyvand.notifications.models import Notification
from peyvand.sales.models import Quote

DATA = Path(__file__).parent / "data"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def inbox(settings, tmp_path):
    settings.PEYVAND_INBOX_DIR = tmp_path / "inbox"
    settings.PEYVAND_ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.PEYVAND_INBOX_DIR.mkdir()
    settings.PEYVAND_IMAP_HOST = ""
    return settings.PEYVAND_INBOX_DIR


def drop(inbox: Path, name: str, raw: bytes | None = None) -> None:
    (inbox / name).write_bytes(raw if raw is not None else fixture(name))


def test_the_fixtures_are_raw_mime_not_decoded_text():
    outlook = fixture("outlook-windows-1256.eml")
    assert b"=?windows-1256?Q?" in outlook and "سفارش".encode("windows-1256") in outlook
    assert "سفارش".encode() not in outlook  # not UTF-8 anywhere
    thunderbird = fixture("thunderbird-alternative-attachment.eml")
    assert b"=?UTF-8?B?" in thunderbird and b"filename*0*=UTF-8''" in thunderbird
    assert b"multipart/alternative" in thunderbird and "پیش".encode() not in thunderbird


def test_outlook_windows_1256_with_q_encoded_headers(inbox, make_person, users):
    ali = make_person(
        first_name="علی", last_name="رضایی", contacts=[{"kind": "email", "value": "ali.rezaei@example.ir"}]
    )
    drop(inbox, "outlook-windows-1256.eml")
    assert inbound.inbox_folder_read().received == 1
    interaction = Interaction.objects.get(party=ali)
    assert interaction.subject == "پیگیری سفارش شماره 12"  # Arabic ي folded to Persian ی
    assert "لطفاً وضعيت سفارش را اعلام کنيد." in interaction.body and "با تشکر" in interaction.body
    assert "\r" not in interaction.body
    assert InboundReceipt.objects.get().key == "000001db90c4$5d2a1e30$177e5a90$@example.ir"


def test_an_unknown_outlook_sender_is_named_from_the_q_encoded_header(inbox, users):
    drop(inbox, "outlook-windows-1256.eml")
    inbound.inbox_folder_read()
    suspect = Party.objects.get(primary_email="ali.rezaei@example.ir")
    assert (suspect.first_name, suspect.last_name) == ("علی", "رضایی") and suspect.stage == "suspect"


def test_thunderbird_alternative_parts_and_an_rfc_2231_attachment(inbox, customer, as_user):
    drop(inbox, "thunderbird-alternative-attachment.eml")
    assert inbound.inbox_folder_read().received == 1
    interaction = Interaction.objects.get(party=customer)
    assert interaction.subject == "درخواست پیش‌فاکتور برای ۳ دستگاه"
    # The plain part is the one kept, decoded from quoted-printable.
    assert interaction.body == "سلام وقت بخیر،\nلطفاً برای ۳ دستگاه پیش‌فاکتور بفرستید.\nمشخصات پیوست است."
    attachment = Attachment.objects.get(interaction=interaction)
    pdf = fixture("thunderbird-attachment.pdf")
    assert attachment.filename == "مشخصات فنی دستگاه‌ها.pdf"
    assert (
        attachment.content_type == "application/pdf" and attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    )
    response = as_user("sales").get(f"/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == pdf
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_html_only_mail_keeps_no_style_script_or_comment(inbox, users):
    drop(inbox, "html-only-style-script.eml")
    inbound.inbox_folder_read()
    interaction = Interaction.objects.get()
    assert interaction.subject == "سفارش ارسال شد"
    body = interaction.body
    assert body == "مشتری گرامی،\nسفارش شما «ارسال» شد. سپاس"
    for leaked in ("font-family", "tracking", "alert", "secret", "خبرنامه", "<", "&nbsp;"):
        assert leaked not in body


def test_a_nul_in_the_body_is_dropped(inbox, users):
    drop(inbox, "nul-in-body.eml")
    assert inbound.inbox_folder_read().received == 1
    assert Interaction.objects.get().body == "قیمت چند است؟"


# --- bounces ------------------------------------------------------------------------------


def _sent_email(customer, users):
    draft = messaging.Draft(to="maryam@example.com", subject="پیش‌فاکتور", body="سلام")
    message = messaging.email_send(party=customer, actor=users["sales"], draft=draft)
    assert outbox.outbound_deliver(message_id=message.pk) == "sent"  # the test mail backend keeps it
    return message


def test_a_bounce_fails_the_message_it_returns_and_makes_no_suspect(inbox, customer, users, as_user):
    message = _sent_email(customer, users)
    parties = Party.objects.count()
    raw = fixture("bounce-postfix.eml").replace(b"{KEY}", message.idempotency_key.encode())
    drop(inbox, "bounce.eml", raw)
    result = inbound.inbox_folder_read()
    assert (result.received, result.failed) == (1, [])
    message.refresh_from_db()
    assert message.status == "failed" and message.failed_at is not None
    assert "5.1.1" in message.last_error and "Recipient address rejected" in message.last_error
    assert Party.objects.count() == parties  # MAILER-DAEMON is nobody's suspect
    assert Interaction.objects.filter(channel="email", direction="inbound").count() == 0
    assert not Notification.objects.filter(kind="email_in").exists()
    html = as_user("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-status="failed"' in html and "Recipient address rejected" in html
    # The same bounce read again changes nothing.
    drop(inbox, "again.eml", raw)
    assert inbound.inbox_folder_read().duplicates == 1


def test_a_bounce_names_only_the_returned_message_not_its_references(inbox, customer, users):
    message = _sent_email(customer, users)
    older = _sent_email(customer, users)
    raw = fixture("bounce-postfix.eml").replace(b"{KEY}", message.idempotency_key.encode())
    raw = raw.replace(b"<older-0001@peyvand.local>", f"<{older.idempotency_key}@peyvand.local>".encode())
    drop(inbox, "bounce.eml", raw)
    inbound.inbox_folder_read()
    message.refresh_from_db()
    older.refresh_from_db()
    assert message.status == "failed" and older.status == "sent"


def test_a_bounce_of_a_quote_email_marks_the_quote_failed(inbox, users, quote_sent):
    message = OutboundMessage.objects.get()
    raw = fixture("bounce-postfix.eml").replace(b"{KEY}", message.idempotency_key.encode())
    drop(inbox, "bounce.eml", raw)
    inbound.inbox_folder_read()
    assert Quote.objects.get(pk=quote_sent.pk).delivery_status == "failed"


def test_a_bounce_for_someone_elses_message_is_kept_and_ignored(inbox, customer, users):
    message = _sent_email(customer, users)
    raw = fixture("bounce-postfix.eml").replace(b"{KEY}@peyvand.local", b"abc@elsewhere.example")
    drop(inbox, "bounce.eml", raw)
    assert inbound.inbox_folder_read().received == 1
    message.refresh_from_db()
    assert message.status == "sent" and Party.objects.filter(primary_email__icontains="mailer").count() == 0


@pytest.fixture
def quote_sent(make_deal, products, users, customer_with_email):
    from peyvand.sales.services import billing, deals

    deal = make_deal(party=customer_with_email, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    quote = billing.quote_send(
        quote=billing.quote_create(deal=deal, actor=users["sales"]),
        actor=users["sales"],
        pdf=b"%PDF-1.7",
        language="fa",
    )
    message = OutboundMessage.objects.get()
    assert outbox.outbound_deliver(message_id=message.pk) == "sent"
    return quote


# --- a message that cannot be logged does not hold up the rest ---------------------------


def test_an_unexpected_error_sets_the_message_aside_and_the_rest_go_on(inbox, customer, caplog):
    drop(inbox, "a-broken.eml", fixture("thunderbird-alternative-attachment.eml"))
    drop(inbox, "b-fine.eml", fixture("nul-in-body.eml"))
    real = inbound.interaction_record_system

    def fails_once(**kwargs):
        if kwargs["party"] == customer:
            raise ValueError("a bug in the code, not in the message")
        return real(**kwargs)

    with mock.patch.object(inbound, "interaction_record_system", side_effect=fails_once):
        result = inbound.inbox_folder_read()
    assert result.failed == ["a-broken.eml"] and result.received == 1
    assert (inbox / "failed" / "a-broken.eml").exists() and (inbox / "processed" / "b-fine.eml").exists()
    assert "a-broken.eml" in caplog.text and "a bug in the code" in caplog.text
    assert not Attachment.objects.exists()  # its files went with its rolled-back rows
    assert not any(p.is_file() for p in inbox.parent.joinpath("attachments").rglob("*"))
    assert inbound.inbox_folder_read().received == 0  # it does not come back every run


def test_a_database_outage_leaves_the_message_for_the_next_run(inbox, customer):
    drop(inbox, "a.eml", fixture("thunderbird-alternative-attachment.eml"))
    with (
        mock.patch.object(inbound, "_tell_owner", side_effect=OperationalError("database is locked")),
        pytest.raises(OperationalError),
    ):
        inbound.inbox_folder_read()
    assert (inbox / "a.eml").exists() and not Interaction.objects.exists()
    assert inbound.inbox_folder_read().received == 1
