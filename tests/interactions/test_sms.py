"""SMS: segments and cost before sending, the HTTP gateway (a local server), the file and
console backends, and consent."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.customers import services as customer_services
from peyvand.customers.rules import PartyInput
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
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=True)
    )
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


# --- consent, once more when it goes out --------------------------------------------------


def test_a_marketing_sms_waiting_to_retry_is_not_sent_after_an_opt_out(gateway, customer, users):
    from peyvand.interactions.services import inbound

    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=True)
    )
    customer.refresh_from_db()
    gateway.statuses = [503]  # the first attempt fails; the retry waits
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft(purpose="marketing"))
    now = timezone.now()
    assert outbox.outbound_deliver(message_id=message.pk, now=now) == "queued"
    inbound.sms_receive(sender="09121234567", text="لغو")  # meanwhile the customer opts out
    message.refresh_from_db()
    assert outbox.outbound_deliver(message_id=message.pk, now=message.next_attempt_at) == "cancelled"
    message.refresh_from_db()
    assert message.status == "cancelled" and "رضایت" in message.last_error  # in the sender's Persian
    assert gateway.received == []
    assert outbox.outbox_flush(now=now + timezone.timedelta(days=1)) == 0 and gateway.received == []
    # A transactional message to the same customer still goes.
    receipt = messaging.sms_send(party=customer, actor=users["sales"], draft=draft())
    assert outbox.outbound_deliver(message_id=receipt.pk) == "sent"


def test_a_failed_marketing_message_cannot_be_retried_after_an_opt_out(gateway, customer, users):
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=True)
    )
    customer.refresh_from_db()
    gateway.statuses = [400]  # refused for good
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft(purpose="marketing"))
    assert outbox.outbound_deliver(message_id=message.pk) == "failed"
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=False)
    )
    with pytest.raises(ValidationError) as refused:
        outbox.outbound_retry(message=message, actor=users["sales"])
    assert "purpose" in refused.value.message_dict
    message.refresh_from_db()
    assert message.status == "failed" and gateway.received == []


def test_an_opt_out_withdraws_consent_for_everyone_on_that_number(customer, make_person, users):
    from peyvand.interactions.services import inbound

    spouse = make_person(
        owner="sales2",
        first_name="رضا",
        last_name="احمدی",
        contacts=[{"kind": "phone", "value": "09121234567"}],
    )
    other = make_person(first_name="سارا", contacts=[{"kind": "phone", "value": "09350000000"}])
    for party in (customer, spouse, other):
        customer_services.parties.party_update(
            party=party, actor=users["admin"], data=PartyInput(sms_consent=True)
        )
    inbound.sms_receive(sender="+989121234567", text="STOP", key="gw-9")
    assert list(
        type(customer)
        .objects.filter(pk__in=[customer.pk, spouse.pk, other.pk])
        .order_by("id")
        .values_list("sms_consent", flat=True)
    ) == [False, False, True]


def test_the_reason_is_written_in_the_senders_language(customer, users):
    users["sales"].language = "en"
    users["sales"].save(update_fields=["language"])
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=True)
    )
    customer.refresh_from_db()
    message = messaging.sms_send(party=customer, actor=users["sales"], draft=draft(purpose="marketing"))
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=False)
    )
    assert outbox.outbound_deliver(message_id=message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.last_error.startswith("Not sent: the customer has withdrawn consent")
