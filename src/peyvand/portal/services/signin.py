"""Getting into the portal: by the invitation's one-time link (setting a password), by
password, or by a code sent to the account's email or mobile (passwordless).

Brute force is stopped in the database, counted in the sign-in log: after
``MAX_ACCOUNT_FAILURES`` failures on one account within ``WINDOW`` (since its last success)
that account is locked until the window passes, from every address; after
``MAX_ADDRESS_FAILURES`` failures from one address on any accounts, that address is.
Codes are few (``MAX_CODES`` per account and window, ``MAX_ADDRESS_CODES`` per address),
last ``CODE_MINUTES`` and allow ``CODE_ATTEMPTS`` tries. Every attempt is logged, and a
refusal never says whether the account exists.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from peyvand.core.models import AuditEvent
from peyvand.core.services.audit import audit_log
from peyvand.core.text import to_ascii_digits
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.outbox import message_queue

from ..models import Channel, Invitation, PortalAccount, SignInCode, SignInLog
from .accounts import token_hash

WINDOW = dt.timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
MAX_CODES = 3
MAX_ADDRESS_CODES = 10
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODE_DIGITS = 6
Method = SignInLog.Method


class SignInRefused(Exception):
    """A sign-in that did not happen; the message is safe to show (it names no account)."""


def _wrong() -> SignInRefused:
    return SignInRefused(_("That did not work. Check what you typed and try again."))


def _locked() -> SignInRefused:
    return SignInRefused(_("Too many attempts. Wait a quarter of an hour and try again."))


def normalize_identifier(identifier: str) -> tuple[str, str] | None:
    """("email" | "phone", the normalised value) of what a customer typed, or None."""
    value = to_ascii_digits((identifier or "").strip())
    if not value or len(value) > 254:
        return None
    try:
        return ("email", normalize_email(value)) if "@" in value else ("phone", normalize_phone(value))
    except ValidationError:
        return None


def account_for(identifier: str) -> PortalAccount | None:
    found = normalize_identifier(identifier)
    if found is None:
        return None
    field, value = found
    return (
        PortalAccount.objects.select_related("party")
        .filter(revoked_at__isnull=True, **{field: value})
        .first()
    )


def _log(
    account: PortalAccount | None, identifier: str, method: str, address: str | None, reason: str = ""
) -> SignInLog:
    return SignInLog.objects.create(
        account=account,
        identifier=identifier[:254],
        method=method,
        succeeded=not reason,
        reason=reason,
        address=address,
    )


def is_locked(account: PortalAccount | None, address: str | None, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - WINDOW
    if address and (
        SignInLog.objects.filter(address=address, succeeded=False, at__gte=since).count()
        >= MAX_ADDRESS_FAILURES
    ):
        return True
    if account is None:
        return False
    last_success = (
        SignInLog.objects.filter(account=account, succeeded=True)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    start = max(since, last_success) if last_success else since
    return (
        SignInLog.objects.filter(account=account, succeeded=False, at__gt=start).count()
        >= MAX_ACCOUNT_FAILURES
    )


def _signed_in(account: PortalAccount, identifier: str, method: str, address: str | None) -> PortalAccount:
    now = timezone.now()
    before = account.last_sign_in_at
    account.last_sign_in_at = now
    fields = ["last_sign_in_at"]
    if account.activated_at is None:
        account.activated_at = now
        fields.append("activated_at")
    account.save(update_fields=fields)
    _log(account, identifier, method, address)
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=account.party_id,
        changes={"portal_sign_in": [before.isoformat() if before else None, now.isoformat()]},
    )
    return account


def sign_in_password(*, identifier: str, password: str, address: str | None) -> PortalAccount:
    account = account_for(identifier)
    if is_locked(account, address):
        _log(account, identifier, Method.PASSWORD, address, "locked")
        raise _locked()
    if account is None or not account.password or not check_password(password or "", account.password):
        if account is None:
            make_password(password or "")  # the same time either way: nobody learns who has an account
        _log(account, identifier, Method.PASSWORD, address, "unknown" if account is None else "password")
        raise _wrong()
    with transaction.atomic():
        return _signed_in(account, identifier, Method.PASSWORD, address)


# --- codes --------------------------------------------------------------------------------


def _code_hash(account: PortalAccount, code: str) -> str:
    return salted_hmac("peyvand.portal.code", f"{account.pk}:{code}", algorithm="sha256").hexdigest()


class TooManyCodes(Exception):
    """This address asked for too many codes; answer 429."""


def code_request(*, identifier: str, address: str | None) -> SignInCode | None:
    """Send a sign-in code to the account ``identifier`` names, through the outbox. Nothing
    (and no hint of it) when there is no such account or it asked for too many already."""
    since = timezone.now() - WINDOW
    if (
        address
        and SignInCode.objects.filter(address=address, created_at__gte=since).count() >= MAX_ADDRESS_CODES
    ):
        raise TooManyCodes
    account = account_for(identifier)
    if account is None:
        # Counted against the address too, so nobody probes for accounts without limit.
        SignInLog.objects.create(
            identifier=identifier[:254],
            method=Method.CODE,
            succeeded=False,
            reason="unknown",
            address=address,
        )
        return None
    if account.codes.filter(created_at__gte=since).count() >= MAX_CODES or is_locked(account, address):
        return None
    found = normalize_identifier(identifier)
    assert found is not None
    channel = Channel.EMAIL if found[0] == "email" else Channel.SMS
    code = "".join(secrets.choice("0123456789") for _digit in range(CODE_DIGITS))
    with transaction.atomic():
        now = timezone.now()
        account.codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        sent = SignInCode.objects.create(
            account=account,
            code_hash=_code_hash(account, code),
            channel=channel,
            sent_to=found[1],
            address=address,
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        )
        with translation.override(account.language):
            text = _(
                "Your customer portal sign-in code is %(code)s. It works once, for %(minutes)d minutes."
            ) % {
                "code": code,
                "minutes": CODE_MINUTES,
            }
            subject = _("Your sign-in code")
        message_queue(
            channel=OutboundMessage.Kind.EMAIL if channel == Channel.EMAIL else OutboundMessage.Kind.SMS,
            purpose=Purpose.TRANSACTIONAL,
            to_address=found[1],
            subject=subject if channel == Channel.EMAIL else "",
            body_text=text,
            party=account.party,
            language=account.language,
            key=f"portal_code:{sent.pk}",
        )
    return sent


def sign_in_code(*, identifier: str, code: str, address: str | None) -> PortalAccount:
    account = account_for(identifier)
    if is_locked(account, address):
        _log(account, identifier, Method.CODE, address, "locked")
        raise _locked()
    typed = to_ascii_digits((code or "").strip()).replace(" ", "")
    now = timezone.now()
    current = (
        account.codes.filter(used_at__isnull=True, expires_at__gt=now).order_by("-created_at", "-id").first()
        if account is not None
        else None
    )
    if current is None or current.attempts >= CODE_ATTEMPTS:
        _log(account, identifier, Method.CODE, address, "no_code")
        raise _wrong()
    if not constant_time_compare(_code_hash(current.account, typed), current.code_hash):
        SignInCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
        _log(account, identifier, Method.CODE, address, "code")
        raise _wrong()
    with transaction.atomic():
        used = SignInCode.objects.filter(pk=current.pk, used_at__isnull=True).update(used_at=now)
        if not used:  # the same code sent twice at once: only one gets in
            raise _wrong()
        assert account is not None
        return _signed_in(account, identifier, Method.CODE, address)


# --- invitations --------------------------------------------------------------------------


def invitation_valid(token: str) -> Invitation | None:
    """The invitation ``token`` opens, while it is unused, unexpired and its account active."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("account", "account__party")
        .filter(
            token_hash=token_hash(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            account__revoked_at__isnull=True,
        )
        .first()
    )


def invitation_accept(*, token: str, password: str, address: str | None) -> PortalAccount:
    """Set the account's password through its invitation, once, and sign in."""
    invitation = invitation_valid(token)
    if invitation is None:
        SignInLog.objects.create(
            method=Method.INVITATION, succeeded=False, reason="invitation", address=address
        )
        raise SignInRefused(_("This invitation link has expired or was already used. Ask us for a new one."))
    account = invitation.account
    validate_password(password)
    with transaction.atomic():
        used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            raise SignInRefused(
                _("This invitation link has expired or was already used. Ask us for a new one.")
            )
        account.password = make_password(password)
        account.save(update_fields=["password"])
        return _signed_in(account, invitation.sent_to, Method.INVITATION, address)
