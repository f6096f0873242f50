"""Partners: the channel manager marks an organisation as a partner (its kind, commission
rate, price list, quarterly targets) and invites its contacts as partner users; a partner
registers leads and deals, checked for conflicts; the channel manager approves (the lead or
the deal is made through the sales services and the deal assigned to the partner) or
rejects with a reason; the partner moves its deals, writes their next step and notes.

Staff's operations go through the permission policy's ``partners`` resource; a partner's
through ``selectors.partners.partner_of`` and its own records only. Every operation is
audited; what a partner does to a deal lands on its customer's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import Action, AuditEvent, Scope, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text, search_key
from peyvand.customers.models import Kind, Membership, Party, Source
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.customers.services.notes import note_add
from peyvand.customers.services.parties import party_create
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.outbox import message_queue
from peyvand.interactions.system import system_actor
from peyvand.sales import conf as sales_conf
from peyvand.sales.models import Deal, PriceList, Stage
from peyvand.sales.money import check_money, to_decimal
from peyvand.sales.services.deals import deal_create, deal_move_stage
from peyvand.sales.services.leads import lead_create

from ..models import (
    Invitation,
    Partner,
    PartnerDeal,
    PartnerKind,
    PartnerTarget,
    PortalAccount,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from ..selectors.partners import Candidate, partner_of, registration_conflicts
from .accounts import InviteInput, portal_invite

NOTE_MAX = 2000
NEXT_STEP_MAX = 300
REASON_MAX = 500


def _require_partners(actor: User, obj: Any = None) -> None:
    if obj is None:
        if policy.scope(actor, "partners", Action.CHANGE) == Scope.NONE:
            raise PermissionDenied(_("You do not have permission to manage partners."))
    else:
        policy.require_change(actor, obj)


# --- the channel manager: partners, targets, users ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerInput:
    kind: str
    commission_rate: Any  # a number as typed (Persian digits too)
    price_list: PriceList | None = None
    active: bool = True


@transaction.atomic
def partner_save(*, actor: User, organisation: Party, data: PartnerInput) -> Partner:
    """Mark ``organisation`` as a partner, or change its terms."""
    organisation = Party.objects.select_for_update().get(pk=organisation.pk)
    partner = Partner.objects.filter(organisation=organisation).first()
    _require_partners(actor, partner)
    policy.require_view(actor, organisation)
    errors: dict[str, list[str]] = {}
    if organisation.kind != Kind.ORGANISATION or organisation.deleted_at is not None:
        errors["organisation"] = [_("Only an organisation can be a partner.")]
    if data.kind not in PartnerKind.values:
        errors["kind"] = [_("Choose distributor, reseller or agent.")]
    rate = Decimal(0)
    try:
        rate = to_decimal(data.commission_rate, field="commission_rate", maximum=Decimal(100))
    except ValidationError as error:
        errors.update(error.message_dict)
    if data.price_list is not None and not data.price_list.active:
        errors["price_list"] = [_("Choose an active price list.")]
    if errors:
        raise ValidationError(errors)
    created = partner is None
    if partner is None:
        partner = Partner(organisation=organisation, created_by=actor)
    before = {
        "kind": partner.kind or None,
        "commission_rate": str(partner.commission_rate) if not created else None,
        "price_list": partner.price_list.name if partner.price_list else None,
        "active": partner.active if not created else None,
    }
    partner.kind = data.kind
    partner.commission_rate = rate.quantize(Decimal("0.01"))
    partner.price_list = data.price_list
    partner.active = data.active
    partner.save()
    after = {
        "kind": partner.kind,
        "commission_rate": str(partner.commission_rate),
        "price_list": partner.price_list.name if partner.price_list else None,
        "active": partner.active,
    }
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
            obj=partner,
            party_id=organisation.pk,
            changes=changes,
        )
    return partner


@transaction.atomic
def partner_target_set(
    *, actor: User, partner: Partner, year: int, quarter: int, amount: Any
) -> PartnerTarget:
    """The partner's target for a Jalali quarter (in the base currency)."""
    _require_partners(actor, partner)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 1300 <= year <= 1600:
        errors["year"] = [_("Enter a Jalali year such as 1405.")]
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("Choose a quarter from 1 to 4.")]
    value = Decimal(0)
    try:
        value = to_decimal(amount, field="amount")
        value = check_money(value, field="amount", currency=sales_conf.base_currency())
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    target = PartnerTarget.objects.filter(partner=partner, year=year, quarter=quarter).first()
    before = str(target.amount) if target else None
    if target is None:
        target = PartnerTarget(partner=partner, year=year, quarter=quarter, amount=value)
    target.amount, target.set_by = value, actor
    target.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=partner,
        party_id=partner.organisation_id,
        changes={"partner_target": [before, f"{year}-Q{quarter}: {value}"]},
    )
    return target


@transaction.atomic
def partner_user_invite(*, actor: User, partner: Partner, data: InviteInput) -> Invitation:
    """Invite a contact of the partner's organisation to the portal as the partner's user
    (the customer portal's invitation, with the partner flag on their account)."""
    _require_partners(actor, partner)
    person = data.contact.party
    is_contact = Membership.objects.filter(
        person=person, organisation_id=partner.organisation_id, deleted_at__isnull=True
    ).exists()
    if not is_contact:
        raise ValidationError({"contact": [_("Choose a contact of the partner's organisation.")]})
    invitation = portal_invite(actor=actor, party=person, data=data)
    account = invitation.account
    if account.partner_id != partner.pk:
        before = account.partner_id
        account.partner = partner
        account.save(update_fields=["partner"])
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=account,
            party_id=person.pk,
            changes={"portal_partner": [before and str(before), partner.organisation.display_name]},
        )
    return invitation


@transaction.atomic
def partner_user_remove(*, actor: User, partner: Partner, account: PortalAccount) -> PortalAccount:
    """The account stays a customer's; it no longer reaches the partner's pages."""
    _require_partners(actor, partner)
    account = PortalAccount.objects.select_for_update().get(pk=account.pk)
    if account.partner_id != partner.pk:
        raise ValidationError(_("This account is not the partner's user."))
    account.partner = None
    account.save(update_fields=["partner"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=account.party_id,
        changes={"portal_partner": [partner.organisation.display_name, None]},
    )
    return account


# --- the partner: registrations -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RegistrationInput:
    kind: str
    customer_name: str
    company: str = ""
    phone: str = ""
    email: str = ""
    product_interest: str = ""
    expected_value: Any = "0"
    note: str = ""


def _text(errors: dict[str, list[str]], name: str, value: Any, limit: int, *, required: bool = False) -> str:
    text = clean_text(value if isinstance(value, str) else "")
    if required and not text:
        errors[name] = [_("This field is required.")]
    elif len(text) > limit:
        errors[name] = [
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
        ]
    return text


def _require_partner(account: PortalAccount) -> Partner:
    partner = partner_of(account)
    if partner is None:
        raise PermissionDenied(_("Only a partner's users may do this."))
    return partner


@transaction.atomic
def registration_create(*, account: PortalAccount, data: RegistrationInput) -> Registration:
    """A partner registers a lead or a deal: checked against the existing customers and the
    other partners' registrations (what it finds is kept for the channel manager, never shown
    to the partner), and the channel manager is told."""
    partner = _require_partner(account)
    errors: dict[str, list[str]] = {}
    if data.kind not in RegistrationKind.values:
        errors["kind"] = [_("Choose a lead or a deal.")]
    name = _text(errors, "customer_name", data.customer_name, 200, required=True)
    company = _text(errors, "company", data.company, 200)
    product = _text(errors, "product_interest", data.product_interest, 200)
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": NOTE_MAX, "count": len(note)}
        ]
    phone = email = ""
    try:
        phone = normalize_phone(data.phone) if clean_text(data.phone) else ""
    except ValidationError as error:
        errors["phone"] = error.messages
    try:
        email = normalize_email(data.email) if clean_text(data.email) else ""
    except ValidationError as error:
        errors["email"] = error.messages
    if not (phone or email) and "phone" not in errors and "email" not in errors:
        errors["phone"] = [_("Enter a phone number or an email address.")]
    currency = sales_conf.base_currency()
    value = Decimal(0)
    try:
        value = to_decimal(data.expected_value or "0", field="expected_value")
        value = check_money(value, field="expected_value", currency=currency)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    registration = Registration(
        partner=partner,
        account=account,
        kind=data.kind,
        customer_name=name,
        company=company,
        phone=phone,
        email=email,
        product_interest=product,
        expected_value=value,
        currency=currency,
        note=note,
        name_key=search_key(name)[:200],
    )
    registration.conflicts = registration_conflicts(
        partner=partner, candidate=Candidate(name=name, company=company, phone=phone, email=email)
    )
    registration.save()
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=registration,
        party_id=partner.organisation_id,
        changes={
            "portal_partner": [None, partner.organisation.display_name],
            "customer_name": [None, name],
            "kind": [None, registration.kind],
        },
    )
    transaction.on_commit(lambda: _tell_channel_managers(registration))
    return registration


def channel_managers() -> list[User]:
    """Whoever may approve registrations: active users whose role manages partners."""
    users = User.objects.filter(is_active=True).order_by("id")  # staff: a few dozen
    return [u for u in users if policy.scope(u, "partners", Action.CHANGE) != Scope.NONE]


def _tell_channel_managers(registration: Registration) -> None:
    for user in channel_managers():
        hooks.notify(
            recipient=user,
            kind="partner_registration",
            key=f"partner_registration:{registration.pk}:{user.pk}",
            party_id=registration.partner.organisation_id,
            url=reverse("partners:registrations"),
            data={
                "partner": registration.partner.organisation.display_name,
                "customer": registration.customer_name,
                "kind": registration.kind,
            },
        )


def _tell_partner(registration: Registration, actor: User) -> None:
    """The partner user who registered hears the decision by email, in their language, once
    the decision commits (through the outbox); the reason goes with a rejection."""
    account = registration.account
    if account is None or not account.email or account.revoked_at is not None:
        return
    link = settings.PEYVAND_BASE_URL + reverse("portal:partner_registrations")
    with translation.override(account.language):
        names = {"customer": registration.customer_name, "link": link}
        if registration.status == RegistrationStatus.APPROVED:
            subject = _("Your registration of %(customer)s was approved") % names
            body = (
                _(
                    "Your registration of %(customer)s was approved and is now yours to follow in the "
                    "partner portal:\n\n%(link)s\n"
                )
                % names
            )
        else:
            subject = _("Your registration of %(customer)s was not approved") % names
            body = _(
                "Your registration of %(customer)s was not approved, for this reason:\n\n%(reason)s\n\n"
                "Your registrations: %(link)s\n"
            ) % {**names, "reason": registration.reason}
    message_queue(
        channel=OutboundMessage.Kind.EMAIL,
        purpose=Purpose.TRANSACTIONAL,
        to_address=account.email,
        subject=subject,
        body_text=body,
        party=account.party,
        actor=actor,
        language=account.language,
        key=f"partner_registration_decided:{registration.pk}",
    )


# --- the channel manager: approving and rejecting -------------------------------------------


def _lock_pending(actor: User, registration: Registration) -> Registration:
    locked = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("partner__organisation")
        .get(pk=registration.pk)
    )
    _require_partners(actor, locked)
    if locked.status != RegistrationStatus.PENDING:
        raise ValidationError(_("This registration has been decided already."))
    return locked


def _split_name(name: str) -> tuple[str, str]:
    first, _space, last = name.partition(" ")
    return (first, last) if last else ("", first)


def _customer_for(registration: Registration, actor: User, owner: User) -> Party:
    """The customer a deal is for: the one the phone or the email already names (seen by the
    channel manager as the conflict), else a new one."""
    for conflict in registration.conflicts:
        if conflict.get("kind") == "customer" and conflict.get("by") in ("phone", "email"):
            known = Party.objects.filter(pk=conflict.get("id"), deleted_at__isnull=True).first()
            if known is not None and policy.can_view(actor, known):
                return known
    contacts = [
        ContactInput(kind=kind, value=value, is_primary=True)
        for kind, value in (("phone", registration.phone), ("email", registration.email))
        if value
    ]
    if registration.company:
        data = PartyInput(name=registration.company, owner=owner, source=Source.PARTNER)
        return party_create(
            actor=actor, kind=Kind.ORGANISATION, data=data, contacts=contacts, allow_duplicate=True
        )
    first, last = _split_name(registration.customer_name)
    data = PartyInput(first_name=first, last_name=last, owner=owner, source=Source.PARTNER)
    return party_create(actor=actor, kind=Kind.PERSON, data=data, contacts=contacts, allow_duplicate=True)


@transaction.atomic
def registration_approve(
    *, actor: User, registration: Registration, owner: User | None = None
) -> Registration:
    """Approve: a lead (given to ``owner``, by default the channel manager) or a customer and
    a deal assigned to the partner, made through the customers' and sales services."""
    registration = _lock_pending(actor, registration)
    owner = owner or actor
    if registration.kind == RegistrationKind.LEAD:
        first, last = _split_name(registration.customer_name)
        message = "\n".join(part for part in (registration.product_interest, registration.note) if part)
        registration.lead = lead_create(
            actor=actor,
            data={
                "first_name": first,
                "last_name": last,
                "company": registration.company,
                "phone": registration.phone,
                "email": registration.email,
                "message": message[:5000],
                "source": Source.PARTNER,
                "owner": owner,
            },
        )
        party_id = registration.partner.organisation_id
    else:
        party = _customer_for(registration, actor, owner)
        title = registration.product_interest or registration.customer_name
        deal = deal_create(
            actor=actor,
            data={
                "title": f"{title} ({registration.partner.organisation.display_name})"[:200],
                "party": party,
                "amount": registration.expected_value,
                "currency": registration.currency,
                "owner": owner,
            },
        )
        PartnerDeal.objects.create(partner=registration.partner, deal=deal, registration=registration)
        registration.deal = deal
        party_id = party.pk
    registration.status = RegistrationStatus.APPROVED
    registration.decided_at, registration.decided_by = timezone.now(), actor
    registration.save(update_fields=["status", "decided_at", "decided_by", "lead", "deal"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=registration,
        party_id=party_id,
        changes={"status": [RegistrationStatus.PENDING, RegistrationStatus.APPROVED]},
    )
    _tell_partner(registration, actor)
    return registration


@transaction.atomic
def registration_reject(*, actor: User, registration: Registration, reason: str) -> Registration:
    registration = _lock_pending(actor, registration)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, REASON_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    registration.status = RegistrationStatus.REJECTED
    registration.reason = reason
    registration.decided_at, registration.decided_by = timezone.now(), actor
    registration.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=registration,
        party_id=registration.partner.organisation_id,
        changes={
            "status": [RegistrationStatus.PENDING, RegistrationStatus.REJECTED],
            "reason": [None, reason],
        },
    )
    _tell_partner(registration, actor)
    return registration


# --- the partner: their deals -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerDealInput:
    stage: Stage | None = None
    lost_reason: str = ""
    next_step: str | None = None  # None: as it is
    note: str = ""


@transaction.atomic
def partner_deal_update(*, account: PortalAccount, link: PartnerDeal, data: PartnerDealInput) -> PartnerDeal:
    """A partner moves its deal (through the sales service), writes its next step and a note
    (a note on the customer). Only a deal assigned to the account's partner."""
    partner = _require_partner(account)
    link = PartnerDeal.objects.select_for_update(of=("self",)).select_related("deal").get(pk=link.pk)
    if link.partner_id != partner.pk or link.deal.deleted_at is not None:
        raise PermissionDenied(_("This deal is not yours."))
    deal: Deal = link.deal
    errors: dict[str, list[str]] = {}
    if data.stage is not None and (data.stage.pipeline_id != deal.pipeline_id or not data.stage.active):
        errors["stage"] = [_("Choose a stage of this deal's pipeline.")]
    next_step = (
        _text(errors, "next_step", data.next_step, NEXT_STEP_MAX) if data.next_step is not None else None
    )
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": NOTE_MAX, "count": len(note)}
        ]
    if errors:
        raise ValidationError(errors)
    actor = system_actor()
    # One event with the partner's mark for whatever they did (the stage move itself is the
    # sales service's event, the note the customers'): the timeline says it came from them.
    changes: dict[str, list[object]] = {"portal_partner": [None, partner.organisation.display_name]}
    changed = False
    if data.stage is not None and (data.stage.pk != deal.stage_id or data.lost_reason):
        before_stage = deal.stage.name
        deal = deal_move_stage(deal=deal, stage=data.stage, actor=actor, lost_reason=data.lost_reason)
        changes["partner_stage"] = [before_stage, deal.stage.name]
        changed = True
    if next_step is not None and next_step != link.next_step:
        changes["next_step"] = [link.next_step or None, next_step or None]
        link.next_step = next_step
        changed = True
    if note:
        note_add(
            party=deal.party,
            actor=actor,
            body=_("%(partner)s (partner) on %(deal)s: %(note)s")
            % {"partner": partner.organisation.display_name, "deal": deal.title, "note": note},
        )
        changed = True
    if changed:
        audit_log(actor=None, kind=AuditEvent.Kind.UPDATE, obj=deal, party_id=deal.party_id, changes=changes)
    if changed and link.first_update_at is None:
        link.first_update_at = timezone.now()
    link.save(update_fields=["next_step", "first_update_at"])
    link.deal = deal
    return link
