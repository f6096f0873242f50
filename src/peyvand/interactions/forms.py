from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peyvand.core import policy
from peyvand.core.forms import BootstrapMixin, LocalDateTimeField
from peyvand.core.models import User
from peyvand.customers.models import ContactPoint
from peyvand.customers.normalize import show_contact_value

from .models import Channel, Direction, Interaction, MessageTemplate, Outcome, Purpose
from .selectors.messaging import templates_for
from .services.interactions import InteractionInput
from .services.messaging import Draft


class InteractionForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.INBOUND)
    occurred_at = LocalDateTimeField(label=_("Date and time"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Details"), required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])
    handled_by = forms.ModelChoiceField(label=_("Handled by"), queryset=User.objects.none(), required=False)
    # The time the form showed; left as shown, the contact happened "now", to the second.
    occurred_at_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        new = "occurred_at" not in kwargs["initial"]
        kwargs["initial"].setdefault("occurred_at", timezone.now())
        kwargs["initial"].setdefault("handled_by", user)
        super().__init__(*args, **kwargs)
        if new:
            shown = self.fields["occurred_at"].widget.format_value(self.initial["occurred_at"])
            self.initial["occurred_at_shown"] = shown
        else:
            del self.fields["occurred_at_shown"]
        users = User.objects.filter(is_active=True).select_related("team")
        allowed = [u.pk for u in users if policy.may_own(user, Interaction, u)]
        field = self.fields["handled_by"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=allowed)
        field.empty_label = None

    def data_for_service(self) -> InteractionInput:
        data = dict(self.cleaned_data)
        shown = data.pop("occurred_at_shown", "")
        if shown and self.data.get(self.add_prefix("occurred_at")) == shown:
            # Shown to the minute; a call logged as it ends must follow what was recorded
            # earlier in that minute (the customer created a moment ago, say).
            data["occurred_at"] = timezone.now()
        if data.get("handled_by") is None:
            data.pop("handled_by", None)
        return InteractionInput(**data)


# --- email and SMS to a customer ----------------------------------------------------------


def _contact_choices(party: Any, kind: str) -> list[tuple[str, str]]:
    points = ContactPoint.objects.filter(party=party, kind=kind).order_by("-is_primary", "id")
    # A phone number reads left to right in a right-to-left page too (LRI … PDI).
    return [
        (p.value, f"\u2066{show_contact_value(p.value)}\u2069" if kind == "phone" else p.value)
        for p in points
    ]


class _SendForm(BootstrapMixin, forms.Form):
    channel = ""
    to = forms.ChoiceField(label=_("To"))
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=MessageTemplate.objects.none(), required=False
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[
            (Purpose.TRANSACTIONAL, Purpose.TRANSACTIONAL.label),
            (Purpose.MARKETING, Purpose.MARKETING.label),
        ],
        initial=Purpose.TRANSACTIONAL,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, party: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.party, self.user = party, user
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = _contact_choices(party, "email" if self.channel == "email" else "phone")
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)
        template.queryset = templates_for(user=user, channel=self.channel)
        template.empty_label = _("No template")
        self.fields["language"].initial = get_language() or settings.LANGUAGE_CODE

    def draft(self) -> Any:
        data = self.cleaned_data
        return Draft(
            to=data["to"],
            subject=data.get("subject", ""),
            body=data["body"],
            purpose=data["purpose"],
            language=data["language"],
            template=data.get("template"),
        )


class EmailForm(_SendForm):
    channel = "email"
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 6}))
    field_order = ["to", "template", "purpose", "language", "subject", "body"]


class SmsForm(_SendForm):
    channel = "sms"
    body = forms.CharField(label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["to", "template", "purpose", "language", "body"]


class TemplateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=MessageTemplate.Kind.choices)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[
            (Purpose.TRANSACTIONAL, Purpose.TRANSACTIONAL.label),
            (Purpose.MARKETING, Purpose.MARKETING.label),
        ],
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Subject (email)"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8}))


class ExtensionForm(BootstrapMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True))
    extension = forms.CharField(label=_("Extension"), max_length=20)
