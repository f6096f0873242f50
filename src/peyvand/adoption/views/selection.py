"""Choosing a CRM vendor: the selections, one selection's set-up (weighted criteria in the five
capability groups, the vendors, the evaluators) and decision, an evaluator's own score sheet,
and the results (a grouped bar chart with its table, the ranking, the spread between
evaluators, and the table as CSV)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.exports import csv_response
from peyvand.core.forms import BootstrapMixin, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor

from ..models import CapabilityGroup, Selection, SelectionStatus
from ..models.selection import WEIGHT_MAX
from ..selectors import assessments as assessment_selectors
from ..selectors import selection as selectors
from ..services import selection as services
from .gonogo_parts import sheet as go_sheet


class SelectionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.TEXT_MAX,
    )


class CriterionForm(BootstrapMixin, forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Capability group"), choices=CapabilityGroup.choices)
    name = forms.CharField(label=gettext_lazy("Criterion"), max_length=services.NAME_MAX)
    weight = forms.CharField(
        label=gettext_lazy("Weight (0–10)"),
        max_length=3,
        initial=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class VendorForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Vendor"), max_length=services.NAME_MAX)
    website = forms.CharField(label=gettext_lazy("Website"), max_length=services.WEBSITE_MAX, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=services.TEXT_MAX,
    )


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class EvaluatorForm(BootstrapMixin, forms.Form):
    user = UserChoice(
        label=gettext_lazy("Evaluator"),
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name", "username"),
    )


class DecisionForm(BootstrapMixin, forms.Form):
    vendor = forms.TypedChoiceField(label=gettext_lazy("Chosen vendor"), coerce=int, choices=())
    reason = forms.CharField(
        label=gettext_lazy("Why this vendor"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.TEXT_MAX,
    )

    def __init__(self, *args: Any, vendors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [(v.pk, v.name) for v in vendors]  # type: ignore[attr-defined]


def _selection(request: HttpRequest, pk: int) -> tuple[User, Selection]:
    user = request_user(request)
    return user, selectors.selection_get(user=user, pk=pk)


@login_required
def selection_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not assessment_selectors.may_see(user):
        raise PermissionDenied
    status = request.GET.get("status") or ""
    try:
        page = selectors.selection_list(
            user=user, filters={"q": request.GET.get("q"), "status": status}, cursor=request.GET.get("cursor")
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:selection_list")
    return render(
        request,
        "adoption/selection_list.html",
        {
            "nav": "adoption",
            "page": page,
            "q": request.GET.get("q") or "",
            "status": status,
            "statuses": SelectionStatus.choices,
            "can_create": policy.can_create(user, Selection),
        },
    )


@login_required
def selection_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    selection = selectors.selection_get(user=user, pk=pk) if pk else None
    if selection is None:
        policy.require_create(user, Selection)
    else:
        policy.require_change(user, selection)
    initial = {"name": selection.name, "description": selection.description} if selection else {}
    form = SelectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.SelectionInput(**form.cleaned_data)
        try:
            if selection is None:
                selection = services.selection_create(actor=user, data=data)
            else:
                services.selection_update(actor=user, selection=selection, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The selection was saved."))
            return redirect("adoption:selection_detail", selection.pk)
    return render(
        request,
        "adoption/selection_form.html",
        {"nav": "adoption", "form": form, "selection": selection},
        status=422 if form.errors else 200,
    )


def render_detail(request: HttpRequest, selection: Selection, *, go: dict[str, Any]) -> HttpResponse:
    """The page again with the go/no-go evaluation's errors (views.gonogo)."""
    return _detail(request, selection, go=go)


def _detail(request: HttpRequest, selection: Selection, **forms_given: Any) -> HttpResponse:
    user = request_user(request)
    go = forms_given.pop("go", None)
    criteria = selectors.criteria(selection)
    vendors = selectors.vendors(selection)
    grouped = [
        (value, label, [c for c in criteria if c.group == value]) for value, label in CapabilityGroup.choices
    ]
    can_change = policy.can_change(user, selection)
    context = {
        "nav": "adoption",
        "selection": selection,
        "grouped": grouped,
        "vendors": vendors,
        "evaluators": selectors.evaluators(selection),
        "me": selectors.evaluator_of(selection=selection, user=user),
        "can_change": can_change,
        "can_setup": can_change and selection.status == SelectionStatus.OPEN,
        "weight_max": WEIGHT_MAX,
        "criterion_form": forms_given.get("criterion_form") or CriterionForm(),
        "vendor_form": forms_given.get("vendor_form") or VendorForm(),
        "evaluator_form": forms_given.get("evaluator_form") or EvaluatorForm(),
        "decision_form": forms_given.get("decision_form") or DecisionForm(vendors=vendors),
        "errors": forms_given.get("errors") or [],
        **(go or go_sheet(user, selection)),
    }
    failed = any(getattr(f, "errors", None) for f in forms_given.values()) or bool(forms_given.get("errors"))
    failed = failed or bool(go)
    return render(request, "adoption/selection_detail.html", context, status=422 if failed else 200)


@login_required
def selection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user, selection = _selection(request, pk)
    return _detail(request, selection)


def _guard(user: User, selection: Selection) -> None:
    policy.require_change(user, selection)


def _added(
    request: HttpRequest,
    selection: Selection,
    form: Any,
    slot: str,
    save: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A form of the set-up page saved through its service, or the page again with its errors."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("adoption:selection_detail", selection.pk)
    return _detail(request, selection, **{slot: form})


def _removed(
    request: HttpRequest, selection: Selection, remove: Callable[[], object], done: str
) -> HttpResponse:
    try:
        remove()
    except ValidationError as exc:
        return _detail(request, selection, errors=exc.messages)
    messages.success(request, done)
    return redirect("adoption:selection_detail", selection.pk)


@login_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    return _added(
        request,
        selection,
        CriterionForm(request.POST),
        "criterion_form",
        lambda data: services.criterion_add(
            actor=user, selection=selection, data=services.CriterionInput(**data)
        ),
        _("The criterion was added."),
    )


@login_required
@require_POST
def criterion_change(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    criterion = selectors.criterion_get(selection=selection, pk=criterion_pk)
    try:
        if request.POST.get("remove") == "1":
            services.criterion_remove(actor=user, criterion=criterion)
            messages.success(request, _("The criterion was removed."))
        else:
            services.criterion_weigh(actor=user, criterion=criterion, weight=request.POST.get("weight", ""))
            messages.success(request, _("The weight was saved."))
    except ValidationError as exc:
        return _detail(request, selection, errors=exc.messages)
    return redirect("adoption:selection_detail", selection.pk)


@login_required
@require_POST
def vendor_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    return _added(
        request,
        selection,
        VendorForm(request.POST),
        "vendor_form",
        lambda data: services.vendor_save(actor=user, selection=selection, data=services.VendorInput(**data)),
        _("The vendor was added."),
    )


@login_required
@require_POST
def vendor_remove(request: HttpRequest, pk: int, vendor_pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    vendor = selectors.vendor_get(selection=selection, pk=vendor_pk)
    return _removed(
        request,
        selection,
        lambda: services.vendor_remove(actor=user, vendor=vendor),
        _("The vendor was removed."),
    )


@login_required
@require_POST
def evaluator_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    return _added(
        request,
        selection,
        EvaluatorForm(request.POST),
        "evaluator_form",
        lambda data: services.evaluator_add(actor=user, selection=selection, user=data["user"]),
        _("The evaluator was added."),
    )


@login_required
@require_POST
def evaluator_remove(request: HttpRequest, pk: int, evaluator_pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    evaluator = selectors.evaluator_get(selection=selection, pk=evaluator_pk)
    return _removed(
        request,
        selection,
        lambda: services.evaluator_remove(actor=user, evaluator=evaluator),
        _("The evaluator was removed, with their scores."),
    )


@login_required
@require_POST
def selection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user, selection = _selection(request, pk)
    _guard(user, selection)
    if request.POST.get("reopen") == "1":
        services.selection_reopen(actor=user, selection=selection)
        messages.success(request, _("The selection is open again."))
        return redirect("adoption:selection_detail", selection.pk)
    vendors = selectors.vendors(selection)
    form = DecisionForm(request.POST, vendors=vendors)
    if form.is_valid():
        chosen = next((v for v in vendors if v.pk == form.cleaned_data["vendor"]), None)
        try:
            services.selection_decide(
                actor=user, selection=selection, vendor=chosen, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("adoption:selection_detail", selection.pk)
    return _detail(request, selection, decision_form=form)


@login_required
def selection_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed-in evaluator's own score sheet: every vendor on every criterion, 1–5."""
    user, selection = _selection(request, pk)
    evaluator = selectors.evaluator_of(selection=selection, user=user)
    if evaluator is None:
        raise PermissionDenied
    criteria = selectors.criteria(selection)
    vendors = selectors.vendors(selection)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        scores = []
        for vendor in vendors:
            for criterion in criteria:
                name = f"score-{vendor.pk}-{criterion.pk}"
                value = (request.POST.get(name) or "").strip()
                note = request.POST.get(f"note-{vendor.pk}-{criterion.pk}") or ""
                posted[name], posted[f"note-{vendor.pk}-{criterion.pk}"] = value, note
                if value:
                    scores.append(
                        services.ScoreInput(
                            vendor_id=vendor.pk, criterion_id=criterion.pk, value=value, note=note
                        )
                    )
        try:
            saved = services.scores_save(actor=user, selection=selection, scores=scores)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("Your scores were saved (%(count)d changed).") % {"count": saved})
            return redirect("adoption:selection_scores", selection.pk)
    mine = selectors.my_scores(evaluator)
    rows = []
    for criterion in criteria:
        cells = []
        for vendor in vendors:
            key = f"{vendor.pk}-{criterion.pk}"
            found = mine.get((vendor.pk, criterion.pk))
            cells.append(
                {
                    "key": key,
                    "vendor": vendor,
                    "value": posted.get(f"score-{key}", found.value if found else ""),
                    "note": posted.get(f"note-{key}", found.note if found else ""),
                    "errors": errors.get(f"score-{key}", []),
                }
            )
        rows.append({"criterion": criterion, "cells": cells})
    return render(
        request,
        "adoption/selection_scores.html",
        {
            "nav": "adoption",
            "selection": selection,
            "vendors": vendors,
            "rows": rows,
            "errors": errors.get("", []) + errors.get("__all__", []),
            "failed": bool(errors),
            "locked": selection.status == SelectionStatus.DECIDED,
        },
        status=422 if errors else 200,
    )


@login_required
def selection_results(request: HttpRequest, pk: int) -> HttpResponseBase:
    _user, selection = _selection(request, pk)
    found = selectors.results(selection)
    chart = selectors.results_chart(selection, found)
    if key := request.GET.get("export"):
        if key != chart.key:
            raise Http404
        return _export(selection, found)
    return render(
        request,
        "adoption/selection_results.html",
        {"nav": "adoption", "selection": selection, "results": found, "chart": chart},
    )


def _export(selection: Selection, found: selectors.Results) -> StreamingHttpResponse:
    header = [
        _("Rank"),
        _("Vendor"),
        *(str(label) for _value, label in found.groups),
        _("Overall"),
        _("Spread (standard deviation)"),
        _("Evaluators"),
    ]
    rows = [
        [
            r.rank if r.rank is not None else "",
            r.vendor.name,
            *("" if r.groups.get(g) is None else round(r.groups[g] or 0, 2) for g, _label in found.groups),
            "" if r.overall is None else round(r.overall, 2),
            "" if r.spread is None else round(r.spread, 2),
            r.evaluators,
        ]
        for r in found.vendors
    ]
    return csv_response(header, rows, f"vendor-selection-{selection.pk}.csv")
