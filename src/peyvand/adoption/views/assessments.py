"""Assessments: the list, opening one, its page (respondents, invitations), closing it, and
the results with the radar chart, strengths, weaknesses and a comparison with another."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import AssessmentFilterForm, AssessmentForm, InviteLinkForm, InviteUserForm
from ..models import Assessment, AssessmentStatus, ModelKind
from ..selectors import assessments as selectors
from ..selectors import gonogo, scoring
from ..services import assessments as services
from . import culture

SORT_LABELS = {"title": gettext_lazy("Title"), "created": gettext_lazy("Created")}


def _require_see(request: HttpRequest) -> None:
    if not selectors.may_see(request_user(request)):
        raise PermissionDenied


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    _require_see(request)
    user = request_user(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = AssessmentFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.assessment_list(
            user=user,
            filters={**filters, "kind": ModelKind.READINESS},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:assessment_list")
    return render(
        request,
        "adoption/assessment_list.html",
        {
            "nav": "adoption",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "model", "status")),
            "can_create": policy.can_create(user, Assessment),
        },
    )


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Assessment)
    form = AssessmentForm(request.POST or None, initial={"model": request.GET.get("model")})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(actor=user, data=form.assessment_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assessment was created. Now invite the respondents."))
            return redirect("adoption:assessment_detail", assessment.pk)
    return render(
        request,
        "adoption/assessment_form.html",
        {"nav": "adoption", "form": form},
        status=422 if form.errors else 200,
    )


def _detail(request: HttpRequest, assessment: Assessment, **extra: object) -> HttpResponse:
    user = request_user(request)
    context = {
        "nav": "adoption",
        "assessment": assessment,
        "respondents": selectors.respondents(assessment),
        "can_change": policy.can_change(user, assessment),
        "is_open": assessment.status == AssessmentStatus.OPEN,
        "user_form": InviteUserForm(),
        "link_form": InviteLinkForm(),
        **extra,
    }
    status = 422 if any(getattr(f, "errors", None) for f in extra.values()) else 200
    return render(request, "adoption/assessment_detail.html", context, status=status)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get(user=request_user(request), pk=pk)
    return _detail(request, assessment)


@login_required
@require_POST
def invite_user(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_get(user=user, pk=pk)
    policy.require_change(user, assessment)
    form = InviteUserForm(request.POST)
    if form.is_valid():
        try:
            services.respondent_invite_user(actor=user, assessment=assessment, user=form.cleaned_data["user"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The colleague was asked to answer."))
            return redirect("adoption:assessment_detail", assessment.pk)
    return _detail(request, assessment, user_form=form)


@login_required
@require_POST
def invite_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-time link, shown on this page once (only its hash is kept)."""
    user = request_user(request)
    assessment = selectors.assessment_get(user=user, pk=pk)
    policy.require_change(user, assessment)
    form = InviteLinkForm(request.POST)
    if form.is_valid():
        try:
            respondent, token = services.respondent_invite_link(
                actor=user,
                assessment=assessment,
                name=form.cleaned_data["name"],
                email=form.cleaned_data.get("email") or "",
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _detail(request, assessment, new_link=services.respond_url(token), new_link_for=respondent)
    return _detail(request, assessment, link_form=form)


@login_required
@require_POST
def assessment_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_get(user=user, pk=pk)
    try:
        services.assessment_set_status(
            actor=user, assessment=assessment, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("adoption:assessment_detail", assessment.pk)


@login_required
def assessment_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_get(user=user, pk=pk)
    if assessment.is_culture:
        return culture.culture_results(request, assessment)
    results = selectors.assessment_results(assessment)
    series = [(assessment.title, results)]
    other = None
    deltas: tuple[scoring.Delta, ...] = ()
    other_id = request.GET.get("other")
    if other_id:
        try:
            other = selectors.assessment_get(user=user, pk=other_id)
        except Http404:
            other = None
        if other is not None and other.model_id == assessment.model_id and other.pk != assessment.pk:
            other_results = selectors.assessment_results(other)
            series.append((other.title, other_results))
            deltas = scoring.compare(other_results, results)
        else:
            other = None
    chart = selectors.radar_chart(series)
    return render(
        request,
        "adoption/results.html",
        {
            "nav": "adoption",
            "assessment": assessment,
            "results": results,
            "chart": chart,
            "chart_data": selectors.radar_payload(chart),
            "other": other,
            "deltas": deltas,
            "choices": selectors.assessment_choices(
                user=user, model_id=assessment.model_id, exclude=assessment.pk
            ),
            "weak_below": scoring.WEAK_BELOW,
            "strong_from": scoring.STRONG_FROM,
            # The risk questionnaire of [004] is scored per group, each read as a risk level.
            "risk_groups": gonogo.group_risks(results) if gonogo.is_risk_questionnaire(assessment) else (),
        },
    )
