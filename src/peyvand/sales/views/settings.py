"""The administrator's lead settings: scoring rules, assignment rules, web forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import AssignmentRuleForm, ScoreRuleForm, WebFormForm
from ..models import AssignmentRule, ScoreRule, WebForm
from ..selectors import leads as selectors
from ..services import leads, webforms
from ..tasks import rescore_leads


@login_required
def lead_rules(request: HttpRequest) -> HttpResponse:
    """Scoring rules and assignment rules on one page, each with a form to add one."""
    user = request_user(request)
    policy.require_admin(user)
    score_form = ScoreRuleForm(request.POST if request.POST.get("form") == "score" else None, prefix="score")
    assign_form = AssignmentRuleForm(
        request.POST if request.POST.get("form") == "assign" else None, prefix="assign"
    )
    if request.method == "POST":
        form = score_form if request.POST.get("form") == "score" else assign_form
        if form.is_valid():
            try:
                if form is score_form:
                    leads.score_rule_save(actor=user, data={**form.cleaned_data, "active": True})
                else:
                    leads.assignment_rule_save(actor=user, data={**form.cleaned_data, "active": True})
            except ValidationError as exc:
                add_service_errors(form, exc)
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
        },
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    policy.require_admin(request_user(request))
    # Retired, not deleted: old scores still explain themselves.
    if kind == "score":
        get_object_or_404(ScoreRule, pk=pk)
        ScoreRule.objects.filter(pk=pk).update(active=False)
        rescore_leads()
    else:
        get_object_or_404(AssignmentRule, pk=pk)
        AssignmentRule.objects.filter(pk=pk).update(active=False)
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
