"""Sending an email through Django's mail backend (SMTP from the environment, files offline)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from . import PermanentError, TransientError

logger = logging.getLogger("peyvand.outbox")


@dataclass(frozen=True)
class File:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    idempotency_key: str
    reply_to: str = ""
    from_address: str = ""
    files: tuple[File, ...] = ()
    # A marketing email's one-click unsubscribe address (RFC 2369 and RFC 8058).
    list_unsubscribe: str = ""


def message_id(key: str) -> str:
    return f"<{key}@{settings.PEYVAND_MESSAGE_ID_DOMAIN}>"


def send(email: Email, *, accepted: Callable[[str], None] | None = None) -> str:
    """Hand the email to the mail server; returns its Message-ID.

    ``accepted`` is called with the Message-ID as soon as the server has accepted the
    message (its reply to the end of DATA), before the connection is closed: whatever
    happens after that (a slow or failing QUIT, a crash) cannot make the caller think the
    message still has to be sent.
    """
    mid = message_id(email.idempotency_key)
    connection = get_connection(fail_silently=False)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=email.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        # The same Message-ID on every attempt: a copy sent again after a crash is the
        # same message to the receiving side, which may drop it as a duplicate.
        headers={
            "Message-ID": mid,
            "X-Peyvand-Idempotency-Key": email.idempotency_key,
            **_list_headers(email),
        },
        connection=connection,
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for file in email.files:
        # Django names it with RFC 2231 when it is not ASCII (a Persian file name).
        message.attach(file.filename, file.content, file.content_type)
    try:
        try:
            connection.open()  # so that sending leaves it open, and closing comes after ``accepted``
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            error = _describe(exc)
            raise (TransientError if codes and all(400 <= c < 500 for c in codes) else PermanentError)(
                error
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise (PermanentError if 500 <= exc.smtp_code < 600 else TransientError)(_describe(exc)) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientError(_describe(exc)) from exc
        if accepted is not None:
            accepted(mid)
    finally:
        _close(connection)
    return mid


def _close(connection: BaseEmailBackend) -> None:
    """Say goodbye to the server; the message's fate is settled, so a failure here is not one."""
    try:
        connection.close()
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        logger.info("closing the connection to the mail server failed: %s", _describe(exc))


def _list_headers(email: Email) -> dict[str, str]:
    """List-Unsubscribe with its one-click POST: mail clients show an "Unsubscribe" button
    that posts "List-Unsubscribe=One-Click" to the address, which withdraws at once."""
    if not email.list_unsubscribe:
        return {}
    return {
        "List-Unsubscribe": f"<{email.list_unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"SMTP {exc.smtp_code}: {reply}"[:1000]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for address, (code, answer) in exc.recipients.items():
            text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
            parts.append(f"{address}: SMTP {code} {text}")
        return "; ".join(parts)[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]
