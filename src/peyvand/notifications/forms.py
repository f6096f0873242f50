from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin

from .reminders import REMINDER_OPTIONS


class PreferenceForm(BootstrapMixin, forms.Form):
    email_reminders = forms.BooleanField(
        label=_("Email me reminders, birthdays and anniversaries"), required=False
    )
    email_alerts = forms.BooleanField(label=_("Email me overdue alerts and escalations"), required=False)
    email_messages = forms.BooleanField(label=_("Email me messages and mentions"), required=False)
    default_reminders = forms.TypedMultipleChoiceField(
        label=_("Reminders a new activity starts with"),
        coerce=int,
        choices=REMINDER_OPTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_reminders"].widget.attrs["class"] = "form-check-input"


class MessageForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"})
    )
