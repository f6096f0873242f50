"""The implementation roadmap: the roadmaps, opening one from the template, its page (the
timeline, the items' table, the progress per phase and overall) and changing an item."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import RoadmapFilterForm, RoadmapForm, RoadmapItemForm
from ..models import Roadmap, Stage
from ..selectors import assessments as assessment_selectors
from ..selectors import roadmap as selectors
from ..services import roadmap as services


@login_required
def roadmap_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    can_create = policy.can_create(user, Roadmap)
    form = RoadmapForm(request.POST or None)
    if request.method == "POST":
        policy.require_create(user, Roadmap)
        if form.is_valid():
            try:
                roadmap = services.roadmap_create(actor=user, data=form.roadmap_input())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The roadmap was opened with every sub-phase of the template."))
                return redirect("adoption:roadmap_detail", roadmap.pk)
    return render(
        request,
        "adoption/roadmap_list.html",
        {
            "nav": "adoption",
            "form": form,
            "roadmaps": selectors.roadmap_list(user=user),
            "can_create": can_create,
        },
        status=422 if form.errors else 200,
    )


@login_required
def roadmap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    roadmap = selectors.roadmap_get(user=user, pk=pk)
    form = RoadmapFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    every = selectors.items(roadmap)
    shown = selectors.items(roadmap, filters) if any(filters.values()) else every
    per_phase, overall = selectors.progress(every)
    first, last, bars = selectors.timeline(shown)
    return render(
        request,
        "adoption/roadmap_detail.html",
        {
            "nav": "adoption",
            "roadmap": roadmap,
            "form": form,
            "filtered": any(filters.values()),
            "items": shown,
            "bars": bars,
            "first": first,
            "last": last,
            "today": selectors.today_offset(first, last, timezone.localdate()),
            "phases": per_phase,
            "overall": overall,
            "stages": dict(Stage.choices),
            "can_change": policy.can_change(user, roadmap),
        },
    )


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.item_get(user=user, pk=pk)
    policy.require_change(user, item.roadmap)
    initial = {
        "owner": item.owner,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "status": item.status,
        "deliverables": item.deliverables,
    }
    form = RoadmapItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=user, item=item, data=form.item_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("adoption:roadmap_detail", item.roadmap_id)
    return render(
        request,
        "adoption/roadmap_item_form.html",
        {"nav": "adoption", "form": form, "item": item},
        status=422 if form.errors else 200,
    )
