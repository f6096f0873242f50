"""The outbox against a real SMTP server: sent once, retried with back-off when the server
fails, failed with the reason when it refuses, and nothing lost or doubled when the worker
dies mid-send."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.customers.rules import PartyInput
from peyvand.interactions import tasks
from peyvand.interactions.models import Interaction, OutboundMessage
from peyvand.interactions.services import messaging, outbox


def send_email(customer, users, actor="sales", **fields):
    draft = messaging.Draft(
        to="maryam@example.com",
        subject=fields.pop("subject", "پیش‌فاکتور {first_name}"),
        body=fields.pop("body", "سلام {first_name} عزیز،\nپیش‌فاکتور پیوست است."),
        **fields,
    )
    return messaging.email_send(party=customer, actor=users[actor], draft=draft)


def test_an_email_is_queued_with_its_interaction_and_sent_once(
    smtp, customer, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_email(customer, users)
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["Subject"] == "پیش‌فاکتور مریم"
    assert received["Message-ID"] == f"<{message.idempotency_key}@peyvand.local>"
    assert received["X-Peyvand-Idempotency-Key"] == message.idempotency_key
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "سلام مریم عزیز" in text
    assert 'dir="rtl"' in html and 'lang="fa"' in html and "<br>" in html
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.channel == "email" and interaction.direction == "outbound"
    assert interaction.subject == "پیش‌فاکتور مریم" and interaction.handled_by == users["sales"]
    # A run of the periodic job afterwards sends nothing again.
    assert outbox.outbox_flush() == 0
    tasks.outbox_flush_task.call_local()
    assert len(smtp.messages) == 1


def test_english_email_is_left_to_right(smtp, customer, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_email(
            customer, users, subject="Your quote", body="Dear {first_name},\nHere it is.", language="en"
        )
    html = smtp.messages[0].get_body(("html",)).get_content()
    assert 'dir="ltr"' in html and 'lang="en"' in html


def test_a_server_that_fails_then_recovers_gets_it_once_after_back_off(smtp, customer, users, settings):
    settings.PEYVAND_OUTBOX_RETRY_SECONDS = 60
    smtp.replies = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    message = send_email(customer, users)  # the commit hook is not run: the worker does it
    start = timezone.now()
    assert outbox.outbound_deliver(message_id=message.pk, now=start) == "queued"
    message.refresh_from_db()
    assert message.attempts == 1 and "451" in message.last_error
    assert message.next_attempt_at == start + dt.timedelta(seconds=60)
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=30)) == 0  # not yet due
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=61)) == 0  # 421: fails again
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == start + dt.timedelta(seconds=61 + 120)
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=200)) == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3 and message.last_error == ""
    assert len(smtp.messages) == 1
    assert AuditEvent.objects.filter(
        model="interactions.outboundmessage", changes__status=["sending", "sent"]
    ).exists()


def test_a_refused_address_fails_for_good_with_the_reason(smtp, customer, users):
    smtp.replies = ["550 5.1.1 No such user here"]
    message = send_email(customer, users)
    assert outbox.outbound_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == "failed" and "550" in message.last_error and "No such user" in message.last_error
    assert outbox.outbox_flush(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_after_the_last_attempt_it_fails(customer, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    settings.PEYVAND_OUTBOX_MAX_ATTEMPTS = 3
    message = send_email(customer, users)
    moment = timezone.now()
    for _ in range(3):
        outbox.outbound_deliver(message_id=message.pk, now=moment)
        moment += dt.timedelta(hours=7)
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3 and "Connection" in message.last_error


def test_a_worker_that_dies_mid_send_loses_nothing(smtp, customer, users, settings):
    """Claimed, then the worker died before sending: after the lease, the next run sends it."""
    settings.PEYVAND_OUTBOX_LEASE_SECONDS = 300
    message = send_email(customer, users)
    start = timezone.now()
    claimed = OutboundMessage.objects.filter(pk=message.pk).update(
        status="sending",
        claim_token="00000000-0000-0000-0000-000000000001",
        lease_until=start + dt.timedelta(seconds=300),
        attempts=1,
    )
    assert claimed == 1  # ...and here the worker's process was killed
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=60)) == 0  # its lease still holds
    assert smtp.messages == []
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=301)) == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and len(smtp.messages) == 1


def test_a_worker_that_dies_after_the_server_accepted_sends_the_same_message_id_again(smtp, customer, users):
    """The at-least-once window: accepted by the server, then the worker died before marking
    it sent. The copy sent after the lease carries the same Message-ID, so the receiving
    side can recognise it."""
    message = send_email(customer, users)
    start = timezone.now()
    outbox.outbound_deliver(message_id=message.pk, now=start)
    # Undo the "sent" as if the process died between the SMTP reply and the UPDATE.
    OutboundMessage.objects.filter(pk=message.pk).update(
        status="sending",
        lease_until=start + dt.timedelta(seconds=300),
        claim_token="00000000-0000-0000-0000-000000000002",
    )
    assert outbox.outbox_flush(now=start + dt.timedelta(seconds=301)) == 1
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]


def test_once_the_server_has_it_the_row_says_so_whatever_fails_next(smtp, customer, users, monkeypatch):
    """The window is the one UPDATE after the SMTP reply: the timeline failing after it does
    not leave the message to be sent again."""
    message = send_email(customer, users)
    start = timezone.now()

    def timeline_down(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(outbox, "_status_changed", timeline_down)
    with pytest.raises(RuntimeError):
        outbox.outbound_deliver(message_id=message.pk, now=start)
    message.refresh_from_db()
    assert message.status == "sent" and message.claim_token is None
    assert outbox.outbox_flush(now=start + dt.timedelta(hours=1)) == 0
    assert len(smtp.messages) == 1


def test_a_stale_worker_cannot_overwrite_the_reclaimed_message(smtp, customer, users):
    message = send_email(customer, users)
    start = timezone.now()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status="sending",
        claim_token="00000000-0000-0000-0000-000000000003",
        lease_until=start - dt.timedelta(seconds=1),
    )
    assert outbox.outbound_deliver(message_id=message.pk, now=start) == "sent"
    # The first worker wakes up and tries to mark it failed with its old token: nothing changes.
    stale = outbox._finish(message, "00000000-0000-0000-0000-000000000003", start, error="boom", final=True)
    assert stale == "skipped"
    message.refresh_from_db()
    assert message.status == "sent"


def test_two_claims_of_one_message_give_one_send(smtp, customer, users):
    message = send_email(customer, users)
    assert outbox.outbound_deliver(message_id=message.pk) == "sent"
    assert outbox.outbound_deliver(message_id=message.pk) == "skipped"
    tasks.outbound_deliver_task.call_local(message.pk)
    assert len(smtp.messages) == 1


def test_retry_and_cancel_follow_the_policy(smtp, customer, users):
    smtp.replies = ["550 5.1.1 No such user"]
    message = send_email(customer, users)
    outbox.outbound_deliver(message_id=message.pk)
    with pytest.raises(PermissionDenied):
        outbox.outbound_retry(message=message, actor=users["sales2"])
    message.refresh_from_db()
    assert message.status == "failed"
    outbox.outbound_retry(message=message, actor=users["sales"])
    assert outbox.outbox_flush() == 1 and len(smtp.messages) == 1
    with pytest.raises(ValidationError):
        outbox.outbound_cancel(message=message, actor=users["sales"])  # already sent


def test_consent_marketing_email_needs_opt_in(smtp, customer, users):
    from peyvand.customers import services as customer_services

    with pytest.raises(ValidationError) as refused:
        send_email(customer, users, purpose="marketing")
    assert "purpose" in refused.value.message_dict
    assert not OutboundMessage.objects.exists() and not Interaction.objects.exists()
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(email_consent=True)
    )
    customer.refresh_from_db()
    message = send_email(customer, users, purpose="marketing")
    assert "/unsubscribe/" in message.body_html and "/unsubscribe/" in message.body_text


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"to": "stranger@example.com"}, "to"),
        ({"subject": ""}, "subject"),
        ({"body": "  "}, "body"),
        ({"body": "سلام {nickname}"}, "body"),
        ({"purpose": "spam"}, "purpose"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_drafts_change_nothing(customer, users, fields, field):
    draft = messaging.Draft(
        to=fields.pop("to", "maryam@example.com"),
        subject=fields.pop("subject", "x"),
        body=fields.pop("body", "y"),
        **fields,
    )
    with pytest.raises(ValidationError) as refused:
        messaging.email_send(party=customer, actor=users["sales"], draft=draft)
    assert field in refused.value.message_dict
    assert not OutboundMessage.objects.exists() and not Interaction.objects.exists()


def test_only_those_who_see_the_customer_may_write_to_them(customer, users):
    draft = messaging.Draft(to="maryam@example.com", subject="x", body="y")
    for role in ("outsider", "readonly"):
        with pytest.raises(PermissionDenied):
            messaging.email_send(party=customer, actor=users[role], draft=draft)
    assert not OutboundMessage.objects.exists()
    # Support sees the team's customers and may write to them (it takes their calls too).
    assert messaging.email_send(party=customer, actor=users["support"], draft=draft).pk
