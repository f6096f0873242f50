"""The business case: writing a case (title, currency, horizon, discount rate, the sensitivity
range), its benefit and cost lines and the assumptions it rests on; each change audited on the
case. A line may be driven by an assumption (its amount is the assumption's value × the line's
amount per unit), so changing or adopting the assumption moves the line and the NPV."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, audit_value, changes_between, snapshot
from peyvand.core.text import clean_text
from peyvand.sales import money

from ..metrics import METRICS, measured_lately
from ..models import Assumption, BusinessCase, CaseLine, LineCategory, LineKind
from ..models.business import BENEFIT_CATEGORIES, HORIZON_MAX, HORIZON_MIN, MONTHS_MAX, MONTHS_MIN

TITLE_MAX = 200
LABEL_MAX = 200
NOTES_MAX = 5000
RATE_MAX = Decimal(100)
GROWTH_LIMIT = Decimal(100)
SENSITIVITY_MAX = Decimal(90)
CASE_AUDITED = ("title", "currency", "horizon_years", "discount_rate", "sensitivity", "notes")
LINE_AUDITED = ("kind", "category", "label", "amount", "growth", "one_off", "assumption_id", "per_unit")
ASSUMPTION_AUDITED = ("label", "value", "metric", "months")
ASSUMPTION_LIMIT = Decimal("999999999999999999")

Number = Decimal | int | str


@dataclass(frozen=True, kw_only=True)
class BusinessCaseInput:
    title: str
    currency: str = "IRR"
    horizon_years: Number = 5
    discount_rate: Number = Decimal(20)  # a percentage a year
    sensitivity: Number = Decimal(20)  # ± a percentage of each line
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseLineInput:
    kind: str
    category: str
    amount: Number | None = None  # per year; unused when an assumption drives the line
    label: str = ""
    growth: Number = Decimal(0)  # a percentage a year
    one_off: bool = False
    # Driven by one of the case's assumptions: the amount is then its value × ``per_unit``.
    assumption: int | None = None
    per_unit: Number | None = None


@dataclass(frozen=True, kw_only=True)
class AssumptionInput:
    label: str
    value: Number  # the assumed figure, in the metric's unit (a percentage, an amount, a count)
    metric: str = ""  # a metric Peyvand measures, or blank for an assumption not tied to one
    months: Number = 12  # measured over the last so many months


def _number(
    value: Number | None, field: str, errors: dict[str, list[str]], **limits: Decimal | None
) -> Decimal | None:
    try:
        return money.to_decimal(value, field=field, **limits)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _percent(
    value: Number, field: str, errors: dict[str, list[str]], *, low: Decimal, high: Decimal
) -> Decimal | None:
    number = _number(value, field, errors, minimum=low, maximum=high)
    if number is not None and number != number.quantize(Decimal("0.01")):
        errors[field] = [_("Use at most two decimals.")]
        return None
    return number


def _clean_case(data: BusinessCaseInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = clean_text(data.title)
    if not title:
        errors["title"] = [_("Give the business case a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Use at most %(limit)d characters.") % {"limit": TITLE_MAX}]
    currency = ""
    try:
        currency = money.check_currency(data.currency)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    horizon = _number(
        data.horizon_years,
        "horizon_years",
        errors,
        minimum=Decimal(HORIZON_MIN),
        maximum=Decimal(HORIZON_MAX),
    )
    if horizon is not None and horizon != horizon.to_integral_value():
        errors["horizon_years"] = [_("Enter a whole number of years.")]
    if "horizon_years" in errors:
        errors["horizon_years"] = [
            _("Choose a horizon from %(low)d to %(high)d years.") % {"low": HORIZON_MIN, "high": HORIZON_MAX}
        ]
    rate = _percent(data.discount_rate, "discount_rate", errors, low=Decimal(0), high=RATE_MAX)
    if "discount_rate" in errors and str(data.discount_rate).strip().startswith(("-", "−")):
        errors["discount_rate"] = [_("A discount rate cannot be negative.")]
    share = _percent(data.sensitivity, "sensitivity", errors, low=Decimal(1), high=SENSITIVITY_MAX)
    notes = (data.notes or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("Use at most %(limit)d characters.") % {"limit": NOTES_MAX}]
    if errors:
        raise ValidationError(errors)
    assert horizon is not None and rate is not None and share is not None
    return {
        "title": title,
        "currency": currency,
        "horizon_years": int(horizon),
        "discount_rate": rate,
        "sensitivity": share,
        "notes": notes,
    }


def _driven_amount(value: Decimal, per_unit: Decimal, currency: str) -> Decimal:
    """What a line driven by an assumption is worth: its value × the line's amount per unit,
    rounded as the currency is; a ValidationError if that is negative or beyond money's range."""
    amount = money.round_money(value * per_unit, currency).quantize(Decimal("0.01"))
    if amount < 0:
        raise ValidationError(
            {"per_unit": [_("A line cannot be worth less than nothing: its assumption is negative.")]}
        )
    return money.check_money(amount, field="per_unit", currency=currency)


def _clean_line(data: CaseLineInput, case: BusinessCase) -> dict[str, object]:
    currency = case.currency
    errors: dict[str, list[str]] = {}
    if data.kind not in LineKind.values:
        errors["kind"] = [_("Choose a benefit or a cost.")]
    if data.category not in LineCategory.values:
        errors["category"] = [_("Choose a valid category.")]
    elif data.kind in LineKind.values and (data.category in BENEFIT_CATEGORIES) != (
        data.kind == LineKind.BENEFIT
    ):
        errors["category"] = [_("This category does not fit the kind of line.")]
    label = clean_text(data.label)
    if len(label) > LABEL_MAX:
        errors["label"] = [_("Use at most %(limit)d characters.") % {"limit": LABEL_MAX}]
    assumption = per_unit = amount = None
    if data.assumption is not None:
        assumption = case.assumptions.filter(pk=data.assumption).first()
        if assumption is None:
            errors["assumption"] = [_("Choose one of this business case's assumptions.")]
        if data.per_unit is None or str(data.per_unit).strip() == "":
            errors["per_unit"] = [_("Say what the line is worth for each unit of the assumption.")]
        else:
            per_unit = _number(data.per_unit, "per_unit", errors, minimum=Decimal(0))
        if assumption is not None and per_unit is not None:
            try:
                amount = _driven_amount(assumption.value, per_unit, currency)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    else:
        amount = _number(data.amount, "amount", errors, minimum=Decimal(0))
        if amount is not None:
            try:
                amount = money.check_money(
                    money.round_money(amount, currency), field="amount", currency=currency
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
    growth = _percent(data.growth, "growth", errors, low=-GROWTH_LIMIT + 1, high=GROWTH_LIMIT)
    if errors:
        raise ValidationError(errors)
    return {
        "kind": data.kind,
        "category": data.category,
        "label": label,
        "amount": amount,
        "growth": growth,
        "one_off": bool(data.one_off),
        "assumption": assumption,
        "per_unit": per_unit,
    }


@transaction.atomic
def case_save(*, actor: User, data: BusinessCaseInput, case: BusinessCase | None = None) -> BusinessCase:
    """Write a business case, or change one."""
    if case is None:
        policy.require_create(actor, BusinessCase)
    else:
        case = BusinessCase.objects.select_for_update().get(pk=case.pk)
        policy.require_change(actor, case)
    cleaned = _clean_case(data)
    created = case is None
    before = {} if case is None else snapshot(case, CASE_AUDITED)
    case = case or BusinessCase(created_by=actor)
    for name, value in cleaned.items():
        setattr(case, name, value)
    case.updated_by = actor
    case.save()
    changes = changes_between(before, snapshot(case, CASE_AUDITED))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
            obj=case,
            changes=changes,
        )
    return case


def _touch(actor: User, case: BusinessCase) -> None:
    case.updated_by = actor
    case.save(update_fields=["updated_by", "updated_at"])


@transaction.atomic
def line_save(
    *, actor: User, case: BusinessCase, data: CaseLineInput, line: CaseLine | None = None
) -> CaseLine:
    """Add a benefit or cost line to a case, or change one; audited on the case."""
    case = BusinessCase.objects.select_for_update().get(pk=case.pk)
    policy.require_change(actor, case)
    if line is not None and line.case_id != case.pk:
        raise ValidationError({"line": [_("This line belongs to another business case.")]})
    cleaned = _clean_line(data, case)
    before = {} if line is None else snapshot(line, LINE_AUDITED)
    if line is None:
        last = case.lines.order_by("-order").values_list("order", flat=True).first()
        line = CaseLine(case=case, order=(last or 0) + 1)
    for name, value in cleaned.items():
        setattr(line, name, value)
    line.save()
    _line_audit(actor, case, line.pk, changes_between(before, snapshot(line, LINE_AUDITED)))
    return line


def _line_audit(actor: User, case: BusinessCase, pk: int, changes: dict[str, list[object]]) -> None:
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=case,
            changes={f"line {pk} {name}": value for name, value in changes.items()},
        )
        _touch(actor, case)


def _drive_lines(actor: User, case: BusinessCase, assumption: Assumption) -> None:
    """The lines an assumption drives follow its value (refused if one would turn negative);
    what moved is audited on the case in one event."""
    changes: dict[str, list[object]] = {}
    for line in assumption.lines.select_for_update().order_by("id"):
        assert line.per_unit is not None
        try:
            amount = _driven_amount(assumption.value, line.per_unit, case.currency)
        except ValidationError as exc:
            message = _("The line «%(line)s» follows this assumption: %(error)s")
            raise ValidationError(
                {"value": [message % {"line": line.name, "error": " ".join(exc.messages)}]}
            ) from exc
        if amount != line.amount:
            changes[f"line {line.pk} amount"] = [audit_value(line.amount), audit_value(amount)]
            line.amount = amount
            line.save(update_fields=["amount"])
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=case, changes=changes)


@transaction.atomic
def line_delete(*, actor: User, line: CaseLine) -> None:
    case = BusinessCase.objects.select_for_update().get(pk=line.case_id)
    policy.require_change(actor, case)
    gone = snapshot(line, LINE_AUDITED)
    pk = line.pk
    line.delete()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={f"line {pk} {name}": [value, None] for name, value in gone.items()},
    )
    _touch(actor, case)


def _clean_assumption(data: AssumptionInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    label = clean_text(data.label)
    if not label:
        errors["label"] = [_("Say what is assumed.")]
    elif len(label) > LABEL_MAX:
        errors["label"] = [_("Use at most %(limit)d characters.") % {"limit": LABEL_MAX}]
    value = _number(data.value, "value", errors, minimum=-ASSUMPTION_LIMIT, maximum=ASSUMPTION_LIMIT)
    if value is not None:
        value = value.quantize(Decimal("0.01"))
    metric = (data.metric or "").strip()
    if metric and metric not in METRICS:
        errors["metric"] = [_("Choose what the assumption is measured by.")]
    months = _number(data.months, "months", errors, minimum=Decimal(MONTHS_MIN), maximum=Decimal(MONTHS_MAX))
    if "months" in errors or (months is not None and months != months.to_integral_value()):
        errors["months"] = [
            _("Choose from %(low)d to %(high)d months.") % {"low": MONTHS_MIN, "high": MONTHS_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    assert months is not None
    return {"label": label, "value": value, "metric": metric, "months": int(months)}


def _assumption_audit(actor: User, case: BusinessCase, pk: int, changes: dict[str, list[object]]) -> None:
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=case,
        changes={f"assumption {pk} {name}": value for name, value in changes.items()},
    )
    _touch(actor, case)


@transaction.atomic
def assumption_save(
    *, actor: User, case: BusinessCase, data: AssumptionInput, assumption: Assumption | None = None
) -> Assumption:
    """Add an assumption to a case, or change one; audited on the case."""
    case = BusinessCase.objects.select_for_update().get(pk=case.pk)
    policy.require_change(actor, case)
    if assumption is not None and assumption.case_id != case.pk:
        raise ValidationError({"assumption": [_("This assumption belongs to another business case.")]})
    cleaned = _clean_assumption(data)
    before = {} if assumption is None else snapshot(assumption, ASSUMPTION_AUDITED)
    if assumption is None:
        last = case.assumptions.order_by("-order").values_list("order", flat=True).first()
        assumption = Assumption(case=case, order=(last or 0) + 1)
    for name, value in cleaned.items():
        setattr(assumption, name, value)
    assumption.save()
    changes = changes_between(before, snapshot(assumption, ASSUMPTION_AUDITED))
    if changes:
        _assumption_audit(actor, case, assumption.pk, changes)
    _drive_lines(actor, case, assumption)
    return assumption


@transaction.atomic
def assumption_adopt(*, actor: User, assumption: Assumption) -> Assumption:
    """Replace the assumed value by what Peyvand measures now (the case then rests on the
    company's own figures); refused when the assumption is tied to no metric or nothing is
    measured yet."""
    case = BusinessCase.objects.select_for_update().get(pk=assumption.case_id)
    policy.require_change(actor, case)
    measured = measured_lately(assumption.metric, assumption.months) if assumption.metric else None
    if measured is None:
        raise ValidationError(_("There is no measured value to adopt."))
    if measured != assumption.value:
        before = assumption.value
        assumption.value = measured
        assumption.save(update_fields=["value"])
        changes = {"value": [audit_value(before), audit_value(measured)], "adopted": [None, True]}
        _assumption_audit(actor, case, assumption.pk, changes)
        _drive_lines(actor, case, assumption)
    return assumption


@transaction.atomic
def assumption_delete(*, actor: User, assumption: Assumption) -> None:
    case = BusinessCase.objects.select_for_update().get(pk=assumption.case_id)
    policy.require_change(actor, case)
    gone = snapshot(assumption, ASSUMPTION_AUDITED)
    pk = assumption.pk
    # Its lines keep their last amount, as fixed figures.
    untied: dict[str, list[object]] = {}
    for line_pk, per_unit in assumption.lines.values_list("pk", "per_unit"):
        untied[f"line {line_pk} assumption_id"] = [pk, None]
        untied[f"line {line_pk} per_unit"] = [audit_value(per_unit), None]
    if untied:
        assumption.lines.update(assumption=None, per_unit=None)
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=case, changes=untied)
    assumption.delete()
    _assumption_audit(actor, case, pk, {name: [value, None] for name, value in gone.items()})
