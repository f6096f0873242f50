"""Staff's side of the portal: inviting a customer (a one-time link by email or SMS through
the outbox), letting a contact see their organisation's records, and revoking access.

Who may do it is who may change the customer (the one permission policy); every change is
audited on the customer, so it shows on their timeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.customers.models import ContactPoint, Kind, Party
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.outbox import message_queue

from ..models import Channel, Invitation, PortalAccount

INVITATION_DAYS = 7


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class InviteInput:
    """Where the invitation goes (one of the person's email addresses or mobile numbers)
    and whether they may see the records of the organisations they belong to."""

    contact: ContactPoint
    channel: str
    can_see_organisation: bool = False
    language: str = "fa"


def takes_sms(e164: str) -> bool:
    """Whether a number can receive the invitation's SMS (a mobile, as far as its plan says)."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _clean(party: Party, data: InviteInput) -> None:
    errors: dict[str, list[str]] = {}
    if party.kind != Kind.PERSON:
        errors["contact"] = [_("Invite a person: the contacts of an organisation are invited one by one.")]
    elif data.channel not in Channel.values:
        errors["channel"] = [_("Choose email or SMS.")]
    elif data.contact.party_id != party.pk or data.contact.deleted_at is not None:
        errors["contact"] = [_("Choose one of this customer's email addresses or mobile numbers.")]
    elif data.channel == Channel.EMAIL and data.contact.kind != ContactPoint.Kind.EMAIL:
        errors["contact"] = [_("Choose an email address to send an email.")]
    elif data.channel == Channel.SMS and (
        data.contact.kind != ContactPoint.Kind.PHONE or not takes_sms(data.contact.value)
    ):
        errors["contact"] = [_("Choose a mobile number to send an SMS.")]
    if data.language not in ("fa", "en"):
        errors["language"] = [_("Choose Persian or English.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def portal_invite(*, actor: User, party: Party, data: InviteInput) -> Invitation:
    """Give ``party`` a portal account (or keep theirs) and send them a one-time link to set
    their password. An earlier invitation not yet used stops working."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    policy.require_change(actor, party)
    _clean(party, data)
    now = timezone.now()
    account = PortalAccount.objects.filter(party=party, revoked_at__isnull=True).first()
    created = account is None
    if account is None:
        account = PortalAccount(party=party, created_by=actor)
    field = "email" if data.channel == Channel.EMAIL else "phone"
    value = data.contact.value
    taken = PortalAccount.objects.filter(revoked_at__isnull=True, **{field: value}).exclude(pk=account.pk)
    if taken.exists():
        raise ValidationError({"contact": [_("Another customer signs in to the portal with this address.")]})
    before = {"email": account.email, "phone": account.phone, "org": account.can_see_organisation}
    setattr(account, field, value)
    account.can_see_organisation = data.can_see_organisation
    account.language = data.language
    account.save()
    account.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        account=account,
        token_hash=token_hash(token),
        channel=data.channel,
        sent_to=value,
        created_by=actor,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    _send_invitation(invitation, token, actor)
    changes: dict[str, list[object]] = {"portal_invitation": [None, value]}
    if before["org"] != account.can_see_organisation:
        changes["can_see_organisation"] = [before["org"], account.can_see_organisation]
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=party.pk,
        changes=changes,
    )
    return invitation


def _send_invitation(invitation: Invitation, token: str, actor: User) -> None:
    account = invitation.account
    link = settings.PEYVAND_BASE_URL + reverse("portal:invitation", args=[token])
    with translation.override(account.language):
        subject = _("Your access to our customer portal")
        if invitation.channel == Channel.EMAIL:
            body = _(
                "Hello %(name)s,\n\nYou are invited to our customer portal, where you can follow your "
                "orders, invoices and requests at any hour. Open this link within %(days)d days to set "
                "your password (it works once):\n\n%(link)s\n"
            ) % {"name": account.party.display_name, "days": INVITATION_DAYS, "link": link}
        else:
            body = _("Your customer portal invitation (works once, for %(days)d days): %(link)s") % {
                "days": INVITATION_DAYS,
                "link": link,
            }
    message_queue(
        channel=OutboundMessage.Kind.EMAIL
        if invitation.channel == Channel.EMAIL
        else OutboundMessage.Kind.SMS,
        purpose=Purpose.TRANSACTIONAL,
        to_address=invitation.sent_to,
        subject=subject if invitation.channel == Channel.EMAIL else "",
        body_text=body,
        party=account.party,
        actor=actor,
        language=account.language,
        key=f"portal_invitation:{invitation.pk}",
    )


@transaction.atomic
def portal_revoke(*, actor: User, party: Party) -> PortalAccount | None:
    """End ``party``'s portal access: their sessions end at their next request, and their
    invitations and codes stop working. None when they had none."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    policy.require_change(actor, party)
    account = PortalAccount.objects.filter(party=party, revoked_at__isnull=True).first()
    if account is None:
        return None
    now = timezone.now()
    account.revoked_at, account.revoked_by = now, actor
    account.save(update_fields=["revoked_at", "revoked_by"])
    account.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    account.codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=party.pk,
        changes={"portal_access": [True, False]},
    )
    return account


@transaction.atomic
def portal_account_setup(*, party: Party, email: str, can_see_organisation: bool = False) -> PortalAccount:
    """The installation's own set-up (the demo): an account without an invitation sent or a
    password, that its customer enters with a sign-in code. No actor, like the catalogue's."""
    account = PortalAccount.objects.create(
        party=party, email=email, can_see_organisation=can_see_organisation
    )
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=account,
        party_id=party.pk,
        changes={"email": [None, email], "can_see_organisation": [None, can_see_organisation]},
    )
    return account
