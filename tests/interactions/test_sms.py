"""SMS: segments and cost before sending, the HTTP gateway (a local server), the file and
console backends, and consent."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.customers import services as customer_services
from peyvand.interactions.models import Interaction, OutboundMessage
from peyvand.interactions.services import messaging, outbox
from peyvand.interactions.smscount import count


@pytest.mark.parametrize(
    "text, encoding, units, segments",
    [
        ("", "GSM-7", 0, 0),
        ("Hello", "GSM-7", 5, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Price: 10€ [ok]", "GSM-7", 18, 1),  # € [ ] take two septets each
        ("س" * 70, "UCS-2", 70, 1),
        ("س" * 71, "UCS-2", 71, 2),
        ("س" * 134, "UCS-2", 134, 2),
        ("س" * 135, "UCS-2", 135, 3),
        ("Code ۱۲۳", "UCS-2", 8, 1),  # one Persian digit makes it all UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # emoji are two UCS-2 units
    ],
)
def test_segments(text, encoding, units, segments):
    counted = count(text, price=Decimal("1500"))
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)
    assert counted.cost == Decimal("1500") * segments


def test_the_remaining_characters_of_the_last_segment():
    assert count("س" * 60).remaining == 10
    assert count("س" * 71).remaining == 67 * 2 - 71


def draft(**fields):
    return messaging.Draft(
        to=fields.pop("to", "+989121234567"),
        body=fields.pop("body", "سلام {first_name}، فردا تماس می‌گیریم."),
        **fields,
    )


def test_an_sms_through_the_gateway(gateway, customer, users, settings, django_capture_on_commit_callbacks):
    settings.PEYVAND_SMS_SEGMENT_PRICE = "2000"
    with django_capture_on_commit_callbacks(execute=True):
        message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    message.refresh_from_db()
    assert message.status == "sent" and message.provider_id == "gw-1"
    assert message.segments == 1 and message.cost == Decimal("2000") and message.currency == "IRR"
    assert gateway.received == [
        {
            "to": "+989121234567",
            "from": "+98100020003000",
            "text": "سلام مریم، فردا تماس می‌گیریم.",
            "id": message.idempotency_key,
        }
    ]
    headers = gateway.headers[0]
    assert (
        headers["Authorization"] == "Bearer gateway-key"
        and headers["Idempotency-Key"] == message.idempotency_key
    )
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.channel == "sms" and interaction.body == "سلام مریم، فردا تماس می‌گیریم."


def test_gateway_errors_retry_and_a_resend_is_dropped_by_its_key(gateway, customer, users):
    gateway.statuses = [503, 429]
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    now = timezone.now()
    assert outbox.outbound_deliver(message_id=message.pk, now=now) == "queued"
    message.refresh_from_db()
    assert "HTTP 503" in message.last_error
    later = now + timezone.timedelta(hours=1)
    assert outbox.outbound_deliver(message_id=message.pk, now=later) == "queued"
    assert outbox.outbound_deliver(message_id=message.pk, now=later + timezone.timedelta(hours=1)) == "sent"
    # The worker dies after the gateway accepted it; the copy sent again is recognised.
    OutboundMessage.objects.filter(pk=message.pk).update(status="queued", next_attempt_at=now)
    assert outbox.outbound_deliver(message_id=message.pk, now=later + timezone.timedelta(hours=2)) == "sent"
    assert len(gateway.received) == 1 and gateway.duplicates == 1


def test_a_gateway_refusal_fails_with_its_reason(gateway, customer, users):
    gateway.statuses = [400]
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    assert outbox.outbound_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.last_error.startswith("HTTP 400")


def test_file_backend_writes_one_line_per_message(customer, users, settings, tmp_path):
    settings.PEYVAND_SMS_BACKEND = "file"
    settings.PEYVAND_SMS_FILE = tmp_path / "sms.jsonl"
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    assert outbox.outbound_deliver(message_id=message.pk) == "sent"
    lines = settings.PEYVAND_SMS_FILE.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["+989121234567"]


def test_console_backend_is_the_default(customer, users, settings, caplog):
    settings.PEYVAND_SMS_BACKEND = "console"
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    with caplog.at_level("INFO", logger="peyvand.sms"):
        assert outbox.outbound_deliver(message_id=message.pk) == "sent"
    assert "+989121234567" in caplog.text


def test_consent_marketing_sms_needs_opt_in_transactional_does_not(customer, users):
    with pytest.raises(ValidationError) as refused:
        messaging.sms_send(party=customer, actor=users["sales"], draft=draft(purpose="marketing"))
    assert "purpose" in refused.value.message_dict
    assert not OutboundMessage.objects.exists()
    customer_services.party_update(party=customer, actor=users["admin"], data={"sms_consent": True})
    customer.refresh_from_db()
    assert messaging.sms_send(party=customer, actor=users["sales"], draft=draft(purpose="marketing")).pk
    assert messaging.sms_send(party=customer, actor=users["sales"], draft=draft()).pk


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"to": "+982188776655"}, "to"),  # a landline cannot receive SMS
        ({"to": "+989350000000"}, "to"),  # not the customer's
        ({"body": ""}, "body"),
        ({"body": "x" * 1001}, "body"),
        ({"body": "{coupon}"}, "body"),
    ],
)
def test_bad_sms_change_nothing(customer, users, fields, field):
    with pytest.raises(ValidationError) as refused:
        messaging.sms_send(party=customer, actor=users["sales"], draft=draft(**fields))
    assert field in refused.value.message_dict
    assert not OutboundMessage.objects.exists() and not Interaction.objects.exists()
