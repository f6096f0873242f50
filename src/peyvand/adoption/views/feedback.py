"""The innovation model's feedback loop: the periods with their trend chart (and its table)
and a form to open one, and a period's page with its developmental and operational results,
measuring again, and the support decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.exports import csv_response
from peyvand.core.forms import BootstrapMixin, LocalDateField, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor

from ..models import FeedbackPeriod, SupportDecision
from ..selectors import assessments as assessment_selectors
from ..selectors import feedback as selectors
from ..services import feedback as services


class PeriodForm(BootstrapMixin, forms.Form):
    start = LocalDateField(label=gettext_lazy("From"))
    end = LocalDateField(label=gettext_lazy("To"))


class SupportForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Support decision"), choices=SupportDecision.choices)
    reason = forms.CharField(
        label=gettext_lazy("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=services.TEXT_MAX
    )
    notes = forms.CharField(
        label=gettext_lazy("Results in words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.TEXT_MAX,
        required=False,
        help_text=gettext_lazy("What the figures do not say: budget, delays, what users report."),
    )


def _list(request: HttpRequest, form: PeriodForm) -> HttpResponseBase:
    user = request_user(request)
    chart = selectors.trend_chart(user)
    if key := request.GET.get("export"):
        if key != chart.key:
            raise Http404
        return csv_response(*chart.csv_rows(), "feedback-periods.csv")
    try:
        page = selectors.period_list(user=user, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:feedback_list")
    return render(
        request,
        "adoption/feedback_list.html",
        {
            "nav": "adoption",
            "page": page,
            "chart": chart,
            "form": form,
            "can_create": policy.can_create(user, FeedbackPeriod),
        },
        status=422 if form.errors else 200,
    )


@login_required
def feedback_list(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    if request.method != "POST":
        return _list(request, PeriodForm())
    policy.require_create(user, FeedbackPeriod)
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.feedback_period_create(
                actor=user, data=services.PeriodInput(**form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The period was opened and measured."))
            return redirect("adoption:feedback_detail", period.pk)
    return _list(request, form)


def _detail(request: HttpRequest, period: FeedbackPeriod, form: SupportForm | None = None) -> HttpResponse:
    user = request_user(request)
    initial: dict[str, Any] = {}
    if period.decision:
        initial = {"decision": period.decision, "reason": period.decision_reason, "notes": period.notes}
    return render(
        request,
        "adoption/feedback_detail.html",
        {
            "nav": "adoption",
            "period": period,
            "form": form or SupportForm(initial=initial),
            "can_change": policy.can_change(user, period),
        },
        status=422 if form is not None and form.errors else 200,
    )


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    period = selectors.period_get(user=user, pk=pk)
    if request.method != "POST":
        return _detail(request, period)
    policy.require_change(user, period)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_period_decide(
                actor=user, period=period, data=services.DecisionInput(**form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The support decision was recorded."))
            return redirect("adoption:feedback_detail", period.pk)
    return _detail(request, period, form)


@login_required
@require_POST
def feedback_measure(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    period = selectors.period_get(user=user, pk=pk)
    policy.require_change(user, period)
    try:
        services.feedback_period_measure(actor=user, period=period)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The period was measured again."))
    return redirect("adoption:feedback_detail", period.pk)
