"""Two-factor sign-in: an authenticator app's six-digit codes (TOTP, RFC 6238, by pyotp) and
one-time recovery codes, and the roles an administrator requires it of.

A code is accepted once: the step it belongs to is remembered, and a code of that step or an
earlier one is refused (someone who saw it over a shoulder cannot reuse it). Codes of the
step before and after the current one are accepted too, for a phone's clock a little off.
Recovery codes are kept as hashes, like API tokens, and each works once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import AuditEvent, CustomRole, RecoveryCode, Role, RoleSecurity, TwoFactorDevice, User
from ..text import to_ascii_digits
from .audit import audit_log

ISSUER = "Peyvand"
RECOVERY_CODE_COUNT = 10
# Letters and digits nobody confuses (no 0/o, 1/l/i), in two groups of five: "k7dpq-3xwma".
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SEPARATORS = re.compile("[\\s\\-_\u200c]+")  # spaces, dashes, a zero-width non-joiner


@dataclass(frozen=True)
class CodeInput:
    """What a person typed where a code is asked: six digits (in any digits), or a recovery code."""

    code: str

    @property
    def normalised(self) -> str:
        return _SEPARATORS.sub("", to_ascii_digits(self.code or "")).lower()

    @property
    def is_totp(self) -> bool:
        text = self.normalised
        return len(text) == 6 and text.isascii() and text.isdigit()


# --- reading ------------------------------------------------------------------------------


def two_factor_enabled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_required_roles() -> set[str]:
    """The built-in roles and custom roles ("custom-<id>") that must use it."""
    builtin = RoleSecurity.objects.filter(two_factor_required=True).values_list("role", flat=True)
    custom = CustomRole.objects.filter(two_factor_required=True).values_list("pk", flat=True)
    return {*builtin, *(policy.custom_role_key(pk) for pk in custom)}


def two_factor_required(user: User) -> bool:
    """Whether the user's role (their custom role, if they have one) must sign in with a
    second factor."""
    if user.custom_role_id is not None:
        return CustomRole.objects.filter(pk=user.custom_role_id, two_factor_required=True).exists()
    return RoleSecurity.objects.filter(role=user.role, two_factor_required=True).exists()


def two_factor_setup_required(user: User) -> bool:
    """The user's role requires two-factor sign-in and they have not turned it on yet."""
    return two_factor_required(user) and not two_factor_enabled(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)


# --- setting up ---------------------------------------------------------------------------


@transaction.atomic
def two_factor_begin(*, user: User) -> TwoFactorDevice:
    """A new secret for the user to scan, not asked for until confirmed with a code.

    Opening the set-up page again keeps the same secret (the person may have scanned it
    already); it is replaced only once confirmed or turned off.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32())
    return device


@transaction.atomic
def two_factor_confirm(
    *, user: User, data: CodeInput, now: dt.datetime | None = None
) -> tuple[TwoFactorDevice, list[str]]:
    """Turn two-factor sign-in on once the person typed a right code from their app.

    Returns the device and the new recovery codes, which are shown once and never again.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise ValidationError(_("Start setting up two-factor sign-in first."))
    if device.confirmed_at is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    step = _matching_step(device, data, now) if data.is_totp else None
    if step is None:
        raise ValidationError({"code": _("That code is not right. Type the six digits your app shows now.")})
    device.last_step = step
    device.confirmed_at = now or timezone.now()
    device.save(update_fields=["last_step", "confirmed_at"])
    codes = _new_recovery_codes(user)
    audit_log(actor=user, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"two_factor": [False, True]})
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(
    *, user: User, data: CodeInput, password: str = "", now: dt.datetime | None = None
) -> list[str]:
    """New recovery codes, once the user proved it is them; the old ones stop working."""
    if not two_factor_enabled(user):
        raise ValidationError(_("Turn on two-factor sign-in first."))
    _require_proof(user, data, password, now)
    left = recovery_codes_left(user)
    codes = _new_recovery_codes(user)
    audit_log(
        actor=user,
        kind=AuditEvent.Kind.UPDATE,
        obj=user,
        changes={"recovery_codes": [left, len(codes)]},
    )
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_code_hash(CodeInput(code).normalised)) for code in codes]
    )
    return codes


def _code_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


# --- checking a code ----------------------------------------------------------------------


def _matching_step(device: TwoFactorDevice, data: CodeInput, now: dt.datetime | None) -> int | None:
    """The 30-second step whose code this is (the current one, or one either side), or None."""
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(now or timezone.now())
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), data.normalised):
            found = step
    return found


def two_factor_verify(*, user: User, data: CodeInput, now: dt.datetime | None = None) -> str | None:
    """Check a code at sign-in (or before a sensitive change): "totp" or "recovery" when it
    is right, None when it is wrong, was used already, or the user has no second factor."""
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    if data.is_totp:
        step = _matching_step(device, data, now)
        if step is None:
            return None
        # One conditional write: of two requests with the same code, only one moves the step.
        moved = TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
        return "totp" if moved else None
    normalised = data.normalised
    if not normalised:
        return None
    with transaction.atomic():
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_code_hash(normalised), used_at__isnull=True
        ).update(used_at=now or timezone.now())
        if not used:
            return None
        left = recovery_codes_left(user)
        audit_log(
            actor=user, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"recovery_codes": [left + 1, left]}
        )
    return "recovery"


def _require_proof(user: User, data: CodeInput, password: str, now: dt.datetime | None) -> None:
    """A current code, a recovery code or the password, before a change to the second factor."""
    if password and user.check_password(password):
        return
    if data.normalised and two_factor_verify(user=user, data=data, now=now) is not None:
        return
    raise ValidationError({"code": _("That code or password is not right.")})


# --- turning off --------------------------------------------------------------------------


@transaction.atomic
def two_factor_disable(
    *, user: User, data: CodeInput, password: str = "", now: dt.datetime | None = None
) -> None:
    """The user turns two-factor sign-in off, proving it is them with a current code (or a
    recovery code) or their password. A role that requires it cannot turn it off."""
    if not two_factor_enabled(user):
        raise ValidationError(_("Two-factor sign-in is not on."))
    if two_factor_required(user):
        raise ValidationError(_("Your role requires two-factor sign-in, so it cannot be turned off."))
    _require_proof(user, data, password, now)
    _remove(user)
    audit_log(actor=user, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"two_factor": [True, False]})


@transaction.atomic
def two_factor_reset(*, user: User, actor: User) -> bool:
    """An administrator removes a user's second factor (a lost phone and lost recovery
    codes); if their role requires it, they set it up again at their next sign-in."""
    policy.require_admin(actor)
    was_on = two_factor_enabled(user)
    if not was_on and not TwoFactorDevice.objects.filter(user=user).exists():
        return False
    _remove(user)
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"two_factor": [was_on, False]})
    return True


def _remove(user: User) -> None:
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


# --- which roles must use it --------------------------------------------------------------


@transaction.atomic
def two_factor_roles_set(*, roles: set[str], actor: User) -> None:
    """Require two-factor sign-in of exactly these roles (built-in, or "custom-<id>")."""
    policy.require_admin(actor)
    customs = {policy.custom_role_key(role.pk): role for role in CustomRole.objects.all()}
    if not roles <= set(Role.values) | set(customs):
        raise ValidationError(_("Choose a valid role."))
    for key, custom in customs.items():
        wanted = key in roles
        if custom.two_factor_required != wanted:
            audit_log(
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                obj=custom,
                changes={"two_factor_required": [custom.two_factor_required, wanted]},
            )
            custom.two_factor_required = wanted
            custom.save(update_fields=["two_factor_required"])
    for role in Role.values:
        wanted = role in roles
        row, _created = RoleSecurity.objects.get_or_create(role=role)
        if row.two_factor_required != wanted:
            audit_log(
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                obj=row,
                changes={"two_factor_required": [row.two_factor_required, wanted]},
            )
            row.two_factor_required = wanted
            row.save(update_fields=["two_factor_required"])
