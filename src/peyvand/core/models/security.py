"""Two-factor sign-in (an authenticator app's codes, recovery codes), which roles must use
it, and each user's signed-in sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .users import Role


class TwoFactorDevice(models.Model):
    """A user's authenticator app: the shared secret of its time-based codes (RFC 6238).

    The secret must be readable to check a code, so it is kept as it is (as django-otp does);
    until ``confirmed_at`` is set the user is still setting it up and it is not asked for.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("turned on"), null=True, blank=True)
    # The last 30-second step whose code was accepted: a code is good once, and so is any
    # code of an earlier step.
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("two-factor sign-in")
        verbose_name_plural = _("two-factor sign-ins")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator app. Only a hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_user_hash")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.code_hash[:8]}…"


class RoleSecurity(models.Model):
    """What an administrator requires of the users of one role at sign-in."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    two_factor_required = models.BooleanField(_("two-factor sign-in required"), default=False)

    class Meta:
        verbose_name = _("role's sign-in rule")
        verbose_name_plural = _("roles' sign-in rules")

    def __str__(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role


class UserSession(models.Model):
    """One signed-in browser: listed in the user's settings, where it can be signed out.

    Keyed by the session's key; its last-seen time is written at most once a minute.
    """

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"))
    last_seen_at = models.DateTimeField(_("last seen"))
    # Signed out, revoked, or ended by a new password: the row stays for the record.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user} · {self.address or '—'}"
