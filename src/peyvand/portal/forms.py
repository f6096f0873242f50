"""The portal app's forms: the customer's (signing in, a ticket, a reply, the knowledge base
search) and staff's invitation. Digits may be typed in Persian or Arabic anywhere a number
is asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, DigitsCharField
from peyvand.core.text import to_ascii_digits
from peyvand.customers.models import ContactPoint, Membership, Party
from peyvand.customers.normalize import display_phone
from peyvand.sales.models import Order
from peyvand.service.models import Kind

from .models import ChangeStatus, Channel
from .services import accounts
from .services.activity import BODY_MAX, KINDS, SUBJECT_MAX


class SignInForm(BootstrapMixin, forms.Form):
    identifier = DigitsCharField(label=_("Email or mobile number"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class CodeRequestForm(BootstrapMixin, forms.Form):
    identifier = DigitsCharField(label=_("Email or mobile number"), max_length=254)


class CodeForm(BootstrapMixin, forms.Form):
    identifier = DigitsCharField(label=_("Email or mobile number"), max_length=254, widget=forms.HiddenInput)
    code = DigitsCharField(
        label=_("Sign-in code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Type the digits of the code you received."))
        return code


class SetPasswordForm(BootstrapMixin, forms.Form):
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)
    password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, max_length=128)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class TicketForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=[(k.value, k.label) for k in KINDS])
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=BODY_MAX
    )
    order = forms.ChoiceField(label=_("Order (if it is about one)"), required=False)

    def __init__(self, *args: Any, orders: list[Order], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders = {str(order.pk): order for order in orders}
        choices: list[tuple[str, str]] = [("", str(_("(none)")))]
        choices += [(str(order.pk), order.number) for order in orders]
        order_field = self.fields["order"]
        assert isinstance(order_field, forms.ChoiceField)
        order_field.choices = choices
        self.fields["kind"].initial = Kind.QUESTION

    def chosen_order(self) -> Order | None:
        return self._orders.get(self.cleaned_data.get("order") or "")


class ReplyForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=BODY_MAX
    )


class DigitsChoiceField(forms.TypedChoiceField):
    """A choice of numbers that takes Persian and Arabic digits as well."""

    def to_python(self, value: Any) -> str:
        return to_ascii_digits(super().to_python(value))


class RatingForm(BootstrapMixin, forms.Form):
    score = DigitsChoiceField(
        label=_("How did we do?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why? (optional)"), max_length=500, required=False)


class PreferencesForm(BootstrapMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("fa", "فارسی"), ("en", "English")])
    email_consent = forms.BooleanField(label=_("You may send me news and offers by email"), required=False)
    sms_consent = forms.BooleanField(label=_("You may send me news and offers by SMS"), required=False)


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search the help articles"), max_length=200, required=False)


class InviteForm(BootstrapMixin, forms.Form):
    """Staff's invitation: one of the person's email addresses or mobile numbers."""

    contact = forms.ChoiceField(label=_("Send the invitation to"))
    can_see_organisation = forms.BooleanField(
        label=_("May see the records of the organisations this person belongs to"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("fa", "فارسی"), ("en", "English")])

    def __init__(self, *args: Any, party: Party, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        found = party.contact_points.filter(
            deleted_at__isnull=True, kind__in=(ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE)
        ).order_by("kind", "-is_primary", "id")
        self._points = {
            str(point.pk): point
            for point in found
            if point.kind == ContactPoint.Kind.EMAIL or accounts.takes_sms(point.value)
        }
        contact_field = self.fields["contact"]
        assert isinstance(contact_field, forms.ChoiceField)
        contact_field.choices = [
            (
                str(point.pk),
                (_("Email: %(address)s") if point.kind == ContactPoint.Kind.EMAIL else _("SMS: %(address)s"))
                % {
                    "address": point.value
                    if point.kind == ContactPoint.Kind.EMAIL
                    else display_phone(point.value)
                },
            )
            for point in self._points.values()
        ]

    def chosen(self) -> tuple[ContactPoint, str]:
        point = self._points[self.cleaned_data["contact"]]
        return point, Channel.EMAIL if point.kind == ContactPoint.Kind.EMAIL else Channel.SMS


class DetailsForm(BootstrapMixin, forms.Form):
    """The customer's own details; a job title per organisation they belong to."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.CharField(
        label=_("Email"), max_length=254, required=False, widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    phone = DigitsCharField(
        label=_("Mobile"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}),
    )
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    postal_code = DigitsCharField(
        label=_("Postal code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for membership in memberships:
            self.fields[f"title_{membership.pk}"] = forms.CharField(
                label=_("Job title at %(organisation)s")
                % {"organisation": membership.organisation.display_name},
                max_length=100,
                required=False,
            )

    def titles(self) -> dict[int, str]:
        return {
            int(name.removeprefix("title_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("title_")
        }

    def aliases(self) -> dict[str, str]:
        """The service's names of fields -> this form's."""
        return {
            f"title:{name.removeprefix('title_')}": name for name in self.fields if name.startswith("title_")
        }


class OrganisationAddressForm(BootstrapMixin, forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    postal_code = DigitsCharField(
        label=_("Postal code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, organisations: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(org.pk): org for org in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(org.pk), org.display_name) for org in organisations]

    def chosen(self) -> Party:
        return self._organisations[self.cleaned_data["organisation"]]


class ChangeFilterForm(BootstrapMixin, forms.Form):
    """Staff's list of changes made in the portal: by status, sorted."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("pending", _("Waiting for review")),
            ("", _("Any status")),
            *[(value, label) for value, label in ChangeStatus.choices if value != "pending"],
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")), ("customer", _("Customer"))],
    )


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why? (optional)"), max_length=500, required=False)
