"""A customer changes their contact details in the portal: their name, primary email and
mobile, postal address and job titles, and (where staff allowed them their organisation's
records) their organisation's address.

The values are checked by the customers' own rules as a member of staff's edit would be, and
written only through the customers' services. Where the company reviews such changes (the
company profile's setting) they wait as a pending ``DetailChange`` that staff approve
(written then, in the approver's name) or reject; otherwise they are written at once in the
system user's name. Either way the customer's timeline says it came through the portal and
staff are told. Language and consent are never held: ``activity.portal_preferences_save``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.selectors.company import company_profile
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.customers.models import ContactPoint, Membership, Party
from peyvand.customers.rules import (
    ContactChanges,
    ContactInput,
    PartyInput,
    clean_contact,
    clean_party_fields,
    clean_text_field,
)
from peyvand.customers.services.contacts import contact_point_add, contact_point_update
from peyvand.customers.services.memberships import membership_update
from peyvand.customers.services.parties import party_update
from peyvand.interactions.system import system_actor

from ..models import ChangeStatus, DetailChange, PortalAccount
from ..selectors.details import (
    ADDRESS_PARTS,
    address_of,
    editable_organisations,
    memberships,
    pending_change,
    person_details,
    primary_point,
)

REASON_MAX = 500


@dataclass(frozen=True, kw_only=True)
class AddressInput:
    street: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""


@dataclass(frozen=True, kw_only=True)
class DetailsInput:
    """The person's details as the portal's form gives them; ``titles``: membership id -> title."""

    first_name: str
    last_name: str
    email: str
    phone: str
    address: AddressInput = field(default_factory=AddressInput)
    titles: Mapping[int, str] = field(default_factory=dict)


# --- checking ------------------------------------------------------------------------------


def _contact(errors: dict[str, list[str]], name: str, kind: str, value: str, current: str) -> str:
    value = clean_text(value)
    if not value:
        if current:  # one is kept: removing it is for staff
            errors[name] = [
                _("Enter your email address.")
                if kind == ContactPoint.Kind.EMAIL
                else _("Enter your mobile number.")
            ]
        return current
    try:
        return clean_contact(ContactInput(kind=kind, value=value)).value
    except ValidationError as exc:
        errors[name] = [m for messages in exc.message_dict.values() for m in messages]
        return current


def _address(errors: dict[str, list[str]], data: AddressInput, current: Mapping[str, str]) -> dict[str, str]:
    given = {name: clean_text(getattr(data, name)) for name in ADDRESS_PARTS}
    if not any(given.values()):
        return dict(current)  # an address is not removed here
    try:
        point = clean_contact(
            ContactInput(
                kind=ContactPoint.Kind.ADDRESS,
                value="",
                street=given["street"],
                city=given["city"],
                province=given["province"],
                postal_code=given["postal_code"],
            )
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name if name in ADDRESS_PARTS else "street", []).extend(messages)
        return dict(current)
    return {name: getattr(point, name) for name in ADDRESS_PARTS}


def _differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name, ""), value] for name, value in after.items() if value != before.get(name, "")
    }


def details_check(*, account: PortalAccount, data: DetailsInput) -> dict[str, list[Any]]:
    """What would change on the account's person: ``{field: [now, asked]}``, or a
    ValidationError naming the form's fields."""
    party = account.party
    current = person_details(party)
    errors: dict[str, list[str]] = {}
    after: dict[str, Any] = {}
    try:
        names = clean_party_fields(
            party.kind,
            PartyInput(first_name=data.first_name, last_name=data.last_name),
            actor=system_actor(),
            current=party,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        after.update(first_name=names["first_name"], last_name=names["last_name"])
    after["email"] = _contact(errors, "email", ContactPoint.Kind.EMAIL, data.email, current["email"])
    after["phone"] = _contact(errors, "phone", ContactPoint.Kind.PHONE, data.phone, current["phone"])
    after.update(_address(errors, data.address, {n: current[n] for n in ADDRESS_PARTS}))
    live = {membership.pk for membership in memberships(party)}
    for pk, title in data.titles.items():
        name = f"title:{pk}"
        if pk not in live:
            errors.setdefault("titles", []).append(_("You no longer belong to this organisation."))
            continue
        after[name] = clean_text_field(errors, name, title, 100)
    if errors:
        raise ValidationError(errors)
    return _differences(current, after)


def address_check(*, account: PortalAccount, organisation: Party, data: AddressInput) -> dict[str, list[Any]]:
    if organisation.pk not in {org.pk for org in editable_organisations(account)}:
        raise PermissionDenied
    current = address_of(organisation)
    errors: dict[str, list[str]] = {}
    after = _address(errors, data, current)
    if errors:
        raise ValidationError(errors)
    return _differences(current, after)


# --- asking --------------------------------------------------------------------------------


@transaction.atomic
def portal_details_change(*, account: PortalAccount, data: DetailsInput) -> DetailChange | None:
    """The customer's own details: held for review or written at once (None: nothing changed)."""
    account = PortalAccount.objects.select_for_update().select_related("party").get(pk=account.pk)
    return _submit(account, account.party, details_check(account=account, data=data))


@transaction.atomic
def portal_organisation_address_change(
    *, account: PortalAccount, organisation: Party, data: AddressInput
) -> DetailChange | None:
    """The address of an organisation the contact belongs to, if staff allowed them its records."""
    account = PortalAccount.objects.select_for_update().select_related("party").get(pk=account.pk)
    changes = address_check(account=account, organisation=organisation, data=data)
    return _submit(account, organisation, changes)


def _submit(account: PortalAccount, party: Party, changes: dict[str, list[Any]]) -> DetailChange | None:
    waiting = pending_change(account=account, party=party)
    if not changes:
        if waiting is not None:  # asked back to what it is: nothing to review any more
            _audit(account, party, "portal_details_withdrawn", _summary(waiting.changes))
            waiting.delete()
        return None
    if company_profile().portal_review_details:
        if waiting is None:
            waiting = DetailChange(account=account, party=party, status=ChangeStatus.PENDING)
        waiting.changes = changes  # the form starts from what is waiting: this is all of it
        waiting.save()
        _audit(account, party, "portal_details_requested", _summary(changes))
        _tell_staff(waiting, "portal_details_review")
        return waiting
    if waiting is not None:  # the company stopped reviewing meanwhile: this replaces it
        waiting.delete()
    change = DetailChange(
        account=account, party=party, status=ChangeStatus.APPLIED, changes=changes, decided_at=timezone.now()
    )
    _apply(change, system_actor())
    change.save()
    _audit(account, party, "portal_details_changed", _summary(changes))
    _tell_staff(change, "portal_details_changed")
    return change


def _summary(changes: Mapping[str, list[Any]]) -> str:
    return "; ".join(f"{name.split(':')[0]}: {after}" for name, (_before, after) in changes.items())


def _audit(account: PortalAccount, party: Party, label: str, summary: str) -> None:
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=party.pk,
        changes={"portal": [None, account.party.display_name], label: [None, summary]},
    )


def _recipients(party: Party) -> list[User]:
    if party.owner_id and party.owner and party.owner.is_active:
        return [party.owner]
    return list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id")[:5])


def _tell_staff(change: DetailChange, kind: str) -> None:
    party = change.party
    url = reverse("party_detail", args=[party.pk])
    for recipient in _recipients(party):
        hooks.notify(
            recipient=recipient,
            kind=kind,
            key=f"{kind}:{change.pk}:{timezone.now().timestamp()}",
            party_id=party.pk,
            url=url,
            data={"party": party.display_name, "by": change.account.party.display_name},
        )


# --- writing -------------------------------------------------------------------------------


def _apply(change: DetailChange, actor: User) -> None:
    """Write a change through the customers' services, in ``actor``'s name."""
    party = Party.objects.get(pk=change.party_id)
    asked = {name: after for name, (_before, after) in change.changes.items()}
    names = {name: asked[name] for name in ("first_name", "last_name") if name in asked}
    if names:
        party_update(party=party, actor=actor, data=PartyInput(**names), allow_duplicate=True)
    for name, kind in (("email", ContactPoint.Kind.EMAIL), ("phone", ContactPoint.Kind.PHONE)):
        if name in asked:
            _set_primary(party, kind, asked[name], actor)
    if any(name in asked for name in ADDRESS_PARTS):
        parts = {**address_of(party), **{n: asked[n] for n in ADDRESS_PARTS if n in asked}}
        point = primary_point(party, ContactPoint.Kind.ADDRESS)
        if point is None:
            contact_point_add(
                party=party,
                actor=actor,
                data=ContactInput(kind=ContactPoint.Kind.ADDRESS, value="", is_primary=True, **parts),
                allow_duplicate=True,
            )
        else:
            contact_point_update(point=point, actor=actor, data=ContactChanges(value="", **parts))
    for name, title in asked.items():
        if name.startswith("title:"):
            membership = Membership.objects.filter(
                pk=int(name.split(":")[1]), person=party, deleted_at__isnull=True
            ).first()
            if membership is None:
                raise ValidationError(_("The customer no longer belongs to that organisation."))
            membership_update(membership=membership, actor=actor, title=title)


def _set_primary(party: Party, kind: str, value: str, actor: User) -> None:
    same = ContactPoint.objects.filter(party=party, kind=kind, value=value, deleted_at__isnull=True).first()
    if same is not None:  # one they had already: it becomes the primary
        contact_point_update(point=same, actor=actor, data=ContactChanges(is_primary=True))
        return
    point = primary_point(party, kind)
    if point is None:
        label = ContactPoint.Label.MOBILE if kind == ContactPoint.Kind.PHONE else ContactPoint.Label.OTHER
        contact_point_add(
            party=party,
            actor=actor,
            data=ContactInput(kind=kind, value=value, label=label, is_primary=True),
            allow_duplicate=True,
        )
    else:
        contact_point_update(point=point, actor=actor, data=ContactChanges(value=value), allow_duplicate=True)


# --- staff's review ------------------------------------------------------------------------


def _pending(change: DetailChange, actor: User) -> DetailChange:
    locked = (
        DetailChange.objects.select_for_update().select_related("party", "account__party").get(pk=change.pk)
    )
    policy.require_change(actor, locked.party)
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This change has been decided already."))
    return locked


@transaction.atomic
def portal_change_approve(*, change: DetailChange, actor: User) -> DetailChange:
    """Staff approve a pending change: it is written now, in their name."""
    change = _pending(change, actor)
    _apply(change, actor)
    change.status, change.decided_at, change.decided_by = ChangeStatus.APPROVED, timezone.now(), actor
    change.save(update_fields=["status", "decided_at", "decided_by"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=change.account,
        party_id=change.party_id,
        changes={"portal_details_review": [ChangeStatus.PENDING, ChangeStatus.APPROVED]},
    )
    return change


@transaction.atomic
def portal_change_reject(*, change: DetailChange, actor: User, reason: str = "") -> DetailChange:
    """Staff reject a pending change: nothing of it is written."""
    change = _pending(change, actor)
    errors: dict[str, list[str]] = {}
    reason = clean_text_field(errors, "reason", reason, REASON_MAX)
    if errors:
        raise ValidationError(errors)
    change.status, change.decided_at, change.decided_by = ChangeStatus.REJECTED, timezone.now(), actor
    change.reason = reason
    change.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    changes: dict[str, list[object]] = {
        "portal_details_review": [ChangeStatus.PENDING, ChangeStatus.REJECTED]
    }
    if reason:
        changes["reason"] = [None, reason]
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=change.account,
        party_id=change.party_id,
        changes=changes,
    )
    return change
