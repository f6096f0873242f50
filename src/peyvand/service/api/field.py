"""Field service: work orders from booking to the customer's signature and the order they
become, and the service contracts behind them. The same services and policy as the pages:
a visit is changed by whoever may change it (its technician, a dispatcher), billed by
whoever sees it and may make orders.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Sum, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BeforeValidator, Field, PlainSerializer

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import (
    ERRORS,
    MAX_ID,
    ApiDate,
    ApiDateTime,
    BodyId,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.text import to_ascii_digits
from peyvand.customers.api.common import visible_party
from peyvand.customers.api.schemas import PartyRef
from peyvand.sales.models import Order, Product

from ..models import (
    ServiceContract,
    Skill,
    SlaPolicy,
    Ticket,
    WorkOrder,
    WorkPart,
    WorkPhoto,
    WorkResult,
    WorkStatus,
)
from ..selectors import field as selectors
from ..services import contracts as contract_services
from ..services import field as services
from .common import NamedRef, one_row

router = Router(tags=["field service"])

# Named apart from the tickets' Status and the other apps' enums in the schema.
WorkOrderState = Annotated[WorkStatus, SchemaName("WorkOrderStatus")]
WorkOrderResult = Annotated[WorkResult, SchemaName("WorkOrderResult")]
Title = Annotated[str, Field(max_length=200), NoNul]
LongText = Annotated[str, Field(max_length=5000), NoNul]


def _number(value: Any) -> Any:
    """A number as people type it, in any digits: ``"۱٫۵"`` is ``"1.5"``."""
    if isinstance(value, str):
        return to_ascii_digits(value).replace("٫", ".").replace("٬", "").strip()
    return value


# Hours and quantities travel as text ("1.5", "۱٫۵") or numbers; never as floats inside.
Hours = Annotated[
    Decimal, BeforeValidator(_number), Field(ge=0, le=contract_services.MAX_HOURS, decimal_places=2)
]
Quantity = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=99999, decimal_places=3)]


def _fixed(places: int) -> PlainSerializer:
    step = Decimal(1).scaleb(-places)
    return PlainSerializer(lambda value: format(Decimal(value).quantize(step), "f"), return_type=str)


def _technician(value: Any) -> Any:
    """A user's id (any digits) or ``none``; one message, not one per member of the union."""
    text = to_ascii_digits(str(value)).strip()
    if text == "none":
        return text
    if text and is_id(text) and 0 < int(text) <= MAX_ID:
        return int(text)
    raise ValueError(_("Enter a user's id, or none."))


TechnicianFilter = Annotated[Id | Literal["none"], BeforeValidator(_technician)]
HoursOut = Annotated[Decimal, _fixed(2)]
QuantityOut = Annotated[Decimal, _fixed(3)]

# The services name a record by the model's field; the API's bodies by its id.
BODY_NAMES = {
    "party": "party_id",
    "ticket": "ticket_id",
    "contract": "contract_id",
    "labour_product": "labour_product_id",
    "skills": "skill_ids",
    "technician": "technician_id",
    "scheduled_start": "start",
    "scheduled_end": "end",
    "product": "product_id",
    "sla_policy": "sla_policy_id",
}


@contextmanager
def _body_names() -> Iterator[None]:
    """A service's field errors, named as the request body names the fields."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({BODY_NAMES.get(k, k): v for k, v in exc.message_dict.items()}) from None


# --- work orders -----------------------------------------------------------------------------


class WorkPartOut(Schema):
    id: int
    product_id: int
    description: str = Field(description="The part as the catalogue names it: SKU · name")
    quantity: QuantityOut
    added_at: dt.datetime

    @staticmethod
    def resolve_description(obj: WorkPart) -> str:
        return str(obj.product)


class WorkOrderOut(Schema):
    id: int
    number: str
    party: PartyRef
    ticket_id: int | None
    contract_id: int | None
    title: str
    description: str
    site_address: str
    skills: list[NamedRef]
    technician: UserRef | None
    scheduled_start: dt.datetime | None = Field(description="The window booked: null while unscheduled")
    scheduled_end: dt.datetime | None
    status: str = Field(description="unscheduled, scheduled, in_progress, done or cancelled")
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    result: str = Field(description="fixed, follow_up or not_fixed once checked out; empty before")
    notes: str
    labour_hours: HoursOut | None
    labour_product_id: int | None = Field(description="The product the labour is billed as")
    parts: list[WorkPartOut]
    order_id: int | None = Field(description="The order the visit was billed on")
    signed_by: str
    signed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_skills(obj: WorkOrder) -> list[Skill]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_parts(obj: WorkOrder) -> list[WorkPart]:
        return list(obj.parts.all())


class WorkOrderFields(InputSchema):
    description: LongText | None = None
    site_address: Annotated[str, Field(max_length=300), NoNul] | None = Field(
        None, description="Left out on creation: the customer's primary address"
    )
    skill_ids: list[BodyId] | None = Field(
        None, max_length=50, description="The skills the job needs; a change replaces them"
    )
    ticket_id: BodyId | None = Field(None, description="The customer's ticket the visit is for")
    contract_id: BodyId | None = Field(
        None, description="Left out on creation: the customer's contract in force today; null: none"
    )
    labour_product_id: BodyId | None = Field(
        None, description="Left out on creation: the first product sold by the hour; null: none"
    )


class WorkOrderCreate(WorkOrderFields):
    party_id: BodyId
    title: Title


class WorkOrderUpdate(WorkOrderFields):
    title: Title | None = None


class WorkOrderQuery(PageQuery):
    view: Literal["pending", "mine", "unscheduled", "done", "all"] = Field(
        "pending", description="pending: still to do; mine: yours still to do"
    )
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    status: WorkOrderState | None = None
    technician: TechnicianFilter | None = Field(None, description="A user's id, or none: unassigned")
    party: Id | None = None
    billed: Literal["yes", "no"] | None = Field(None, description="no: done and not billed yet")
    date_from: ApiDate | None = Field(None, description="Booked on or after this day")
    date_to: ApiDate | None = Field(None, description="Booked on or before this day")
    sort: Literal["-created", "start", "-start"] = Field(
        "-created", description="start and -start list only booked visits"
    )


class WorkScheduleIn(InputSchema):
    technician_id: BodyId | None = Field(description="null with start and end null: back to the pile")
    start: ApiDateTime | None = None
    end: ApiDateTime | None = None


class WorkCheckOutIn(InputSchema):
    result: WorkOrderResult
    notes: LongText = ""
    labour_hours: Hours | None = Field(
        None, description="Left out or null: the time on site, up to the quarter hour"
    )


class WorkPartIn(InputSchema):
    product_id: BodyId
    quantity: Quantity = Field(description="More than zero")


class WorkSignatureIn(InputSchema):
    signature: Annotated[str, Field(max_length=400_000), NoNul] = Field(
        description="The drawing as a PNG data URL: data:image/png;base64,…"
    )
    signed_by: Title = Field(description="The name of the person signing")


class WorkBillOut(Schema):
    order_id: int
    number: str


def _loaded(works: Sequence[WorkOrder]) -> None:
    """What a work order's answer shows besides its own row, in two queries for any number."""
    prefetch_related_objects(
        list(works), "skills", Prefetch("parts", WorkPart.objects.select_related("product"))
    )


def _answer(work: WorkOrder) -> WorkOrder:
    _loaded([work])
    return work


def _work_input(user: User, payload: WorkOrderFields, party: Any = None) -> services.WorkOrderInput:
    values: dict[str, Any] = {} if party is None else {"party": party}
    for name, value in payload.model_dump(exclude_unset=True, exclude={"party_id"}).items():
        if name == "skill_ids":
            ids = set(value or [])
            skills = list(Skill.objects.filter(pk__in=ids))
            if len(skills) != len(ids):
                raise field_error(name, _("Choose a valid value."))
            values["skills"] = skills
        elif name == "ticket_id":
            values["ticket"] = None
            if value is not None:
                values["ticket"] = policy.visible(user, Ticket.objects.filter(pk=value)).first()
                if values["ticket"] is None:
                    raise field_error(name, _("Choose a ticket you can see."))
        elif name == "contract_id":
            values["contract"] = None
            if value is not None:
                values["contract"] = policy.visible(user, ServiceContract.objects.filter(pk=value)).first()
                if values["contract"] is None:
                    raise field_error(name, _("Choose one of this customer's contracts."))
        elif name == "labour_product_id":
            values["labour_product"] = one_row(Product, value, name, active=True)
        elif name in ("description", "site_address"):
            values[name] = value or ""
        elif value is not None:
            values[name] = value
    return services.WorkOrderInput(**values)


def _changing(request: HttpRequest, work_order_id: int) -> tuple[User, WorkOrder]:
    user = actor(request)
    work = selectors.work_order_get(user=user, pk=work_order_id)
    policy.require_change(user, work)
    return user, work


@router.get(
    "/work-orders",
    response={200: PageOut[WorkOrderOut], **ERRORS},
    summary="Work orders, by view and filters",
)
def work_order_list(request: HttpRequest, filters: Query[WorkOrderQuery]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"cursor", "limit", "sort"})
    if values["status"] is not None:
        values["status"] = values["status"].value
    page = selectors.work_order_list(
        user=actor(request), filters=values, sort=filters.sort, cursor=filters.cursor, limit=filters.limit
    )
    _loaded(page.items)
    return page_out(page)


@router.post("/work-orders", response={201: WorkOrderOut, **ERRORS}, summary="Create a work order")
def work_order_create(request: HttpRequest, payload: WorkOrderCreate) -> Status[WorkOrder]:
    user = actor(request)
    policy.require_create(user, WorkOrder)
    party = visible_party(user, payload.party_id, "party_id")
    with _body_names():
        work = services.work_order_create(actor=user, data=_work_input(user, payload, party))
    return Status(201, _answer(selectors.work_order_get(user=user, pk=work.pk)))


@router.get(
    "/work-orders/{work_order_id}", response={200: WorkOrderOut, **ERRORS}, summary="Get a work order"
)
def work_order_get(request: HttpRequest, work_order_id: Id) -> WorkOrder:
    return _answer(selectors.work_order_get(user=actor(request), pk=work_order_id))


@router.patch(
    "/work-orders/{work_order_id}",
    response={200: WorkOrderOut, **ERRORS},
    summary="Change a work order (not once done or cancelled)",
)
def work_order_update(request: HttpRequest, work_order_id: Id, payload: WorkOrderUpdate) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    with _body_names():
        services.work_order_update(actor=user, work_order=work, data=_work_input(user, payload))
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


@router.post(
    "/work-orders/{work_order_id}/schedule",
    response={200: WorkOrderOut, **ERRORS},
    summary="Book the visit: a technician and a free window (or null: back to the pile)",
)
def work_order_schedule(request: HttpRequest, work_order_id: Id, payload: WorkScheduleIn) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    technician = resolve_user(payload.technician_id, "technician_id")
    if technician is not None and technician not in selectors.technicians(user=user):
        raise field_error("technician_id", _("Choose a technician you may send on this visit."))
    with _body_names():
        services.work_order_schedule(
            actor=user, work_order=work, technician=technician, start=payload.start, end=payload.end
        )
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


@router.post(
    "/work-orders/{work_order_id}/check-in",
    response={200: WorkOrderOut, **ERRORS},
    summary="Arrive on site (a scheduled visit)",
)
def work_order_check_in(request: HttpRequest, work_order_id: Id) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    services.work_order_check_in(actor=user, work_order=work)
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


@router.post(
    "/work-orders/{work_order_id}/check-out",
    response={200: WorkOrderOut, **ERRORS},
    summary="Leave the site: the result, notes and hours worked",
)
def work_order_check_out(request: HttpRequest, work_order_id: Id, payload: WorkCheckOutIn) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    with _body_names():
        services.work_order_check_out(
            actor=user,
            work_order=work,
            result=payload.result.value,
            notes=payload.notes,
            labour_hours=payload.labour_hours,
        )
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


@router.post(
    "/work-orders/{work_order_id}/cancel",
    response={200: WorkOrderOut, **ERRORS},
    summary="Cancel a work order (work orders are not deleted)",
)
def work_order_cancel(request: HttpRequest, work_order_id: Id) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    services.work_order_cancel(actor=user, work_order=work)
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


@router.post(
    "/work-orders/{work_order_id}/bill",
    response={201: WorkBillOut, **ERRORS},
    summary="Put a finished visit's parts and labour on an order, once",
)
def work_order_bill(request: HttpRequest, work_order_id: Id) -> Status[WorkBillOut]:
    # Billing asks only to see the visit, and to be allowed to make orders (the service's rule).
    user = actor(request)
    work = selectors.work_order_get(user=user, pk=work_order_id)
    policy.require_create(user, Order)  # before what the visit lacks: one who may not bill is told so
    with _body_names():
        order = services.work_order_bill(actor=user, work_order=work)
    return Status(201, WorkBillOut(order_id=order.pk, number=order.number))


@router.post(
    "/work-orders/{work_order_id}/parts",
    response={201: WorkPartOut, **ERRORS},
    summary="Add a part used on the job",
)
def work_part_add(request: HttpRequest, work_order_id: Id, payload: WorkPartIn) -> Status[WorkPart]:
    user, work = _changing(request, work_order_id)
    product = one_row(Product, payload.product_id, "product_id", active=True)
    with _body_names():
        part = services.work_part_add(actor=user, work_order=work, product=product, quantity=payload.quantity)
    return Status(201, part)


@router.delete(
    "/work-orders/{work_order_id}/parts/{part_id}",
    response={204: None, **ERRORS},
    summary="Remove a part (not once billed)",
)
def work_part_remove(request: HttpRequest, work_order_id: Id, part_id: Id) -> Status[None]:
    user, work = _changing(request, work_order_id)
    part = WorkPart.objects.filter(work_order=work, pk=part_id).select_related("product").first()
    if part is None:
        raise Http404
    services.work_part_remove(actor=user, part=part)
    return Status(204, None)


@router.post(
    "/work-orders/{work_order_id}/signature",
    response={200: WorkOrderOut, **ERRORS},
    summary="The customer signs for the visit, once it is done",
)
def work_order_sign(request: HttpRequest, work_order_id: Id, payload: WorkSignatureIn) -> WorkOrder:
    user, work = _changing(request, work_order_id)
    services.work_order_sign(
        actor=user, work_order=work, signature=payload.signature, signed_by=payload.signed_by
    )
    return _answer(selectors.work_order_get(user=user, pk=work.pk))


class WorkPhotoOut(Schema):
    id: int
    caption: str
    content_type: str
    added_at: dt.datetime
    url: str = Field(description="The photo itself, for whoever may see the visit (a staff page).")

    @staticmethod
    def resolve_url(obj: WorkPhoto) -> str:
        return reverse("service:work_photo", args=[obj.work_order_id, obj.pk])


@router.get(
    "/work-orders/{work_order_id}/photos",
    response={200: list[WorkPhotoOut], **ERRORS},
    summary="A visit's photos",
)
def work_photo_list(request: HttpRequest, work_order_id: Id) -> list[WorkPhoto]:
    work = selectors.work_order_get(user=actor(request), pk=work_order_id)
    return list(work.photos.order_by("added_at", "id"))


@router.post(
    "/work-orders/{work_order_id}/photos",
    response={201: WorkPhotoOut, **ERRORS},
    summary="Add a photo from the site (JPEG, PNG or WebP, judged by its content)",
)
def work_photo_add(
    request: HttpRequest,
    work_order_id: Id,
    image: File[UploadedFile],
    caption: Form[Annotated[str, Field(max_length=200)]] = "",
) -> Status[WorkPhoto]:
    user, work = _changing(request, work_order_id)
    photo = services.work_photo_add(actor=user, work_order=work, upload=image, caption=caption)
    return Status(201, photo)


# --- service contracts -----------------------------------------------------------------------


class ServiceContractOut(Schema):
    id: int
    number: str
    party: PartyRef
    name: str
    starts_on: dt.date
    ends_on: dt.date
    sla_policy: NamedRef | None = Field(
        description="The SLA its customer's tickets get; null: the usual rules"
    )
    hours_included: HoursOut | None = Field(description="null: any number of hours")
    hours_used: HoursOut = Field(description="The hours of its finished visits")
    covers_parts: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_hours_used(obj: ServiceContract) -> Decimal:
        used = getattr(obj, "hours_used_total", None)
        return used if used is not None else contract_services.hours_used(obj)


class ServiceContractFields(InputSchema):
    starts_on: ApiDate | None = Field(None, description="ISO 8601 or Jalali")
    ends_on: ApiDate | None = Field(None, description="ISO 8601 or Jalali; not before the start")
    sla_policy_id: BodyId | None = Field(None, description="null: the usual rules")
    hours_included: Hours | None = Field(None, description="null: any number of hours")
    covers_parts: bool | None = None
    notes: LongText | None = None


class ServiceContractCreate(ServiceContractFields):
    party_id: BodyId
    name: Title
    starts_on: ApiDate = Field(description="ISO 8601 or Jalali")
    ends_on: ApiDate = Field(description="ISO 8601 or Jalali; not before the start")


class ServiceContractUpdate(ServiceContractFields):
    name: Title | None = None


class ServiceContractQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    state: Literal["active", "expired", "future"] | None = Field(None, description="By today's date")
    party: Id | None = None
    sort: Literal["-ends", "ends", "-created"] = "-ends"


def _contract_input(payload: ServiceContractFields, party: Any = None) -> contract_services.ContractInput:
    values: dict[str, Any] = {} if party is None else {"party": party}
    for name, value in payload.model_dump(exclude_unset=True, exclude={"party_id"}).items():
        if name == "sla_policy_id":
            values["sla_policy"] = one_row(SlaPolicy, value, name, active=True)
        elif name == "hours_included":
            values[name] = value
        elif name == "notes":
            values[name] = value or ""
        elif value is not None:
            values[name] = value
    return contract_services.ContractInput(**values)


def _with_hours(contracts: Sequence[ServiceContract]) -> None:
    """Each contract's hours used, in one query for the page."""
    ids = [c.pk for c in contracts]
    totals = dict(
        WorkOrder.objects.filter(contract_id__in=ids, status=WorkStatus.DONE)
        .values("contract_id")
        .annotate(total=Sum("labour_hours"))
        .values_list("contract_id", "total")
    )
    for contract in contracts:
        contract.hours_used_total = totals.get(contract.pk) or Decimal(0)  # type: ignore[attr-defined]


@router.get(
    "/service-contracts",
    response={200: PageOut[ServiceContractOut], **ERRORS},
    summary="Service contracts you may see",
)
def contract_list(request: HttpRequest, filters: Query[ServiceContractQuery]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"cursor", "limit", "sort"})
    page = selectors.contract_list(
        user=actor(request), filters=values, sort=filters.sort, cursor=filters.cursor, limit=filters.limit
    )
    _with_hours(page.items)
    return page_out(page)


@router.post(
    "/service-contracts", response={201: ServiceContractOut, **ERRORS}, summary="Create a service contract"
)
def contract_create(request: HttpRequest, payload: ServiceContractCreate) -> Status[ServiceContract]:
    user = actor(request)
    policy.require_create(user, ServiceContract)
    party = visible_party(user, payload.party_id, "party_id")
    with _body_names():
        contract = contract_services.contract_save(actor=user, data=_contract_input(payload, party))
    return Status(201, selectors.contract_get(user=user, pk=contract.pk))


@router.get(
    "/service-contracts/{contract_id}",
    response={200: ServiceContractOut, **ERRORS},
    summary="Get a service contract",
)
def contract_get(request: HttpRequest, contract_id: Id) -> ServiceContract:
    return selectors.contract_get(user=actor(request), pk=contract_id)


@router.patch(
    "/service-contracts/{contract_id}",
    response={200: ServiceContractOut, **ERRORS},
    summary="Change a service contract",
)
def contract_update(request: HttpRequest, contract_id: Id, payload: ServiceContractUpdate) -> ServiceContract:
    user = actor(request)
    contract = selectors.contract_get(user=user, pk=contract_id)
    with _body_names():
        contract_services.contract_save(actor=user, data=_contract_input(payload), contract=contract)
    return selectors.contract_get(user=user, pk=contract.pk)


@router.delete(
    "/service-contracts/{contract_id}",
    response={204: None, **ERRORS},
    summary="Move a service contract to the trash",
)
def contract_delete(request: HttpRequest, contract_id: Id) -> Status[None]:
    user = actor(request)
    contract = selectors.contract_get(user=user, pk=contract_id)
    contract_services.contract_delete(actor=user, contract=contract)
    return Status(204, None)
