"""The go/no-go evaluation as a guided wizard: one step per criterion of seed [004] (the
"success and risks" step names the risk questionnaire and shows its groups), progress shown,
back and next, each step saved as a draft before moving; then a summary with the scores, the
recommendation and the decision. The same services as the selection page's sheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.http import request_user

from ..models import Selection
from ..models.gonogo import GO_SCORE_MAX, GO_SCORE_MIN
from ..selectors import gonogo as selectors
from ..selectors import selection as selection_selectors
from ..services import gonogo as services
from .gonogo import decided, posted_id
from .gonogo_parts import GoDecisionForm

SCORES = range(GO_SCORE_MIN, GO_SCORE_MAX + 1)


@login_required
def wizard_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the draft up where it was left: the first criterion not scored yet."""
    selection = selection_selectors.selection_get(user=request_user(request), pk=pk)
    return redirect(
        "adoption:go_no_go_step", selection.pk, selectors.first_open_step(selectors.evaluation(selection))
    )


def _render(
    request: HttpRequest,
    selection: Selection,
    step: int,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    decision_form: GoDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    found = selectors.evaluation(selection)
    total = selectors.SUMMARY_STEP
    context: dict[str, Any] = {
        "nav": "adoption",
        "selection": selection,
        "go": found,
        "step": step,
        "total": total,
        "steps": [
            {"number": number, "label": row.label, "done": row.value is not None}
            for number, row in enumerate(found.rows, start=1)
        ],
        "percent": round(100 * (step - 1) / (total - 1)),
        "can_change": policy.can_change(user, selection) and not found.decided,
        "errors": errors or {},
    }
    if step < total:
        row = found.rows[step - 1]
        posted = posted or {}
        context.update(
            {
                "row": row,
                "guidance": selectors.guidance(row.criterion),
                "scores": SCORES,
                "value": posted.get("score", "" if row.value is None else str(row.value)),
                "note": posted.get("note", row.note),
                "risk_choices": list(selectors.risk_assessments(user)[:100]),
                "risk_chosen": posted.get(
                    "risk_assessment", str(found.risk_assessment.pk) if found.risk_assessment else ""
                ),
            }
        )
    else:
        context["decision_form"] = decision_form or GoDecisionForm()
    return render(request, "adoption/go_no_go_wizard.html", context, status=status)


def _step(step: int) -> int:
    if not 1 <= step <= selectors.SUMMARY_STEP:
        raise Http404
    return step


@login_required
def wizard_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    user = request_user(request)
    selection = selection_selectors.selection_get(user=user, pk=pk)
    step = _step(step)
    if request.method != "POST" or step == selectors.SUMMARY_STEP:
        return _render(request, selection, step)
    policy.require_change(user, selection)
    criterion = selectors.STEPS[step - 1]
    going = "back" if request.POST.get("go") == "back" else "next"
    posted = {
        "score": (request.POST.get("score") or "").strip(),
        "note": request.POST.get("note") or "",
        "risk_assessment": (request.POST.get("risk_assessment") or "").strip(),
    }
    found = selectors.evaluation(selection)
    errors: dict[str, list[str]] = {}
    risk_assessment = found.risk_assessment  # kept as it is on every step but the risk step
    if criterion == "risk":
        risk_assessment = None
        if posted["risk_assessment"]:
            risk_assessment = (
                selectors.risk_assessments(user).filter(pk=posted_id(posted["risk_assessment"])).first()
            )
            if risk_assessment is None:
                errors["risk_assessment"] = [_("Choose an assessment of the risk questionnaire.")]
    # Back keeps the draft as it is (a blank score stays blank); next asks for the step's score.
    if going == "next" and not posted["score"]:
        errors["score"] = [
            _("Score this step from %(low)d to %(high)d before going on.")
            % {"low": GO_SCORE_MIN, "high": GO_SCORE_MAX}
        ]
    if not errors:
        try:
            services.go_no_go_save(
                actor=user,
                selection=selection,
                scores=[
                    services.GoScoreInput(criterion=criterion, value=posted["score"], note=posted["note"])
                ],
                risk_assessment=risk_assessment,
            )
        except ValidationError as exc:
            # The step's fields by their names on this page; what concerns no field is "general".
            found_errors = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
            errors = {
                ("score" if name.startswith("score-") else name.replace("__all__", "general")): text
                for name, text in found_errors.items()
            }
        else:
            messages.success(request, _("The draft was saved."))
            return redirect(
                "adoption:go_no_go_step", selection.pk, step - 1 if going == "back" and step > 1 else step + 1
            )
    return _render(request, selection, step, posted=posted, errors=errors, status=422)


@login_required
@require_POST
def wizard_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    selection = selection_selectors.selection_get(user=user, pk=pk)
    policy.require_change(user, selection)
    form = GoDecisionForm(request.POST)
    if decided(request, user, selection, form):
        return redirect("adoption:go_no_go_step", selection.pk, selectors.SUMMARY_STEP)
    return _render(request, selection, selectors.SUMMARY_STEP, decision_form=form, status=422)
