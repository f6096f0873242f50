from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, LocalDateField, LocalDateTimeField
from peyvand.core.models import Team, User
from peyvand.core.selectors.users import assignable
from peyvand.customers.models import Party
from peyvand.customers.selectors.parties import party_get
from peyvand.interactions.models import Outcome
from peyvand.notifications.reminders import REMINDER_OPTIONS
from peyvand.sales.models import Deal

from . import selectors
from .models import Kind, Priority, Repeat
from .models.activities import Activity
from .presets import PRESETS


class ActivityForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices, initial=Kind.CALL)
    title = forms.CharField(label=_("Title"), max_length=200)
    party = forms.CharField(label=_("Customer"), required=False, widget=forms.HiddenInput)
    deal = forms.ModelChoiceField(
        label=_("Deal"), queryset=Deal.objects.none(), required=False, empty_label=_("No deal")
    )
    due_at = LocalDateTimeField(label=_("Due (or starts)"))
    ends_at = LocalDateTimeField(label=_("Ends"), required=False)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none())
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    description = forms.CharField(
        label=_("Details"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reminders = forms.TypedMultipleChoiceField(
        label=_("Remind me"),
        coerce=int,
        choices=REMINDER_OPTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    repeat = forms.ChoiceField(label=_("Repeats"), choices=Repeat.choices, required=False)
    # Only asked for when it repeats: an empty box on a one-off activity is no error.
    repeat_every = forms.IntegerField(label=_("Every"), min_value=1, max_value=365, initial=1, required=False)
    repeat_until = LocalDateField(label=_("Until"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in assignable(user=user, model=Activity)])
        field.empty_label = None
        self.fields["reminders"].widget.attrs["class"] = "form-check-input"
        deal = self.fields["deal"]
        assert isinstance(deal, forms.ModelChoiceField)
        deal.queryset = selectors.deals.deal_choices(
            user=user, party_id=self["party"].value(), current_id=self["deal"].value()
        )
        if not deal.queryset.exists():
            deal.widget = forms.HiddenInput()  # nothing to choose from: keep the form short

    def clean_party(self) -> Party | None:
        value = self.cleaned_data.get("party") or ""
        if not value:
            return None
        try:
            return party_get(user=self.user, pk=value)
        except Http404:
            raise ValidationError(_("Choose a customer you can see.")) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("repeat")
            and cleaned.get("repeat_every") is None
            and "repeat_every" not in self.errors
        ):
            self.add_error("repeat_every", _("Enter how often it repeats."))
        return cleaned

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reminders", None)
        data["repeat"] = data.get("repeat") or ""
        data["repeat_every"] = data.get("repeat_every") or 1
        return data


FOLLOW_UP_CHOICES = [("", _("No follow-up")), *PRESETS.items(), ("custom", _("On a date I choose"))]


class CompleteForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])
    note = forms.CharField(
        label=_("What happened"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up = forms.ChoiceField(
        label=_("Schedule the follow-up"), required=False, choices=FOLLOW_UP_CHOICES, widget=forms.RadioSelect
    )
    follow_up_at = LocalDateTimeField(label=_("Follow-up date"), required=False)
    follow_up_kind = forms.ChoiceField(label=_("Follow-up type"), choices=Kind.choices, initial=Kind.CALL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("follow_up") == "custom" and not data.get("follow_up_at"):
            self.add_error("follow_up_at", _("Choose when to follow up."))
        return data


class TeamSettingsForm(BootstrapMixin, forms.Form):
    escalate = forms.BooleanField(label=_("Escalate ignored activities"), required=False)
    escalation_hours = forms.DecimalField(
        label=_("After (hours overdue)"), min_value=0, max_value=1440, decimal_places=2, max_digits=7
    )
    escalate_to = forms.ModelChoiceField(
        label=_("To"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("The team's managers"),
    )

    def __init__(self, *args: Any, team: Team, people: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"team{team.pk}", **kwargs)
        self.team = team
        if people is not None:
            # One list of users for every team's form on the page, not a query per form.
            field = self.fields["escalate_to"]
            assert isinstance(field, forms.ModelChoiceField)
            field.choices = [("", field.empty_label), *((person.pk, str(person)) for person in people)]

    def data_for_service(self) -> dict[str, Any]:
        return {
            "escalate": self.cleaned_data["escalate"],
            "escalation_delay_minutes": int(self.cleaned_data["escalation_hours"] * 60),
            "escalate_to": self.cleaned_data["escalate_to"],
        }
