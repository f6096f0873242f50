"""Service contracts: what a customer bought of service, from when to when, the SLA it
promises, the hours of work it covers and whether it covers parts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from peyvand.core import jalali, policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Party
from peyvand.sales.money import ZERO, to_decimal
from peyvand.sales.services.common import next_number

from ..models import ServiceContract, SlaPolicy, WorkOrder, WorkStatus

MAX_HOURS = Decimal("999")


def too_long(limit: int, value: str) -> list[str]:
    return [
        _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)}
    ]


@dataclass(frozen=True, kw_only=True)
class ContractInput:
    party: Party | Unset = UNSET
    name: str | Unset = UNSET
    starts_on: dt.date | Unset = UNSET
    ends_on: dt.date | Unset = UNSET
    sla_policy: SlaPolicy | Unset | None = UNSET
    hours_included: object = UNSET  # any digits; a Decimal once cleaned, or None: any hours
    covers_parts: bool | Unset = UNSET
    notes: str | Unset = UNSET


CONTRACT_FIELDS = tuple(f.name for f in fields(ContractInput))


def _clean_contract(data: ContractInput, *, actor: User, current: ServiceContract | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in given(data).items():
        if name == "party":
            if current is not None and value != current.party:
                errors[name] = [_("A contract stays with its customer.")]
            elif not isinstance(value, Party) or not policy.can_view(actor, value):
                errors[name] = [_("Choose a customer you can see.")]
        elif name == "name":
            value = clean_text(value)
            if not value:
                errors[name] = [_("Enter a name.")]
            elif len(value) > 200:
                errors[name] = too_long(200, value)
        elif name in ("starts_on", "ends_on") and not isinstance(value, dt.date):
            errors[name] = [_("Enter a valid date.")]
        elif (
            name == "sla_policy" and value is not None and not (isinstance(value, SlaPolicy) and value.active)
        ):
            errors[name] = [_("Choose an active SLA policy.")]
        elif name == "hours_included":
            value = clean_hours(value, name, errors, allow_zero=True)
        elif name == "notes":
            value = (value or "").strip()
            if len(value) > 5000:
                errors[name] = too_long(5000, value)
        cleaned[name] = value
    starts = cleaned.get("starts_on", current.starts_on if current else None)
    ends = cleaned.get("ends_on", current.ends_on if current else None)
    if not errors and isinstance(starts, dt.date) and isinstance(ends, dt.date) and ends < starts:
        errors["ends_on"] = [_("The end cannot be before the start.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_hours(value: Any, name: str, errors: dict[str, list[str]], *, allow_zero: bool) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = to_decimal(value, field=name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
    if hours < 0 or (hours == 0 and not allow_zero) or hours > MAX_HOURS:
        errors[name] = [
            _("Enter a number of hours between %(low)s and %(high)s.")
            % {"low": jalali.local_digits("0"), "high": jalali.local_digits(str(MAX_HOURS))}
        ]
        return None
    return hours.quantize(Decimal("0.01"))


@transaction.atomic
def contract_save(
    *, actor: User, data: ContractInput, contract: ServiceContract | None = None
) -> ServiceContract:
    """Create a contract (customer, name and both dates required) or change one."""
    if contract is None:
        policy.require_create(actor, ServiceContract)
        missing = [n for n in ("party", "name", "starts_on", "ends_on") if getattr(data, n) is UNSET]
        if missing:
            raise ValidationError({n: [_("This field is required.")] for n in missing})
    else:
        policy.require_change(actor, contract)
    cleaned = _clean_contract(data, actor=actor, current=contract)
    audited = tuple(n for n in CONTRACT_FIELDS if n != "party")
    if contract is None:
        contract = ServiceContract(
            number=next_number("contract", "SC"), created_by=actor, updated_by=actor, **cleaned
        )
        contract.save()
        changes = {
            k: [None, v] for k, v in snapshot(contract, ("number", *audited)).items() if v not in (None, "")
        }
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.CREATE,
            obj=contract,
            party_id=contract.party_id,
            changes=changes,
        )
        return contract
    before = snapshot(contract, audited)
    for name, value in cleaned.items():
        setattr(contract, name, value)
    contract.updated_by = actor
    contract.save()
    changes = changes_between(before, snapshot(contract, audited))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=contract,
            party_id=contract.party_id,
            changes=changes,
        )
    return contract


def contract_delete(*, actor: User, contract: ServiceContract) -> None:
    policy.require_change(actor, contract)
    soft_delete_record(
        contract, actor=actor, party_id=contract.party_id, changes={"number": [contract.number, None]}
    )


def contract_for(party_id: int, day: dt.date) -> ServiceContract | None:
    """The customer's contract in force on ``day`` (the one ending last, if several)."""
    return (
        ServiceContract.objects.filter(party_id=party_id, starts_on__lte=day, ends_on__gte=day)
        .select_related("sla_policy")
        .order_by("-ends_on", "-id")
        .first()
    )


def hours_used(contract: ServiceContract, *, excluding: WorkOrder | None = None) -> Decimal:
    """The hours of finished visits counted against the contract."""
    visits = WorkOrder.objects.filter(contract=contract, status=WorkStatus.DONE)
    if excluding is not None:
        visits = visits.exclude(pk=excluding.pk)
    total = visits.aggregate(total=Sum("labour_hours"))["total"]
    return total or ZERO
