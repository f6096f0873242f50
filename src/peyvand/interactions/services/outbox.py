"""The outbox: an email or SMS is a row written in the transaction of the action that sends
it, and the worker delivers it with retries and exponential back-off.

Delivery of one message, step by step:
1. Claim. One UPDATE moves a due row (queued and due, or "sending" with a lease that has
   run out) to "sending" with a fresh claim token, a lease and one more attempt. Only one
   UPDATE can match, so two workers, or a periodic run that overlaps an immediate one,
   never both send it.
2. Send through the provider, carrying the message's idempotency key (the email's
   Message-ID, the gateway's Idempotency-Key header).
3. Finish. An UPDATE guarded by the claim token marks it sent, or queues it again after a
   back-off, or fails it for good with the reason.

Just after the claim, a marketing message is checked against the customer's consent once
more: a customer who opted out while it waited for a retry does not get it (it is
cancelled, with the reason). Files attached to an email are read from the attachments
directory on each attempt, so a retry sends the same bytes under the same Message-ID.

A worker that dies between 1 and 3 leaves the row "sending"; when the lease ends the next
run claims it again, so nothing is lost. The outcome is recorded the moment the provider
has accepted the message (for an email, on the server's reply to DATA, before the
connection is closed), in one UPDATE of its own, before the timeline is told. If the
worker died after the acceptance and before that UPDATE committed, the message goes out a
second time with the same key: an SMS gateway that honours Idempotency-Key drops it, and a
mail client recognises the repeated Message-ID, but SMTP itself cannot promise that. That
window (the return from the provider's reply plus one UPDATE; bench/outbox_window.py
measures it) is the one place where delivery is at-least-once rather than exactly-once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jobs, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.customers.models import Party

from .. import files
from ..consent import consent_check, consent_given, unsubscribe_url
from ..delivery import DeliveryError, PermanentError, mail, sms
from ..models import Attachment, Interaction, MessageTemplate, OutboundMessage, Purpose

OUTBOUND_DELIVER = "interactions.outbound_deliver"  # the job's name (core.jobs), registered by tasks.py

logger = logging.getLogger("peyvand.outbox")
Status = OutboundMessage.Status
MAX_BACKOFF = dt.timedelta(hours=6)


@dataclass(frozen=True)
class OutboundFile:
    """A file to attach to an email: kept under the data directory until it is sent."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def _source_fields(source: tuple[models.Model, str] | None) -> dict[str, object]:
    if source is None:
        return {}
    record, field = source
    try:
        record._meta.get_field(field)
    except FieldDoesNotExist:
        raise ValueError(f"{record._meta.label} has no field {field!r}") from None
    return {
        "source_type": ContentType.objects.get_for_model(record),
        "source_id": record.pk,
        "source_field": field,
    }


def _mirror(message: OutboundMessage, status: str) -> None:
    """Write the message's new status into the record that sent it (a quote's delivery)."""
    if message.source_type_id is None or message.source_id is None or not message.source_field:
        return
    model = ContentType.objects.get_for_id(message.source_type_id).model_class()
    if model is not None:
        model._base_manager.filter(pk=message.source_id).update(**{message.source_field: status})


def _status_changed(
    message: OutboundMessage, before: str, after: str, *, actor: User | None, error: str = ""
) -> None:
    """Tell the record that sent it, and the customer's timeline, that a message moved on."""
    _mirror(message, after)
    if message.party_id is not None:
        changes: dict[str, list[str | None]] = {"status": [before, after]}
        if error:
            changes["last_error"] = ["", error]
        audit_log(
            actor=actor, kind=AuditEvent.Kind.UPDATE, obj=message, party_id=message.party_id, changes=changes
        )


def _attach(message: OutboundMessage, attachments: Sequence[OutboundFile], written: list[Path]) -> None:
    total = sum(len(f.content) for f in attachments)
    if total > settings.PEYVAND_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The attachments are too large to send (at most %(limit)s MB).")
            % {"limit": settings.PEYVAND_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    for item in attachments:
        name = files.clean_filename(item.filename, _("attachment"))
        stored = files.store(item.content, filename=name, folder="outbound")
        written.append(stored.path)
        Attachment.objects.create(
            message=message,
            interaction=message.interaction,
            filename=name,
            content_type=(item.content_type or "application/octet-stream")[:100],
            size=stored.size,
            sha256=stored.sha256,
            path=stored.relative,
        )


def message_queue(
    *,
    channel: str,
    purpose: str,
    to_address: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    party: Party | None = None,
    recipient_user: User | None = None,
    interaction: Interaction | None = None,
    template: MessageTemplate | None = None,
    actor: User | None = None,
    language: str = "",
    reply_to: str = "",
    segments: int = 0,
    cost: Decimal | None = None,
    key: str = "",
    attachments: Sequence[OutboundFile] = (),
    source: tuple[models.Model, str] | None = None,
) -> OutboundMessage:
    """Put a message in the outbox; the worker sends it once the caller's transaction commits.

    ``attachments`` go with an email. ``source`` is ``(record, field name)``: that field of
    the record follows the message's status (queued, sent, failed, cancelled).

    The files are written before the row that names them commits; if the caller's
    transaction rolls back after this returns, they stay behind unreferenced (harmless,
    and never sent).
    """
    if attachments and channel != OutboundMessage.Kind.EMAIL:
        raise ValueError("only an email carries attachments")
    now = timezone.now()
    written: list[Path] = []
    try:
        return _queue(
            written,
            attachments,
            source,
            channel=channel,
            purpose=purpose,
            to_address=to_address,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            party=party,
            recipient_user=recipient_user,
            interaction=interaction,
            template=template,
            actor=actor,
            language=language,
            reply_to=reply_to,
            segments=segments,
            cost=cost,
            key=key,
            now=now,
        )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _queue(
    written: list[Path],
    attachments: Sequence[OutboundFile],
    source: tuple[models.Model, str] | None,
    *,
    channel: str,
    purpose: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str,
    party: Party | None,
    recipient_user: User | None,
    interaction: Interaction | None,
    template: MessageTemplate | None,
    actor: User | None,
    language: str,
    reply_to: str,
    segments: int,
    cost: Decimal | None,
    key: str,
    now: dt.datetime,
) -> OutboundMessage:
    with transaction.atomic():
        message = OutboundMessage.objects.create(
            channel=channel,
            purpose=purpose,
            to_address=to_address,
            subject=subject[:200],
            body_text=body_text,
            body_html=body_html,
            party=party,
            recipient_user=recipient_user,
            interaction=interaction,
            template=template,
            language=language or settings.LANGUAGE_CODE,
            reply_to=reply_to,
            segments=segments,
            cost=cost,
            currency=settings.PEYVAND_SMS_CURRENCY if cost is not None else "",
            idempotency_key=key or uuid.uuid4().hex,
            next_attempt_at=now,
            created_by=actor if actor and actor.pk else None,
            updated_by=actor if actor and actor.pk else None,
            **_source_fields(source),
        )
        _attach(message, attachments, written)
        _mirror(message, Status.QUEUED)
        if party is not None:
            audit_log(
                actor=actor,
                kind=AuditEvent.Kind.CREATE,
                obj=message,
                party_id=party.pk,
                changes={"channel": [None, channel], "to_address": [None, to_address]},
            )
        # robust: a queue that is down must not fail the action; the periodic flush sends it.
        transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def _enqueue(message_id: int) -> None:
    jobs.enqueue(OUTBOUND_DELIVER, message_id)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)


def outbound_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Claim, send and finish one message; returns its status afterwards, or "skipped"
    when it was not due or another worker holds it. Safe to call any number of times."""
    now = now or timezone.now()
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=settings.PEYVAND_OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboundMessage.objects.filter(pk=message_id)
        .filter(_claimable(now))
        .update(
            status=Status.SENDING,
            claim_token=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    if not claimed:
        return "skipped"
    message = OutboundMessage.objects.select_related("party", "created_by").get(pk=message_id)
    # Our own reasons (not the server's) are written for whoever sent it, who reads them.
    with translation.override(_reader_language(message)):
        return _deliver(message, token, now)


def _reader_language(message: OutboundMessage) -> str:
    writer = message.created_by
    return (writer.language if writer is not None else "") or settings.LANGUAGE_CODE


def _deliver(message: OutboundMessage, token: uuid.UUID, now: dt.datetime) -> str:
    if message.attempts > settings.PEYVAND_OUTBOX_MAX_ATTEMPTS:
        # Reclaimed after its last attempt's worker died: give up rather than loop.
        return _finish(message, token, now, error=_("No attempt succeeded."), final=True)
    if (
        message.purpose == Purpose.MARKETING
        and message.party is not None
        and not consent_given(party=message.party, channel=message.channel, purpose=message.purpose)
    ):
        # Consent was checked when it was queued; the customer may have opted out since.
        reason = _("Not sent: the customer has withdrawn consent to marketing messages on this channel.")
        return _finish(message, token, now, error=reason, cancel=True)
    recorded: list[bool] = []

    def accepted(provider_id: str) -> None:
        # The provider has it: the row says so at once, before anything else is done.
        recorded.append(_record(message, token, _outcome(message, now, provider_id=provider_id)))

    try:
        _send(message, accepted)
    except DeliveryError as exc:
        final = isinstance(exc, PermanentError) or message.attempts >= settings.PEYVAND_OUTBOX_MAX_ATTEMPTS
        logger.warning("outbound message %s attempt %s failed: %s", message.pk, message.attempts, exc)
        return _finish(message, token, now, error=str(exc) or type(exc).__name__, final=final)
    if not recorded[0]:
        # Our lease ran out and another worker reclaimed the message: it reports.
        return "skipped"
    return _announce(message, Status.SENT, error="")


def _files(message: OutboundMessage) -> tuple[mail.File, ...]:
    """The message's attachments as they were queued; a file gone or changed is final."""
    loaded = []
    for attachment in Attachment.objects.filter(message=message).order_by("id"):
        try:
            content = files.resolve(attachment.path).read_bytes()
        except OSError:
            raise PermanentError(
                _("The attachment %(name)s is missing.") % {"name": attachment.filename}
            ) from None
        if hashlib.sha256(content).hexdigest() != attachment.sha256:
            raise PermanentError(
                _("The attachment %(name)s has changed since it was queued.") % {"name": attachment.filename}
            )
        loaded.append(mail.File(attachment.filename, content, attachment.content_type))
    return tuple(loaded)


def _send(message: OutboundMessage, accepted: Callable[[str], None]) -> None:
    """Hand the message to its provider; ``accepted`` is called with the provider's id as
    soon as the provider has taken it (for an email, before the connection is closed)."""
    if message.channel == OutboundMessage.Kind.EMAIL:
        mail.send(
            mail.Email(
                to=message.to_address,
                subject=message.subject,
                text=message.body_text,
                html=message.body_html,
                idempotency_key=message.idempotency_key,
                reply_to=message.reply_to,
                files=_files(message),
                list_unsubscribe=(
                    unsubscribe_url(message.party, "email")
                    if message.purpose == Purpose.MARKETING and message.party is not None
                    else ""
                ),
            ),
            accepted=accepted,
        )
        return
    accepted(
        sms.backend().send(
            sms.Sms(to=message.to_address, text=message.body_text, idempotency_key=message.idempotency_key)
        )
    )


def _finish(
    message: OutboundMessage,
    token: uuid.UUID,
    now: dt.datetime,
    *,
    provider_id: str = "",
    error: str = "",
    final: bool = False,
    cancel: bool = False,
) -> str:
    fields = _outcome(message, now, provider_id=provider_id, error=error, final=final, cancel=cancel)
    if not _record(message, token, fields):
        # Our lease ran out and another worker reclaimed the message: it reports.
        return "skipped"
    return _announce(message, str(fields["status"]), error=error and str(fields["last_error"]))


def _outcome(
    message: OutboundMessage,
    now: dt.datetime,
    *,
    provider_id: str = "",
    error: str = "",
    final: bool = False,
    cancel: bool = False,
) -> dict[str, object]:
    """The fields that record how an attempt ended."""
    finished = timezone.now()
    if cancel:
        return {"status": Status.CANCELLED, "last_error": error[:2000]}
    if not error:
        return {
            "status": Status.SENT,
            "sent_at": finished,
            "provider_id": provider_id[:200],
            "last_error": "",
        }
    if final:
        return {"status": Status.FAILED, "failed_at": finished, "last_error": error[:2000]}
    delay = dt.timedelta(seconds=settings.PEYVAND_OUTBOX_RETRY_SECONDS) * 2 ** (message.attempts - 1)
    return {
        "status": Status.QUEUED,
        "next_attempt_at": now + min(delay, MAX_BACKOFF),
        "last_error": error[:2000],
    }


def _record(message: OutboundMessage, token: uuid.UUID, fields: dict[str, object]) -> bool:
    """Write the outcome, if this attempt still holds the claim; False when it no longer does.

    A statement of its own, first: once the provider has the message, the row says so
    before anything else (closing the connection, the timeline) can fail or be killed and
    leave it to be sent again. The at-least-once window is this statement's round trip.
    """
    return bool(
        OutboundMessage.objects.filter(pk=message.pk, claim_token=token).update(
            **fields, claim_token=None, lease_until=None, updated_at=timezone.now()
        )
    )


def _announce(message: OutboundMessage, status: str, *, error: str) -> str:
    """Tell the record that sent the message and the customer's timeline how it went."""
    with transaction.atomic():
        if status == Status.QUEUED:
            _mirror(message, Status.QUEUED)  # a retry: nothing for the timeline yet
        else:
            _status_changed(message, Status.SENDING.value, status, actor=None, error=error)
    return status


def outbox_flush(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Deliver every due message (retries, and claims left by a worker that died)."""
    now = now or timezone.now()
    due = list(
        OutboundMessage.objects.filter(_claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbound_deliver(message_id=pk, now=now) == Status.SENT for pk in due)


@transaction.atomic
def outbound_retry(*, message: OutboundMessage, actor: User) -> OutboundMessage:
    """Send a failed message again, from a fresh count of attempts."""
    message = (
        OutboundMessage.objects.select_for_update(of=("self",)).select_related("party").get(pk=message.pk)
    )
    policy.require_change(actor, message)
    if message.status != Status.FAILED:
        raise ValidationError(_("Only a failed message can be sent again."))
    if message.party is not None:
        # The customer may have opted out since it was first queued.
        consent_check(party=message.party, channel=message.channel, purpose=message.purpose)
    message.status, message.attempts, message.next_attempt_at = Status.QUEUED, 0, timezone.now()
    message.updated_by = actor
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_by", "updated_at"])
    _status_changed(message, Status.FAILED.value, Status.QUEUED.value, actor=actor)
    transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


@transaction.atomic
def outbound_cancel(*, message: OutboundMessage, actor: User) -> OutboundMessage:
    """Stop a message that has not gone yet."""
    message = OutboundMessage.objects.select_for_update().get(pk=message.pk)
    policy.require_change(actor, message)
    if message.status not in (Status.QUEUED, Status.FAILED):
        raise ValidationError(_("Only a queued or failed message can be cancelled."))
    before = message.status
    message.status, message.updated_by = Status.CANCELLED, actor
    message.save(update_fields=["status", "updated_by", "updated_at"])
    _status_changed(message, before, Status.CANCELLED.value, actor=actor)
    return message


def outbound_bounced(*, message_id: str, reason: str) -> OutboundMessage | None:
    """A mail server reported that an email of ours did not arrive: fail it with its reason.

    ``message_id`` is the Message-ID the bounce quotes; None when it is not one of ours.
    """
    domain = "@" + settings.PEYVAND_MESSAGE_ID_DOMAIN.lower()
    value = message_id.strip().strip("<>").strip()
    if not value.lower().endswith(domain):
        return None
    key = value[: -len(domain)]
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(channel=OutboundMessage.Kind.EMAIL, idempotency_key=key)
            .first()
        )
        if message is None or message.status in (Status.FAILED, Status.CANCELLED):
            return message
        before = message.status
        with translation.override(_reader_language(message)):
            error = (_("Bounced: %(reason)s") % {"reason": reason or _("no reason given")})[:2000]
        message.status, message.failed_at, message.last_error = Status.FAILED, timezone.now(), error
        message.claim_token = message.lease_until = None
        message.save(
            update_fields=["status", "failed_at", "last_error", "claim_token", "lease_until", "updated_at"]
        )
        _status_changed(message, before, Status.FAILED.value, actor=None, error=error)
    return message
