"""The go/no-go evaluation on a selection's page: scoring the four criteria of seed [004]
(with the risk questionnaire it rests on), and recording or reopening the decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import User

from ..models import GoCriterion, Selection
from ..selectors import gonogo as selectors
from ..selectors import selection as selection_selectors
from ..services import gonogo as services
from . import selection as selection_views
from .gonogo_parts import GoDecisionForm, sheet


@login_required
@require_POST
def go_no_go_save(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    selection = selection_selectors.selection_get(user=user, pk=pk)
    policy.require_change(user, selection)
    posted: dict[str, str] = {"risk_assessment": (request.POST.get("risk_assessment") or "").strip()}
    scores = []
    for criterion in GoCriterion.values:
        value = (request.POST.get(f"score-{criterion}") or "").strip()
        note = request.POST.get(f"note-{criterion}") or ""
        posted[f"score-{criterion}"], posted[f"note-{criterion}"] = value, note
        scores.append(services.GoScoreInput(criterion=criterion, value=value, note=note))
    errors: dict[str, list[str]] = {}
    risk_assessment = None
    if posted["risk_assessment"]:
        risk_assessment = (
            selectors.risk_assessments(user).filter(pk=posted_id(posted["risk_assessment"])).first()
        )
        if risk_assessment is None:
            errors["risk_assessment"] = [_("Choose an assessment of the risk questionnaire.")]
    if not errors:
        try:
            services.go_no_go_save(
                actor=user, selection=selection, scores=scores, risk_assessment=risk_assessment
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("The go/no-go scores were saved."))
            return redirect("adoption:selection_detail", selection.pk)
    return selection_views.render_detail(request, selection, go=sheet(user, selection, posted, errors))


def decided(request: HttpRequest, user: User, selection: Selection, form: GoDecisionForm) -> bool:
    """Record the decision the form holds (the sheet's and the wizard's), and say so; the
    form keeps the service's errors when it is refused."""
    if not form.is_valid():
        return False
    try:
        services.go_no_go_decide(
            actor=user,
            selection=selection,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("The go/no-go decision was recorded."))
    return True


def posted_id(text: str) -> int:
    """An id as posted in a form (ASCII digits), or 0 (no record has it)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


@login_required
@require_POST
def go_no_go_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    selection = selection_selectors.selection_get(user=user, pk=pk)
    policy.require_change(user, selection)
    if request.POST.get("reopen") == "1":
        services.go_no_go_reopen(actor=user, selection=selection)
        messages.success(request, _("The go/no-go evaluation is open again."))
        return redirect("adoption:selection_detail", selection.pk)
    form = GoDecisionForm(request.POST)
    if decided(request, user, selection, form):
        return redirect("adoption:selection_detail", selection.pk)
    context = sheet(user, selection)
    context["go_decision_form"] = form
    return selection_views.render_detail(request, selection, go=context)
