"""Forms of appointments: the customer's booking, and staff's opening of booking for a team."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin
from peyvand.core.models import User
from peyvand.core.text import to_ascii_digits
from peyvand.service.models import BusinessCalendar

from .services.appointments import DAYS_RANGE, LENGTH_RANGE, NOTE_MAX, NOTICE_MAX, SUBJECT_MAX


class BookForm(BootstrapMixin, forms.Form):
    subject = forms.CharField(label=_("What would you like to talk about?"), max_length=SUBJECT_MAX)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
    )


class DigitsIntegerField(forms.IntegerField):
    """A whole number typed in Latin, Persian or Arabic digits."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"})

    def to_python(self, value: Any) -> int | None:
        return super().to_python(to_ascii_digits(str(value)) if value is not None else value)


class BookingSettingsForm(BootstrapMixin, forms.Form):
    active = forms.BooleanField(label=_("Customers may book appointments with this team"), required=False)
    length_minutes = DigitsIntegerField(
        label=_("Length of a meeting (minutes)"), min_value=LENGTH_RANGE[0], max_value=LENGTH_RANGE[1]
    )
    days_ahead = DigitsIntegerField(
        label=_("Days ahead customers may book"), min_value=DAYS_RANGE[0], max_value=DAYS_RANGE[1]
    )
    notice_hours = DigitsIntegerField(label=_("Minimum notice (hours)"), min_value=0, max_value=NOTICE_MAX)
    calendar = forms.ModelChoiceField(
        label=_("Working hours and holidays"),
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label=_("Saturday to Thursday, Iran's official holidays"),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members who take bookings"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(pk__in=[member.pk for member in members]).order_by("pk")
