"""Form building blocks shared by every app: bilingual date fields and service error mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext_lazy as _

from . import jalali
from .inputs import UNSET, Unset
from .models import AuditEvent, CustomRole, Role, Team, User
from .services.company import MAX_LOGO_BYTES, CompanyProfileInput
from .services.two_factor import CodeInput
from .text import to_ascii_digits


class FormRenderer(TemplatesSetting):
    """Forms render with Bootstrap markup from our own templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class LocalDateInput(forms.TextInput):
    """A Jalali picker in Persian, the browser's date picker in English."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        if jalali.uses_jalali(get_language()):
            attrs.update(
                {
                    "data-jdp": "",
                    "data-jdp-only-date": "",
                    "autocomplete": "off",
                    "placeholder": _("year/month/day"),
                    "inputmode": "numeric",
                    "dir": "ltr",
                }
            )
            self.input_type = "text"
        else:
            self.input_type = "date"
        return super().get_context(name, value, attrs)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return jalali.input_date(value, get_language())
        # Typed text shown again (the form had an error): digits the picker can read.
        return to_ascii_digits(super().format_value(value) or "") or None


class LocalDateTimeInput(forms.TextInput):
    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        if jalali.uses_jalali(get_language()):
            attrs.update(
                {
                    "data-jdp": "",
                    "autocomplete": "off",
                    "placeholder": _("year/month/day hour:minute"),
                    "dir": "ltr",
                }
            )
            self.input_type = "text"
        else:
            self.input_type = "datetime-local"
        return super().get_context(name, value, attrs)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            return jalali.input_datetime(value, get_language())
        return to_ascii_digits(super().format_value(value) or "") or None


class LocalDateField(forms.Field):
    """A date typed in Jalali or Gregorian, in Persian, Arabic or Latin digits."""

    widget = LocalDateInput
    default_error_messages = {"invalid": _("Enter a valid date.")}

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return jalali.parse_date(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None


class LocalDateTimeField(forms.Field):
    widget = LocalDateTimeInput
    default_error_messages = {"invalid": _("Enter a valid date and time.")}

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        try:
            return jalali.parse_datetime(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None


class DigitsCharField(forms.CharField):
    """Text in which Persian and Arabic digits count as digits (national IDs, postal codes)."""

    def to_python(self, value: Any) -> str:
        return to_ascii_digits(super().to_python(value) or "")


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form fields they belong to."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


DJANGO_EMPTY_LABEL = "---------"
NO_CHOICE = gettext_lazy("(none)")


class BootstrapMixin:
    """Give every widget Bootstrap's classes so templates can render fields plainly, and
    write the numbers of error messages in the interface's digits (Django's own messages,
    "at most 100 characters (it has 150)", come with ASCII digits in every language)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            _name_empty_choice(field)

    def add_error(self, field: str | None, error: Any) -> None:
        # Every error passes here: the fields' own, clean()'s and the services'.
        super().add_error(field, error)  # type: ignore[misc]
        if jalali.uses_jalali(get_language()):
            for messages in self._errors.values():  # type: ignore[attr-defined]
                messages.data = [_local_error(e) for e in messages.as_data()]


def _name_empty_choice(field: forms.Field) -> None:
    """Django's "---------" for no choice reads as a glitch: say "(none)" in words."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = NO_CHOICE
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [(key, NO_CHOICE if text == DJANGO_EMPTY_LABEL else text) for key, text in choices]


def _local_error(error: ValidationError) -> ValidationError:
    return ValidationError(jalali.local_numbers(" ".join(error.messages)), code=error.code)


COMMON_TIME_ZONES = sorted(
    {
        "Asia/Tehran",
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Istanbul",
        "Asia/Dubai",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Kabul",
        "Asia/Dushanbe",
        "Australia/Sydney",
        "Asia/Tokyo",
        "Asia/Baku",
        "Europe/Paris",
        "Canada/Eastern",
    }
)


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass


class TwoFactorCodeForm(BootstrapMixin, forms.Form):
    """Six digits from the authenticator app (Persian and Arabic digits too), or a recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "dir": "ltr", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def input(self) -> CodeInput:
        return CodeInput(self.cleaned_data["code"])


class TwoFactorProofForm(BootstrapMixin, forms.Form):
    """Proof it is really the user, before their second factor changes: a code or the password."""

    code = forms.CharField(
        label=gettext_lazy("A current code or a recovery code"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "dir": "ltr", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Or your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def input(self) -> CodeInput:
        return CodeInput(self.cleaned_data.get("code") or "")


class TwoFactorRolesForm(BootstrapMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles that must use two-factor sign-in"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = all_role_choices()  # type: ignore[attr-defined]


def all_role_choices() -> list[tuple[str, str]]:
    """The built-in roles, then the custom ones ("custom-<id>", named in the reader's language)."""
    custom = [(f"custom-{role.pk}", str(role)) for role in CustomRole.objects.all()]
    return [*((value, str(label)) for value, label in Role.choices), *custom]


class CustomRoleForm(BootstrapMixin, forms.Form):
    name_fa = forms.CharField(label=gettext_lazy("Name in Persian"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=100)


class CustomRoleCopyForm(CustomRoleForm):
    source = forms.ChoiceField(label=gettext_lazy("Copy of"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in all_role_choices() if value != Role.ADMIN
        ]


# Each language named in itself, as a reader of that language looks for it in any interface.
LANGUAGE_NAMES = [(User.Language.PERSIAN.value, "فارسی"), (User.Language.ENGLISH.value, "English")]


class PreferencesForm(BootstrapMixin, forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_NAMES)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(z, z) for z in COMMON_TIME_ZONES]
    )


class PasswordForm(BootstrapMixin, PasswordChangeForm):
    revoke_tokens = forms.BooleanField(
        label=_("Also revoke my API tokens (a script using one must get a new one)"),
        required=False,
        initial=True,
    )


class InvitationForm(BootstrapMixin, SetPasswordForm):
    """An invited colleague's first password, typed twice; Django's validators judge it."""


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("For example the name of the system that will use it."),
    )


class UserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.all(), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("Follow the browser")), *LANGUAGE_NAMES],
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(z, z) for z in COMMON_TIME_ZONES]
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = all_role_choices()  # type: ignore[attr-defined]


class UserCreateForm(UserForm):
    invite = forms.BooleanField(
        label=gettext_lazy("Send an invitation by email"),
        help_text=gettext_lazy(
            "The user gets a link to choose their own password, good for a week; "
            "otherwise a password is made now and shown to you once."
        ),
        required=False,
        initial=True,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("invite") and not data.get("email"):
            self.add_error("email", gettext_lazy("Enter the email address the invitation goes to."))
        return data


class TeamForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=100)


class AuditFilterForm(BootstrapMixin, forms.Form):
    actor = forms.ModelChoiceField(label=gettext_lazy("Who"), queryset=User.objects.all(), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Any change")), *AuditEvent.Kind.choices],
    )
    date_from = LocalDateField(label=gettext_lazy("From"), required=False)
    date_to = LocalDateField(label=gettext_lazy("To"), required=False)


class CompanyProfileForm(BootstrapMixin, forms.Form):
    """The company profile's fields; the service decides what is valid (digits, check digits)."""

    legal_name_fa = forms.CharField(
        label=gettext_lazy("Legal name in Persian"),
        required=False,
        widget=forms.TextInput({"maxlength": 200}),
    )
    legal_name_en = forms.CharField(
        label=gettext_lazy("Legal name in English"),
        required=False,
        widget=forms.TextInput({"maxlength": 200, "dir": "ltr"}),
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy(
            "A PNG or JPEG image of at most 1 MB, printed at the top of quotes and invoices."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    economic_code = DigitsCharField(
        label=gettext_lazy("Economic code"),
        required=False,
        max_length=40,
        widget=forms.TextInput({"dir": "ltr", "inputmode": "numeric"}),
    )
    national_id = DigitsCharField(
        label=gettext_lazy("National ID of the company"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("The 11-digit national ID of the legal entity."),
        widget=forms.TextInput({"dir": "ltr", "inputmode": "numeric"}),
    )
    registration_number = DigitsCharField(
        label=gettext_lazy("Registration number"), required=False, max_length=40
    )
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, widget=forms.Textarea({"rows": 2, "maxlength": 400})
    )
    postal_code = DigitsCharField(
        label=gettext_lazy("Postal code"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("10 digits."),
        widget=forms.TextInput({"dir": "ltr", "inputmode": "numeric"}),
    )
    phone = DigitsCharField(
        label=gettext_lazy("Phone"), required=False, max_length=40, widget=forms.TextInput({"dir": "ltr"})
    )
    iban = DigitsCharField(
        label=gettext_lazy("IBAN (Sheba)"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("IR followed by 24 digits; printed on invoices for payment."),
        widget=forms.TextInput({"dir": "ltr", "placeholder": "IR00 0000 0000 0000 0000 0000 00"}),
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank"), required=False, max_length=100)
    default_terms = forms.CharField(
        label=gettext_lazy("Terms"),
        required=False,
        help_text=gettext_lazy("Printed at the foot of every quote and invoice."),
        widget=forms.Textarea({"rows": 4}),
    )

    brand_colour = forms.CharField(
        label=gettext_lazy("Brand colour"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "The customer portal's main colour, as # and six hexadecimal digits (#1f6feb); "
            "its text is black or white, whichever reads better."
        ),
        widget=forms.TextInput({"dir": "ltr", "placeholder": "#1f6feb"}),
    )
    portal_review_details = forms.BooleanField(
        label=gettext_lazy("Review changes to contact details before they apply"),
        required=False,
        help_text=gettext_lazy(
            "A customer's new name, email, phone, address or job title from the portal waits for "
            "staff's approval. Their language and consent always apply at once."
        ),
    )

    def profile_input(self) -> CompanyProfileInput:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("logo", "remove_logo")}
        upload = self.cleaned_data.get("logo")
        logo: bytes | Unset | None = UNSET
        if upload:
            logo = upload.read(MAX_LOGO_BYTES + 1)  # one byte over is enough to refuse it
        elif self.cleaned_data.get("remove_logo"):
            logo = None
        return CompanyProfileInput(**data, logo=logo)
