"""Forms of the customer pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core.converters import is_id
from peyvand.core.custom_field_forms import CustomFieldsMixin, add_filters, filters_from
from peyvand.core.forms import BootstrapMixin, DigitsCharField, LocalDateField, add_service_errors
from peyvand.core.models import User
from peyvand.core.selectors.custom_fields import definitions_for
from peyvand.core.text import to_ascii_digits

from . import selectors, services
from .models import ContactPoint, Kind, Party, Source, Stage
from .rules import ContactChanges, ContactInput, PartyInput
from .selectors.parties import NO_OWNER
from .templatetags.customers import consent_source


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.team})" if obj.team_id else str(obj)


MAX_ID = 10**18 - 1


def _tags(value: str) -> list[str]:
    return [t.strip() for t in value.replace("،", ",").split(",") if t.strip()]


class PartyForm(CustomFieldsMixin, BootstrapMixin, forms.Form):
    """A person's or an organisation's own fields; contact fields are added when creating."""

    # The names' lengths are checked by the services alone (the browser stops at them too):
    # a form error here would hide the name from the services, which would then also say
    # "enter a first or last name".
    first_name = forms.CharField(
        label=_("First name"), required=False, widget=forms.TextInput({"maxlength": 100})
    )
    last_name = forms.CharField(
        label=_("Last name"), required=False, widget=forms.TextInput({"maxlength": 100})
    )
    name = forms.CharField(
        label=_("Organisation name"), required=False, widget=forms.TextInput({"maxlength": 200})
    )
    national_id = DigitsCharField(
        label=_("National ID"),
        max_length=20,
        required=False,
        help_text=_("National code for a person, national ID for a company."),
    )
    economic_code = DigitsCharField(
        label=_("Economic code"),
        max_length=40,
        required=False,
        help_text=_("Printed in the buyer's block of official invoices."),
        widget=forms.TextInput({"dir": "ltr", "inputmode": "numeric"}),
    )
    date_of_birth = LocalDateField(label=_("Date of birth"), required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    owner = OwnerChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody (unassigned)")
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OTHER)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.SUSPECT)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )
    email_consent = forms.BooleanField(label=_("Agrees to receive marketing email"), required=False)
    email_consent_at = LocalDateField(
        label=_("Since"), required=False, help_text=_("Left empty, today: the day it is saved.")
    )
    email_consent_source = forms.CharField(
        label=_("How it was given"),
        max_length=100,
        required=False,
        help_text=_("For example a form signed at the store."),
    )
    sms_consent = forms.BooleanField(label=_("Agrees to receive marketing SMS"), required=False)
    sms_consent_at = LocalDateField(
        label=_("Since"), required=False, help_text=_("Left empty, today: the day it is saved.")
    )
    sms_consent_source = forms.CharField(
        label=_("How it was given"),
        max_length=100,
        required=False,
        help_text=_("For example a form signed at the store."),
    )

    PERSON_ONLY = ("first_name", "last_name", "date_of_birth")
    ORGANISATION_ONLY = ("name", "website", "industry")
    CONSENT_DETAILS = ("email_consent_at", "email_consent_source", "sms_consent_at", "sms_consent_source")

    def __init__(
        self,
        *args: Any,
        kind: str,
        owners: list[User],
        actor: User,
        custom_values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.actor = actor
        self.add_custom_fields(kind, custom_values)
        for name in self.ORGANISATION_ONLY if kind == Kind.PERSON else self.PERSON_ONLY:
            del self.fields[name]
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = User.objects.filter(pk__in=[u.pk for u in owners]).select_related("team")
        if kind == Kind.ORGANISATION:
            self.fields["name"].required = True

    def party_input(self, current: Party | None = None) -> PartyInput:
        """The cleaned values the services take, without the form-only fields.

        An owner left out of the submission altogether means "the default owner"; the
        ``current`` owner kept needs no permission to give the customer away.
        """
        skip = {"tags", "phone", "phone_label", "email", "organisation", "title", "allow_duplicate"}
        skip.update(name for name in self.cleaned_data if name.startswith("cf_"))
        if "owner" not in self.data or (current and self.cleaned_data.get("owner") == current.owner):
            skip.add("owner")
        # A consent's date and source as they were are not sent again: ticking or unticking
        # the box then stamps the change with today and "entered by hand".
        skip.update(name for name in self.CONSENT_DETAILS if name not in self.changed_data)
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        for name in ("email_consent_at", "sms_consent_at"):
            if name in data:  # a day, kept as the start of that day in the user's time zone
                day = data[name]
                data[name] = timezone.make_aware(dt.datetime.combine(day, dt.time.min)) if day else None
        if self.custom_definitions:
            data["custom"] = self.custom_data()
        return PartyInput(**data)

    def tag_names(self) -> list[str]:
        return _tags(self.cleaned_data.get("tags") or "")

    def consent_fields(self) -> list[tuple[forms.BoundField, ...]]:
        """Each channel's box, date and source, for the template to lay out together."""
        return [
            tuple(self[f"{channel}_consent{suffix}"] for suffix in ("", "_at", "_source"))
            for channel in ("email", "sms")
        ]

    def error_aliases(self) -> dict[str, str]:
        """The services' names for this form's fields: each tag is checked as "tag"."""
        return {"tag": "tags", **super().error_aliases()}


class PartyCreateForm(PartyForm):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
    )
    phone_label = forms.ChoiceField(
        label=_("Phone type"), choices=ContactPoint.Label.choices, initial=ContactPoint.Label.MOBILE
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "email"}),
    )
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    allow_duplicate = forms.BooleanField(
        label=_("Create it anyway: it is a different customer"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.kind == Kind.ORGANISATION:
            del self.fields["title"]
            del self.fields["organisation"]

    def contacts(self) -> list[ContactInput]:
        data = self.cleaned_data
        contacts = []
        if data.get("phone"):
            # An invalid type is already this form's error; the number is still checked.
            label = data.get("phone_label") or ContactPoint.Label.OTHER
            contacts.append(ContactInput(kind=ContactPoint.Kind.PHONE, value=data["phone"], label=label))
        if data.get("email"):
            contacts.append(
                ContactInput(kind=ContactPoint.Kind.EMAIL, value=data["email"], label=ContactPoint.Label.WORK)
            )
        return contacts

    def error_aliases(self) -> dict[str, str]:
        """The services name a new customer's contacts by position; this form by field."""
        present = [name for name in ("phone", "email") if self.cleaned_data.get(name)]
        contacts = {f"contacts.{index}.value": name for index, name in enumerate(present)}
        return {**super().error_aliases(), **contacts}

    prepared: services.parties.PreparedParty | None = None

    def clean(self) -> dict[str, Any]:
        # Ask the services too, so every mistake shows at once rather than one round at a
        # time; what they checked is what is saved, not checked a second time.
        cleaned = super().clean() or {}
        try:
            self.prepared = services.parties.party_prepare(
                actor=self.actor, kind=self.kind, data=self.party_input(), contacts=self.contacts()
            )
        except ValidationError as exc:
            add_service_errors(self, exc, self.error_aliases())
        return cleaned


class ContactPointForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactPoint.Kind.choices)
    label = forms.ChoiceField(label=_("Type"), choices=ContactPoint.Label.choices)
    value = forms.CharField(label=_("Phone, email or address"), max_length=254, required=False)
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    postal_code = DigitsCharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.CharField(
        label=_("Country code"), max_length=2, required=False, help_text=_("Two letters, for example IR.")
    )
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def contact_input(self) -> ContactInput:
        return ContactInput(**self.cleaned_data)

    def changes(self) -> ContactChanges:
        """Everything but the kind, which never changes (its field is disabled then)."""
        return ContactChanges(**{k: v for k, v in self.cleaned_data.items() if k != "kind"})


class MembershipForm(BootstrapMixin, forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)


class NoteForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)


class BulkForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(choices=[("assign", "assign"), ("tag", "tag")])
    owner = forms.CharField(required=False)  # a user's id, or "none"
    tag = forms.CharField(required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any ids may be posted; the service keeps only those the user may change.
        self.fields["ids"].valid_value = is_id  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """For "assign", ``owner`` becomes the active user chosen, or None for nobody."""
        cleaned = super().clean() or {}
        if cleaned.get("action") == "assign" and "owner" in cleaned:
            value = to_ascii_digits(cleaned["owner"].strip())
            owner = User.objects.filter(pk=int(value), is_active=True).first() if is_id(value) else None
            if owner is None and value != NO_OWNER:
                self.add_error("owner", _("Choose an active user."))
            else:
                cleaned["owner"] = owner
        return cleaned


class MergeForm(forms.Form):
    other = forms.IntegerField()
    survivor = forms.ChoiceField(choices=[("this", "this"), ("other", "other")], initial="this")


def party_initial(party: Party) -> dict[str, Any]:
    fields = PartyForm.base_fields
    initial = {name: getattr(party, name) for name in fields if hasattr(party, name) and name != "tags"}
    initial["tags"] = ", ".join(t.name for t in party.tags.all())
    for channel in ("email", "sms"):
        moment = initial[f"{channel}_consent_at"]
        initial[f"{channel}_consent_at"] = timezone.localdate(moment) if moment else None
        # How it came, as the customer page says it ("entered by hand", not "manual").
        initial[f"{channel}_consent_source"] = consent_source(initial[f"{channel}_consent_source"])
    return initial


class PartyFilterForm(BootstrapMixin, forms.Form):
    """A list's filters; with a ``kind``, the filterable custom fields of its records too."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), required=False, choices=[("", gettext_lazy("Any")), *Stage.choices]
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=[("", gettext_lazy("Any")), *Source.choices]
    )
    created_from = LocalDateField(label=gettext_lazy("Created from"), required=False)
    created_to = LocalDateField(label=gettext_lazy("Created to"), required=False)

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            (selectors.parties.NO_OWNER, _("Nobody (unassigned)")),
            *[(str(u.pk), str(u)) for u in users],
        ]
        self.fields["tag"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *[(str(t.pk), t.name) for t in selectors.parties.tags_all()],
        ]
        self.custom_definitions = definitions_for(kind) if kind else []
        self.custom_filters = add_filters(self, self.custom_definitions)

    def custom_filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("cf_")]

    def filters(self) -> selectors.parties.PartyFilters:
        """The valid filters; an invalid one is ignored (and shown as an error on the form)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        owner = data.get("owner") or None
        return selectors.parties.PartyFilters(
            q=data.get("q") or "",
            owner=owner if owner == selectors.parties.NO_OWNER else (int(str(owner)) if owner else None),
            tag=int(str(data["tag"])) if data.get("tag") else None,
            stage=data.get("stage") or "",
            source=data.get("source") or "",
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            custom=filters_from(self, self.custom_definitions),
        )
