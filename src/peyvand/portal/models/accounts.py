"""Customer portal accounts, and how they get in: invitations, sign-in codes, the sign-in log.

A portal account is not a staff ``core.User``: it is its own row, bound to one person
(a ``customers.Party``), and nothing of Django's authentication knows it, so it can never
open a staff page or the API. It sees its person's records, and those of the organisations
the person belongs to when staff allowed it (``can_see_organisation``).

Secrets are stored hashed: an invitation's token (SHA-256: it is long and random) and a
sign-in code (keyed HMAC: six digits would fall to a plain hash in a moment).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import Party


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class PortalAccount(models.Model):
    """A customer's way into the portal. Revoked accounts keep their row (and their log)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="portal_accounts"
    )
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    password = models.CharField(max_length=128, blank=True)  # Django's hash; blank: codes only
    can_see_organisation = models.BooleanField(_("sees the organisation's records"), default=False)
    # A partner's user (see models/partners.py): the partner pages besides their own records.
    partner = models.ForeignKey(
        "portal.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    language = models.CharField(_("language"), max_length=5, default="fa")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["party"], condition=Q(revoked_at__isnull=True), name="portal_account_one_per_party"
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(revoked_at__isnull=True) & ~Q(email=""),
                name="portal_account_email_unique",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(revoked_at__isnull=True) & ~Q(phone=""),
                name="portal_account_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Portal access of %(name)s") % {"name": self.party.display_name})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """A one-time link to the portal, sent by email or SMS: the customer sets a password."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    sent_to = models.CharField(_("sent to"), max_length=254)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.sent_to}"


class SignInCode(models.Model):
    """A passwordless sign-in code: a few minutes, once, a few tries."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    sent_to = models.CharField(max_length=254)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["account", "created_at"], name="portal_code_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.created_at}"


class SignInLog(models.Model):
    """Every attempt to get in, append-only: what was typed, from where, and how it went."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("Password")
        CODE = "code", _("Sign-in code")
        INVITATION = "invitation", _("Invitation")

    account = models.ForeignKey(
        PortalAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="sign_ins"
    )
    identifier = models.CharField(_("signed in as"), max_length=254, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    succeeded = models.BooleanField(_("succeeded"))
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("portal sign-in")
        verbose_name_plural = _("portal sign-ins")
        indexes = [
            models.Index(fields=["account", "succeeded", "at"], name="portal_signin_account"),
            models.Index(fields=["address", "succeeded", "at"], name="portal_signin_address"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.at}"
