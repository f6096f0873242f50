"""The lifetime-value model and the analysis runs: the current fit, starting a fit, a run's
progress, and one customer's insight.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictFloat, StrictInt

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.schemas import ERRORS, ApiDate, Id, InputSchema
from peyvand.customers.models import CustomerInsight, Party

from ..churn import reason_label
from ..models import ChurnFit, ClvFit, Run
from ..selectors import dashboard as selectors
from ..services import runs

router = Router(tags=["analytics"])


class HoldoutGroupOut(Schema):
    x: int = Field(
        description="Repeat purchases in the calibration period (the last group: that many or more)"
    )
    customers: int
    actual: float = Field(description="Their purchases in the holdout period")
    predicted: float = Field(description="The purchases the model expected of them")


class ClvModelOut(Schema):
    id: int
    run_id: int
    calibration_end: dt.date
    holdout_end: dt.date | None
    horizon_months: int
    monthly_discount: float
    margin: float
    customers: int
    repeat_customers: int
    r: float
    alpha: float
    a: float
    b: float
    bgnbd_log_likelihood: float
    p: float
    q: float
    gamma: float
    gamma_gamma_log_likelihood: float
    holdout: list[HoldoutGroupOut]
    fitted_at: dt.datetime


class ChurnModelOut(Schema):
    id: int
    run_id: int
    horizon_days: int = Field(
        description="A customer active at a cut-off who then buys nothing this long churned"
    )
    trained_on: dt.date = Field(description="The holdout check's training cut-off")
    tested_on: dt.date = Field(description="Its test cut-off, where the scoring model is trained")
    train_customers: int
    test_customers: int
    test_churned: int
    auc: float | None
    baseline_auc: float | None = Field(description="The AUC of ranking by recency alone")
    lift: float | None = Field(description="The churn rate of the riskiest tenth over the overall rate")
    baseline_lift: float | None
    coefficients: dict[str, float] = Field(description="Per feature, on its standardised log scale")
    error: str = Field(description="Why no model was trained (too little history); empty when one was")
    fitted_at: dt.datetime | None

    @staticmethod
    def resolve_error(obj: ChurnFit) -> str:
        return obj.error_message


class ReasonOut(Schema):
    code: str = Field(description="feature:high or feature:low")
    label: str


class ClvFitIn(InputSchema):
    calibration_end: ApiDate | None = Field(
        None, description="The last day of the calibration period; empty: 13 weeks before today"
    )
    horizon_months: Annotated[StrictInt, Field(ge=1, le=runs.MAX_HORIZON_MONTHS)] | None = None
    discount_rate: Annotated[StrictFloat, Field(ge=0, lt=1)] | None = Field(
        None, description="Monthly discount rate as a fraction: 0.02 is 2% a month"
    )
    margin: Annotated[StrictFloat, Field(gt=0, le=1)] | None = Field(
        None, description="As a fraction: 0.3 is 30%"
    )
    refresh: Literal["incremental", "full"] = "incremental"


class RunOut(Schema):
    id: int
    status: str
    refresh: str
    as_of: dt.date
    window_days: int
    step: int
    steps: int
    percent: int
    stage: str
    customers: int
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class InsightOut(Schema):
    party_id: int
    rfm_cell: str
    rfm_previous_cell: str
    rfm_recency: int | None
    rfm_frequency: int | None
    rfm_monetary: int | None
    recency_days: int | None
    frequency: int | None
    monetary: str | None
    purchases: int
    first_purchase_on: dt.date | None
    last_purchase_on: dt.date | None
    expected_purchases: float | None
    probability_alive: float | None
    expected_spend: str | None
    predicted_clv: str | None = Field(description="In the base currency, as text")
    churn_risk: float | None = Field(description="The probability of buying nothing over the churn horizon")
    churn_reasons: list[ReasonOut]
    profit: str | None = Field(description="Over the analysis window, in the base currency, as text")
    lifecycle_stage: str
    computed_at: dt.datetime

    @staticmethod
    def resolve_churn_reasons(obj: CustomerInsight) -> list[dict[str, str]]:
        return [{"code": code, "label": reason_label(code)} for code in obj.churn_reasons]

    @staticmethod
    def resolve_profit(obj: CustomerInsight) -> str | None:
        return None if obj.profit is None else str(obj.profit)

    @staticmethod
    def resolve_monetary(obj: CustomerInsight) -> str | None:
        return None if obj.monetary is None else str(obj.monetary)

    @staticmethod
    def resolve_expected_spend(obj: CustomerInsight) -> str | None:
        return None if obj.expected_spend is None else str(obj.expected_spend)

    @staticmethod
    def resolve_predicted_clv(obj: CustomerInsight) -> str | None:
        return None if obj.predicted_clv is None else str(obj.predicted_clv)


def _require_view(request: HttpRequest) -> None:
    if not selectors.may_see(actor(request)):
        raise PermissionDenied(_("You do not have permission to see customer analytics."))


@router.get("/clv/model", response={200: ClvModelOut, **ERRORS}, summary="The current lifetime-value model")
def clv_model(request: HttpRequest) -> ClvFit:
    _require_view(request)
    fit = selectors.current_fit()
    if fit is None:
        raise Http404
    return fit


@router.get("/churn/model", response={200: ChurnModelOut, **ERRORS}, summary="The current churn model")
def churn_model(request: HttpRequest) -> ChurnFit:
    _require_view(request)
    if not selectors.may_run(actor(request)):
        raise PermissionDenied(_("Only those who may run the analysis see its models."))
    found = selectors.current_churn()
    if found is None:
        raise Http404
    return found


@router.post("/clv/fit", response={202: RunOut, **ERRORS}, summary="Fit the lifetime-value model again")
def clv_fit(request: HttpRequest, payload: ClvFitIn) -> Status[Run]:
    """Queues an analysis run that fits BG/NBD and Gamma-Gamma on the calibration period,
    checks them on the weeks after it and scores every customer; follow it at /runs/{id}."""
    fit = runs.FitInput(
        calibration_end=payload.calibration_end,
        horizon_months=payload.horizon_months,
        monthly_discount=payload.discount_rate,
        margin=payload.margin,
    )
    run = runs.run_request(actor=actor(request), data=runs.RunInput(refresh=payload.refresh, fit=fit))
    run.refresh_from_db()
    return Status(202, run)


@router.get("/runs/{run_id}", response={200: RunOut, **ERRORS}, summary="An analysis run's progress")
def run_get(request: HttpRequest, run_id: Id) -> Run:
    _require_view(request)
    run = Run.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.get(
    "/customers/{party_id}/insight",
    response={200: InsightOut, **ERRORS},
    summary="A customer's RFM and value",
)
def insight_get(request: HttpRequest, party_id: Id) -> CustomerInsight:
    _require_view(request)
    user = actor(request)
    party = policy.get_visible(user, Party.objects.all(), party_id)
    insight = policy.visible(user, CustomerInsight.objects.filter(party=party)).first()
    if insight is None:
        raise Http404
    return insight
