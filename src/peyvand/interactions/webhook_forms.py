"""The form an administrator keeps an outgoing webhook with (interactions.forms is the app's
other forms; this one is apart so the webhook feature stays in its own modules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin

from .services.webhooks import NAME_MAX_LENGTH, URL_MAX_LENGTH, WebhookInput
from .webhook_events import EVENTS


class WebhookForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=URL_MAX_LENGTH,
        help_text=_("A public https address; Peyvand POSTs each event there as JSON."),
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "https://example.com/peyvand"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checkboxes, not a select: BootstrapMixin gave them form-control.
        self.fields["events"].widget.attrs["class"] = "form-check-input"

    def to_input(self) -> WebhookInput:
        data = self.cleaned_data
        return WebhookInput(
            name=data["name"], url=data["url"], events=tuple(data["events"]), active=data["active"]
        )
