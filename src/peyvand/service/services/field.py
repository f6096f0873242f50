"""Field service: service contracts, work orders from booking to the customer's signature,
and the order their parts and labour become.

A technician's window may not overlap their other visits or their open activities; the
skills a job needs are the technician's. Every step is audited on the customer, so the visit
reads on the 360° timeline. Labour and parts a contract covers go on the order at a 100%
discount, so the customer sees what the contract saved them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.activities.models import Activity
from peyvand.activities.models import Status as ActivityStatus
from peyvand.core import hooks, jalali, policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text
from peyvand.customers.models import ContactPoint, Party
from peyvand.sales.models import Order, Product, ProductPrice, Unit
from peyvand.sales.money import ZERO, to_decimal
from peyvand.sales.services.billing import order_create
from peyvand.sales.services.catalogue import default_price_list
from peyvand.sales.services.common import LineValues, next_number

from ..models import (
    PENDING_WORK,
    ServiceContract,
    Skill,
    Ticket,
    WorkOrder,
    WorkPart,
    WorkPhoto,
    WorkResult,
)
from ..models import WorkStatus as S
from .contracts import clean_hours, contract_for, hours_used, too_long

HUNDRED = Decimal(100)
QUARTER_HOUR = Decimal("0.25")
MAX_HOURS = Decimal("999")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A drawn signature's PNG is tens of KB; the cap keeps its data URL (≈ 350,000 characters) and a
# request carrying it far below the server's 5 MB request limit, whatever its encoding.
MAX_SIGNATURE_BYTES = 256 * 1024
# An activity without an end holds its assignee this long (a call, a short meeting).
ACTIVITY_HOLDS = dt.timedelta(minutes=30)
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
PNG = b"\x89PNG\r\n\x1a\n"


# --- work orders ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WorkOrderInput:
    """A work order's fields from the form and the API; on a change, UNSET fields stay."""

    party: Party | Unset = UNSET
    ticket: Ticket | Unset | None = UNSET
    contract: ServiceContract | Unset | None = UNSET
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    site_address: str | Unset = UNSET
    skills: list[Skill] | Unset = UNSET
    labour_product: Product | Unset | None = UNSET


WORK_FIELDS = tuple(f.name for f in fields(WorkOrderInput))
AUDITED = ("title", "site_address", "contract", "ticket", "labour_product", "technician", "scheduled_start",
           "scheduled_end", "status", "result", "labour_hours")  # fmt: skip


def _clean_work(data: WorkOrderInput, *, actor: User, current: WorkOrder | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    party = data.party if data.party is not UNSET else (current.party if current else None)
    for name, value in given(data).items():
        if name == "party":
            if current is not None and value != current.party:
                errors[name] = [_("A work order stays with its customer.")]
            elif not isinstance(value, Party) or not policy.can_view(actor, value):
                errors[name] = [_("Choose a customer you can see.")]
        elif name == "title":
            value = clean_text(value)
            if not value:
                errors[name] = [_("Say what the job is.")]
            elif len(value) > 200:
                errors[name] = too_long(200, value)
        elif name in ("description", "site_address"):
            value = (value or "").strip() if name == "description" else clean_text(value or "")
            limit = 5000 if name == "description" else 300
            if len(value) > limit:
                errors[name] = too_long(limit, value)
        elif name == "ticket" and value is not None:
            if not isinstance(value, Ticket) or not policy.can_view(actor, value):
                errors[name] = [_("Choose a ticket you can see.")]
            elif party is not None and value.party_id != party.pk:
                errors[name] = [_("Choose one of this customer's tickets.")]
        elif name == "contract" and value is not None:
            if not isinstance(value, ServiceContract) or (party is not None and value.party_id != party.pk):
                errors[name] = [_("Choose one of this customer's contracts.")]
        elif (
            name == "labour_product"
            and value is not None
            and not (isinstance(value, Product) and value.active)
        ):
            errors[name] = [_("Choose an active product.")]
        elif name == "skills":
            value = list(value or [])
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def default_site_address(party: Party) -> str:
    """The customer's primary postal address, on one line."""
    point = (
        ContactPoint.objects.filter(party=party, kind=ContactPoint.Kind.ADDRESS)
        .order_by("-is_primary", "id")
        .first()
    )
    if point is None:
        return ""
    parts = [point.street or point.value, point.city, point.province]
    return clean_text("، ".join(p for p in parts if p))[:300]


def default_labour_product() -> Product | None:
    """The first active product sold by the hour: what a visit's labour is billed as."""
    return Product.objects.filter(active=True, unit=Unit.HOUR).order_by("sku", "id").first()


@transaction.atomic
def work_order_create(*, actor: User, data: WorkOrderInput) -> WorkOrder:
    """A work order to schedule; its address, contract and labour product default from the
    customer (their address, the contract in force today, the hourly product)."""
    policy.require_create(actor, WorkOrder)
    missing = [n for n in ("party", "title") if getattr(data, n) is UNSET]
    if missing:
        raise ValidationError({n: [_("This field is required.")] for n in missing})
    cleaned = _clean_work(data, actor=actor, current=None)
    skills = cleaned.pop("skills", [])
    work = WorkOrder(number=next_number("work_order", "WO"), created_by=actor, updated_by=actor, **cleaned)
    if not work.site_address:
        work.site_address = default_site_address(work.party)
    if "contract" not in cleaned:
        work.contract = contract_for(work.party_id, timezone.localdate())
    if "labour_product" not in cleaned:
        work.labour_product = default_labour_product()
    if not policy.may_own(actor, WorkOrder, None):
        work.technician = actor  # one who may not leave it to the dispatcher takes it
    work.save()
    work.skills.set(skills)
    changes = {k: [None, v] for k, v in snapshot(work, ("number", *AUDITED)).items() if v not in (None, "")}
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=work, party_id=work.party_id, changes=changes)
    return work


def work_order_from_ticket(*, actor: User, ticket: Ticket) -> WorkOrder:
    """A visit for a ticket: its customer and subject, linked back to it."""
    policy.require_view(actor, ticket)
    return work_order_create(
        actor=actor, data=WorkOrderInput(party=ticket.party, ticket=ticket, title=ticket.subject)
    )


def _locked(work: WorkOrder, actor: User) -> WorkOrder:
    work = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("party", "contract").get(pk=work.pk)
    )
    policy.require_change(actor, work)
    return work


def _save(work: WorkOrder, actor: User, before: dict[str, Any], **extra_changes: Any) -> WorkOrder:
    work.updated_by = actor
    work.save()
    changes = {**changes_between(before, snapshot(work, AUDITED)), **extra_changes}
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=work, party_id=work.party_id, changes=changes)
    return work


@transaction.atomic
def work_order_update(*, actor: User, work_order: WorkOrder, data: WorkOrderInput) -> WorkOrder:
    work = _locked(work_order, actor)
    if work.status in (S.DONE, S.CANCELLED):
        raise ValidationError(_("A finished or cancelled work order cannot be changed."))
    cleaned = _clean_work(data, actor=actor, current=work)
    before = snapshot(work, AUDITED)
    skills = cleaned.pop("skills", None)
    for name, value in cleaned.items():
        setattr(work, name, value)
    if skills is not None:
        work.skills.set(skills)
    return _save(work, actor, before)


def conflicts(
    technician: User, start: dt.datetime, end: dt.datetime, *, excluding: WorkOrder | None = None
) -> list[str]:
    """What already holds the technician between ``start`` and ``end``: other visits still
    to do and open activities (one without an end holds them for half an hour)."""
    visits = WorkOrder.objects.filter(
        technician=technician, status__in=PENDING_WORK, scheduled_start__lt=end, scheduled_end__gt=start
    )
    if excluding is not None:
        visits = visits.exclude(pk=excluding.pk)
    found = [f"{jalali.local_digits(w.number)} · {w.title}" for w in visits.order_by("scheduled_start")[:3]]
    activities = (
        Activity.objects.filter(assignee=technician, status=ActivityStatus.OPEN, due_at__lt=end)
        .annotate(until=Coalesce("ends_at", F("due_at") + ACTIVITY_HOLDS))
        .filter(until__gt=start)
        .order_by("due_at")
    )
    found += [a.title for a in activities[:3]]
    return found


@transaction.atomic
def work_order_schedule(
    *,
    actor: User,
    work_order: WorkOrder,
    technician: User | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> WorkOrder:
    """Book the visit: a technician and a window that is free in their calendar, or back to
    the unscheduled pile (``technician`` and ``start`` None)."""
    work = _locked(work_order, actor)
    if work.status not in (S.UNSCHEDULED, S.SCHEDULED):
        raise ValidationError(_("Only a visit that has not started can be rescheduled."))
    before = snapshot(work, AUDITED)
    if technician is None and start is None:
        if policy.may_own(actor, WorkOrder, None):
            work.technician = None  # for the dispatcher; one who may not leave it keeps it
        work.scheduled_start, work.scheduled_end, work.status = None, None, S.UNSCHEDULED
        return _save(work, actor, before)
    errors: dict[str, list[str]] = {}
    if technician is None or not technician.is_active:
        errors["technician"] = [_("Choose an active user.")]
    elif not policy.may_own(actor, WorkOrder, technician):
        errors["technician"] = [_("You may not give this work order to that user.")]
    if start is None or end is None:
        errors["scheduled_start"] = [_("Enter when the visit starts and ends.")]
    elif end <= start:
        errors["scheduled_end"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationError(errors)
    assert technician is not None and start is not None and end is not None
    missing = set(work.skills.values_list("name", flat=True)) - set(
        technician.service_skills.values_list("name", flat=True)
    )
    if missing:
        raise ValidationError(
            {
                "technician": [
                    _("%(name)s lacks the skills this job needs: %(skills)s.")
                    % {"name": technician, "skills": "، ".join(sorted(missing))}
                ]
            }
        )
    busy = conflicts(technician, start, end, excluding=work)
    if busy:
        raise ValidationError(
            {
                "scheduled_start": [
                    _("%(name)s is busy then: %(what)s.") % {"name": technician, "what": "؛ ".join(busy)}
                ]
            }
        )
    told = work.technician_id != technician.pk or work.scheduled_start != start
    work.technician, work.scheduled_start, work.scheduled_end, work.status = (
        technician,
        start,
        end,
        S.SCHEDULED,
    )
    _save(work, actor, before)
    if told and technician.pk != actor.pk:
        hooks.notify(
            recipient=technician,
            kind="work_assigned",
            key=f"work_assigned:{work.pk}:{technician.pk}:{start.timestamp():.0f}",
            actor=actor,
            party_id=work.party_id,
            url=work.get_absolute_url(),
            data={"number": work.number, "title": work.title, "when": jalali.format_datetime(start)},
        )
    return work


@transaction.atomic
def work_order_check_in(*, actor: User, work_order: WorkOrder, at: dt.datetime | None = None) -> WorkOrder:
    work = _locked(work_order, actor)
    if work.status != S.SCHEDULED:
        raise ValidationError(_("Only a scheduled visit can be checked in."))
    before = snapshot(work, AUDITED)
    work.status, work.checked_in_at = S.IN_PROGRESS, at or timezone.now()
    return _save(work, actor, before, checked_in_at=[None, jalali.format_datetime(work.checked_in_at)])


def worked_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    """The time on site, up to the next quarter hour (at least a quarter)."""
    quarters = max(1, math.ceil((end - start).total_seconds() / 900))
    return QUARTER_HOUR * quarters


@transaction.atomic
def work_order_check_out(
    *,
    actor: User,
    work_order: WorkOrder,
    result: str,
    notes: str = "",
    labour_hours: object = None,
    at: dt.datetime | None = None,
) -> WorkOrder:
    """Leave the site: the result, the notes and the hours worked (the time on site, to the
    quarter hour, unless the technician says otherwise)."""
    work = _locked(work_order, actor)
    if work.status != S.IN_PROGRESS or work.checked_in_at is None:
        raise ValidationError(_("Check in before checking out."))
    errors: dict[str, list[str]] = {}
    if result not in WorkResult.values:
        errors["result"] = [_("Choose the result of the visit.")]
    notes = (notes or "").strip()
    if len(notes) > 5000:
        errors["notes"] = too_long(5000, notes)
    hours = clean_hours(labour_hours, "labour_hours", errors, allow_zero=True)
    if errors:
        raise ValidationError(errors)
    before = snapshot(work, AUDITED)
    work.checked_out_at = max(at or timezone.now(), work.checked_in_at)
    work.labour_hours = hours if hours is not None else worked_hours(work.checked_in_at, work.checked_out_at)
    work.status, work.result, work.notes = S.DONE, result, notes
    return _save(work, actor, before)


@transaction.atomic
def work_order_cancel(*, actor: User, work_order: WorkOrder) -> WorkOrder:
    work = _locked(work_order, actor)
    if work.status in (S.DONE, S.CANCELLED):
        raise ValidationError(_("This work order is already finished."))
    before = snapshot(work, AUDITED)
    work.status = S.CANCELLED
    return _save(work, actor, before)


def _open_for_work(work: WorkOrder) -> None:
    if work.status in (S.CANCELLED,) or work.order_id is not None:
        raise ValidationError(_("This work order can no longer be changed."))


@transaction.atomic
def work_part_add(
    *, actor: User, work_order: WorkOrder, product: Product | None, quantity: object
) -> WorkPart:
    work = _locked(work_order, actor)
    _open_for_work(work)
    errors: dict[str, list[str]] = {}
    if not isinstance(product, Product) or not product.active:
        errors["product"] = [_("Choose an active product.")]
    amount = ZERO
    try:
        amount = to_decimal(quantity, field="quantity").quantize(Decimal("0.001"))  # as stored
    except (ValidationError, InvalidOperation) as exc:
        errors.update(getattr(exc, "message_dict", {"quantity": [_("Enter a quantity greater than zero.")]}))
    else:
        if amount <= 0 or amount > Decimal("99999"):
            errors["quantity"] = [_("Enter a quantity greater than zero.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(product, Product)
    part = WorkPart.objects.create(work_order=work, product=product, quantity=amount, added_by=actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=work,
        party_id=work.party_id,
        changes={"parts": [None, f"{product} × {jalali.local_digits(f'{amount.normalize():f}')}"]},
    )
    return part


@transaction.atomic
def work_part_remove(*, actor: User, part: WorkPart) -> None:
    work = _locked(part.work_order, actor)
    _open_for_work(work)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=work,
        party_id=work.party_id,
        changes={"parts": [f"{part.product} × {part.quantity.normalize():f}", None]},
    )
    part.delete()


def _sniff(head: bytes) -> str | None:
    for magic, content_type in PHOTO_TYPES.items():
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def work_photo_add(
    *, actor: User, work_order: WorkOrder, upload: UploadedFile, caption: str = ""
) -> WorkPhoto:
    """A photo from the site: JPEG, PNG or WebP by its content (not its name), ≤ 10 MB."""
    work = _locked(work_order, actor)
    _open_for_work(work)
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"image": [_("The photo is larger than 10 MB.")]})
    upload.seek(0)
    content_type = _sniff(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError({"image": [_("Upload a JPEG, PNG or WebP photo.")]})
    caption = clean_text(caption or "")
    if len(caption) > 200:
        raise ValidationError({"caption": too_long(200, caption)})
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    photo = WorkPhoto(work_order=work, content_type=content_type, caption=caption, added_by=actor)
    photo.image.save(f"{work.number}.{extension}", upload, save=False)
    photo.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=work,
        party_id=work.party_id,
        changes={"photos": [None, caption or "+1"]},
    )
    return photo


def decode_signature(data_url: str) -> bytes:
    """The PNG a signature pad sends as a data URL; an error for anything else."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise ValidationError({"signature": [_("Ask the customer to sign in the box.")]})
    if len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + len(prefix) + 4:
        raise ValidationError({"signature": [_("The signature is too large.")]})
    try:
        png = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": [_("Ask the customer to sign in the box.")]}) from None
    if not png.startswith(PNG):
        raise ValidationError({"signature": [_("Ask the customer to sign in the box.")]})
    return png


@transaction.atomic
def work_order_sign(*, actor: User, work_order: WorkOrder, signature: str, signed_by: str) -> WorkOrder:
    """The customer signs for the visit on the technician's screen: once, after check-out."""
    work = _locked(work_order, actor)
    if work.status != S.DONE:
        raise ValidationError(_("The customer signs when the visit is done."))
    if work.signed_at is not None:
        raise ValidationError(_("The customer has signed already."))
    errors: dict[str, list[str]] = {}
    name = clean_text(signed_by or "")
    if not name:
        errors["signed_by"] = [_("Enter the name of the person signing.")]
    elif len(name) > 200:
        errors["signed_by"] = too_long(200, name)
    try:
        png = decode_signature(signature)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    work.signature.save(f"{work.number}.png", ContentFile(png), save=False)
    work.signed_by, work.signed_at = name, timezone.now()
    return _save(work, actor, snapshot(work, AUDITED), signed_by=[None, name])


# --- billing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    values: LineValues
    covered: bool


def _price(product: Product) -> Decimal:
    price = ProductPrice.objects.filter(product=product, price_list=default_price_list()).values_list(
        "price", flat=True
    )
    return next(iter(price), ZERO)


def _line(product: Product, quantity: Decimal, covered: bool, note: str = "") -> BillLine:
    description = str(product) + (f" ({note})" if note else "")
    values = LineValues(
        description, quantity, _price(product), HUNDRED if covered else ZERO, product.tax_rate, product
    )
    return BillLine(values, covered)


def bill_lines(work: WorkOrder) -> list[BillLine]:
    """What the visit puts on an order: the parts, then the labour; what the contract covers
    at a 100% discount (the hours it has left, and the parts if it covers parts)."""
    contract = work.contract
    covered_note = _("covered by %(contract)s") % {"contract": contract.number} if contract else ""
    lines = [
        _line(
            part.product,
            part.quantity,
            bool(contract and contract.covers_parts),
            covered_note if contract and contract.covers_parts else "",
        )
        for part in work.parts.select_related("product")
    ]
    hours = work.labour_hours or ZERO
    if hours > 0 and work.labour_product is not None:
        covered = ZERO
        if contract is not None:
            if contract.hours_included is None:
                covered = hours
            else:
                left = max(contract.hours_included - hours_used(contract, excluding=work), ZERO)
                covered = min(hours, left)
        if covered > 0:
            lines.append(_line(work.labour_product, covered, True, covered_note))
        if hours - covered > 0:
            lines.append(_line(work.labour_product, hours - covered, False))
    return lines


def is_billable(work: WorkOrder) -> bool:
    return any(not line.covered and line.values.unit_price > 0 for line in bill_lines(work))


@transaction.atomic
def work_order_bill(*, actor: User, work_order: WorkOrder) -> Order:
    """Turn a finished visit's parts and labour into an order, once: by whoever may make
    orders and sees the visit (billing is sales' or accounts' work, not the technician's)."""
    work = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("party", "contract")
        .get(pk=work_order.pk)
    )
    policy.require_view(actor, work)
    if work.status != S.DONE:
        raise ValidationError(_("Bill a visit when it is done."))
    if work.order_id is not None:
        raise ValidationError(
            _("This visit is on order %(number)s already.")
            % {"number": work.order.number if work.order else ""}
        )
    if (work.labour_hours or ZERO) > 0 and work.labour_product is None:
        raise ValidationError({"labour_product": [_("Choose the product the labour is billed as.")]})
    lines = bill_lines(work)
    if not lines:
        raise ValidationError(_("There is nothing to bill on this visit."))
    order = order_create(
        actor=actor,
        party=work.party,
        lines=[line.values for line in lines],
        # The customer's owner's order, when the biller may give it to them; else the biller's.
        owner=work.party.owner if policy.may_own(actor, Order, work.party.owner) else actor,
        source=work.number,
    )
    before = snapshot(work, AUDITED)
    work.order = order
    _save(work, actor, before, order=[None, order.number])
    return order


DEFAULT_START = dt.time(9, 0)
DEFAULT_LENGTH = dt.timedelta(hours=2)


def window_on(work: WorkOrder, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The visit moved to ``day`` on the board: at its booked time of day and for as long,
    else from 09:00 for two hours."""
    zone = timezone.get_current_timezone()
    if work.scheduled_start is not None and work.scheduled_end is not None:
        start = dt.datetime.combine(day, timezone.localtime(work.scheduled_start).time(), tzinfo=zone)
        return start, start + (work.scheduled_end - work.scheduled_start)
    start = dt.datetime.combine(day, DEFAULT_START, tzinfo=zone)
    return start, start + DEFAULT_LENGTH
