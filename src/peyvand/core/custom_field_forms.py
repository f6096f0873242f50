"""Custom fields on the pages: their inputs in a record's form, their values shown on a
record's page and list, their filters on a list, and the administration's form.

The inputs only parse what was typed; the values are checked by the record's service with
the rules of ``core.custom_fields``, whose errors come back under ``custom.<key>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .custom_fields import (
    NUMERIC_TYPES,
    RANGE_TYPES,
    Definition,
    Entity,
    FieldType,
    choices_text,
    display_value,
    error_key,
    parse_choices,
    typed_value,
)
from .forms import BootstrapMixin, LocalDateField
from .models import CustomField, User
from .selectors.custom_fields import (
    SORT_PREFIX,
    SORTABLE_TYPES,
    CustomFilter,
    definitions_for,
    parse_filter,
    registered_entities,
    user_ids_in,
    user_names,
)
from .services.custom_fields import CustomFieldInput
from .text import to_ascii_digits

PREFIX = "cf_"
YES_NO = (("", "—"), ("yes", _("Yes")), ("no", _("No")))


def form_name(key: str) -> str:
    return f"{PREFIX}{key}"


def _users(current: Iterable[int] = ()) -> list[tuple[str, str]]:
    """Active users, and any inactive one a record still names."""
    people = User.objects.filter(is_active=True) | User.objects.filter(pk__in=list(current))
    return [(str(u.pk), str(u)) for u in people.distinct().order_by("first_name", "last_name", "username")]


def _input(definition: Definition, language: str | None, users: list[tuple[str, str]] | None) -> forms.Field:
    label = definition.label(language)
    kind = definition.type
    field: forms.Field
    if kind == FieldType.DATE:
        field = LocalDateField(label=label, required=False)
    elif kind in NUMERIC_TYPES:
        field = forms.CharField(
            label=label,
            required=False,
            max_length=60,
            widget=forms.TextInput({"dir": "ltr", "inputmode": "decimal"}),
        )
    elif kind == FieldType.CHOICE:
        field = forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), *((c.key, c.label(language)) for c in definition.choices)],
        )
    elif kind == FieldType.MULTI_CHOICE:
        field = forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=[(c.key, c.label(language)) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
        )
    elif kind == FieldType.YES_NO:
        field = forms.ChoiceField(label=label, required=False, choices=YES_NO)
    elif kind == FieldType.USER:
        field = forms.ChoiceField(label=label, required=False, choices=[("", "—"), *(users or [])])
    elif kind == FieldType.LINK:
        field = forms.CharField(
            label=label,
            required=False,
            max_length=500,
            widget=forms.TextInput({"dir": "ltr", "inputmode": "url"}),
        )
    else:
        field = forms.CharField(label=label, required=False, max_length=500)
    if definition.required:
        field.widget.attrs["aria-required"] = "true"
        field.label = f"{label} *"
    return field


def add_inputs(
    form: forms.BaseForm, definitions: Sequence[Definition], values: Mapping[str, Any] | None
) -> None:
    """The fields' inputs on ``form``, filled from the record's ``values`` when it has them
    (and the form is not bound)."""
    language = get_language()
    users = (
        _users(user_ids_in([values or {}], definitions))
        if any(d.type == FieldType.USER for d in definitions)
        else None
    )
    for definition in definitions:
        name = form_name(definition.key)
        form.fields[name] = _input(definition, language, users)
        if values and definition.key in values:
            form.initial[name] = _initial(definition, values[definition.key])
    # Bootstrap's classes, as BootstrapMixin gives the form's own fields.
    for definition in definitions:
        widget = form.fields[form_name(definition.key)].widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    form.custom_definitions = list(definitions)  # type: ignore[attr-defined]


def _initial(definition: Definition, value: Any) -> Any:
    typed = typed_value(definition, value)
    if definition.type == FieldType.YES_NO:
        return "yes" if typed else "no"
    if definition.type == FieldType.USER:
        return str(typed)
    if definition.type in NUMERIC_TYPES:
        return str(value)
    return typed


def custom_input(form: forms.BaseForm) -> dict[str, Any]:
    """What the form's custom inputs give, by key, for the record's service to check."""
    values: dict[str, Any] = {}
    for definition in getattr(form, "custom_definitions", []):
        name = form_name(definition.key)
        if name in form.cleaned_data:
            values[definition.key] = form.cleaned_data[name]
    return values


def custom_aliases(definitions: Iterable[Definition]) -> dict[str, str]:
    """The services' names of the fields' errors -> the form's."""
    return {error_key(d.key): form_name(d.key) for d in definitions}


class CustomFieldsMixin:
    """A record's form with the custom fields of its kind of record (after the form's own):
    ``add_custom_fields`` in ``__init__``; ``custom_data()`` is what the record's service
    takes as ``custom``; ``error_aliases()`` puts its errors on their inputs."""

    custom_definitions: list[Definition]

    def add_custom_fields(self, entity: str, values: Mapping[str, Any] | None) -> None:
        assert isinstance(self, forms.BaseForm)
        add_inputs(self, definitions_for(entity), values)

    def custom_fields(self) -> list[forms.BoundField]:
        assert isinstance(self, forms.BaseForm)
        return [self[form_name(d.key)] for d in self.custom_definitions]

    def own_data(self) -> dict[str, Any]:
        """The cleaned values of the form's own fields, without the custom inputs."""
        assert isinstance(self, forms.BaseForm)
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith(PREFIX)}

    def custom_data(self) -> dict[str, Any]:
        assert isinstance(self, forms.BaseForm)
        return custom_input(self)

    def error_aliases(self) -> dict[str, str]:
        return custom_aliases(self.custom_definitions)


# --- shown --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    key: str
    label: str
    text: str
    link: str = ""


def shown_values(definitions: Sequence[Definition], values: Mapping[str, Any] | None) -> list[Shown]:
    """A record's values as its page shows them, in the fields' order, the empty left out."""
    values = values or {}
    language = get_language()
    names = user_names(user_ids_in([values], definitions))
    shown = []
    for definition in definitions:
        value = values.get(definition.key)
        text = display_value(definition, value, language, user_name=lambda i: names.get(i, "—"))
        if not text:
            continue
        link = ""
        if definition.type == FieldType.LINK:
            link = text if "://" in text else f"https://{text}"
        shown.append(Shown(definition.key, definition.label(language), text, link))
    return shown


def list_columns(definitions: Sequence[Definition]) -> list[Definition]:
    return [d for d in definitions if d.in_list]


def column_values(columns: Sequence[Definition], rows: Sequence[Any]) -> None:
    """Each row's ``custom_cells``: its shown value of each column, in order (one query for
    the users the rows name, none else)."""
    language = get_language()
    names = user_names(user_ids_in([r.custom or {} for r in rows], columns)) if columns else {}
    for row in rows:
        values = row.custom or {}
        row.custom_cells = [
            display_value(d, values.get(d.key), language, user_name=lambda i: names.get(i, "—"))
            for d in columns
        ]


# --- filters ------------------------------------------------------------------------------


def add_filters(form: forms.BaseForm, definitions: Sequence[Definition]) -> list[Definition]:
    """Inputs on a list's filter form for the filterable fields: a value, or from and to."""
    language = get_language()
    filterable = [d for d in definitions if d.filterable]
    users = _users() if any(d.type == FieldType.USER for d in filterable) else None
    for definition in filterable:
        label = definition.label(language)
        name = form_name(definition.key)
        if definition.type in RANGE_TYPES:
            for suffix, bound in (("_from", _("%(label)s from")), ("_to", _("%(label)s to"))):
                field = _input(definition, language, None)
                field.required = False
                field.label = bound % {"label": label}
                form.fields[f"{name}{suffix}"] = field
        else:
            field = _input(definition, language, users)
            field.required = False
            field.label = label
            if definition.type == FieldType.MULTI_CHOICE:  # records holding this option
                options = [(c.key, c.label(language)) for c in definition.choices]
                field = forms.ChoiceField(label=label, required=False, choices=[("", "—"), *options])
            form.fields[name] = field
        for key in (name, f"{name}_from", f"{name}_to"):
            if key in form.fields:
                widget = form.fields[key].widget
                css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return filterable


def filters_from(form: forms.BaseForm, definitions: Sequence[Definition]) -> list[CustomFilter]:
    """The custom filters the (validated) form gives; a value that cannot be read filters nothing."""
    data = getattr(form, "cleaned_data", {})
    found = []
    for definition in definitions:
        if not definition.filterable:
            continue
        name = form_name(definition.key)
        wanted = parse_filter(
            definition, data.get(name), low=data.get(f"{name}_from"), high=data.get(f"{name}_to")
        )
        if wanted is not None:
            found.append(wanted)
    return found


class CustomFilterForm(forms.Form):
    """The filterable custom fields of a list whose own filters are read from the query
    string as they are: ``filters()`` for the selector, ``fields_shown()`` for the page."""

    def __init__(self, data: Mapping[str, Any] | None, *, entity: str) -> None:
        super().__init__(data or None)
        self.custom_definitions = definitions_for(entity)
        self.custom_filters = add_filters(self, self.custom_definitions)

    def filters(self) -> list[CustomFilter]:
        if not self.is_bound:
            return []
        self.is_valid()  # a value that cannot be read is shown with its error and filters nothing
        return filters_from(self, self.custom_definitions)

    def custom_filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]

    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


def column_heads(columns: Sequence[Definition], sort: str) -> list[dict[str, Any]]:
    """A list's header cells of its custom columns: label, and the sort a click asks for
    with its mark when the field is filterable (and so sortable)."""
    language = get_language()
    heads = []
    for d in columns:
        key = f"{SORT_PREFIX}{d.key}"
        heads.append(
            {
                "key": key,
                "label": d.label(language),
                "sort": f"-{key}" if sort == key else key,
                "mark": "▲" if sort == key else ("▼" if sort == f"-{key}" else ""),
                "sortable": d.filterable and d.type in SORTABLE_TYPES,
            }
        )
    return heads


def filter_names(definitions: Iterable[Definition]) -> list[str]:
    names = []
    for d in definitions:
        if d.filterable:
            names += [form_name(d.key), f"{form_name(d.key)}_from", f"{form_name(d.key)}_to"]
    return names


# --- the administration's form ------------------------------------------------------------


class CustomFieldForm(BootstrapMixin, forms.Form):
    entity = forms.ChoiceField(label=_("Records"), choices=Entity.choices)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Its name in the API, imports and exports: Latin letters, digits and _. "
            "Fixed once records have values."
        ),
        widget=forms.TextInput({"dir": "ltr"}),
    )
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    label_fa = forms.CharField(label=_("Label in Persian"), max_length=100)
    label_en = forms.CharField(
        label=_("Label in English"), max_length=100, widget=forms.TextInput({"dir": "ltr"})
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea({"rows": 4, "dir": "ltr"}),
        help_text=_("For a choice: one a line, as key | Persian label | English label."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    filterable = forms.BooleanField(
        label=_("Filter and sort the list by it"),
        required=False,
        help_text=_("The database indexes its values."),
    )
    in_list = forms.BooleanField(label=_("A column of the list"), required=False)
    position = forms.CharField(
        label=pgettext_lazy("position in a list", "Order"),
        max_length=6,
        initial="0",
        widget=forms.TextInput({"inputmode": "numeric"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, field: CustomField | None = None, **kwargs: Any) -> None:
        if field is not None:
            kwargs.setdefault("initial", {}).update(
                {name: getattr(field, name) for name in self.base_fields if name != "choices"}
                | {"choices": choices_text(field.option_list())}
            )
        super().__init__(*args, **kwargs)
        # Only the kinds of record that carry custom fields (their apps register them).
        self.fields["entity"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Entity.choices if value in registered_entities()
        ]
        if field is not None:
            self.fields["entity"].disabled = True

    def clean_position(self) -> int:
        text = to_ascii_digits(self.cleaned_data.get("position") or "0").strip()
        if not text.isdigit():
            raise ValidationError(_("Enter a whole number."))
        return int(text)

    def clean_choices(self) -> Any:
        return parse_choices(self.cleaned_data.get("choices") or "")

    def field_input(self) -> CustomFieldInput:
        data = dict(self.cleaned_data)
        if self.fields["entity"].disabled:
            data.pop("entity", None)
        return CustomFieldInput(**data)
