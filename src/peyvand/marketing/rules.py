"""A segment's rule: which customers it holds, as AND/OR groups of conditions.

Pure: the vocabulary (fields, their operators and the kind of value each takes), and the
parser that turns the stored JSON into typed conditions or says, in the reader's language,
what is wrong with which condition. The selectors turn a parsed rule into one queryset.

The JSON::

    {"match": "all",                              # or "any": how the groups combine
     "groups": [{"match": "any",                  # how a group's conditions combine
                 "conditions": [{"field": "province", "op": "in", "value": ["تهران"]},
                                {"field": "order_count", "op": "gte", "value": 2,
                                 "period": {"from": "2024-03-20", "to": "2025-03-20"}}]}]}

A rule without conditions holds every customer. Dates are ISO (the builder parses Jalali).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core.jalali import local_digits
from peyvand.core.text import clean_text, to_ascii_digits

ALL, ANY = "all", "any"
MATCHES = (ALL, ANY)
MAX_GROUPS = 20
MAX_CONDITIONS = 30  # per group
MAX_VALUES = 500
MAX_DAYS = 36_500
MAX_COUNT = 1_000_000
MAX_AMOUNT = Decimal(10) ** 18

# The kinds of value an operator takes.
NONE = "none"  # nothing: "has agreed to SMS"
CHOICE = "choice"  # one code of a list: a kind
MANY = "many"  # codes or ids: stages, owners, tags, products, lists
NAMES = "names"  # names typed: provinces, cities
DATE = "date"
DAYS = "days"  # a number of days back from today
RANGE = "range"  # from and to dates, either may be open
COUNT = "count"  # a whole number
AMOUNT = "amount"  # money in the base currency


@dataclass(frozen=True)
class Op:
    key: str
    label: Any
    value: str = NONE


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Any
    ops: tuple[Op, ...]
    # Where the values of a MANY or CHOICE come from: "kind", "stage", "source", "rfm_cell",
    # "lifecycle_stage" (codes), or "user", "tag", "product", "list" (ids of rows).
    choices: str = ""
    # Orders counted within a period: ever, the last N days, or between two dates.
    period: bool = False
    # An AMOUNT that may be below zero (a loss).
    signed: bool = False

    def op(self, key: str) -> Op | None:
        return next((op for op in self.ops if op.key == key), None)


_IN = Op("in", gettext_lazy("is any of"), MANY)
_NOT_IN = Op("not_in", gettext_lazy("is none of"), MANY)
_YES = Op("yes", gettext_lazy("yes"))
_NO = Op("no", gettext_lazy("no"))
ID_CHOICES = frozenset({"user", "tag", "product", "list"})


class _Fields(dict[str, FieldSpec]):
    """The built-in fields, then the customers' custom fields (``custom.<key>``, see
    ``custom_field_spec``) that ``provider`` gives: set by the selectors, read afresh each time."""

    provider: Callable[[], dict[str, FieldSpec]] | None = None

    def _custom(self) -> dict[str, FieldSpec]:
        return self.provider() if self.provider else {}

    def get(self, key: str, default: FieldSpec | None = None) -> FieldSpec | None:  # type: ignore[override]
        found = dict.get(self, key)
        return found if found is not None else self._custom().get(key, default)

    def __getitem__(self, key: str) -> FieldSpec:
        found = dict.get(self, key)
        return found if found is not None else self._custom()[key]

    def values(self) -> Any:
        return {**self, **self._custom()}.values()


CUSTOM = "custom."


def custom_field_spec(key: str, label: Any, kind: str) -> FieldSpec:
    """A custom field (``core.custom_fields``) as a rule's field: numbers and money compared,
    dates in a range, yes/no, and other values as names typed (a choice's key or label)."""
    if kind in ("number", "money"):
        ops: tuple[Op, ...] = (
            Op("gte", gettext_lazy("at least"), AMOUNT),
            Op("lte", gettext_lazy("at most"), AMOUNT),
        )
    elif kind == "date":
        ops = (Op("between", gettext_lazy("between"), RANGE),)
    elif kind == "yes_no":
        ops = (_YES, _NO)
    else:
        ops = (Op("in", gettext_lazy("is any of"), NAMES), Op("not_in", gettext_lazy("is none of"), NAMES))
    return FieldSpec(f"{CUSTOM}{key}", label, ops, signed=True)


FIELDS: _Fields = _Fields(
    (spec.key, spec)
    for spec in (
        FieldSpec("kind", gettext_lazy("Kind"), (Op("is", gettext_lazy("is"), CHOICE),), choices="kind"),
        FieldSpec(
            "owner",
            gettext_lazy("Owner"),
            (_IN, _NOT_IN, Op("none", gettext_lazy("nobody (unassigned)"))),
            choices="user",
        ),
        FieldSpec(
            "tag",
            gettext_lazy("Tags"),
            (
                Op("any", gettext_lazy("has any of"), MANY),
                Op("all", gettext_lazy("has all of"), MANY),
                Op("none", gettext_lazy("has none of"), MANY),
            ),
            choices="tag",
        ),
        FieldSpec("stage", gettext_lazy("Lifecycle stage"), (_IN, _NOT_IN), choices="stage"),
        FieldSpec("source", gettext_lazy("Source"), (_IN, _NOT_IN), choices="source"),
        FieldSpec(
            "province",
            gettext_lazy("Province"),
            (Op("in", gettext_lazy("is any of"), NAMES), Op("not_in", gettext_lazy("is none of"), NAMES)),
        ),
        FieldSpec(
            "city",
            gettext_lazy("City"),
            (Op("in", gettext_lazy("is any of"), NAMES), Op("not_in", gettext_lazy("is none of"), NAMES)),
        ),
        FieldSpec("email_consent", gettext_lazy("Agrees to marketing email"), (_YES, _NO)),
        FieldSpec("sms_consent", gettext_lazy("Agrees to marketing SMS"), (_YES, _NO)),
        FieldSpec(
            "created",
            gettext_lazy("Created"),
            (
                Op("between", gettext_lazy("between"), RANGE),
                Op("within", gettext_lazy("in the last … days"), DAYS),
            ),
        ),
        FieldSpec(
            "last_interaction",
            gettext_lazy("Last interaction"),
            (
                Op("within", gettext_lazy("in the last … days"), DAYS),
                Op("not_within", gettext_lazy("not in the last … days"), DAYS),
                Op("before", gettext_lazy("before"), DATE),
                Op("after", gettext_lazy("on or after"), DATE),
                Op("never", gettext_lazy("never")),
            ),
        ),
        FieldSpec(
            "product",
            gettext_lazy("Bought a product"),
            (Op("any", gettext_lazy("any of"), MANY),),
            choices="product",
            period=True,
        ),
        FieldSpec(
            "order_count",
            gettext_lazy("Number of orders"),
            (
                Op("gte", gettext_lazy("at least"), COUNT),
                Op("lte", gettext_lazy("at most"), COUNT),
                Op("eq", gettext_lazy("exactly"), COUNT),
            ),
            period=True,
        ),
        FieldSpec(
            "order_value",
            gettext_lazy("Value of orders"),
            (Op("gte", gettext_lazy("at least"), AMOUNT), Op("lte", gettext_lazy("at most"), AMOUNT)),
            period=True,
        ),
        FieldSpec("open_deals", gettext_lazy("Has open deals"), (_YES, _NO)),
        FieldSpec("open_tickets", gettext_lazy("Has open tickets"), (_YES, _NO)),
        FieldSpec("list", gettext_lazy("In a static list"), (_IN, _NOT_IN), choices="list"),
        # What the last analysis worked out (customers it has not scored match neither way
        # of a comparison, and are "none of" any cells).
        FieldSpec("rfm_cell", gettext_lazy("RFM cell"), (_IN, _NOT_IN), choices="rfm_cell"),
        FieldSpec(
            "predicted_clv",
            gettext_lazy("Predicted lifetime value"),
            (Op("gte", gettext_lazy("at least"), AMOUNT), Op("lte", gettext_lazy("at most"), AMOUNT)),
        ),
        FieldSpec(
            "probability_alive",
            gettext_lazy("Probability active (%)"),
            (Op("gte", gettext_lazy("at least"), COUNT), Op("lte", gettext_lazy("at most"), COUNT)),
        ),
        FieldSpec(
            "churn_risk",
            gettext_lazy("Churn risk (%)"),
            (Op("gte", gettext_lazy("at least"), COUNT), Op("lte", gettext_lazy("at most"), COUNT)),
        ),
        FieldSpec(
            "lifecycle_stage", gettext_lazy("Lifecycle stage"), (_IN, _NOT_IN), choices="lifecycle_stage"
        ),
        FieldSpec(
            "profit",
            gettext_lazy("Profit in the analysis window"),
            (Op("gte", gettext_lazy("at least"), AMOUNT), Op("lte", gettext_lazy("at most"), AMOUNT)),
            signed=True,
        ),
    )
)


@dataclass(frozen=True)
class Period:
    """Orders counted: ever (nothing set), the last ``days`` days, or from ``start`` to ``end``."""

    days: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        if self.days is not None:
            return {"days": self.days}
        found: dict[str, Any] = {}
        if self.start:
            found["from"] = self.start.isoformat()
        if self.end:
            found["to"] = self.end.isoformat()
        return found


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple[Any, ...] = ()  # codes, ids or names
    day: dt.date | None = None  # DATE
    start: dt.date | None = None  # RANGE
    end: dt.date | None = None
    number: int | None = None  # DAYS, COUNT
    amount: Decimal | None = None  # AMOUNT
    period: Period = dataclasses.field(default_factory=Period)

    @property
    def spec(self) -> FieldSpec:
        return FIELDS[self.field]

    def as_json(self) -> dict[str, Any]:
        kind = value_kind(self.field, self.op)
        found: dict[str, Any] = {"field": self.field, "op": self.op}
        if kind in (MANY, NAMES):
            found["value"] = list(self.values)
        elif kind == CHOICE:
            found["value"] = self.values[0]
        elif kind == DATE:
            found["value"] = self.day.isoformat() if self.day else None
        elif kind == RANGE:
            found["value"] = Period(start=self.start, end=self.end).as_json()
        elif kind in (DAYS, COUNT):
            found["value"] = self.number
        elif kind == AMOUNT:
            found["value"] = str(self.amount)
        if self.spec.period:
            found["period"] = self.period.as_json()
        return found


@dataclass(frozen=True)
class Group:
    match: str = ALL
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Rule:
    match: str = ALL
    groups: tuple[Group, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "groups": [
                {"match": g.match, "conditions": [c.as_json() for c in g.conditions]} for g in self.groups
            ],
        }

    def conditions(self) -> list[Condition]:
        return [c for g in self.groups for c in g.conditions]

    def ids(self, choices: str) -> set[int]:
        """The ids of ``choices`` (users, tags…) the rule names, for the service to check."""
        return {
            int(v)
            for c in self.conditions()
            if c.spec.choices == choices
            for v in c.values
            if isinstance(v, int)
        }


EVERYONE = Rule()


def value_kind(field_key: str, op_key: str) -> str:
    spec = FIELDS.get(field_key)
    op = spec.op(op_key) if spec else None
    return op.value if op else NONE


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, group: int, condition: int | None, problem: str) -> None:
        # The numbers in the reader's digits, as the builder shows them.
        if condition is None:
            self.messages.append(
                _("Group %(group)s: %(problem)s") % {"group": local_digits(group), "problem": problem}
            )
        else:
            self.messages.append(
                _("Group %(group)s, condition %(condition)s: %(problem)s")
                % {"group": local_digits(group), "condition": local_digits(condition), "problem": problem}
            )


def parse_rule(data: Any, *, codes: dict[str, frozenset[str]] | None = None) -> Rule:
    """The rule in ``data`` (the stored JSON), or a ValidationError on "rule" listing every
    problem by its group and condition. ``codes`` are the valid codes of "kind", "stage" and
    "source" (the selectors pass the models' choices)."""
    if data in (None, "", {}):
        return EVERYONE
    if not isinstance(data, dict):
        raise ValidationError({"rule": [_("The rule is not valid.")]})
    problems = _Problems()
    match = data.get("match", ALL)
    if match not in MATCHES:
        problems.messages.append(_("Choose whether all or any of the groups must match."))
    groups_data = data.get("groups", [])
    if not isinstance(groups_data, list):
        raise ValidationError({"rule": [_("The rule is not valid.")]})
    if len(groups_data) > MAX_GROUPS:
        raise ValidationError({"rule": [_("Use at most %(limit)d groups.") % {"limit": MAX_GROUPS}]})
    groups: list[Group] = []
    for g, group_data in enumerate(groups_data, start=1):
        if not isinstance(group_data, dict) or not isinstance(group_data.get("conditions", []), list):
            problems.add(g, None, _("This group is not valid."))
            continue
        group_match = group_data.get("match", ALL)
        if group_match not in MATCHES:
            problems.add(g, None, _("Choose whether all or any of its conditions must match."))
        items = group_data.get("conditions", [])
        if len(items) > MAX_CONDITIONS:
            problems.add(g, None, _("Use at most %(limit)d conditions.") % {"limit": MAX_CONDITIONS})
            continue
        conditions = []
        for c, item in enumerate(items, start=1):
            try:
                conditions.append(parse_condition(item, codes or {}))
            except ValueError as exc:
                problems.add(g, c, str(exc))
        if conditions:
            groups.append(Group(group_match, tuple(conditions)))
    if problems.messages:
        raise ValidationError({"rule": problems.messages})
    return Rule(match, tuple(groups))


def parse_condition(item: Any, codes: dict[str, frozenset[str]]) -> Condition:
    """One condition; a ValueError with the problem, in the reader's language."""
    if not isinstance(item, dict):
        raise ValueError(_("This condition is not valid."))
    spec = FIELDS.get(item.get("field"))  # type: ignore[arg-type]
    if spec is None:
        raise ValueError(_("Choose what to filter by."))
    op = spec.op(item.get("op"))  # type: ignore[arg-type]
    if op is None:
        raise ValueError(_("Choose how to compare %(field)s.") % {"field": spec.label})
    raw = item.get("value")
    values: dict[str, Any] = {}
    if op.value in (MANY, CHOICE):
        values["values"] = _codes(spec, raw, codes, single=op.value == CHOICE)
    elif op.value == NAMES:
        values["values"] = _names(raw)
    elif op.value == DATE:
        values["day"] = _date(raw, required=True)
    elif op.value == RANGE:
        start, end = _range(raw)
        values.update(start=start, end=end)
    elif op.value == DAYS:
        values["number"] = _whole(raw, low=1, high=MAX_DAYS)
    elif op.value == COUNT:
        values["number"] = _whole(raw, low=0, high=MAX_COUNT)
    elif op.value == AMOUNT:
        values["amount"] = _amount(raw, signed=spec.signed)
    if spec.period:
        values["period"] = _period(item.get("period"))
    return Condition(spec.key, op.key, **values)


def _codes(spec: FieldSpec, raw: Any, codes: dict[str, frozenset[str]], *, single: bool) -> tuple[Any, ...]:
    items = [raw] if single and not isinstance(raw, list) else raw
    if not isinstance(items, list) or not items:
        raise ValueError(_("Choose at least one value."))
    if len(items) > (1 if single else MAX_VALUES):
        raise ValueError(_("Choose at most %(limit)d values.") % {"limit": 1 if single else MAX_VALUES})
    if spec.choices in ID_CHOICES:
        found = []
        for item in items:
            text = to_ascii_digits(str(item)).strip()
            if isinstance(item, bool) or not text.isdigit() or not 0 < int(text) < 2**63:
                raise ValueError(_("Choose valid values."))
            found.append(int(text))
        return tuple(dict.fromkeys(found))
    allowed = codes.get(spec.choices)
    if any(not isinstance(item, str) or (allowed is not None and item not in allowed) for item in items):
        raise ValueError(_("Choose valid values."))
    return tuple(dict.fromkeys(items))


def split_names(text: str) -> list[str]:
    """Names typed in one box: separated by commas (Latin or Persian) or new lines."""
    for mark in ("،", "\n", ";", "؛"):
        text = text.replace(mark, ",")
    return [name for name in (clean_text(part) for part in text.split(",")) if name]


def _names(raw: Any) -> tuple[str, ...]:
    items = split_names(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list) or any(not isinstance(i, str) for i in items):
        raise ValueError(_("Enter at least one name."))
    names = [clean_text(i) for i in items]
    names = [n for n in names if n]
    if not names:
        raise ValueError(_("Enter at least one name."))
    if len(names) > MAX_VALUES or any(len(n) > 100 for n in names):
        raise ValueError(_("Enter at most %(limit)d names of 100 characters.") % {"limit": MAX_VALUES})
    return tuple(dict.fromkeys(names))


def _date(raw: Any, *, required: bool) -> dt.date | None:
    if raw in (None, ""):
        if required:
            raise ValueError(_("Enter a date."))
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        day = dt.date.fromisoformat(to_ascii_digits(str(raw)).strip())
    except ValueError:
        raise ValueError(_("Enter a valid date.")) from None
    if not 1000 <= day.year <= 9000:
        raise ValueError(_("Enter a valid date."))
    return day


def _range(raw: Any) -> tuple[dt.date | None, dt.date | None]:
    if not isinstance(raw, dict):
        raise ValueError(_("Enter a start or an end date."))
    start, end = _date(raw.get("from"), required=False), _date(raw.get("to"), required=False)
    if start is None and end is None:
        raise ValueError(_("Enter a start or an end date."))
    if start and end and start > end:
        raise ValueError(_("The start date is after the end date."))
    return start, end


def _whole(raw: Any, *, low: int, high: int) -> int:
    text = (
        to_ascii_digits(str(raw)).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    )
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return int(text)


def _amount(raw: Any, *, signed: bool = False) -> Decimal:
    text = to_ascii_digits(str(raw)).replace(",", "").replace("٬", "").strip() if raw is not None else ""
    text = text.replace("\u2212", "-")  # the typographic minus sign
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter an amount.")) from None
    if not amount.is_finite() or not (-MAX_AMOUNT if signed else 0) <= amount < MAX_AMOUNT:
        raise ValueError(_("Enter an amount.")) from None
    return amount


def _period(raw: Any) -> Period:
    if raw in (None, {}, ""):
        return Period()
    if not isinstance(raw, dict):
        raise ValueError(_("The period is not valid."))
    if raw.get("days") not in (None, ""):
        return Period(days=_whole(raw["days"], low=1, high=MAX_DAYS))
    start, end = _date(raw.get("from"), required=False), _date(raw.get("to"), required=False)
    if start and end and start > end:
        raise ValueError(_("The start date is after the end date."))
    return Period(start=start, end=end)
