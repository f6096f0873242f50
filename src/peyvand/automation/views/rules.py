"""Automation pages: the rules (list, ready-made templates, form), a rule with its run log,
switching it on and off, and testing it on a record (a dry run)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.pagination import InvalidCursor

from ..forms import ActionForm, ActionFormSet, ConditionFormSet, RuleFilterForm, RuleForm, RunFilterForm
from ..models import Rule, Trigger
from ..selectors import rules as selectors
from ..services import engine
from ..services import rules as services
from ..targets import RECORD_TYPES

SORT_LABELS = {"name": gettext_lazy("Name"), "updated": gettext_lazy("Updated")}
RUN_SORT_LABELS = {"at": gettext_lazy("When")}
EXTRA_CONDITIONS, EXTRA_ACTIONS = 2, 2


def _require(request: HttpRequest) -> Any:
    user = request_user(request)
    if not services.may_manage(user):
        raise PermissionDenied
    return user


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = RuleFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.rule_list(user=user, filters=filters, sort=sort, cursor=_cursor(request))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("automation:rule_list")
    return render(
        request,
        "automation/rule_list.html",
        {
            "nav": "automation",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "record_type", "active")),
            "templates": services.RULE_TEMPLATES,
            "record_types": RECORD_TYPES,
        },
    )


def _formsets(request: HttpRequest, rule: Rule | None) -> tuple[Any, Any]:
    data = request.POST if request.method == "POST" else None
    conditions_initial: list[dict[str, Any]] = []
    actions_initial: list[dict[str, Any]] = []
    if rule is not None:
        conditions_initial = [{**c, "field": f"{rule.record_type}.{c['field']}"} for c in rule.conditions]
        actions_initial = [ActionForm.initial_for(rule.record_type, a) for a in rule.actions]
    conditions = ConditionFormSet(data, prefix="conditions", initial=conditions_initial or None)
    actions = ActionFormSet(data, prefix="actions", initial=actions_initial or None)
    if data is None:
        conditions.extra, actions.extra = EXTRA_CONDITIONS, EXTRA_ACTIONS
    return conditions, actions


def _rows(formset: Any) -> list[dict[str, Any]]:
    return [row for form in formset.forms if (row := form.row()) is not None]


def _rule_form(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    user = _require(request)
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(rule) if rule else {})
    conditions, actions = _formsets(request, rule)
    if request.method == "POST":
        valid = all([form.is_valid(), conditions.is_valid(), actions.is_valid()])
        if valid:
            data = form.rule_input(_rows(conditions), _rows(actions))
            try:
                if rule is None:
                    rule = services.rule_create(actor=user, data=data)
                else:
                    rule = services.rule_update(rule=rule, actor=user, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc, aliases=_aliases(data.trigger))
            else:
                messages.success(request, _("The rule was saved."))
                return redirect("automation:rule_detail", rule.pk)
    return render(
        request,
        "automation/rule_form.html",
        {"nav": "automation", "form": form, "conditions": conditions, "actions": actions, "rule": rule},
        status=422 if request.method == "POST" else 200,
    )


def _aliases(trigger: str) -> dict[str, str]:
    """Where the service's errors show on the form: the conditions' and actions' above it."""
    dated = trigger in (Trigger.AFTER_DATE, Trigger.BEFORE_DATE)
    return {
        "conditions": "",
        "actions": "",
        "trigger_field": "date_field" if dated else "trigger_field",
        "trigger_value": "stage" if trigger == Trigger.STAGE_ENTERED else "trigger_value",
    }


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(user=_require(request), pk=pk)
    return _rule_form(request, rule)


@login_required
@require_POST
def rule_from_template(request: HttpRequest, key: str) -> HttpResponse:
    user = _require(request)
    try:
        rule = services.rule_from_template(actor=user, key=key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("automation:rule_list")
    messages.success(request, _("The rule was made, switched off: test it on a record, then switch it on."))
    return redirect("automation:rule_detail", rule.pk)


@login_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    rule = selectors.rule_get(user=user, pk=pk)
    sort = request.GET.get("sort") or selectors.DEFAULT_RUN_SORT
    sort = sort if sort in selectors.RUN_SORTS else selectors.DEFAULT_RUN_SORT
    form = RunFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.run_list(user=user, rule=rule, filters=filters, sort=sort, cursor=_cursor(request))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("automation:rule_detail", rule.pk)
    kind = RECORD_TYPES[rule.record_type]
    return render(
        request,
        "automation/rule_detail.html",
        {
            "nav": "automation",
            "rule": rule,
            "kind": kind,
            "summary": _summary(rule),
            "form": form,
            "page": page,
            "columns": sort_columns(sort, RUN_SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("status", "record")),
        },
    )


def _summary(rule: Rule) -> dict[str, Any]:
    kind = RECORD_TYPES[rule.record_type]
    return {
        "conditions": [engine.condition_label(kind, c) for c in rule.conditions],
        "actions": [engine.action_label(kind, a) for a in rule.actions],
        "trigger_field": kind.fields[rule.trigger_field].label
        if rule.trigger_field in kind.fields
        else kind.date_fields.get(rule.trigger_field, ""),
        "trigger_value": engine.trigger_value_label(rule),
    }


@login_required
@require_POST
def rule_switch(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    rule = selectors.rule_get(user=user, pk=pk)
    active = request.POST.get("active") == "on"
    services.rule_switch(rule=rule, actor=user, active=active)
    messages.success(request, _("The rule is switched on.") if active else _("The rule is switched off."))
    return redirect("automation:rule_detail", rule.pk)


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    rule = selectors.rule_get(user=user, pk=pk)
    services.rule_delete(rule=rule, actor=user)
    messages.success(request, _("The rule was deleted."))
    return redirect("automation:rule_list")


@login_required
def rule_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a record (by name or id) and see what the rule would do to it; nothing is written."""
    user = _require(request)
    rule = selectors.rule_get(user=user, pk=pk)
    query = (request.GET.get("q") or "")[:200]
    found = selectors.records_find(user=user, rule=rule, query=query)
    result = record = None
    if request.method == "POST":
        record = selectors.record_get(user=user, rule=rule, pk=request.POST.get("record"))
        result = engine.rule_test(rule=rule, record=record, actor=user)
    return render(
        request,
        "automation/rule_test.html",
        {
            "nav": "automation",
            "rule": rule,
            "kind": RECORD_TYPES[rule.record_type],
            "query": query,
            "found": found,
            "record": record,
            "result": result,
        },
    )
