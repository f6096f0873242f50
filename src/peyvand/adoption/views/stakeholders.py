"""The stakeholder map: the buy-in matrix (rational × emotional) with the list beside it, adding
and changing a stakeholder, their page with the history of placements and the action plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import PlacementForm, StakeholderActionForm, StakeholderFilterForm, StakeholderForm
from ..models import Quadrant, Stakeholder
from ..models.stakeholders import HIGH_FROM
from ..selectors import assessments as assessment_selectors
from ..selectors import stakeholders as selectors
from ..services import stakeholders as services

SORT_LABELS = {
    "name": gettext_lazy("Name"),
    "rational": gettext_lazy("Rational"),
    "emotional": gettext_lazy("Emotional"),
    "updated": gettext_lazy("Updated"),
}


@login_required
def stakeholder_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = StakeholderFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.stakeholder_list(
            user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor")
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:stakeholder_list")
    return render(
        request,
        "adoption/stakeholder_list.html",
        {
            "nav": "adoption",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "quadrant")),
            "map": selectors.stakeholder_map(user=user, filters={"q": filters.get("q")}),
            "quadrants": Quadrant.choices,
            "high_from": HIGH_FROM,
            "can_create": policy.can_create(user, Stakeholder),
        },
    )


@login_required
def stakeholder_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=pk) if pk else None
    if stakeholder is None:
        policy.require_create(user, Stakeholder)
    else:
        policy.require_change(user, stakeholder)
    initial = (
        {name: getattr(stakeholder, name) for name in ("name", "role", "department", "user", "notes")}
        if stakeholder
        else {}
    )
    form = StakeholderForm(request.POST or None, initial=initial, placed=stakeholder is None)
    if request.method == "POST" and form.is_valid():
        try:
            if stakeholder is None:
                stakeholder = services.stakeholder_create(
                    actor=user, data=form.stakeholder_input(), placement=form.placement_input()
                )
            else:
                services.stakeholder_update(
                    actor=user, stakeholder=stakeholder, data=form.stakeholder_input()
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The stakeholder was saved."))
            return redirect("adoption:stakeholder_detail", stakeholder.pk)
    return render(
        request,
        "adoption/stakeholder_form.html",
        {"nav": "adoption", "form": form, "stakeholder": stakeholder},
        status=422 if form.errors else 200,
    )


def _detail(request: HttpRequest, stakeholder: Stakeholder, **extra: object) -> HttpResponse:
    user = request_user(request)
    context = {
        "nav": "adoption",
        "stakeholder": stakeholder,
        "placements": selectors.placements(stakeholder),
        "actions": selectors.actions(stakeholder),
        "can_change": policy.can_change(user, stakeholder),
        "place_form": PlacementForm(
            initial={"rational": stakeholder.rational, "emotional": stakeholder.emotional}
        ),
        "action_form": StakeholderActionForm(),
        **extra,
    }
    status = 422 if any(getattr(f, "errors", None) for f in extra.values()) else 200
    return render(request, "adoption/stakeholder_detail.html", context, status=status)


@login_required
def stakeholder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.stakeholder_get(user=request_user(request), pk=pk))


@login_required
@require_POST
def stakeholder_place(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=pk)
    policy.require_change(user, stakeholder)
    form = PlacementForm(request.POST)
    if form.is_valid():
        try:
            services.stakeholder_place(actor=user, stakeholder=stakeholder, data=form.placement_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The stakeholder's place on the map was recorded."))
            return redirect("adoption:stakeholder_detail", stakeholder.pk)
    return _detail(request, stakeholder, place_form=form)


@login_required
@require_POST
def stakeholder_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=pk)
    policy.require_change(user, stakeholder)
    form = StakeholderActionForm(request.POST)
    if form.is_valid():
        try:
            services.stakeholder_action_save(actor=user, stakeholder=stakeholder, data=form.action_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action was added to the plan."))
            return redirect("adoption:stakeholder_detail", stakeholder.pk)
    return _detail(request, stakeholder, action_form=form)


@login_required
@require_POST
def stakeholder_action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user = request_user(request)
    stakeholder = selectors.stakeholder_get(user=user, pk=pk)
    policy.require_change(user, stakeholder)
    action = selectors.action_get(stakeholder=stakeholder, pk=action_pk)
    services.stakeholder_action_save(
        actor=user,
        stakeholder=stakeholder,
        action=action,
        data=services.ActionInput(
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            done=request.POST.get("done") == "1",
        ),
    )
    return redirect("adoption:stakeholder_detail", stakeholder.pk)
