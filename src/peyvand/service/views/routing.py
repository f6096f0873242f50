"""The assignment rules and the agents' skills (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import RuleForm, SkillForm
from ..models import AssignmentRule, Skill
from ..selectors import routing as selectors
from ..services import routing as services


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    policy.require_admin(request_user(request))
    return render(
        request,
        "service/rules.html",
        {"nav": "admin", "rules": selectors.rules(), "skills": selectors.skills()},
    )


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk else None
    initial = {name: getattr(rule, name) for name in RuleForm.base_fields} if rule else None
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_rule_save(actor=user, data=form.rule_input(), rule=rule)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assignment rule was saved."))
            return redirect("service:rules")
    return render(request, "service/rule_form.html", {"nav": "admin", "form": form, "rule": rule})


@login_required
def skill_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    skill = get_object_or_404(Skill, pk=pk) if pk else None
    initial = {"name": skill.name, "agents": list(skill.agents.all())} if skill else None
    form = SkillForm(request.POST or None, initial=initial, agents=selectors.support_agents())
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_save(actor=user, data=form.skill_input(), skill=skill)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The skill was saved."))
            return redirect("service:rules")
    return render(request, "service/skill_form.html", {"nav": "admin", "form": form, "skill": skill})
