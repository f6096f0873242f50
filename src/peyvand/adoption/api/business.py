"""The business case over the API: the list (filtered, sorted, paged), writing a case, its
benefit and cost lines, and its figures (cash flows, NPV, IRR, payback, sensitivity).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field, PlainSerializer, StrictBool

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, Id, InputSchema, NoNul, PageOut, PageQuery
from peyvand.sales.money import round_money

from ..models import BusinessCase, CaseLine
from ..selectors import business as selectors
from ..selectors.assessments import may_see
from ..services import business as services

router = Router(tags=["adoption"])

Title = Annotated[str, Field(max_length=services.TITLE_MAX), NoNul]
Label = Annotated[str, Field(max_length=services.LABEL_MAX), NoNul]
Notes = Annotated[str, Field(max_length=services.NOTES_MAX), NoNul]
Currency = Annotated[str, Field(max_length=10), NoNul]
# Numbers travel as strings ("12500000.50") or numbers; the service checks their range.
Number = Annotated[Decimal, Field(max_digits=20, decimal_places=3)]
KindValue = Literal["benefit", "cost"]


def _rounded(places: int) -> PlainSerializer:
    step = Decimal(1).scaleb(-places)
    return PlainSerializer(
        lambda v: None if v is None else format(Decimal(v).quantize(step), "f"), return_type=str
    )


Money = Annotated[Decimal, _rounded(2)]
Percent = Annotated[Decimal, _rounded(3)]
Ratio = Annotated[Decimal | None, _rounded(6)]


class CaseLineOut(Schema):
    id: int
    kind: str
    category: str
    label: str
    amount: Money
    growth: Percent
    one_off: bool
    assumption: int | None = Field(validation_alias="assumption_id")
    per_unit: Money | None


class CaseOut(Schema):
    id: int
    title: str
    currency: str
    horizon_years: int
    discount_rate: Percent
    sensitivity: Percent
    notes: str
    updated_at: Any


class CaseIn(InputSchema):
    title: Title
    currency: Currency = "IRR"
    horizon_years: Number = Decimal(5)
    discount_rate: Number = Decimal(20)
    sensitivity: Number = Decimal(20)
    notes: Notes = ""


class CasePatch(InputSchema):
    title: Title | None = None
    currency: Currency | None = None
    horizon_years: Number | None = None
    discount_rate: Number | None = None
    sensitivity: Number | None = None
    notes: Notes | None = None


class CaseLineIn(InputSchema):
    kind: KindValue
    category: Annotated[str, Field(max_length=20), NoNul]
    label: Label = ""
    amount: Number | None = Field(None, description="Per year; not sent when an assumption drives the line")
    growth: Number = Decimal(0)
    one_off: StrictBool = False
    assumption: Id | None = Field(None, description="One of the case's assumptions, driving the amount")
    per_unit: Number | None = Field(None, description="What the line is worth per unit of the assumption")


class CaseLinePatch(InputSchema):
    kind: KindValue | None = None
    category: Annotated[str, Field(max_length=20), NoNul] | None = None
    label: Label | None = None
    amount: Number | None = None
    growth: Number | None = None
    one_off: StrictBool | None = None
    # Sent as null, the line is no longer driven by an assumption (and needs an amount).
    assumption: Id | None = None
    per_unit: Number | None = None


class CaseQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    currency: Currency = ""
    sort: Literal["title", "-title", "updated", "-updated"] = "-updated"


class YearOut(Schema):
    year: int
    benefits: Money
    costs: Money
    net: Money
    cumulative: Money


class SwingOut(Schema):
    label: str
    benefit: bool
    assumption: bool  # the swing of an assumption and every line it drives
    npv_low: Money
    npv_high: Money


class FiguresOut(Schema):
    currency: str
    npv: Money
    irr: Ratio  # a fraction: 0.25 is 25% a year; null when the flows never change sign
    payback_years: Ratio  # null when it never pays back within the horizon
    years: list[YearOut]
    sensitivity: list[SwingOut]


def _case_values(case: BusinessCase) -> dict[str, Any]:
    return {
        "title": case.title,
        "currency": case.currency,
        "horizon_years": case.horizon_years,
        "discount_rate": case.discount_rate,
        "sensitivity": case.sensitivity,
        "notes": case.notes,
    }


def _changeable(request: HttpRequest, case_id: int) -> tuple[Any, BusinessCase]:
    user = actor(request)
    case = selectors.case_get(user=user, pk=case_id)
    policy.require_change(user, case)
    return user, case


@router.get("/adoption/business-cases", response={200: PageOut[CaseOut], **ERRORS}, summary="Business cases")
def case_list(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    user = actor(request)
    if not may_see(user):
        raise PermissionDenied
    page = selectors.case_list(
        user=user,
        filters={"q": filters.q, "currency": filters.currency.upper()},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/adoption/business-cases", response={201: CaseOut, **ERRORS}, summary="Write a business case")
def case_create(request: HttpRequest, payload: CaseIn) -> Status[BusinessCase]:
    user = actor(request)
    policy.require_create(user, BusinessCase)
    return Status(
        201, services.case_save(actor=user, data=services.BusinessCaseInput(**payload.model_dump()))
    )


@router.get(
    "/adoption/business-cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="A business case"
)
def case_get(request: HttpRequest, case_id: Id) -> BusinessCase:
    return selectors.case_get(user=actor(request), pk=case_id)


@router.patch(
    "/adoption/business-cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="Change a business case"
)
def case_update(request: HttpRequest, case_id: Id, payload: CasePatch) -> BusinessCase:
    user, case = _changeable(request, case_id)
    values = _case_values(case)
    values.update({k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None})
    return services.case_save(actor=user, data=services.BusinessCaseInput(**values), case=case)


@router.get(
    "/adoption/business-cases/{case_id}/lines",
    response={200: list[CaseLineOut], **ERRORS},
    summary="A case's lines",
)
def line_list(request: HttpRequest, case_id: Id) -> list[CaseLine]:
    return selectors.case_lines(selectors.case_get(user=actor(request), pk=case_id))


@router.post(
    "/adoption/business-cases/{case_id}/lines",
    response={201: CaseLineOut, **ERRORS},
    summary="Add a benefit or cost",
)
def line_create(request: HttpRequest, case_id: Id, payload: CaseLineIn) -> Status[CaseLine]:
    user, case = _changeable(request, case_id)
    data = services.CaseLineInput(**payload.model_dump())
    return Status(201, services.line_save(actor=user, case=case, data=data))


@router.patch(
    "/adoption/business-cases/{case_id}/lines/{line_id}",
    response={200: CaseLineOut, **ERRORS},
    summary="Change a line",
)
def line_update(request: HttpRequest, case_id: Id, line_id: Id, payload: CaseLinePatch) -> CaseLine:
    user, case = _changeable(request, case_id)
    line = get_object_or_404(case.lines, pk=line_id)
    values = {
        name: getattr(line, name)
        for name in ("kind", "category", "label", "amount", "growth", "one_off", "per_unit")
    }
    values["assumption"] = line.assumption_id
    sent = payload.model_dump(exclude_unset=True)
    values.update({k: v for k, v in sent.items() if v is not None})
    if "assumption" in sent and sent["assumption"] is None:
        values["assumption"] = values["per_unit"] = None
    return services.line_save(actor=user, case=case, data=services.CaseLineInput(**values), line=line)


@router.delete(
    "/adoption/business-cases/{case_id}/lines/{line_id}",
    response={204: None, **ERRORS},
    summary="Remove a line",
)
def line_delete(request: HttpRequest, case_id: Id, line_id: Id) -> Status[None]:
    user, case = _changeable(request, case_id)
    services.line_delete(actor=user, line=get_object_or_404(case.lines, pk=line_id))
    return Status(204, None)


@router.get(
    "/adoption/business-cases/{case_id}/figures",
    response={200: FiguresOut, **ERRORS},
    summary="A case's cash flows, NPV, IRR, payback and sensitivity",
)
def case_figures(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    case = selectors.case_get(user=actor(request), pk=case_id)
    found = selectors.figures(case, selectors.case_lines(case))

    def rounded(value: Decimal) -> Decimal:
        return round_money(value, case.currency)

    return {
        "currency": case.currency,
        "npv": rounded(found.npv),
        "irr": found.irr,
        "payback_years": found.payback,
        "years": [
            {
                "year": year,
                "benefits": rounded(b),
                "costs": rounded(c),
                "net": rounded(n),
                "cumulative": rounded(r),
            }
            for year, (b, c, n, r) in enumerate(
                zip(found.benefits, found.costs, found.cash, found.cumulative, strict=True)
            )
        ],
        "sensitivity": [
            {
                "label": s.label,
                "benefit": s.benefit,
                "assumption": s.assumption,
                "npv_low": rounded(s.low),
                "npv_high": rounded(s.high),
            }
            for s in found.swings
        ],
    }


MetricKey = Annotated[str, Field(max_length=40, description="A metric Peyvand computes, or blank"), NoNul]


class AssumptionOut(Schema):
    id: int
    label: str
    value: Money
    metric: str
    months: int
    measured: Money | None
    difference: Money | None


class AssumptionIn(InputSchema):
    label: Label
    value: Number
    metric: MetricKey = ""
    months: Number = Decimal(12)


def _assumption_out(row: selectors.AssumptionRow) -> dict[str, Any]:
    found = row.assumption
    return {
        "id": found.pk,
        "label": found.label,
        "value": found.value,
        "metric": found.metric,
        "months": found.months,
        "measured": row.measured,
        "difference": row.difference,
    }


def _assumption_row(case: BusinessCase, pk: int) -> dict[str, Any]:
    return _assumption_out(next(row for row in selectors.assumption_rows(case) if row.assumption.pk == pk))


@router.get(
    "/adoption/business-cases/{case_id}/assumptions",
    response={200: list[AssumptionOut], **ERRORS},
    summary="A case's assumptions beside the measured figures",
)
def assumption_list(request: HttpRequest, case_id: Id) -> list[dict[str, Any]]:
    case = selectors.case_get(user=actor(request), pk=case_id)
    return [_assumption_out(row) for row in selectors.assumption_rows(case)]


@router.post(
    "/adoption/business-cases/{case_id}/assumptions",
    response={201: AssumptionOut, **ERRORS},
    summary="Add an assumption",
)
def assumption_create(request: HttpRequest, case_id: Id, payload: AssumptionIn) -> Status[dict[str, Any]]:
    user, case = _changeable(request, case_id)
    made = services.assumption_save(
        actor=user, case=case, data=services.AssumptionInput(**payload.model_dump())
    )
    return Status(201, _assumption_row(case, made.pk))


@router.post(
    "/adoption/business-cases/{case_id}/assumptions/{assumption_id}/adopt",
    response={200: AssumptionOut, **ERRORS},
    summary="Adopt the measured value of an assumption",
)
def assumption_adopt(request: HttpRequest, case_id: Id, assumption_id: Id) -> dict[str, Any]:
    user, case = _changeable(request, case_id)
    found = get_object_or_404(case.assumptions, pk=assumption_id)
    services.assumption_adopt(actor=user, assumption=found)
    return _assumption_row(case, found.pk)


@router.delete(
    "/adoption/business-cases/{case_id}/assumptions/{assumption_id}",
    response={204: None, **ERRORS},
    summary="Remove an assumption",
)
def assumption_delete(request: HttpRequest, case_id: Id, assumption_id: Id) -> Status[None]:
    user, case = _changeable(request, case_id)
    services.assumption_delete(actor=user, assumption=get_object_or_404(case.assumptions, pk=assumption_id))
    return Status(204, None)
