"""Programmes (drips): the list, a new one (blank or from a template), its page (steps and
their figures, start/pause, enrol), the step editor, the enrolments and each one's path."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.exports import csv_response
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.models import Scope, User
from peyvand.core.pagination import InvalidCursor

from ..forms import EnrolForm, EnrolmentFilterForm, ProgrammeFilterForm, ProgrammeForm, StepForm, TemplateForm
from ..models import Enrolment, Programme, Step
from ..selectors import programmes as selectors
from ..selectors import segments as segment_selectors
from ..services import programme_templates
from ..services import programmes as services

SORT_LABELS = {"name": gettext_lazy("Name"), "created": gettext_lazy("Created")}


def _require(user: User) -> None:
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        raise PermissionDenied


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require(user)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = ProgrammeFilterForm(request.GET or None)
    try:
        page = selectors.programme_list(
            user=user,
            filters=form.filters() if request.GET else {},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("marketing:programme_list")
    return render(
        request,
        "marketing/programme_list.html",
        {
            "nav": "programmes",
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, Programme),
            "template_form": TemplateForm(),
        },
    )


def _programme_form(request: HttpRequest, user: User, programme: Programme | None) -> HttpResponse:
    segments = segment_selectors.segments_for_choice(user=user)
    if request.method == "POST":
        form = ProgrammeForm(request.POST, segments=segments)
        if form.is_valid():
            try:
                if programme is None:
                    programme = services.programme_create(actor=user, data=form.programme_input())
                else:
                    programme = services.programme_update(
                        programme=programme, actor=user, data=form.programme_input()
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": programme.name})
                return redirect(programme.get_absolute_url())
    else:
        initial = ProgrammeForm.initial_of(programme) if programme else {}
        form = ProgrammeForm(initial=initial, segments=segments)
    return render(
        request,
        "marketing/programme_form.html",
        {"nav": "programmes", "form": form, "programme": programme},
        status=422 if form.errors else 200,
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Programme)
    return _programme_form(request, user, None)


@login_required
@require_POST
def programme_from_template(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Programme)
    form = TemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a template."))
        return redirect("marketing:programme_list")
    programme = programme_templates.programme_from_template(
        actor=user, template=form.cleaned_data["template"]
    )
    messages.success(
        request,
        _("“%(name)s” was made from the template: read it over, then start it.") % {"name": programme.name},
    )
    return redirect(programme.get_absolute_url())


def _get(request: HttpRequest, pk: int) -> tuple[User, Programme]:
    user = request_user(request)
    _require(user)
    return user, selectors.programme_get(user=user, pk=pk)


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    policy.require_change(user, programme)
    return _programme_form(request, user, programme)


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user, programme = _get(request, pk)
    return _detail(request, user, programme)


def _detail(request: HttpRequest, user: User, programme: Programme, **forms: Any) -> HttpResponseBase:
    stats = selectors.step_stats(programme=programme)
    chart = selectors.steps_chart(stats)
    if request.GET.get("export") == chart.key:
        return csv_response(*chart.csv_rows(), f"programme-{programme.pk}-steps.csv")
    return render(
        request,
        "marketing/programme_detail.html",
        {
            "nav": "programmes",
            "programme": programme,
            "stats": stats,
            "chart": chart,
            "totals": selectors.programme_totals(programme=programme),
            "can_change": policy.can_change(user, programme),
            "enrol_form": forms.get("enrol_form")
            or EnrolForm(segments=segment_selectors.segments_for_choice(user=user)),
        },
        status=422 if forms else 200,
    )


@login_required
@require_POST
def programme_start(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    try:
        services.programme_start(programme=programme, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The programme is running."))
    return redirect(programme.get_absolute_url())


@login_required
@require_POST
def programme_pause(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    try:
        services.programme_pause(programme=programme, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The programme is paused: nobody enters or moves until it is resumed."))
    return redirect(programme.get_absolute_url())


@login_required
@require_POST
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    try:
        services.programme_delete(programme=programme, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(programme.get_absolute_url())
    messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": programme.name})
    return redirect("marketing:programme_list")


@login_required
@require_POST
def programme_enrol(request: HttpRequest, pk: int) -> HttpResponseBase:
    user, programme = _get(request, pk)
    policy.require_change(user, programme)
    form = EnrolForm(request.POST, segments=segment_selectors.segments_for_choice(user=user))
    if form.is_valid():
        try:
            result = services.programme_enrol(
                programme=programme, actor=user, segment=form.cleaned_data["segment"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(added)s customer enrolled; %(skipped)s were in already or may not enter again yet.",
                    "%(added)s customers enrolled; %(skipped)s were in already or may not enter again yet.",
                    result.added,
                )
                % {"added": result.added, "skipped": result.skipped},
            )
            return redirect(programme.get_absolute_url())
    return _detail(request, user, programme, enrol_form=form)


def _step_form(request: HttpRequest, user: User, programme: Programme, step: Step | None) -> HttpResponse:
    policy.require_change(user, programme)
    if request.method == "POST":
        form = StepForm(request.POST)
        if form.is_valid():
            try:
                if step is None:
                    services.step_add(programme=programme, actor=user, data=form.step_input())
                else:
                    services.step_update(step=step, actor=user, data=form.step_input())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The step was saved."))
                return redirect(programme.get_absolute_url())
    else:
        form = StepForm(initial=StepForm.initial_of(step) if step else {"unit": "days", "channel": "email"})
    return render(
        request,
        "marketing/step_form.html",
        {
            "nav": "programmes",
            "form": form,
            "programme": programme,
            "step": step,
            "steps": selectors.programme_steps(programme=programme),
        },
        status=422 if form.errors else 200,
    )


@login_required
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    return _step_form(request, user, programme, None)


def _step(programme: Programme, step_pk: int) -> Step:
    try:
        return selectors.step_get(programme=programme, pk=step_pk)
    except Step.DoesNotExist:
        raise Http404 from None


@login_required
def step_edit(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    return _step_form(request, user, programme, _step(programme, step_pk))


@login_required
@require_POST
def step_delete(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    step = _step(programme, step_pk)
    try:
        services.step_delete(step=step, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The step was removed."))
    return redirect(programme.get_absolute_url())


@login_required
def enrolment_list(request: HttpRequest, pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    form = EnrolmentFilterForm(request.GET or None)
    try:
        page = selectors.enrolment_list(
            user=user,
            programme=programme,
            filters=form.filters() if request.GET else {},
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("marketing:enrolment_list", pk=programme.pk)
    return render(
        request,
        "marketing/enrolment_list.html",
        {
            "nav": "programmes",
            "programme": programme,
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
        },
    )


@login_required
def enrolment_detail(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    user, programme = _get(request, pk)
    try:
        enrolment = selectors.enrolment_get(user=user, programme=programme, pk=enrolment_pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "marketing/enrolment_detail.html",
        {
            "nav": "programmes",
            "programme": programme,
            "enrolment": enrolment,
            "path": selectors.enrolment_path(enrolment=enrolment),
        },
    )
