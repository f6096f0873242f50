"""The marketing app's forms, and the segment builder's form state.

The builder is plain form fields, named by position (``g0c1_field``: group 0, condition 1),
so the page works as a form and htmx only re-renders it: adding or removing a condition
posts the whole builder and gets it back. ``Builder`` turns those fields into the rule's
JSON (the services check it) and the JSON back into fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peyvand.core import jalali
from peyvand.core.forms import BootstrapMixin, LocalDateTimeField
from peyvand.core.text import to_ascii_digits
from peyvand.interactions.models import OutboundMessage
from peyvand.interactions.placeholders import PLACEHOLDERS

from . import conf, rules
from .models import (
    Campaign,
    Channel,
    Criterion,
    Enrolment,
    Goal,
    Programme,
    Recipient,
    Segment,
    Status,
    Step,
    Variant,
)
from .services import campaigns as campaign_services
from .services.campaigns import CampaignInput
from .services.programmes import ProgrammeInput, StepInput
from .services.segments import SegmentInput

# --- the segment builder ------------------------------------------------------------------

_PREFIX = re.compile(r"^g(\d{1,2})c(\d{1,2})_field$")
_GROUP = re.compile(r"^g(\d{1,2})_match$")
DEFAULT_FIELD = "stage"
PERIODS = (("ever", _("ever")), ("days", _("in the last … days")), ("range", _("between")))


@dataclass
class Row:
    """One condition as the form holds it (text as typed, so a mistake is shown as typed)."""

    field: str = DEFAULT_FIELD
    op: str = ""
    values: list[str] = dataclasses.field(default_factory=list)
    text: str = ""  # names, a date, a number or an amount
    start: str = ""
    end: str = ""
    period: str = "ever"
    period_days: str = ""
    period_start: str = ""
    period_end: str = ""
    # Set for rendering (Builder.number).
    index: int = 0
    prefix: str = ""
    options: list[tuple[str, str, bool]] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        spec = rules.FIELDS.get(self.field) or rules.FIELDS[DEFAULT_FIELD]
        self.field = spec.key
        if spec.op(self.op) is None:
            self.op = spec.ops[0].key

    @property
    def spec(self) -> rules.FieldSpec:
        return rules.FIELDS[self.field]

    @property
    def kind(self) -> str:
        return rules.value_kind(self.field, self.op)


@dataclass
class GroupRows:
    match: str = rules.ALL
    rows: list[Row] = dataclasses.field(default_factory=list)
    index: int = 0
    number: int = 1


def _iso(text: str) -> str:
    """A date typed in the form (Jalali in Persian) as the rule's ISO date; as typed if invalid."""
    text = to_ascii_digits(text or "").strip()
    if not text:
        return ""
    try:
        return jalali.parse_date(text).isoformat()
    except ValueError:
        return text


def _shown(iso: Any) -> str:
    try:
        return jalali.input_date(dt.date.fromisoformat(str(iso)), get_language())
    except ValueError:
        return str(iso or "")


class Builder:
    def __init__(self, match: str = rules.ALL, groups: list[GroupRows] | None = None) -> None:
        self.match = match if match in rules.MATCHES else rules.ALL
        self.groups = groups or []

    # --- from and to the form -------------------------------------------------------------

    @classmethod
    def from_data(cls, data: QueryDict) -> Builder:
        groups: dict[int, GroupRows] = {}
        for key in data:
            if m := _GROUP.match(key):
                groups.setdefault(int(m.group(1)), GroupRows()).match = data.get(key) or rules.ALL
        for key in sorted(data, key=lambda k: [int(n) for n in re.findall(r"\d+", k)]):
            m = _PREFIX.match(key)
            if not m:
                continue
            prefix = key.removesuffix("_field")
            chosen = data.get(key, "")
            was = data.get(f"{prefix}_was", chosen)
            changed = chosen != was  # another field: its operator and values start afresh
            get = lambda name, p=prefix, c=changed: "" if c else data.get(f"{p}_{name}", "")  # noqa: E731
            row = Row(
                field=chosen,
                op=get("op"),
                values=[] if changed else data.getlist(f"{prefix}_value"),
                text=get("text"),
                start=get("start"),
                end=get("end"),
                period=get("period") or "ever",
                period_days=get("period_days"),
                period_start=get("period_start"),
                period_end=get("period_end"),
            )
            groups.setdefault(int(m.group(1)), GroupRows()).rows.append(row)
        ordered = [groups[i] for i in sorted(groups)]
        return cls(data.get("match", rules.ALL), ordered)

    @classmethod
    def from_rule(cls, data: Any) -> Builder:
        """The form of a stored (valid) rule."""
        if not isinstance(data, dict):
            return cls()
        groups = []
        for group in data.get("groups", []):
            rows = []
            for c in group.get("conditions", []):
                kind = rules.value_kind(c.get("field", ""), c.get("op", ""))
                value = c.get("value")
                row = Row(field=c.get("field", ""), op=c.get("op", ""))
                if kind in (rules.MANY, rules.CHOICE):
                    row.values = [str(v) for v in (value if isinstance(value, list) else [value])]
                elif kind == rules.NAMES:
                    row.text = "، ".join(value or []) if get_language() == "fa" else ", ".join(value or [])
                elif kind == rules.DATE:
                    row.text = _shown(value)
                elif kind == rules.RANGE:
                    row.start, row.end = (
                        _shown((value or {}).get("from", "")),
                        _shown((value or {}).get("to", "")),
                    )
                elif kind in (rules.DAYS, rules.COUNT, rules.AMOUNT):
                    row.text = str(value)
                period = c.get("period") or {}
                if "days" in period:
                    row.period, row.period_days = "days", str(period["days"])
                elif period:
                    row.period = "range"
                    row.period_start, row.period_end = (
                        _shown(period.get("from", "")),
                        _shown(period.get("to", "")),
                    )
                rows.append(row)
            groups.append(GroupRows(group.get("match", rules.ALL), rows))
        return cls(data.get("match", rules.ALL), groups)

    def to_json(self) -> dict[str, Any]:
        """The rule as typed, for the services to check (no judgement here)."""
        groups = []
        for group in self.groups:
            conditions = []
            for row in group.rows:
                item: dict[str, Any] = {"field": row.field, "op": row.op}
                kind = row.kind
                if kind == rules.MANY:
                    item["value"] = row.values
                elif kind == rules.CHOICE:
                    item["value"] = row.values[0] if row.values else ""
                elif kind == rules.NAMES:
                    item["value"] = rules.split_names(row.text)
                elif kind == rules.DATE:
                    item["value"] = _iso(row.text)
                elif kind == rules.RANGE:
                    item["value"] = {"from": _iso(row.start), "to": _iso(row.end)}
                elif kind in (rules.DAYS, rules.COUNT, rules.AMOUNT):
                    item["value"] = row.text
                if row.spec.period:
                    if row.period == "days":
                        item["period"] = {"days": row.period_days}
                    elif row.period == "range":
                        item["period"] = {"from": _iso(row.period_start), "to": _iso(row.period_end)}
                conditions.append(item)
            groups.append({"match": group.match, "conditions": conditions})
        return {"match": self.match, "groups": groups}

    def number(self, choices: BuilderChoices) -> None:
        """Give each group and row its position (the fields' names) and each row its options."""
        for g, group in enumerate(self.groups):
            group.index, group.number = g, g + 1
            for r, row in enumerate(group.rows):
                row.index, row.prefix = r, f"g{g}c{r}"
                row.options = choices.for_row(row)

    # --- what the buttons do --------------------------------------------------------------

    def apply(self, action: str) -> None:
        """ "add-group", "add-<group>", "remove-<group>-<row>"; anything else re-renders."""
        parts = action.split("-")
        if action == "add-group" and len(self.groups) < rules.MAX_GROUPS:
            self.groups.append(GroupRows(rows=[Row()]))
        elif (
            len(parts) == 2 and parts[0] == "add" and parts[1].isdigit() and int(parts[1]) < len(self.groups)
        ):
            group = self.groups[int(parts[1])]
            if len(group.rows) < rules.MAX_CONDITIONS:
                group.rows.append(Row())
        elif len(parts) == 3 and parts[0] == "remove" and parts[1].isdigit() and parts[2].isdigit():
            g, r = int(parts[1]), int(parts[2])
            if g < len(self.groups) and r < len(self.groups[g].rows):
                del self.groups[g].rows[r]
                if not self.groups[g].rows:
                    del self.groups[g]


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class BuilderChoices:
    """The values a MANY or CHOICE condition offers, by source (see ``rules.FieldSpec.choices``)."""

    by_source: dict[str, list[Choice]] = dataclasses.field(default_factory=dict)

    def for_row(self, row: Row) -> list[tuple[str, str, bool]]:
        chosen = set(row.values)
        return [(c.value, c.label, c.value in chosen) for c in self.by_source.get(row.spec.choices, [])]

    def name(self, source: str, value: Any) -> str:
        return next((c.label for c in self.by_source.get(source, []) if c.value == str(value)), str(value))


# --- segments and lists -------------------------------------------------------------------


class SegmentForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def segment_input(self, rule: dict[str, Any] | None, kind: str | None) -> SegmentInput:
        extra: dict[str, Any] = {}
        if rule is not None:
            extra["rule"] = rule
        if kind is not None:
            extra["kind"] = kind
        return SegmentInput(
            name=self.cleaned_data["name"], description=self.cleaned_data.get("description", ""), **extra
        )


class SegmentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *Segment.Kind.choices])

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class IdsField(forms.CharField):
    """Customer ids, as "12,15 19" or several values of one name."""

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = to_ascii_digits(" ".join(value) if isinstance(value, list) else str(value or ""))
        ids = []
        for part in re.split(r"[\s,،]+", text):
            if not part:
                continue
            if not part.isdigit() or not 0 < int(part) < 2**63:
                raise forms.ValidationError(_("Choose customers by their numbers."))
            ids.append(int(part))
        if len(ids) > 100_000:
            raise forms.ValidationError(_("Choose at most 100,000 customers at a time."))
        return ids

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(_("Choose at least one customer."))


class ListFromSelectionForm(BootstrapMixin, forms.Form):
    ids = IdsField(widget=forms.HiddenInput)
    target = forms.ModelChoiceField(
        label=_("Add to the list"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("A new list"),
    )
    name = forms.CharField(label=_("Name of the new list"), required=False, max_length=100)

    def __init__(self, *args: Any, lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = lists  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("target") and not (data.get("name") or "").strip():
            self.add_error("name", _("Name the new list, or choose a list to add to."))
        return data


class ListImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel: mobile numbers, email addresses or national IDs, in any column."),
    )


class MembersRemoveForm(forms.Form):
    ids = IdsField()


# --- campaigns ----------------------------------------------------------------------------


class SegmentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class DigitsIntegerField(forms.IntegerField):
    """A whole number typed in any digits (۲۰, ٢٠ or 20)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})  # a number input refuses Persian digits

    def to_python(self, value: Any) -> int | None:
        return super().to_python(to_ascii_digits(value) if isinstance(value, str) else value)


def _or(value: Any, default: int) -> int:
    return default if value is None else int(value)


class CampaignForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    goal = forms.ChoiceField(label=_("Goal"), choices=Goal.choices, initial=Goal.SALES)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.SMS)
    segments = SegmentsField(label=_("Send to"), queryset=Segment.objects.none())
    exclusions = SegmentsField(label=_("Leave out"), queryset=Segment.objects.none(), required=False)
    default_language = forms.ChoiceField(
        label=_("Language for customers of unknown language"), choices=settings.LANGUAGES, initial="fa"
    )
    subject_fa = forms.CharField(label=_("Subject (Persian)"), required=False, max_length=200)
    body_fa = forms.CharField(
        label=_("Text (Persian)"), required=False, widget=forms.Textarea(attrs={"rows": 6, "dir": "rtl"})
    )
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=200)
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr"})
    )
    budget = forms.CharField(label=_("Budget"), required=False, max_length=40)
    other_cost = forms.CharField(label=_("Other costs"), required=False, max_length=40, initial="0")
    attribution_days = forms.IntegerField(
        label=_("Attribution window (days)"),
        min_value=1,
        max_value=365,
        initial=conf.attribution_days,  # the installation's default, read as the form is shown
        help_text=_("An order within this many days after the message counts for the campaign."),
    )
    track_links = forms.BooleanField(label=_("Track clicks on links"), required=False, initial=True)
    track_opens = forms.BooleanField(label=_("Track opened emails (an invisible image)"), required=False)
    control_percent = DigitsIntegerField(
        label=_("Control group (%)"),
        min_value=0,
        max_value=campaign_services.CONTROL_MAX,
        initial=0,
        required=False,
        help_text=_(
            "This share of the customers the message could reach is kept out of the send, chosen at "
            "random, to measure what the campaign changed (10 per cent is typical; 0: none)."
        ),
    )
    ab_test = forms.BooleanField(label=_("Test two variants (A/B) on a sample first"), required=False)
    ab_sample_percent = DigitsIntegerField(
        label=_("Test sample (%)"),
        min_value=campaign_services.SAMPLE_MIN,
        max_value=campaign_services.SAMPLE_MAX,
        initial=20,
        required=False,
        help_text=_("Half of the sample gets A, half B; the rest gets the winner."),
    )
    ab_criterion = forms.ChoiceField(
        label=_("The winner is the one with more"),
        choices=Criterion.choices,
        initial=Criterion.CLICKS,
        required=False,
    )
    ab_hours = DigitsIntegerField(
        label=_("Test duration (hours)"),
        min_value=campaign_services.HOURS_MIN,
        max_value=campaign_services.HOURS_MAX,
        initial=4,
        required=False,
    )
    subject_b_fa = forms.CharField(label=_("Subject B (Persian)"), required=False, max_length=200)
    body_b_fa = forms.CharField(
        label=_("Text B (Persian)"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl"})
    )
    subject_b_en = forms.CharField(label=_("Subject B (English)"), required=False, max_length=200)
    body_b_en = forms.CharField(
        label=_("Text B (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"})
    )

    def __init__(self, *args: Any, segments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("segments", "exclusions"):
            self.fields[name].queryset = segments  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["size"] = 5
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        self.fields["body_fa"].help_text = _(
            "Email: HTML (links, bold, lists, images). Placeholders: %(known)s"
        ) % {"known": known}

    def campaign_input(self) -> CampaignInput:
        data = self.cleaned_data
        return CampaignInput(
            name=data["name"],
            goal=data["goal"],
            description=data.get("description", ""),
            channel=data["channel"],
            segments=tuple(data["segments"]),
            exclusions=tuple(data.get("exclusions") or ()),
            default_language=data["default_language"],
            subject_fa=data.get("subject_fa", ""),
            body_fa=data.get("body_fa", ""),
            subject_en=data.get("subject_en", ""),
            body_en=data.get("body_en", ""),
            budget=data.get("budget") or None,
            other_cost=data.get("other_cost") or "0",
            attribution_days=data["attribution_days"],
            track_links=data.get("track_links", False),
            track_opens=data.get("track_opens", False),
            control_percent=_or(data.get("control_percent"), 0),
            ab_test=data.get("ab_test", False),
            subject_b_fa=data.get("subject_b_fa", ""),
            body_b_fa=data.get("body_b_fa", ""),
            subject_b_en=data.get("subject_b_en", ""),
            body_b_en=data.get("body_b_en", ""),
            ab_sample_percent=_or(data.get("ab_sample_percent"), 20),
            ab_criterion=data.get("ab_criterion") or Criterion.CLICKS,
            ab_hours=_or(data.get("ab_hours"), 4),
        )

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        names = [
            "name",
            "goal",
            "description",
            "channel",
            "default_language",
            "subject_fa",
            "body_fa",
            "subject_en",
            "body_en",
            "attribution_days",
            "track_links",
            "track_opens",
            "control_percent",
            "ab_test",
            "subject_b_fa",
            "body_b_fa",
            "subject_b_en",
            "body_b_en",
            "ab_sample_percent",
            "ab_criterion",
            "ab_hours",
        ]
        initial: dict[str, Any] = {name: getattr(campaign, name) for name in names}
        initial["budget"] = "" if campaign.budget is None else f"{campaign.budget.normalize():f}"
        initial["other_cost"] = f"{campaign.other_cost.normalize():f}"
        rows = list(campaign.audience.values_list("segment_id", "exclude"))
        initial["segments"] = [pk for pk, exclude in rows if not exclude]
        initial["exclusions"] = [pk for pk, exclude in rows if exclude]
        return initial


class WinnerForm(forms.Form):
    variant = forms.ChoiceField(choices=Variant.choices)


class CampaignFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Status.choices])
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class SendForm(BootstrapMixin, forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Now")), ("later", _("At a time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = LocalDateTimeField(label=_("Send at"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "later" and not data.get("send_at"):
            self.add_error("send_at", _("Enter when to send it."))
        return data


class TestSendForm(BootstrapMixin, forms.Form):
    to = forms.CharField(label=_("Send a test to"), max_length=254)
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("The customer's")), *settings.LANGUAGES]
    )


class RecipientFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *Recipient.State.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason skipped"), required=False, choices=[("", _("Any")), *Recipient.Reason.choices]
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"), required=False, choices=[("", _("Any")), *OutboundMessage.Status.choices]
    )
    clicked = forms.BooleanField(label=_("Clicked"), required=False)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


# --- programmes ---------------------------------------------------------------------------


class ProgrammeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Programme.Status.choices]
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class TemplateForm(BootstrapMixin, forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=Programme.Template.choices)


class ProgrammeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    entry_segment = forms.ModelChoiceField(
        label=_("Customers enter from"),
        queryset=Segment.objects.none(),
        required=False,
        help_text=_(
            "A segment's customers enter by themselves (checked every minute); a list's as it grows."
        ),
    )
    reentry_days = DigitsIntegerField(
        label=_("May enter again after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: each customer goes through it once."),
    )
    attribution_days = DigitsIntegerField(
        label=_("Attribution window (days)"), min_value=1, max_value=365, initial=conf.attribution_days
    )
    default_language = forms.ChoiceField(
        label=_("Language for customers of unknown language"), choices=settings.LANGUAGES
    )
    track_links = forms.BooleanField(label=_("Track clicks"), required=False, initial=True)
    track_opens = forms.BooleanField(label=_("Track opened emails"), required=False)

    def __init__(self, *args: Any, segments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry_segment"].queryset = segments  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, programme: Programme) -> dict[str, Any]:
        return {
            "name": programme.name,
            "description": programme.description,
            "entry_segment": programme.entry_segment_id,
            "reentry_days": programme.reentry_days,
            "attribution_days": programme.attribution_days,
            "default_language": programme.default_language,
            "track_links": programme.track_links,
            "track_opens": programme.track_opens,
        }

    def programme_input(self) -> ProgrammeInput:
        data = self.cleaned_data
        return ProgrammeInput(
            name=data["name"],
            description=data.get("description", ""),
            entry_segment=data.get("entry_segment"),
            reentry_days=data.get("reentry_days"),
            attribution_days=data["attribution_days"],
            default_language=data["default_language"],
            track_links=data.get("track_links", False),
            track_opens=data.get("track_opens", False),
        )


class StepForm(BootstrapMixin, forms.Form):
    """One step of the step editor; the fields a kind does not use are left alone."""

    kind = forms.ChoiceField(label=_("What the step does"), choices=Step.Kind.choices)
    position = DigitsIntegerField(
        label=_("Step number"), required=False, min_value=1, max_value=99, help_text=_("Empty: at the end.")
    )
    amount = DigitsIntegerField(label=_("How long"), required=False, min_value=0, max_value=9999)
    unit = forms.ChoiceField(label=_("Unit"), choices=Step.Unit.choices, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, required=False)
    subject_fa = forms.CharField(label=_("Subject (Persian)"), required=False, max_length=200)
    body_fa = forms.CharField(
        label=_("Text (Persian)"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl"})
    )
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=200)
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"})
    )
    condition = forms.ChoiceField(
        label=_("If the customer"), choices=[("", "—"), *Step.Condition.choices], required=False
    )
    yes_position = DigitsIntegerField(
        label=_("Then go to step"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Empty: the next step."),
    )
    no_position = DigitsIntegerField(
        label=_("Otherwise go to step"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Empty: the next step."),
    )
    text = forms.CharField(label=_("Tag or title"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        self.fields["body_fa"].help_text = _(
            "Email: HTML (links, bold, lists, images). Placeholders: %(known)s"
        ) % {"known": known}
        self.fields["amount"].help_text = _("A wait's length, or how long a branch watches for the answer.")

    @classmethod
    def initial_of(cls, step: Step) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": step.kind,
            "position": step.position,
            "amount": step.amount or None,
            "unit": step.unit,
            "condition": step.condition,
            "yes_position": step.yes_step.position if step.yes_step else None,
            "no_position": step.no_step.position if step.no_step else None,
            "text": step.text,
        }
        if step.campaign is not None:
            found["channel"] = step.campaign.channel
            for name in ("subject_fa", "body_fa", "subject_en", "body_en"):
                found[name] = getattr(step.campaign, name)
        return found

    def step_input(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            kind=data["kind"],
            position=data.get("position"),
            amount=data.get("amount") or 0,
            unit=data.get("unit") or Step.Unit.DAYS,
            channel=data.get("channel") or Channel.EMAIL,
            subject_fa=data.get("subject_fa", ""),
            body_fa=data.get("body_fa", ""),
            subject_en=data.get("subject_en", ""),
            body_en=data.get("body_en", ""),
            condition=data.get("condition") or "",
            yes_position=data.get("yes_position"),
            no_position=data.get("no_position"),
            text=data.get("text", ""),
        )


class EnrolForm(BootstrapMixin, forms.Form):
    segment = forms.ModelChoiceField(label=_("Enrol the customers of"), queryset=Segment.objects.none())

    def __init__(self, *args: Any, segments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]


class EnrolmentFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *Enrolment.State.choices]
    )
    step = DigitsIntegerField(label=_("At step"), required=False, min_value=1, max_value=99)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        found = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        found["step"] = str(found["step"]) if found.get("step") else None
        return found
