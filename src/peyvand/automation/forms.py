"""The rule form (its trigger, a formset of conditions and one of actions), the list's
filters, and the run log's filters. Fields of a record are offered as ``<kind>.<field>``
grouped by kind; the service checks that they belong to the rule's kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin
from peyvand.core.models import Team, User
from peyvand.interactions.models import MessageTemplate, WebhookEndpoint

from .models import Run, Trigger
from .services.rules import ACTION_TYPES, ASSIGN_MODES, OPS, RuleInput
from .targets import RECORD_TYPES, record_choices

OP_LABELS = {
    "equals": _("is"),
    "not_equals": _("is not"),
    "contains": _("contains"),
    "empty": _("is empty"),
    "not_empty": _("is not empty"),
    "greater": _("is greater than"),
    "less": _("is less than"),
}
ACTION_LABELS = {
    "set_field": _("Set a field"),
    "assign": _("Assign"),
    "add_tag": _("Add a tag to the customer"),
    "create_activity": _("Create an activity for the owner"),
    "send_email": _("Send an email from a template"),
    "send_sms": _("Send an SMS from a template"),
    "notify": _("Notify a user"),
    "webhook": _("Call a webhook"),
}
MODE_LABELS = {
    "user": _("This user"),
    "round_robin": _("Round-robin in the team"),
    "least_loaded": _("The least loaded in the team"),
}


def _grouped(fields_of: Any, *, settable: bool = False) -> list[Any]:
    groups: list[Any] = [("", _("(none)"))]
    for key, kind in RECORD_TYPES.items():
        options = [
            (f"{key}.{name}", str(label))
            for name, label in fields_of(kind)
            if not settable or kind.fields[name].settable
        ]
        groups.append((str(kind.label_plural), options))
    return groups


def _field_choices(settable: bool = False) -> list[Any]:
    return _grouped(lambda kind: [(n, s.label) for n, s in kind.fields.items()], settable=settable)


def _date_choices() -> list[Any]:
    return _grouped(lambda kind: list(kind.date_fields.items()))


def _stage_choices() -> list[Any]:
    groups: list[Any] = [("", _("(none)"))]
    for key, kind in RECORD_TYPES.items():
        spec = kind.fields[kind.stage_field]
        groups.append((str(kind.label_plural), [(f"{key}.{v}", label) for v, label in spec.options()]))
    return groups


def _strip(value: str, record_type: str) -> str:
    """``lead.stage`` -> ``stage`` for a lead rule; another kind's field is refused by the service."""
    kind, _dot, name = (value or "").partition(".")
    if not name:
        return value or ""
    return name if kind == record_type else f"?{name}"


class RuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    record_type = forms.ChoiceField(label=_("Record"), choices=record_choices)
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices)
    trigger_field = forms.ChoiceField(label=_("Field changed"), required=False, choices=_field_choices)
    trigger_value = forms.CharField(
        label=_("Changed to (optional)"), required=False, max_length=200, help_text=_("Any value when empty.")
    )
    stage = forms.ChoiceField(label=_("Stage or status entered"), required=False, choices=_stage_choices)
    date_field = forms.ChoiceField(label=_("Date"), required=False, choices=_date_choices)
    days = forms.CharField(
        label=_("Days"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        initial = {
            "name": rule.name,
            "description": rule.description,
            "record_type": rule.record_type,
            "trigger": rule.trigger,
            "days": rule.days or "",
        }
        prefixed = f"{rule.record_type}.{rule.trigger_field}" if rule.trigger_field else ""
        if rule.trigger == Trigger.FIELD_CHANGED:
            initial.update(trigger_field=prefixed, trigger_value=rule.trigger_value)
        elif rule.trigger == Trigger.STAGE_ENTERED:
            initial["stage"] = f"{rule.record_type}.{rule.trigger_value}"
        elif rule.trigger in (Trigger.AFTER_DATE, Trigger.BEFORE_DATE):
            initial["date_field"] = prefixed
        return initial

    def rule_input(self, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]) -> RuleInput:
        data = self.cleaned_data
        record_type = data["record_type"]
        trigger = data["trigger"]
        trigger_field, trigger_value = "", ""
        if trigger == Trigger.FIELD_CHANGED:
            trigger_field, trigger_value = (
                _strip(data.get("trigger_field", ""), record_type),
                data["trigger_value"],
            )
        elif trigger == Trigger.STAGE_ENTERED:
            trigger_value = _strip(data.get("stage", ""), record_type)
        elif trigger in (Trigger.AFTER_DATE, Trigger.BEFORE_DATE):
            trigger_field = _strip(data.get("date_field", ""), record_type)
        return RuleInput(
            name=data["name"],
            description=data.get("description", ""),
            record_type=record_type,
            trigger=trigger,
            trigger_field=trigger_field,
            trigger_value=trigger_value,
            days=data.get("days") or 0,
            conditions=[{**row, "field": _strip(row.get("field", ""), record_type)} for row in conditions],
            actions=[{**row, "field": _strip(row.get("field", ""), record_type)} for row in actions],
        )


class ConditionForm(BootstrapMixin, forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False, choices=_field_choices)
    op = forms.ChoiceField(label=_("Comparison"), required=False, choices=[(op, OP_LABELS[op]) for op in OPS])
    value = forms.CharField(label=_("Value"), required=False, max_length=200)

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("field"):
            return None
        return {"field": data["field"], "op": data.get("op", ""), "value": data.get("value", "")}


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "id")


def _templates(channel: str) -> Any:
    return MessageTemplate.objects.filter(channel=channel, deleted_at=None).order_by("name", "id")


class ActionForm(BootstrapMixin, forms.Form):
    type = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("(none)")), *[(key, ACTION_LABELS[key]) for key in ACTION_TYPES]],
    )
    field = forms.ChoiceField(label=_("Field to set"), required=False, choices=lambda: _field_choices(True))
    value = forms.CharField(label=_("New value"), required=False, max_length=200)
    mode = forms.ChoiceField(
        label=_("Assign to"), required=False, choices=[(key, MODE_LABELS[key]) for key in ASSIGN_MODES]
    )
    user = forms.ModelChoiceField(
        label=_("User"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("first_name", "id"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.order_by("name", "id"),
        empty_label=_("Everyone who may own it"),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("Activity"), required=False, choices=[("task", _("Task")), ("call", _("Call"))]
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    due_days = forms.CharField(
        label=_("Due in days"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    email_template = forms.ModelChoiceField(
        label=_("Email template"), required=False, queryset=_templates("email")
    )
    sms_template = forms.ModelChoiceField(label=_("SMS template"), required=False, queryset=_templates("sms"))
    to = forms.ModelChoiceField(
        label=_("Tell"),
        required=False,
        queryset=_active_users(),
        empty_label=_("The record's owner"),
    )
    text = forms.CharField(label=_("Message"), required=False, max_length=500)
    webhook = forms.ModelChoiceField(
        label=_("Webhook"), required=False, queryset=WebhookEndpoint.objects.order_by("name", "id")
    )

    @staticmethod
    def initial_for(record_type: str, action: Mapping[str, Any]) -> dict[str, Any]:
        kind = action.get("type", "")
        initial: dict[str, Any] = {"type": kind}
        if kind == "set_field":
            initial.update(field=f"{record_type}.{action['field']}", value=action.get("value", ""))
        elif kind == "assign":
            initial.update(mode=action.get("mode"), user=action.get("user"), team=action.get("team"))
        elif kind == "add_tag":
            initial["tag"] = action.get("tag", "")
        elif kind == "create_activity":
            initial.update(kind=action.get("kind"), title=action.get("title"), due_days=action.get("days"))
        elif kind == "send_email":
            initial["email_template"] = action.get("template")
        elif kind == "send_sms":
            initial["sms_template"] = action.get("template")
        elif kind == "notify":
            initial.update(
                to=None if action.get("to") == "owner" else action.get("to"), text=action.get("text")
            )
        elif kind == "webhook":
            initial["webhook"] = action.get("webhook")
        return initial

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        kind = data.get("type")
        if not kind:
            return None

        def pk(value: Any) -> Any:
            return value.pk if value is not None else ""

        return {
            "type": kind,
            "field": data.get("field", ""),
            "value": data.get("value", ""),
            "mode": data.get("mode", ""),
            "user": pk(data.get("user")),
            "team": pk(data.get("team")),
            "tag": data.get("tag", ""),
            "kind": data.get("kind", ""),
            "title": data.get("title", ""),
            "days": data.get("due_days", ""),
            "template": pk(data.get("email_template") if kind == "send_email" else data.get("sms_template")),
            "to": pk(data.get("to")) or "owner",
            "text": data.get("text", ""),
            "webhook": pk(data.get("webhook")),
        }


ConditionFormSet = forms.formset_factory(ConditionForm, extra=0, max_num=10, absolute_max=10)
ActionFormSet = forms.formset_factory(ActionForm, extra=0, max_num=10, absolute_max=10)


class RuleFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    record_type = forms.ChoiceField(
        label=_("Record"), required=False, choices=lambda: [("", _("Any")), *record_choices()]
    )
    active = forms.ChoiceField(
        label=_("Switched on"),
        required=False,
        choices=[("", _("Any")), ("on", _("On")), ("off", _("Off"))],
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class RunFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any")), *Run.Status.choices]
    )
    record = forms.CharField(
        label=_("Record id"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
