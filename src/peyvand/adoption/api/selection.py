"""Vendor selection over the API: selections (their criteria seeded from the built-in list),
criteria and weights, vendors, evaluators, the caller's own scores, the results and the
decision.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out, resolve_user
from peyvand.core.apikit.schemas import ERRORS, BodyId, Id, InputSchema, NoNul, PageOut, PageQuery, UserRef

from ..models import Criterion, Evaluator, Selection, Vendor
from ..models.selection import SCORE_MAX, SCORE_MIN, WEIGHT_MAX, WEIGHT_MIN
from ..selectors import selection as selectors
from ..services import selection as services

router = Router(tags=["adoption"])

Name = Annotated[str, Field(max_length=services.NAME_MAX), NoNul]
Text = Annotated[str, Field(max_length=services.TEXT_MAX), NoNul]
GroupValue = Literal["organisational", "operational", "technical", "legal", "general"]
Weight = Annotated[int, Field(ge=WEIGHT_MIN, le=WEIGHT_MAX, description="0–10; 0 leaves the criterion out")]


class SelectionOut(Schema):
    id: int
    name: str
    description: str
    status: str = Field(description="open or decided")
    chosen_vendor_id: int | None
    decision_reason: str
    decided_at: Any
    created_at: Any


class SelectionIn(InputSchema):
    name: Name
    description: Text = ""


class SelectionPatch(InputSchema):
    name: Name | None = None
    description: Text | None = None


class SelectionQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    status: Literal["open", "decided"] | None = None


class SelectionCriterionOut(Schema):
    id: int
    group: str
    key: str = Field(description="A built-in criterion's key; empty for one added")
    name_fa: str
    name_en: str
    weight: int


class SelectionCriterionIn(InputSchema):
    group: GroupValue
    name: Name
    weight: Weight = 5


class SelectionCriterionPatch(InputSchema):
    weight: Weight


class SelectionVendorOut(Schema):
    id: int
    name: str
    website: str
    notes: str


class SelectionVendorIn(InputSchema):
    name: Name
    website: Annotated[str, Field(max_length=services.WEBSITE_MAX), NoNul] = Field(
        "", description="http:// or https://"
    )
    notes: Text = ""


class SelectionEvaluatorOut(Schema):
    id: int
    user: UserRef


class SelectionEvaluatorIn(InputSchema):
    user_id: BodyId


class SelectionScoreIn(InputSchema):
    vendor_id: BodyId
    criterion_id: BodyId
    value: int | Annotated[str, Field(max_length=2), NoNul] = Field(
        description=f"{SCORE_MIN}–{SCORE_MAX}; as a string, Persian or Arabic digits are read too"
    )
    note: Annotated[str, Field(max_length=services.NOTE_MAX), NoNul] = ""


class SelectionScoresIn(InputSchema):
    scores: list[SelectionScoreIn] = Field(max_length=5000)


class SelectionScoreOut(Schema):
    vendor_id: int
    criterion_id: int
    value: int
    note: str


class SelectionSavedOut(Schema):
    saved: int = Field(description="How many scores were added or changed")


class SelectionVendorResultOut(Schema):
    vendor_id: int
    vendor: str
    rank: int | None
    overall: float | None = Field(description="1–5: the mean over evaluators of their weighted scores")
    spread: float | None = Field(description="The standard deviation of the evaluators' overall scores")
    evaluators: int
    groups: dict[str, float | None] = Field(description="Capability group → weighted score 1–5")


class SelectionResultsOut(Schema):
    evaluators: int
    complete: int = Field(description="Evaluators who scored every vendor on every weighted criterion")
    vendors: list[SelectionVendorResultOut]


class SelectionDecisionIn(InputSchema):
    vendor_id: BodyId
    reason: Text


def _get(request: HttpRequest, selection_id: int) -> tuple[Any, Selection]:
    user = actor(request)
    return user, selectors.selection_get(user=user, pk=selection_id)


@router.get(
    "/adoption/selections", response={200: PageOut[SelectionOut], **ERRORS}, summary="Vendor selections"
)
def selection_list(request: HttpRequest, filters: Query[SelectionQuery]) -> dict[str, Any]:
    page = selectors.selection_list(
        user=actor(request),
        filters={"q": filters.q, "status": filters.status},
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return page_out(page)


@router.post(
    "/adoption/selections",
    response={201: SelectionOut, **ERRORS},
    summary="Open a vendor selection (with the built-in criteria)",
)
def selection_create(request: HttpRequest, payload: SelectionIn) -> Status[Selection]:
    data = services.SelectionInput(name=payload.name, description=payload.description)
    return Status(201, services.selection_create(actor=actor(request), data=data))


@router.get(
    "/adoption/selections/{selection_id}",
    response={200: SelectionOut, **ERRORS},
    summary="A vendor selection",
)
def selection_get(request: HttpRequest, selection_id: Id) -> Selection:
    return _get(request, selection_id)[1]


@router.patch(
    "/adoption/selections/{selection_id}",
    response={200: SelectionOut, **ERRORS},
    summary="Change a vendor selection's name or description",
)
def selection_update(request: HttpRequest, selection_id: Id, payload: SelectionPatch) -> Selection:
    user, selection = _get(request, selection_id)
    policy.require_change(user, selection)
    data = services.SelectionInput(
        name=selection.name if payload.name is None else payload.name,
        description=selection.description if payload.description is None else payload.description,
    )
    return services.selection_update(actor=user, selection=selection, data=data)


@router.get(
    "/adoption/selections/{selection_id}/criteria",
    response={200: list[SelectionCriterionOut], **ERRORS},
    summary="A selection's criteria and weights",
)
def criterion_list(request: HttpRequest, selection_id: Id) -> list[Criterion]:
    return selectors.criteria(_get(request, selection_id)[1])


@router.post(
    "/adoption/selections/{selection_id}/criteria",
    response={201: SelectionCriterionOut, **ERRORS},
    summary="Add a criterion",
)
def criterion_add(request: HttpRequest, selection_id: Id, payload: SelectionCriterionIn) -> Status[Criterion]:
    user, selection = _get(request, selection_id)
    data = services.CriterionInput(group=payload.group, name=payload.name, weight=payload.weight)
    return Status(201, services.criterion_add(actor=user, selection=selection, data=data))


@router.patch(
    "/adoption/selections/{selection_id}/criteria/{criterion_id}",
    response={200: SelectionCriterionOut, **ERRORS},
    summary="Change a criterion's weight",
)
def criterion_weigh(
    request: HttpRequest, selection_id: Id, criterion_id: Id, payload: SelectionCriterionPatch
) -> Criterion:
    user, selection = _get(request, selection_id)
    criterion = selectors.criterion_get(selection=selection, pk=criterion_id)
    return services.criterion_weigh(actor=user, criterion=criterion, weight=payload.weight)


@router.delete(
    "/adoption/selections/{selection_id}/criteria/{criterion_id}",
    response={204: None, **ERRORS},
    summary="Remove a criterion (and the scores given on it)",
)
def criterion_remove(request: HttpRequest, selection_id: Id, criterion_id: Id) -> Status[None]:
    user, selection = _get(request, selection_id)
    services.criterion_remove(
        actor=user, criterion=selectors.criterion_get(selection=selection, pk=criterion_id)
    )
    return Status(204, None)


@router.get(
    "/adoption/selections/{selection_id}/vendors",
    response={200: list[SelectionVendorOut], **ERRORS},
    summary="The vendors compared",
)
def vendor_list(request: HttpRequest, selection_id: Id) -> list[Vendor]:
    return selectors.vendors(_get(request, selection_id)[1])


@router.post(
    "/adoption/selections/{selection_id}/vendors",
    response={201: SelectionVendorOut, **ERRORS},
    summary="Add a vendor",
)
def vendor_add(request: HttpRequest, selection_id: Id, payload: SelectionVendorIn) -> Status[Vendor]:
    user, selection = _get(request, selection_id)
    data = services.VendorInput(name=payload.name, website=payload.website, notes=payload.notes)
    return Status(201, services.vendor_save(actor=user, selection=selection, data=data))


@router.delete(
    "/adoption/selections/{selection_id}/vendors/{vendor_id}",
    response={204: None, **ERRORS},
    summary="Remove a vendor (and its scores)",
)
def vendor_remove(request: HttpRequest, selection_id: Id, vendor_id: Id) -> Status[None]:
    user, selection = _get(request, selection_id)
    services.vendor_remove(actor=user, vendor=selectors.vendor_get(selection=selection, pk=vendor_id))
    return Status(204, None)


@router.get(
    "/adoption/selections/{selection_id}/evaluators",
    response={200: list[SelectionEvaluatorOut], **ERRORS},
    summary="The evaluators",
)
def evaluator_list(request: HttpRequest, selection_id: Id) -> list[Evaluator]:
    return selectors.evaluators(_get(request, selection_id)[1])


@router.post(
    "/adoption/selections/{selection_id}/evaluators",
    response={201: SelectionEvaluatorOut, **ERRORS},
    summary="Add an evaluator (a user of the CRM adoption area)",
)
def evaluator_add(request: HttpRequest, selection_id: Id, payload: SelectionEvaluatorIn) -> Status[Evaluator]:
    user, selection = _get(request, selection_id)
    chosen = resolve_user(payload.user_id, "user_id")
    return Status(201, services.evaluator_add(actor=user, selection=selection, user=chosen))


@router.delete(
    "/adoption/selections/{selection_id}/evaluators/{evaluator_id}",
    response={204: None, **ERRORS},
    summary="Remove an evaluator (and their scores)",
)
def evaluator_remove(request: HttpRequest, selection_id: Id, evaluator_id: Id) -> Status[None]:
    user, selection = _get(request, selection_id)
    services.evaluator_remove(
        actor=user, evaluator=selectors.evaluator_get(selection=selection, pk=evaluator_id)
    )
    return Status(204, None)


@router.get(
    "/adoption/selections/{selection_id}/scores",
    response={200: list[SelectionScoreOut], **ERRORS},
    summary="The caller's own scores (evaluators only)",
)
def my_scores(request: HttpRequest, selection_id: Id) -> list[Any]:
    user, selection = _get(request, selection_id)
    evaluator = selectors.evaluator_of(selection=selection, user=user)
    if evaluator is None:
        raise PermissionDenied
    return list(selectors.my_scores(evaluator).values())


@router.put(
    "/adoption/selections/{selection_id}/scores",
    response={200: SelectionSavedOut, **ERRORS},
    summary="Save the caller's own scores, all or none (evaluators only)",
)
def scores_save(request: HttpRequest, selection_id: Id, payload: SelectionScoresIn) -> dict[str, int]:
    user, selection = _get(request, selection_id)
    scores = [
        services.ScoreInput(vendor_id=s.vendor_id, criterion_id=s.criterion_id, value=s.value, note=s.note)
        for s in payload.scores
    ]
    return {"saved": services.scores_save(actor=user, selection=selection, scores=scores)}


@router.get(
    "/adoption/selections/{selection_id}/results",
    response={200: SelectionResultsOut, **ERRORS},
    summary="Each vendor's weighted score per group and overall, the spread and the ranking",
)
def results(request: HttpRequest, selection_id: Id) -> dict[str, Any]:
    found = selectors.results(_get(request, selection_id)[1])
    return {
        "evaluators": found.evaluator_count,
        "complete": found.complete,
        "vendors": [
            {
                "vendor_id": r.vendor.pk,
                "vendor": r.vendor.name,
                "rank": r.rank,
                "overall": None if r.overall is None else round(r.overall, 4),
                "spread": None if r.spread is None else round(r.spread, 4),
                "evaluators": r.evaluators,
                "groups": {g: None if v is None else round(v, 4) for g, v in r.groups.items()},
            }
            for r in found.vendors
        ],
    }


@router.post(
    "/adoption/selections/{selection_id}/decision",
    response={200: SelectionOut, **ERRORS},
    summary="Record the chosen vendor and why",
)
def decide(request: HttpRequest, selection_id: Id, payload: SelectionDecisionIn) -> Selection:
    user, selection = _get(request, selection_id)
    policy.require_change(user, selection)
    vendor = Vendor.objects.filter(selection=selection, pk=payload.vendor_id).first()
    return services.selection_decide(actor=user, selection=selection, vendor=vendor, reason=payload.reason)


@router.post(
    "/adoption/selections/{selection_id}/reopen",
    response={200: SelectionOut, **ERRORS},
    summary="Reopen a decided selection",
)
def reopen(request: HttpRequest, selection_id: Id) -> Selection:
    user, selection = _get(request, selection_id)
    return services.selection_reopen(actor=user, selection=selection)
