"""Reports over the API: the saved reports (list, create, read, change, remove), running a
saved report or an unsaved definition into rows, each through the permission policy.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import ERRORS, Id, InputSchema, NoNul, PageOut, PageQuery

from ..models import SavedReport
from ..reporting import ReportSpec
from ..selectors import reports as selectors
from ..selectors.reports import Cell, Pivot
from ..services import reports as services

router = Router(tags=["analytics"])

Name = Annotated[str, Field(max_length=services.NAME_MAX), NoNul]
VisibilityValue = Literal["private", "team"]
ScheduleValue = Literal["", "daily", "weekly", "monthly"]


class ReportOut(Schema):
    id: int
    name: str
    owner_id: int
    visibility: str
    team_id: int | None
    schedule: str
    definition: ReportSpec
    last_sent_at: Any
    updated_at: Any

    @staticmethod
    def resolve_definition(obj: SavedReport) -> ReportSpec:
        return selectors.report_spec(obj)


class ReportIn(InputSchema):
    name: Name
    definition: ReportSpec
    visibility: VisibilityValue = "private"
    schedule: ScheduleValue = ""


class ReportPatch(InputSchema):
    name: Name | None = None
    definition: ReportSpec | None = None
    visibility: VisibilityValue | None = None
    schedule: ScheduleValue | None = None


class ReportQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    entity: Literal["", "customer", "deal", "order", "order_line", "interaction", "activity", "ticket"] = ""
    mine: bool = False
    sort: Literal["name", "-name", "updated", "-updated"] = "-updated"


class ReportRowOut(Schema):
    key: str | None = Field(description="The value grouped by (an id, a code, a period's first day)")
    label: str
    values: list[float | None] = Field(description="One per column, in the columns' order")
    total: float | None


class ReportRunOut(Schema):
    title: str
    measure: str
    row_heading: str
    column_heading: str
    columns: list[str]
    rows: list[ReportRowOut]
    totals: list[float | None]
    total: float | None


def _key(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _rows(pivot: Pivot) -> dict[str, Any]:
    measure = pivot.spec.measure
    return {
        "title": pivot.title,
        "measure": pivot.measure_label,
        "row_heading": pivot.row_heading,
        "column_heading": pivot.column_heading,
        "columns": [c.label for c in pivot.columns],
        "rows": [
            {
                "key": _key(row.key),
                "label": row.label,
                "values": [_number(pivot.value(row.key, c.key)) for c in pivot.columns],
                "total": _number(pivot.row_totals[row.key].value(measure)),
            }
            for row in pivot.rows
        ],
        "totals": [_number(pivot.column_totals.get(c.key, Cell()).value(measure)) for c in pivot.columns],
        "total": _number(pivot.grand.value(measure)),
    }


def _user(request: HttpRequest) -> Any:
    user = actor(request)
    if not selectors.may_use(user):
        raise PermissionDenied
    return user


@router.get("/reports", response={200: PageOut[ReportOut], **ERRORS}, summary="Saved reports")
def report_list(request: HttpRequest, filters: Query[ReportQuery]) -> dict[str, Any]:
    user = _user(request)
    page = selectors.report_list(
        user=user,
        filters={"q": filters.q, "entity": filters.entity, "mine": filters.mine},
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post("/reports", response={201: ReportOut, **ERRORS}, summary="Save a report")
def report_create(request: HttpRequest, payload: ReportIn) -> Status[SavedReport]:
    user = _user(request)
    data = services.ReportInput(
        name=payload.name, spec=payload.definition, visibility=payload.visibility, schedule=payload.schedule
    )
    return Status(201, services.report_save(actor=user, data=data))


@router.post("/reports/run", response={200: ReportRunOut, **ERRORS}, summary="Run a report definition")
def report_run_definition(request: HttpRequest, payload: ReportSpec) -> dict[str, Any]:
    return _rows(selectors.run(user=_user(request), spec=payload))


@router.get("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="A saved report")
def report_get(request: HttpRequest, report_id: Id) -> SavedReport:
    return selectors.report_get(user=_user(request), pk=report_id)


@router.patch("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="Change a saved report")
def report_update(request: HttpRequest, report_id: Id, payload: ReportPatch) -> SavedReport:
    user = _user(request)
    report = selectors.report_get(user=user, pk=report_id)
    policy.require_change(user, report)
    data = services.ReportInput(
        name=payload.name if payload.name is not None else report.name,
        spec=payload.definition or selectors.report_spec(report),
        visibility=payload.visibility or report.visibility,
        schedule=payload.schedule if payload.schedule is not None else report.schedule,
    )
    return services.report_save(actor=user, data=data, report=report)


@router.delete("/reports/{report_id}", response={204: None, **ERRORS}, summary="Remove a saved report")
def report_delete(request: HttpRequest, report_id: Id) -> Status[None]:
    user = _user(request)
    services.report_delete(actor=user, report=selectors.report_get(user=user, pk=report_id))
    return Status(204, None)


@router.get("/reports/{report_id}/run", response={200: ReportRunOut, **ERRORS}, summary="Run a saved report")
def report_run(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    user = _user(request)
    return _rows(selectors.report_run(user=user, report=selectors.report_get(user=user, pk=report_id)))
