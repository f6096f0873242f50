"""The administrator's sales settings: scoring rules, assignment rules, web forms, and how
money and months are shown."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from .. import conf
from ..forms import AssignmentRuleForm, DisplayForm, ScoreRuleForm, WebFormForm
from ..models import AssignmentRule, ScoreRule, WebForm
from ..selectors import leads as selectors
from ..services import display, leads, webforms


@login_required
def lead_rules(request: HttpRequest) -> HttpResponse:
    """Scoring rules and assignment rules on one page, each with a form to add one."""
    user = request_user(request)
    policy.require_admin(user)
    which = request.POST.get("form")
    score_form = ScoreRuleForm(request.POST if which == "score" else None, prefix="score")
    assign_form = AssignmentRuleForm(request.POST if which == "assign" else None, prefix="assign")
    if request.method == "POST":
        form: ScoreRuleForm | AssignmentRuleForm = score_form if which == "score" else assign_form
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in form.VALUE_FIELDS.values()}
            data.update(value=form.rule_value(), active=True)
            try:
                if form is score_form:
                    leads.score_rule_save(actor=user, data=data)
                else:
                    leads.assignment_rule_save(actor=user, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc, {"value": _value_field(form)})
            else:
                messages.success(request, _("The rule was added."))
                return redirect("sales:lead_rules")
    return render(
        request,
        "sales/lead_rules.html",
        {
            "nav": "admin",
            "score_rules": selectors.score_rules(),
            "assignment_rules": selectors.assignment_rules(),
            "score_form": score_form,
            "assign_form": assign_form,
            # The value fields, each with the kind it is for (the page shows the chosen kind's).
            "score_values": [(kind, score_form[name]) for kind, name in score_form.VALUE_FIELDS.items()],
            "assign_values": [(kind, assign_form[name]) for kind, name in assign_form.VALUE_FIELDS.items()],
        },
    )


def _value_field(form: ScoreRuleForm | AssignmentRuleForm) -> str:
    """The field a service's error on the rule's value belongs to, for the kind chosen."""
    return form.VALUE_FIELDS.get(form.cleaned_data.get("kind") or "", "kind")


@login_required
@require_POST
def rule_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Retire a rule (kept, so old scores still explain themselves) through its service."""
    user = request_user(request)
    policy.require_admin(user)
    if kind == "score":
        leads.score_rule_retire(actor=user, rule=get_object_or_404(ScoreRule, pk=pk))
    elif kind == "assign":
        leads.assignment_rule_retire(actor=user, rule=get_object_or_404(AssignmentRule, pk=pk))
    else:
        raise Http404
    messages.success(request, _("The rule was retired."))
    return redirect("sales:lead_rules")


@login_required
def web_form_list(request: HttpRequest) -> HttpResponse:
    policy.require_admin(request_user(request))
    return render(request, "sales/web_form_list.html", {"nav": "admin", "forms": selectors.web_forms()})


@login_required
def web_form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    web_form = get_object_or_404(WebForm, pk=pk) if pk else None
    initial = (
        {name: getattr(web_form, "fields" if name == "shown" else name) for name in WebFormForm.base_fields}
        if web_form
        else {
            "shown": ["first_name", "last_name", "phone", "email", "message"],
            "required": ["phone"],
            "active": True,
        }
    )
    form = WebFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "fields": form.cleaned_data["shown"]}
            data.pop("shown")
            saved = webforms.webform_save(actor=user, data=data, form=web_form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("sales:web_form_edit", saved.pk)
    hosted = (
        request.build_absolute_uri(reverse("sales:web_form_public", args=[web_form.key])) if web_form else ""
    )
    return render(
        request,
        "sales/web_form_edit.html",
        {"nav": "admin", "form": form, "web_form": web_form, "hosted": hosted},
    )


@login_required
def display_settings(request: HttpRequest) -> HttpResponse:
    """Rial or Toman, and the fiscal calendar: decided once at set-up."""
    user = request_user(request)
    policy.require_admin(user)
    initial = {"unit": "toman" if conf.show_toman() else "rial", "fiscal_calendar": conf.fiscal_calendar()}
    form = DisplayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            display.sales_display_save(actor=user, data=form.display_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: amounts and months now show as you chose."))
            return redirect("sales:display_settings")
    sample = Decimal("53290000")
    return render(
        request,
        "sales/display_settings.html",
        {"nav": "admin", "form": form, "sample_rial": sample, "sample_toman": sample / 10},
    )
