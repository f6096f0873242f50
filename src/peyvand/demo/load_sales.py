"""Writing the plan's sales and activities through the sales and activities services.

Every record is made by someone allowed to: a deal, its quote, order, invoices and payments
by the deal's owner; a lead by its owner (or by nobody, as a web form does) and handed out
by a manager; targets by the team's manager; an activity by its assignee or their manager.
The catalogue, the default price list and the default pipeline are the app's own first-run
set-up (``product_create`` without an actor, ``default_price_list``,
``pipeline_ensure_default``): the demo is loaded before anyone is an administrator.

The services date what they make now (a deal's creation and stage moves, a quote's and an
order's day, a lead's arrival); the plan's own dates (expected close, invoice and payment
days, contacts with leads, and all activity times) are relative to the anchor. Once a deal
or lead is made, its moments are set to the plan's, inside the loading transaction and
before anyone could read them, together with the audit events that tell its story: a
timeline of weeks, not of one afternoon.

The sales configuration (exchange rates, scoring rules, the website's form, assignment
rules) is written as the installation's own set-up, with no actor, like the catalogue.
The assignment rules come last: the demo's leads were handed out by their managers, and
the rules take over from then on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from peyvand.activities.services.activities import activity_cancel, activity_complete, activity_create
from peyvand.core import policy
from peyvand.core.models import AuditEvent, Team, User
from peyvand.customers.models import Party
from peyvand.interactions.models import Interaction
from peyvand.sales import conf as sales_conf
from peyvand.sales.models import (
    AssignmentRule,
    Deal,
    DealStageChange,
    Invoice,
    Lead,
    Order,
    Outcome,
    Payment,
    Pipeline,
    PriceList,
    Product,
    Quote,
    ScoreRule,
    WebForm,
)
from peyvand.sales.models import Stage as DealStage
from peyvand.sales.services import (
    billing,
    catalogue,
    conversion,
    deals,
    leads,
    pipelines,
    targets,
    webforms,
)
from peyvand.sales.services.billing import QUOTE_VALID_DAYS

from .base import TEHRAN_TZ
from .plan import Plan
from .sales import OPEN_STAGES, DealPlan, LeadPlan, LinePlan, SettingsPlan

ROUNDING = Decimal(10_000)  # part payments are round sums of Rial


@dataclass
class SalesResult:
    products: int = 0
    deals: int = 0
    leads: int = 0
    invoices: int = 0
    targets: int = 0


@dataclass
class ActivityResult:
    count: int = 0
    # The interactions finished calls and meetings logged, with when they were finished.
    logged: list[tuple[Interaction, dt.datetime]] = field(default_factory=list)


def write_sales(
    plan: Plan, parties: list[Party], users: dict[str, User], teams: dict[str, Team]
) -> SalesResult:
    result = SalesResult()
    with translation.override(settings.LANGUAGE_CODE):
        # Named in the installation's language, like a first run would.
        pipeline = pipelines.pipeline_ensure_default()
        price_list = catalogue.default_price_list()
    products = _catalogue(plan, price_list)
    result.products = len(products)
    settings_plan = plan.sales.settings
    web_form = _settings(settings_plan)
    stages = _stages(pipeline)
    for planned in plan.sales.deals:
        result.invoices += _deal(planned, parties, users, products, stages)
        result.deals += 1
    for lead, came in zip(plan.sales.leads, plan.sales.lead_times, strict=True):
        result.deals += _lead(lead, came, parties, users, products, web_form)
        result.leads += 1
    _assignment_rules(settings_plan, users, teams)
    for target in plan.sales.targets:
        targets.target_set(
            actor=users[target.setter],
            month=target.month,
            amount=target.amount,
            owner=users[target.owner] if target.owner else None,
            team=teams[target.team] if target.team else None,
        )
        result.targets += 1
    return result


def _catalogue(plan: Plan, price_list: PriceList) -> dict[str, Product]:
    products = {}
    for item in plan.sales.products:
        # Loaded again with force: the products are the same ones.
        product = Product.objects.filter(sku=item.sku).first()
        if product is None:
            product = catalogue.product_create(
                actor=None,
                data={
                    "sku": item.sku,
                    "name_fa": item.name_fa,
                    "name_en": item.name_en,
                    "unit": item.unit,
                    "tax_rate": item.tax_rate,
                    "unit_cost": item.unit_cost,
                },
                prices={price_list: item.price},
            )
        products[item.sku] = product
    return products


def _stages(pipeline: Pipeline) -> dict[str, DealStage]:
    """The plan's stage names on this pipeline: its open stages in order, its won and lost."""
    active = list(pipeline.stages.filter(active=True).order_by("order", "id"))
    open_ = [s for s in active if s.outcome == Outcome.OPEN]
    stages = {name: open_[min(i, len(open_) - 1)] for i, name in enumerate(OPEN_STAGES)}
    stages["won"] = next(s for s in active if s.outcome == Outcome.WON)
    stages["lost"] = next(s for s in active if s.outcome == Outcome.LOST)
    return stages


def _line(line: LinePlan, products: dict[str, Product]) -> dict[str, Any]:
    values: dict[str, Any] = {"product": products[line.sku], "quantity": line.quantity}
    if line.unit_price is not None:
        values["unit_price"] = line.unit_price
    if line.discount:
        values["discount_percent"] = line.discount
    return values


def _deal(
    planned: DealPlan,
    parties: list[Party],
    users: dict[str, User],
    products: dict[str, Product],
    stages: dict[str, DealStage],
) -> int:
    """Make one deal and take it along its way, stage by stage, as far as the plan says;
    returns how many invoices it got."""
    owner = users[planned.owner]
    values: dict[str, Any] = {
        "title": planned.title,
        "party": parties[planned.party],
        "owner": owner,
        "expected_close": planned.expected_close,
        "stage": stages[planned.path[0]],
    }
    if planned.contact is not None:
        values["contact"] = parties[planned.contact]
    if not planned.lines:
        values["amount"] = planned.amount
    deal: Deal = deals.deal_create(actor=owner, data=values)
    for line in planned.lines:
        deals.deal_line_add(deal=deal, actor=owner, data=_line(line, products))
    for name in planned.path[1:]:
        if name in ("won", "lost"):
            break
        deal = deals.deal_move_stage(deal=deal, stage=stages[name], actor=owner)
    quote = billing.quote_create(deal=deal, actor=owner) if planned.quote or planned.stage == "won" else None
    order = None
    if planned.stage == "lost":
        if quote is not None and planned.quote == "declined":
            billing.quote_decline(quote=quote, actor=owner, reason=planned.quote_reason)
        deals.deal_move_stage(deal=deal, stage=stages["lost"], actor=owner, lost_reason=planned.lost_reason)
    if planned.stage == "won" and quote is not None:
        order = billing.quote_accept(quote=quote, actor=owner)
        for invoice_plan in planned.invoices:
            quantities = None
            if invoice_plan.first_line_only:
                first = order.lines.order_by("position", "id").first()
                assert first is not None
                quantities = {first.pk: first.quantity}
            invoice = billing.invoice_create(
                order=order,
                actor=owner,
                quantities=quantities,
                issued_on=invoice_plan.issued_on,
                due_on=invoice_plan.due_on,
            )
            due = invoice.total
            for payment in invoice_plan.payments:
                amount = (
                    due if payment.share is None else invoice.total * payment.share // ROUNDING * ROUNDING
                )
                billing.payment_record(
                    invoice=invoice,
                    actor=owner,
                    amount=amount,
                    paid_on=payment.paid_on,
                    method=payment.method,
                    reference=payment.reference,
                )
                due -= amount
    _backdate_deal(deal, planned, quote, order)
    return len(planned.invoices) if order is not None else 0


def _backdate_deal(deal: Deal, planned: DealPlan, quote: Any, order: Any) -> None:
    """The deal's moments as planned: made at times[0], in each stage from its time on; its
    quote issued when it reached proposal, decided and ordered when it closed; its invoices
    and payments on their own days. The audit events say the same, time in stage included."""
    times = planned.times
    closed = times[-1] if planned.stage in ("won", "lost") else None
    Deal.objects.filter(pk=deal.pk).update(
        created_at=times[0], updated_at=times[-1], stage_entered_at=times[-1], closed_at=closed
    )
    changes = list(DealStageChange.objects.filter(deal=deal).order_by("at", "id"))
    for n, change in enumerate(changes):
        change.at = times[n]
        change.left_at = times[n + 1] if n + 1 < len(changes) else None
    DealStageChange.objects.bulk_update(changes, ["at", "left_at"])
    moves = 0
    for event in AuditEvent.objects.filter(model="sales.deal", object_id=deal.pk).order_by("id"):
        stage = event.changes.get("stage")
        if event.kind == AuditEvent.Kind.UPDATE and isinstance(stage, list) and isinstance(stage[0], dict):
            moves += 1
            stage[0]["seconds"] = int((times[moves] - times[moves - 1]).total_seconds())
        # A queryset update: an event is never saved again, only dated here, where it was made.
        AuditEvent.objects.filter(pk=event.pk).update(
            at=times[min(moves, len(times) - 1)], changes=event.changes
        )
    if quote is not None:
        issued = times[planned.path.index("proposal")] if "proposal" in planned.path else times[-1]
        Quote.objects.filter(pk=quote.pk).update(
            created_at=issued,
            updated_at=closed or issued,
            issued_on=issued.date(),
            valid_until=issued.date() + dt.timedelta(days=QUOTE_VALID_DAYS),
            decided_at=closed if planned.stage in ("won", "lost") and planned.quote != "draft" else None,
        )
        _events_at("sales.quote", [quote.pk], issued, closed)
    if order is not None and closed is not None:
        Order.objects.filter(pk=order.pk).update(
            created_at=closed, updated_at=closed, ordered_on=closed.date()
        )
        _events_at("sales.order", [order.pk], closed, closed)
        for invoice in Invoice.objects.filter(order=order):
            moment = _office(invoice.issued_on, closed)
            Invoice.objects.filter(pk=invoice.pk).update(created_at=moment)
            _events_at("sales.invoice", [invoice.pk], moment, moment)
            for payment in Payment.objects.filter(invoice=invoice):
                paid = _office(payment.paid_on, moment)
                Payment.objects.filter(pk=payment.pk).update(created_at=paid, updated_at=paid)
                _events_at("sales.payment", [payment.pk], paid, paid)


def _office(day: dt.date, after: dt.datetime) -> dt.datetime:
    """Late morning of ``day``, and never before ``after`` (an invoice after its order)."""
    return max(dt.datetime.combine(day, dt.time(11, 0), TEHRAN_TZ), after)


def _events_at(model: str, ids: list[int], first: dt.datetime, later: dt.datetime | None) -> None:
    """The record's creation at ``first``, what was done to it after at ``later``."""
    events = AuditEvent.objects.filter(model=model, object_id__in=ids)
    events.filter(kind=AuditEvent.Kind.CREATE).update(at=first)
    events.exclude(kind=AuditEvent.Kind.CREATE).update(at=later or first)


def _lead(
    planned: LeadPlan,
    came: dt.datetime,
    parties: list[Party],
    users: dict[str, User],
    products: dict[str, Product],
    web_form: WebForm,
) -> int:
    """Capture one lead (a web lead through the website's form) and work it as far as the
    plan says; returns 1 if it became a deal."""
    creator = users[planned.creator] if planned.creator else None
    values = dict(planned.data)
    if creator is not None and planned.owner:
        values["owner"] = users[planned.owner]
    lead = leads.lead_create(actor=creator, data=values, web_form=web_form if creator is None else None)
    Lead.objects.filter(pk=lead.pk).update(created_at=came, consent_at=came if lead.consent_at else None)
    AuditEvent.objects.filter(model="sales.lead", object_id=lead.pk, kind=AuditEvent.Kind.CREATE).update(
        at=came
    )
    if planned.assigned_by and planned.owner:
        owner = users[planned.owner]
        lead = leads.lead_update(lead=lead, actor=users[planned.assigned_by], data={"owner": owner})
    worker = users[planned.worker]
    for channel, note, when in planned.touches:
        leads.lead_touch(lead=lead, actor=worker, channel=channel, note=note, at=when)
    if planned.stage in ("qualified", "converted"):
        lead = leads.lead_set_stage(lead=lead, actor=worker, stage="qualified")
    elif planned.stage == "disqualified":
        lead = leads.lead_set_stage(lead=lead, actor=worker, stage="disqualified", reason=planned.reason)
    convert = planned.convert
    if convert is None:
        return 0
    # The salesperson recognised the lead as a customer already in the CRM and chose them.
    organisation = parties[convert.organisation] if convert.organisation is not None else None
    done = conversion.lead_convert(
        lead=lead,
        actor=worker,
        person=parties[convert.person],
        organisation=organisation,
        deal={"title": convert.title, "expected_close": convert.expected_close},
    )
    if done.deal is None:
        return 0
    deals.deal_line_add(deal=done.deal, actor=worker, data=_line(convert.line, products))
    # Converted the working day after the last call, and the deal made then.
    last = max(when for _channel, _note, when in planned.touches) if planned.touches else came
    converted = last + dt.timedelta(days=1)
    Lead.objects.filter(pk=lead.pk).update(converted_at=converted, updated_at=converted)
    Deal.objects.filter(pk=done.deal.pk).update(
        created_at=converted, updated_at=converted, stage_entered_at=converted
    )
    DealStageChange.objects.filter(deal=done.deal).update(at=converted)
    AuditEvent.objects.filter(model="sales.deal", object_id=done.deal.pk).update(at=converted)
    return 1


def _settings(plan: SettingsPlan) -> WebForm:
    """Exchange rates (when the base currency is the Rial they are quoted in), the scoring
    rules and the website's form; what exists from an earlier load is kept."""
    if sales_conf.base_currency() == "IRR":
        for rate in plan.rates:
            catalogue.currency_rate_set(
                actor=None, currency=rate.currency, rate=rate.rate, valid_from=rate.valid_from
            )
    for rule in plan.score_rules:
        if not ScoreRule.objects.filter(kind=rule.kind, value=rule.value).exists():
            leads.score_rule_save(
                actor=None, data={"kind": rule.kind, "value": rule.value, "points": rule.points}
            )
    form = WebForm.objects.filter(name=plan.web_form.name).first()
    if form is not None:
        return form
    spec = plan.web_form
    return webforms.webform_save(
        actor=None,
        data={
            "name": spec.name,
            "title": spec.title,
            "intro": spec.intro,
            "fields": spec.fields,
            "required": spec.required,
            "email_consent_label": spec.email_consent_label,
            "sms_consent_label": spec.sms_consent_label,
            "thank_you": spec.thank_you,
            "source": "website",
            "language": "fa",
        },
    )


def _assignment_rules(plan: SettingsPlan, users: dict[str, User], teams: dict[str, Team]) -> None:
    for rule in plan.assignment_rules:
        if AssignmentRule.objects.filter(order=rule.order, kind=rule.kind, value=rule.value).exists():
            continue
        leads.assignment_rule_save(
            actor=None,
            data={
                "order": rule.order,
                "kind": rule.kind,
                "value": rule.value,
                "team": teams[rule.team] if rule.team else None,
                "user": users[rule.user] if rule.user else None,
            },
        )


def write_activities(plan: Plan, parties: list[Party], users: dict[str, User]) -> ActivityResult:
    result = ActivityResult()
    for planned in plan.activities:
        assignee, actor = users[planned.assignee], users[planned.actor]
        party = parties[planned.party] if planned.party is not None else None
        if party is not None and not policy.can_view(actor, party):
            continue  # an administrator narrowed who sees whom before the demo was loaded again
        values: dict[str, Any] = {
            "kind": planned.kind,
            "title": planned.title,
            "due_at": planned.due_at,
            "ends_at": planned.ends_at,
            "assignee": assignee,
            "priority": planned.priority,
            "repeat": planned.repeat,
        }
        if party is not None:
            values["party"] = party
        # Planned in the assignee's language, so a monthly series follows their calendar.
        with translation.override(assignee.language or settings.LANGUAGE_CODE):
            activity = activity_create(actor=actor, data=values, reminders=planned.reminders)
            result.count += 1
            if planned.done is not None:
                done = planned.done
                follow_up = None
                if done.follow_up_at is not None:
                    follow_up = {"kind": "call", "title": done.follow_up_title, "due_at": done.follow_up_at}
                completion = activity_complete(
                    activity=activity,
                    actor=assignee,
                    outcome=done.outcome,
                    note=done.note,
                    follow_up=follow_up,
                    now=done.at,
                )
                if completion.activity.interaction is not None:
                    result.logged.append((completion.activity.interaction, done.at))
                result.count += (completion.follow_up is not None) + (completion.next_occurrence is not None)
            if planned.cancelled is not None:
                when, reason = planned.cancelled
                activity_cancel(activity=activity, actor=assignee, reason=reason, now=when)
    return result
