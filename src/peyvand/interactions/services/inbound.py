"""Email and SMS that customers send us: matched to the customer, logged once on the timeline.

Mail is read from an IMAP mailbox, or (the embedded default) from a folder of .eml files
under the data directory. Each message is kept once by its Message-ID (a hash of the raw
message when it has none): reading the same mailbox or file again logs nothing twice, so a
worker that dies between logging a message and marking it read loses and doubles nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from peyvand.core import hooks
from peyvand.core.text import clean_text
from peyvand.customers.models import ContactPoint, Party, Source
from peyvand.customers.rules import PartyInput
from peyvand.customers.selectors.identity import parties_by_phone, party_by_email, party_by_phone
from peyvand.customers.services.parties import party_update
from peyvand.customers.services.suspects import suspect_create

from .. import files
from ..addresses import caller_number, clean_address
from ..consent import is_opt_out
from ..models import Attachment, Channel, Direction, InboundReceipt, Interaction
from ..system import system_actor
from .interactions import (
    BODY_MAX_LENGTH,
    InteractionInput,
    interaction_record_system,
    reported_time_error,
    reported_time_ok,
)
from .outbox import outbound_bounced

# The customer event each received email raises, with its headers in ``details``.
EMAIL_RECEIVED = "email_received"
SMS_RECEIVED = "sms_received"  # details: whether it was an opt-out

logger = logging.getLogger("peyvand.inbound")
MAX_MESSAGE_BYTES = 50 * 1024 * 1024
# Seconds an IMAP server may take to answer before the run gives up (and the next retries).
IMAP_TIMEOUT = 60
# Errors that say nothing about the message: try it again on the next run.
TRANSIENT = (OperationalError, InterfaceError)


class InboundError(ValueError):
    """A message that cannot be logged (no usable sender, unreadable): set aside, not retried."""

    def __init__(self, message: str, *, field: str = "from") -> None:
        super().__init__(message)
        self.field = field  # what a webhook's caller sent wrong


@dataclass
class InboxResult:
    received: int = 0
    duplicates: int = 0
    failed: list[str] = field(default_factory=list)


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = _html_text(content)
    # PostgreSQL refuses NUL in text; a mail client never means one.
    content = content.replace("\x00", "")
    lines = [line.rstrip() for line in content.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# What a browser would not show: the head, styles, scripts, comments.
_HIDDEN_HTML = re.compile(
    r"<!--.*?-->|<(head|style|script|title|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>|</li\s*>|</h[1-6]\s*>")


def _html_text(content: str) -> str:
    """The text a reader sees in an HTML-only email, without its style sheet or scripts."""
    visible = _HIDDEN_HTML.sub("", content)
    return html.unescape(strip_tags(_BREAKS.sub("\n", visible))).replace("\xa0", " ")


def _when(message: EmailMessage) -> dt.datetime:
    now = timezone.now()
    try:
        moment = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return now
    if moment is None or timezone.is_naive(moment):
        return now
    # A sender's clock far ahead or behind would misplace it on the timeline.
    return moment if now - dt.timedelta(days=365) < moment <= now + dt.timedelta(minutes=5) else now


def _message_ids(header: str) -> list[str]:
    """The Message-IDs a header names, without their angle brackets (at most 50)."""
    return _MESSAGE_ID.findall(header)[:50]


def _key(message: EmailMessage, raw: bytes) -> str:
    message_id = str(message.get("Message-ID", "") or "").strip().strip("<>").strip()
    if message_id and len(message_id) <= 250:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _save_attachments(interaction: Interaction, message: EmailMessage, written: list[Path]) -> list[str]:
    """Store each attachment under the data directory; returns the names left out."""
    skipped: list[str] = []
    for part in message.iter_attachments():
        name = files.clean_filename(part.get_filename() or "", _("attachment"))
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if len(payload) > settings.PEYVAND_ATTACHMENT_MAX_BYTES:
            skipped.append(name)
            continue
        stored = files.store(payload, filename=name)
        written.append(stored.path)
        Attachment.objects.create(
            interaction=interaction,
            filename=name,
            content_type=part.get_content_type()[:100],
            size=stored.size,
            sha256=stored.sha256,
            path=stored.relative,
        )
    return skipped


def email_receive(*, raw: bytes, source: str) -> InboundReceipt | None:
    """Log one received email on its customer's timeline; None when it was logged before."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InboundError("message too large")
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        display_name, raw_address = parseaddr(str(message.get("From", "")))
        subject = clean_text(str(message.get("Subject", "") or ""))
        body = _text_of(message)
    except (ValueError, TypeError, LookupError, IndexError, AssertionError) as exc:
        raise InboundError(f"unreadable message: {exc}") from exc
    key = _key(message, raw)
    if _is_bounce(message, raw_address):
        return _bounce_receive(message, key=key, sender=raw_address, source=source)
    address = clean_address(raw_address)
    if address is None:
        raise InboundError(f"no usable sender address in {raw_address!r}")
    written: list[Path] = []
    try:
        with transaction.atomic():
            if InboundReceipt.objects.filter(channel=InboundReceipt.Kind.EMAIL, key=key).exists():
                return None
            try:
                with transaction.atomic():
                    receipt = InboundReceipt.objects.create(
                        channel=InboundReceipt.Kind.EMAIL, key=key, sender=address, source=source
                    )
            except IntegrityError:
                return None  # another worker logged it a moment ago
            party = party_by_email(address) or suspect_create(
                actor=system_actor(), kind=ContactPoint.Kind.EMAIL, value=address, name=display_name
            )
            interaction = interaction_record_system(
                party=party,
                data=InteractionInput(
                    channel=Channel.EMAIL,
                    direction=Direction.INBOUND,
                    occurred_at=_when(message),
                    subject=subject[:200] or _("(no subject)"),
                    body=body[:BODY_MAX_LENGTH],
                ),
            )
            skipped = _save_attachments(interaction, message, written)
            if skipped:
                note = _("Attachments too large to keep: %(names)s") % {"names": ", ".join(skipped)}
                interaction.body = f"{interaction.body}\n\n{note}"[:BODY_MAX_LENGTH]
                interaction.save(update_fields=["body"])
            receipt.party, receipt.interaction = party, interaction
            receipt.save(update_fields=["party", "interaction"])
            _tell_owner(party, interaction, "email_in", address)
            # The apps above hear of it (the service desk threads it onto a ticket).
            hooks.customer_event(
                hooks.CustomerEvent(
                    EMAIL_RECEIVED,
                    party=party,
                    actor=None,
                    record=interaction,
                    details={
                        "message_id": key,
                        "in_reply_to": _message_ids(str(message.get("In-Reply-To", "") or "")),
                        "references": _message_ids(str(message.get("References", "") or "")),
                        "subject": subject,
                        "sender": address,
                    },
                )
            )
    except BaseException:
        for path in written:  # the rows are gone with the transaction; so go their files
            path.unlink(missing_ok=True)
        raise
    return receipt


# --- bounces ------------------------------------------------------------------------------

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250}@[^<>\s]{1,250})>")
_QUOTED_ID = re.compile(r"(?im)^\s*message-id:\s*<([^<>\s]{1,250}@[^<>\s]{1,250})>")


def _is_bounce(message: EmailMessage, sender: str) -> bool:
    """A mail server's report that a message did not arrive (RFC 3464, or a MAILER-DAEMON's
    letter): nobody to log it for, and never a suspect."""
    return message.get_content_type() == "multipart/report" or bool(_BOUNCE_SENDERS.match(sender.strip()))


def _bounced_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs of the messages the report returns: the returned message's or its
    headers' own Message-ID (never its References: those name older messages), or a
    "Message-ID:" line quoted in the report's text."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            for returned in part.get_payload() or []:
                if isinstance(returned, Message) and returned.get("Message-ID"):
                    found.append(str(returned["Message-ID"]))
        elif kind in ("text/rfc822-headers", "text/plain"):
            try:
                text = str(part.get_content())
            except (LookupError, ValueError):
                continue
            found.extend(_QUOTED_ID.findall(text))
    found.extend(_MESSAGE_ID.findall(str(message.get("In-Reply-To", ""))))
    return list(dict.fromkeys(f"<{m.strip('<>')}>" for m in found))


def _bounce_reason(message: EmailMessage) -> str:
    """The server's words: the delivery status' diagnostic, else the report's first lines."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            for block in part.get_payload() or []:
                if not isinstance(block, Message):
                    continue
                diagnostic = str(block.get("Diagnostic-Code", "") or "").strip()
                status = str(block.get("Status", "") or "").strip()
                if diagnostic or status:
                    text = diagnostic.split(";", 1)[-1].strip() if diagnostic else ""
                    return clean_text(f"{status} {text}".strip())[:500]
    text = _text_of(message)
    return clean_text(" ".join(text.split("\n")[:3]))[:500]


def _bounce_receive(message: EmailMessage, *, key: str, sender: str, source: str) -> InboundReceipt | None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                receipt = InboundReceipt.objects.create(
                    channel=InboundReceipt.Kind.EMAIL, key=key, sender=clean_text(sender)[:254], source=source
                )
        except IntegrityError:
            return None
        reason = _bounce_reason(message)
        failed = [
            m for m in (outbound_bounced(message_id=mid, reason=reason) for mid in _bounced_ids(message)) if m
        ]
        logger.info("bounce %s: %s (%d of our messages)", key, reason, len(failed))
        if failed and failed[0].interaction_id:
            receipt.interaction_id, receipt.party_id = failed[0].interaction_id, failed[0].party_id
            receipt.save(update_fields=["interaction", "party"])
    return receipt


def _tell_owner(party: Party, interaction: Interaction, kind: str, sender: str) -> None:
    owner = party.owner
    if owner is None or not owner.is_active:
        return
    hooks.notify(
        recipient=owner,
        kind=kind,
        key=f"{kind}:{interaction.pk}",
        party_id=party.pk,
        url=reverse("party_detail", args=[party.pk]),
        data={"party": party.display_name, "subject": interaction.subject, "sender": sender},
    )


def inbox_folder_read(*, folder: Path | None = None) -> InboxResult:
    """Log every .eml file in the inbox folder, then move it to processed/ (or failed/)."""
    folder = folder or settings.PEYVAND_INBOX_DIR
    result = InboxResult()
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.eml")):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue  # another worker took it
        try:
            receipt = email_receive(raw=raw, source="folder")
        except TRANSIENT:
            raise  # the database is away: leave the file for the next run
        except Exception as exc:
            # Anything else would fail again on every run and hold up the rest of the
            # folder: set the message aside, with the reason in the log.
            logger.warning(
                "inbound email %s set aside: %s", path.name, exc, exc_info=not isinstance(exc, InboundError)
            )
            result.failed.append(path.name)
            _move(path, folder / "failed")
            continue
        if receipt is None:
            result.duplicates += 1
        else:
            result.received += 1
        _move(path, folder / "processed")
    return result


def _move(path: Path, where: Path) -> None:
    where.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # another worker moved it
        path.replace(where / path.name)


def inbox_imap_read() -> InboxResult:
    """Log every unread message of the IMAP folder, then mark it read.

    Messages are fetched with BODY.PEEK, so one is marked read only after it was logged; a
    crash in between fetches it again, and its receipt keeps it from being logged twice.
    """
    result = InboxResult()
    client_class = imaplib.IMAP4_SSL if settings.PEYVAND_IMAP_SSL else imaplib.IMAP4
    with client_class(settings.PEYVAND_IMAP_HOST, settings.PEYVAND_IMAP_PORT, timeout=IMAP_TIMEOUT) as box:
        box.login(settings.PEYVAND_IMAP_USER, settings.PEYVAND_IMAP_PASSWORD)
        box.select(settings.PEYVAND_IMAP_FOLDER)
        _status, found = box.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
        for uid in (found[0] or b"").split():
            _status, parts = box.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
            if not isinstance(raw, bytes):
                continue
            try:
                receipt = email_receive(raw=raw, source="imap")
            except TRANSIENT:
                raise
            except Exception as exc:
                # Flagged and marked read: out of the next run's UNSEEN, easy to find.
                logger.warning(
                    "inbound email uid %s set aside: %s", uid, exc, exc_info=not isinstance(exc, InboundError)
                )
                result.failed.append(uid.decode())
                box.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen \\Flagged)")
                continue
            result.received += receipt is not None
            result.duplicates += receipt is None
            box.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    return result


def inbox_read() -> InboxResult:
    return inbox_imap_read() if settings.PEYVAND_IMAP_HOST else inbox_folder_read()


# --- SMS replies --------------------------------------------------------------------------


def sms_receive(
    *, sender: str, text: str, key: str = "", received_at: dt.datetime | None = None
) -> Interaction | None:
    """Log an SMS a customer sent; an opt-out reply withdraws their SMS consent.

    Returns None when the gateway delivered the same message before (same ``key``).
    """

    number = caller_number(sender)
    if number is None:
        raise InboundError(_("“%(value)s” is not a phone number.") % {"value": sender})
    text = (text or "").strip()[:BODY_MAX_LENGTH].replace("\x00", "")
    if received_at is not None and not reported_time_ok(received_at):
        raise InboundError(reported_time_error(), field="at")
    received_at = received_at or timezone.now()
    # Without the gateway's id, the same text from the same number within a minute is a resend.
    minute = received_at.astimezone(dt.UTC).strftime("%Y%m%d%H%M")
    key = key or "sha256:" + hashlib.sha256(f"{number}\n{text}\n{minute}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                receipt = InboundReceipt.objects.create(
                    channel=InboundReceipt.Kind.SMS, key=key[:255], sender=number, source="gateway"
                )
        except IntegrityError:
            return None
        actor = system_actor()
        party = party_by_phone(number) or suspect_create(
            actor=actor, kind=ContactPoint.Kind.PHONE, value=number, source=Source.OTHER
        )
        interaction = interaction_record_system(
            party=party,
            data=InteractionInput(
                channel=Channel.SMS,
                direction=Direction.INBOUND,
                occurred_at=received_at,
                subject=clean_text(text)[:80] or _("SMS"),
                body=text,
            ),
        )
        receipt.party, receipt.interaction = party, interaction
        receipt.save(update_fields=["party", "interaction"])
        opt_out = is_opt_out(text)
        if opt_out:
            # The number asked to stop: every customer reached on it stops, not just the one
            # the reply was logged on.
            for each in parties_by_phone(number).filter(sms_consent=True):
                party_update(
                    party=each,
                    actor=actor,
                    data=PartyInput(sms_consent=False, sms_consent_source="sms_reply"),
                )
            party.refresh_from_db(fields=["sms_consent", "sms_consent_source"])
        _tell_owner(party, interaction, "sms_in", number)
        hooks.customer_event(
            hooks.CustomerEvent(
                SMS_RECEIVED, party=party, actor=None, record=interaction, details={"opt_out": opt_out}
            )
        )
    return interaction


def attachment_path(attachment: Attachment) -> Path:
    return files.resolve(attachment.path)
