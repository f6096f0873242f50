"""The partner portal's forms (a registration, a deal's update) and the channel manager's
(a partner's terms, a target, inviting a user, deciding a registration). Numbers may be
typed with Persian or Arabic digits; the services validate the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, DigitsCharField
from peyvand.core.models import User
from peyvand.customers.models import ContactPoint, Party
from peyvand.sales.models import PriceList, Stage

from .models import PartnerKind, RegistrationKind, RegistrationStatus


class RegistrationForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Register"), choices=RegistrationKind.choices, initial=RegistrationKind.DEAL
    )
    customer_name = forms.CharField(label=_("Customer's name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = DigitsCharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    product_interest = forms.CharField(label=_("Product interest"), max_length=200, required=False)
    expected_value = DigitsCharField(label=_("Expected value"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PartnerDealForm(BootstrapMixin, forms.Form):
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False)
    lost_reason = forms.CharField(label=_("Reason lost"), max_length=500, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stages = {stage.pk: stage for stage in stages}
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(stage.pk, stage.name) for stage in stages]

    def chosen_stage(self) -> Stage | None:
        return self._stages.get(self.cleaned_data.get("stage") or 0)


class PartnerForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    commission_rate = DigitsCharField(label=_("Commission (%)"), max_length=10)
    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.filter(active=True), required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TargetForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, q) for q in (1, 2, 3, 4)])
    amount = DigitsCharField(label=_("Target"), max_length=40)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(year, year) for year in years]


class PartnerInviteForm(BootstrapMixin, forms.Form):
    contact = forms.TypedChoiceField(label=_("Send to"), coerce=int)
    language = forms.ChoiceField(label=_("Language"), choices=[("fa", "فارسی"), ("en", "English")])

    def __init__(self, *args: Any, contacts: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = ContactPoint.objects.filter(
            party__in=contacts, kind=ContactPoint.Kind.EMAIL, deleted_at__isnull=True
        ).select_related("party")
        self._points = {point.pk: point for point in points}
        field = self.fields["contact"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(point.pk, f"{point.party.display_name} — {point.value}") for point in points]

    def chosen(self) -> ContactPoint:
        return self._points[self.cleaned_data["contact"]]


class ApproveForm(BootstrapMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )


class DecideRejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RegistrationFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Every status")), *RegistrationStatus.choices],
        required=False,
    )


class DealFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Every status")), ("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))],
        required=False,
    )
