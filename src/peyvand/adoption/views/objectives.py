"""Objectives on live figures: the list with where each stands, one objective with its trend,
writing one, measuring again on demand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import Scope

from ..forms import ObjectiveForm
from ..models import Objective
from ..selectors import assessments as assessment_selectors
from ..selectors import objectives as selectors
from ..services import objectives as services


@login_required
def objective_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    return render(
        request,
        "adoption/objective_list.html",
        {
            "nav": "adoption",
            "standings": selectors.objective_list(user=user),
            "can_create": policy.can_create(user, Objective),
            # The situation analysis's strategy cube ([004]) is marketing's page.
            "sees_cube": policy.scope(user, "campaign", "view") != Scope.NONE,
        },
    )


@login_required
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objective = selectors.objective_get(user=user, pk=pk)
    return render(
        request,
        "adoption/objective_detail.html",
        {
            "nav": "adoption",
            "standing": selectors.standing(objective),
            "chart": selectors.trend_chart(objective),
            "can_change": policy.can_change(user, objective),
        },
    )


@login_required
def objective_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    objective = selectors.objective_get(user=user, pk=pk) if pk else None
    if objective is None:
        policy.require_create(user, Objective)
        today = timezone.localdate()
        initial = {"starts_on": today, "owner": user}
    else:
        policy.require_change(user, objective)
        initial = {name: getattr(objective, name) for name in ObjectiveForm.base_fields}
    form = ObjectiveForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.objective_save(actor=user, data=form.objective_input(), objective=objective)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The objective was saved and measured."))
            return redirect("adoption:objective_detail", saved.pk)
    return render(
        request, "adoption/objective_form.html", {"nav": "adoption", "form": form, "objective": objective}
    )


@login_required
@require_POST
def objective_measure(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objective = selectors.objective_get(user=user, pk=pk)
    policy.require_change(user, objective)
    services.objective_measure(objective)
    messages.success(request, _("Measured again."))
    return redirect("adoption:objective_detail", objective.pk)


@login_required
@require_POST
def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objective = selectors.objective_get(user=user, pk=pk)
    services.objective_delete(actor=user, objective=objective)
    messages.success(request, _("The objective was moved to the trash."))
    return redirect("adoption:objective_list")
