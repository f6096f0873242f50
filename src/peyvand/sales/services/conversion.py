"""Converting a qualified lead: person, organisation and deal in one step, reusing the
customers that already exist (found by ``customers.services.find_duplicates``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.customers import services as customers
from peyvand.customers.models import ContactPoint, Kind, Membership, Party, Stage
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.customers.selectors import duplicates

from ..models import Deal, Lead, LeadStage
from .deals import deal_create


@dataclass
class Conversion:
    lead: Lead
    person: Party | None
    organisation: Party | None
    deal: Deal | None
    reused_person: bool = False
    reused_organisation: bool = False


@dataclass
class Matches:
    """Existing customers a lead would become: the conversion page offers them first."""

    people: list[duplicates.Duplicate]
    organisations: list[duplicates.Duplicate]


def lead_matches(*, lead: Lead, actor: User) -> Matches:
    """Customers ``actor`` may see that look like the lead's person and company."""
    organisations = _duplicates(lead, Kind.ORGANISATION, []) if lead.company else []
    people = _duplicates(lead, Kind.PERSON, [d.party.pk for d in organisations]) if _has_person(lead) else []
    return Matches(
        people=[d for d in people if policy.can_view(actor, d.party)],
        organisations=[d for d in organisations if policy.can_view(actor, d.party)],
    )


def _has_person(lead: Lead) -> bool:
    return bool(lead.first_name or lead.last_name)


def _duplicates(lead: Lead, kind: str, organisation_ids: list[int]) -> list[duplicates.Duplicate]:
    if kind == Kind.ORGANISATION:
        found = duplicates.find_duplicates(kind=kind, display_name=lead.company)
    else:
        found = duplicates.find_duplicates(
            kind=kind,
            display_name=" ".join(p for p in (lead.first_name, lead.last_name) if p),
            emails=[lead.email] if lead.email else [],
            phones=[lead.phone] if lead.phone else [],
            organisation_ids=organisation_ids,
        )
    # The strongest match first: more reasons, then the oldest record.
    return sorted(found, key=lambda d: (-len(d.reasons), d.party.pk))


def _reuse_or_none(lead: Lead, kind: str, actor: User, org_ids: list[int]) -> Party | None:
    found = _duplicates(lead, kind, org_ids)
    if not found:
        return None
    visible = [d for d in found if policy.can_view(actor, d.party)]
    if not visible:
        # Making a second copy is what conversion must never do; reusing a record the user
        # may not see would show it to them. A manager resolves it.
        raise ValidationError(
            _("%(name)s already exists as a customer of another team; ask a manager to convert this lead.")
            % {"name": found[0].party.display_name}
        )
    return visible[0].party


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    actor: User,
    person: Party | None = None,
    organisation: Party | None = None,
    create_deal: bool = True,
    deal: Mapping[str, Any] | None = None,
) -> Conversion:
    """Turn a qualified lead into a customer (person and/or organisation) and a deal.

    ``person``/``organisation`` link existing customers chosen by the user; otherwise an
    existing customer that matches is reused, and only when none does is one created.
    """
    lead = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=lead.pk)
    policy.require_change(actor, lead)
    if lead.stage != LeadStage.QUALIFIED:
        raise ValidationError(_("Only a qualified lead can be converted."))
    for chosen, kind in ((person, Kind.PERSON), (organisation, Kind.ORGANISATION)):
        if chosen is not None and (chosen.kind != kind or not policy.can_view(actor, chosen)):
            raise ValidationError({kind: [_("Choose a customer you may see.")]})
    owner = lead.owner if lead.owner is not None and policy.may_own(actor, Party, lead.owner) else actor
    result = Conversion(lead=lead, person=person, organisation=organisation, deal=None)

    if organisation is None and lead.company:
        organisation = _reuse_or_none(lead, Kind.ORGANISATION, actor, [])
        result.reused_organisation = organisation is not None
        if organisation is None:
            organisation = customers.parties.party_create(
                actor=actor,
                kind=Kind.ORGANISATION,
                data=PartyInput(name=lead.company, owner=owner, source=lead.source, stage=Stage.PROSPECT),
                allow_duplicate=True,
            )
    else:
        result.reused_organisation = organisation is not None
    result.organisation = organisation

    if person is None and _has_person(lead):
        org_ids = [organisation.pk] if organisation is not None else []
        person = _reuse_or_none(lead, Kind.PERSON, actor, org_ids)
        result.reused_person = person is not None
        if person is None:
            person = customers.parties.party_create(
                actor=actor,
                kind=Kind.PERSON,
                data=_person_data(lead, owner),
                contacts=_contacts(lead),
                organisations=[(organisation, lead.job_title)] if organisation is not None else [],
                allow_duplicate=True,
            )
    elif person is not None:
        result.reused_person = True
    result.person = person
    if person is not None and result.reused_person:
        _add_new_contacts(person, lead, actor)
    if person is not None and organisation is not None and result.reused_person:
        _ensure_membership(person, organisation, actor, lead.job_title)

    customer = organisation or person
    if customer is None:
        raise ValidationError(_("The lead has neither a name nor a company to make a customer of."))
    if create_deal:
        title = (deal or {}).get("title") or _("%(customer)s: new deal") % {"customer": customer.display_name}
        deal_owner = (
            lead.owner if lead.owner is not None and policy.may_own(actor, Deal, lead.owner) else actor
        )
        result.deal = deal_create(
            actor=actor,
            data={
                "owner": deal_owner,
                **(deal or {}),
                "title": title,
                "party": customer,
                "contact": person if organisation is not None else None,
            },
        )
    lead.stage, lead.converted_at = LeadStage.CONVERTED, timezone.now()
    lead.party, lead.organisation, lead.deal = person, organisation, result.deal
    lead.updated_by = actor
    lead.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=lead,
        party_id=customer.pk,
        changes={"stage": [LeadStage.QUALIFIED, LeadStage.CONVERTED]},
    )
    return result


def _person_data(lead: Lead, owner: User) -> PartyInput:
    consent: dict[str, Any] = {}
    for channel in ("email", "sms"):
        if getattr(lead, f"{channel}_consent"):
            consent[f"{channel}_consent"] = True
            consent[f"{channel}_consent_at"] = lead.consent_at
            consent[f"{channel}_consent_source"] = "web form" if lead.web_form_id else "lead"
    return PartyInput(
        first_name=lead.first_name,
        last_name=lead.last_name,
        owner=owner,
        source=lead.source,
        stage=Stage.PROSPECT,
        **consent,
    )


def _contacts(lead: Lead) -> list[ContactInput]:
    contacts: list[ContactInput] = []
    if lead.phone:
        contacts.append(
            ContactInput(kind=ContactPoint.Kind.PHONE, value=lead.phone, label="mobile", is_primary=True)
        )
    if lead.email:
        contacts.append(ContactInput(kind=ContactPoint.Kind.EMAIL, value=lead.email, is_primary=True))
    if lead.province or lead.city:
        contacts.append(
            ContactInput(kind=ContactPoint.Kind.ADDRESS, value="", province=lead.province, city=lead.city)
        )
    return contacts


def _add_new_contacts(person: Party, lead: Lead, actor: User) -> None:
    """What the lead gave that the person lacks (a new email or phone) is added to them, not
    dropped; as a further way to reach them, their primary stays. Skipped when ``actor`` may
    not change the person, or when another customer has it (a merge is a person's call)."""
    if not policy.can_change(actor, person):
        return
    known = set(ContactPoint.objects.filter(party=person).values_list("kind", "value"))
    for kind, value in ((ContactPoint.Kind.EMAIL, lead.email), (ContactPoint.Kind.PHONE, lead.phone)):
        if not value or (kind, value) in known:
            continue
        label = ContactPoint.Label.MOBILE if kind == ContactPoint.Kind.PHONE else ContactPoint.Label.OTHER
        data = ContactInput(kind=kind, value=value, label=label)
        try:
            with transaction.atomic():
                customers.contacts.contact_point_add(party=person, actor=actor, data=data)
        except (duplicates.DuplicateFound, ValidationError):
            continue


def _ensure_membership(person: Party, organisation: Party, actor: User, title: str) -> None:
    if Membership.objects.filter(person=person, organisation=organisation).exists():
        return
    if policy.can_change(actor, person):
        customers.memberships.membership_add(
            person=person, organisation=organisation, actor=actor, title=title
        )
