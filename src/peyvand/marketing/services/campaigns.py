"""Campaigns: writing one, its preview and test send, scheduling, sending and cancelling.

Sending itself runs in the background (``sending``); here it is only started, after the
checks that a campaign is ready: an audience, content in its languages, and (SMS) a cost
within its budget.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jobs, policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Kind, Party
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.interactions import placeholders
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.messaging import SMS_MAX_LENGTH
from peyvand.interactions.services.outbox import message_queue
from peyvand.sales import conf as sales_conf
from peyvand.sales.money import check_money, to_decimal

from .. import conf, content
from ..models import Campaign, CampaignSegment, Channel, Criterion, Goal, Recipient, Segment, Status
from ..selectors import campaigns as selectors
from ..selectors.results import criteria_for
from .rendering import Reader, Rendered, Renderer, reader_of, reader_of_user, variant_campaign

CAMPAIGN_RUN = "marketing.campaign_run"  # the job's name (core.jobs), registered by tasks.py
EMAIL_MAX_LENGTH = 200_000
TEST_KEY = "mkt-test-"


@dataclass(frozen=True, kw_only=True)
class CampaignInput:
    """A campaign's fields as the form and the API give them; on a change, UNSET stays."""

    name: str | Unset = UNSET
    goal: str | Unset = UNSET
    description: str | Unset = UNSET
    channel: str | Unset = UNSET
    owner: User | Unset | None = UNSET
    budget: object = UNSET  # typed in any digits; a Decimal (or None) once cleaned
    other_cost: object = UNSET
    attribution_days: int | Unset = UNSET
    track_links: bool | Unset = UNSET
    track_opens: bool | Unset = UNSET
    default_language: str | Unset = UNSET
    subject_fa: str | Unset = UNSET
    body_fa: str | Unset = UNSET
    subject_en: str | Unset = UNSET
    body_en: str | Unset = UNSET
    control_percent: int | Unset = UNSET  # 0–50: held out to measure lift
    ab_test: bool | Unset = UNSET
    subject_b_fa: str | Unset = UNSET
    body_b_fa: str | Unset = UNSET
    subject_b_en: str | Unset = UNSET
    body_b_en: str | Unset = UNSET
    ab_sample_percent: int | Unset = UNSET  # 2–90: the test's sample, half A, half B
    ab_criterion: str | Unset = UNSET
    ab_hours: int | Unset = UNSET  # 1–168
    segments: tuple[Segment, ...] | Unset = UNSET  # the audience
    exclusions: tuple[Segment, ...] | Unset = UNSET  # left out of it


FIELDS = tuple(f.name for f in fields(CampaignInput) if f.name not in ("segments", "exclusions"))
AUDITED = FIELDS
# The A/B test's and control group's ranges (the form and the API say the same).
CONTROL_MAX = 50
SAMPLE_MIN, SAMPLE_MAX = 2, 90
HOURS_MIN, HOURS_MAX = 1, 168
B_FIELDS = ("subject_b_fa", "body_b_fa", "subject_b_en", "body_b_en")
# A new campaign's values where the input leaves them out (the model's defaults).
DEFAULTS: dict[str, Any] = {
    "ab_test": False,
    "ab_criterion": "clicks",
    "track_links": True,
    "track_opens": False,
}
FIELDS_TEXT = ("subject_fa", "body_fa", "subject_en", "body_en", *B_FIELDS)


def _too_long(limit: int, count: int) -> str:
    return _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": count}


def _money(value: Any, name: str, *, optional: bool) -> Decimal | None:
    if value in (None, ""):
        if optional:
            return None
        value = 0
    amount = to_decimal(value, field=name)
    return check_money(amount, field=name, currency=sales_conf.base_currency())


def _clean(data: CampaignInput, *, actor: User, current: Campaign | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    values = given(data)
    channel = values.get("channel", current.channel if current else Channel.SMS)
    for name, value in values.items():
        try:
            if name == "name":
                value = clean_text(value)
                if not value or len(value) > 200:
                    errors[name] = [_("Enter a name of at most 200 characters.")]
            elif name == "description":
                value = (value or "").strip()
                if len(value) > 5000:
                    errors[name] = [_too_long(5000, len(value))]
            elif name == "goal" and value not in Goal.values:
                errors[name] = [_("Choose a goal.")]
            elif name == "channel":
                if value not in Channel.values:
                    errors[name] = [_("Choose email or SMS.")]
            elif name == "owner" and not policy.may_own(actor, Campaign, value):
                errors[name] = [_("You may not give this campaign to that user.")]
            elif name == "budget":
                value = _money(value, name, optional=True)
            elif name == "other_cost":
                value = _money(value, name, optional=False)
            elif name == "attribution_days" and (not isinstance(value, int) or not 1 <= value <= 365):
                errors[name] = [_("Enter a number of days from 1 to 365.")]
            elif name in ("track_links", "track_opens", "ab_test"):
                value = bool(value)
            elif name == "control_percent" and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= CONTROL_MAX
            ):
                errors[name] = [_("Enter a share from 0 to %(max)d %%.") % {"max": CONTROL_MAX}]
            elif name == "ab_sample_percent" and (
                not isinstance(value, int) or isinstance(value, bool) or not SAMPLE_MIN <= value <= SAMPLE_MAX
            ):
                errors[name] = [
                    _("Enter a share from %(min)d to %(max)d %%.") % {"min": SAMPLE_MIN, "max": SAMPLE_MAX}
                ]
            elif name == "ab_hours" and (
                not isinstance(value, int) or isinstance(value, bool) or not HOURS_MIN <= value <= HOURS_MAX
            ):
                errors[name] = [
                    _("Enter a number of hours from %(min)d to %(max)d.")
                    % {"min": HOURS_MIN, "max": HOURS_MAX}
                ]
            elif name == "ab_criterion" and value not in Criterion.values:
                errors[name] = [_("Choose opens, clicks or replies.")]
            elif name == "default_language" and value not in dict(settings.LANGUAGES):
                errors[name] = [_("Choose Persian or English.")]
            elif name.startswith("subject_"):
                value = clean_text(value)
                if len(value) > 200:
                    errors[name] = [_too_long(200, len(value))]
                placeholders.check(name, value)
            elif name.startswith("body_"):
                value = (value or "").strip()
                if channel == Channel.EMAIL:
                    value = content.sanitize_html(value)
                limit = EMAIL_MAX_LENGTH if channel == Channel.EMAIL else SMS_MAX_LENGTH
                if len(value) > limit:
                    errors[name] = [_too_long(limit, len(value))]
                placeholders.check(name, value)
            elif name in ("segments", "exclusions"):
                chosen = tuple(dict.fromkeys(value))
                if any(s.deleted_at is not None or not policy.can_view(actor, s) for s in chosen):
                    errors[name] = [_("Choose segments you can see.")]
                value = chosen
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        cleaned[name] = value
    both = set(cleaned.get("segments", ())) & set(cleaned.get("exclusions", ()))
    if both:
        errors["exclusions"] = [_("A segment cannot be both included and excluded.")]
    _check_ab(cleaned, current, channel, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_ab(
    cleaned: dict[str, Any], current: Campaign | None, channel: str, errors: dict[str, list[str]]
) -> None:
    """An A/B test needs a variant B and a criterion the campaign can measure."""

    def value(name: str) -> Any:
        if name in cleaned:
            return cleaned[name]
        return getattr(current, name) if current else DEFAULTS.get(name)

    if not value("ab_test") or errors:
        return
    parts = B_FIELDS if channel == Channel.EMAIL else ("body_b_fa", "body_b_en")
    if not any(str(value(name) or "").strip() for name in parts):
        message = (
            _("Write variant B: its subject or its text (or both).")
            if channel == Channel.EMAIL
            else _("Write variant B's text.")
        )
        errors["body_b_fa"] = [message]
    criterion = value("ab_criterion")
    if criterion not in criteria_for(
        channel, track_opens=bool(value("track_opens")), track_links=bool(value("track_links"))
    ):
        errors["ab_criterion"] = [
            _("Opens are counted only for an email with opened emails tracked.")
            if criterion == Criterion.OPENS
            else _("Clicks are counted only with clicks on links tracked.")
        ]


def _audience_set(campaign: Campaign, cleaned: dict[str, Any]) -> dict[str, list[Any]]:
    """Replace the audience with what was given; the change, for the audit log."""
    changes: dict[str, list[Any]] = {}
    for name, exclude in (("segments", False), ("exclusions", True)):
        if name not in cleaned:
            continue
        rows = CampaignSegment.objects.filter(campaign=campaign, exclude=exclude)
        before = sorted(rows.values_list("segment_id", flat=True))
        after = sorted(s.pk for s in cleaned[name])
        if before != after:
            rows.delete()
            CampaignSegment.objects.bulk_create(
                [CampaignSegment(campaign=campaign, segment=s, exclude=exclude) for s in cleaned[name]]
            )
            changes[name] = [before, after]
    return changes


@transaction.atomic
def campaign_create(*, actor: User, data: CampaignInput) -> Campaign:
    policy.require_create(actor, Campaign)
    if data.name is UNSET:
        raise ValidationError({"name": [_("This field is required.")]})
    cleaned = _clean(data, actor=actor, current=None)
    audience: dict[str, Any] = {n: cleaned.pop(n) for n in ("segments", "exclusions") if n in cleaned}
    cleaned.setdefault("owner", actor)
    cleaned.setdefault("attribution_days", conf.attribution_days())
    campaign = Campaign.objects.create(
        currency=sales_conf.base_currency(), created_by=actor, updated_by=actor, **cleaned
    )
    changes = {k: [None, v] for k, v in snapshot(campaign, ("name", "goal", "channel", "owner")).items()}
    changes |= _audience_set(campaign, audience)
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=campaign, changes=changes)
    return campaign


def _editable(campaign: Campaign) -> None:
    if not campaign.is_editable:
        raise ValidationError(_("A campaign that has been sent (or is being sent) cannot be changed."))


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, data: CampaignInput) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    policy.require_change(actor, campaign)
    _editable(campaign)
    cleaned = _clean(data, actor=actor, current=campaign)
    audience: dict[str, Any] = {n: cleaned.pop(n) for n in ("segments", "exclusions") if n in cleaned}
    before = snapshot(campaign, AUDITED)
    for name, value in cleaned.items():
        setattr(campaign, name, value)
    changes = changes_between(before, snapshot(campaign, AUDITED)) | _audience_set(campaign, audience)
    if changes:
        campaign.updated_by = actor
        campaign.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=campaign, changes=changes)
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor: User) -> None:
    policy.require_change(actor, campaign)
    if campaign.status == Status.SENDING:
        raise ValidationError(_("Cancel the campaign before deleting it: it is being sent."))
    soft_delete_record(campaign, actor=actor, party_id=None, changes={"name": [campaign.name, None]})


# --- before sending -----------------------------------------------------------------------


@dataclass
class Estimate:
    audience: int
    reachable: int
    segments: int = 0  # SMS parts a message takes (its longest language)
    cost: Decimal | None = None  # SMS: at most this, for the whole campaign
    currency: str = ""
    budget_left: Decimal | None = None

    @property
    def over_budget(self) -> bool:
        return self.budget_left is not None and (self.cost or Decimal(0)) > self.budget_left


def message_cost(campaign: Campaign, sender: User | None) -> tuple[int, Decimal]:
    """The SMS parts and cost of one message, counted for a customer with a long name in the
    longest of its languages (a real one's name may be shorter, never much longer)."""
    sample = Reader(
        party_id=10**7,
        kind=Kind.PERSON,
        first_name="محمدرضا",
        last_name="پورمحمدی‌نژاد",
        display_name="محمدرضا پورمحمدی‌نژاد",
        owner="کارشناس فروش",
        company="شرکت بازرگانی نمونه",
    )
    variants = [campaign, variant_campaign(campaign, "b")] if campaign.ab_test else [campaign]
    rendered = []
    for each in variants:  # an A/B test's cost is its longer variant's, at most
        renderer = Renderer(each, sender=sender, track=True)
        rendered += [renderer.render(sample, recipient_id=10**7, language=lang) for lang in renderer.parts]
    longest = max(rendered, key=lambda r: r.segments)
    return longest.segments, longest.cost or Decimal(0)


def campaign_estimate(*, user: User, campaign: Campaign) -> Estimate:
    """How many it would reach and (SMS) what that costs at most, before anything is sent."""
    audience = selectors.campaign_audience(user=user, campaign=campaign)
    estimate = Estimate(
        audience=audience.count(), reachable=selectors.reachable(audience, campaign.channel).count()
    )
    if campaign.channel == Channel.SMS and campaign.languages:
        estimate.segments, each = message_cost(campaign, user)
        estimate.cost = each * estimate.reachable
        estimate.currency = settings.PEYVAND_SMS_CURRENCY
    if campaign.budget is not None:
        estimate.budget_left = campaign.budget - campaign.other_cost
    return estimate


def campaign_check(*, campaign: Campaign, actor: User) -> Estimate:
    """What keeps the campaign from going out (a ValidationError naming each), else what it
    would reach and cost."""
    problems: list[str] = []
    include, _exclude = selectors.audience_segments(campaign)
    if not include:
        problems.append(_("Choose at least one segment or list to send to."))
    if not campaign.body(campaign.default_language).strip():
        problems.append(
            _("Write the message in %(language)s, the language for customers of unknown language.")
            % {"language": dict(settings.LANGUAGES)[campaign.default_language]}
        )
    if campaign.ab_test and not campaign.has_variant_b:
        problems.append(_("Write variant B, or turn the A/B test off."))
    if campaign.channel == Channel.EMAIL:
        for language in campaign.languages:
            if not campaign.subject(language):
                problems.append(
                    _("Enter the subject in %(language)s.") % {"language": dict(settings.LANGUAGES)[language]}
                )
    if problems:
        raise ValidationError(problems)
    estimate = campaign_estimate(user=actor, campaign=campaign)
    if estimate.over_budget:
        raise ValidationError(
            _("Sending could cost up to %(cost)s, more than the %(left)s left of the budget.")
            % {"cost": f"{estimate.cost:,.0f}", "left": f"{estimate.budget_left:,.0f}"}
        )
    return estimate


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, actor: User, send_at: dt.datetime | None) -> Campaign:
    """Send at ``send_at`` (the periodic check starts it then), or now when it is None or past."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    policy.require_change(actor, campaign)
    _editable(campaign)
    campaign_check(campaign=campaign, actor=actor)
    now = timezone.now()
    if send_at is not None and send_at > now:
        before = campaign.status
        campaign.status, campaign.send_at, campaign.sent_by, campaign.updated_by = (
            Status.SCHEDULED,
            send_at,
            actor,
            actor,
        )
        campaign.save(update_fields=["status", "send_at", "sent_by", "updated_by", "updated_at"])
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=campaign,
            changes={"status": [before, campaign.status], "send_at": [None, send_at.isoformat()]},
        )
        return campaign
    return _start(campaign, actor, now)


def _start(campaign: Campaign, actor: User, now: dt.datetime) -> Campaign:
    before = campaign.status
    campaign.status, campaign.sent_by, campaign.started_at, campaign.updated_by = (
        Status.SENDING,
        actor,
        now,
        actor,
    )
    campaign.send_at = campaign.send_at or now
    campaign.save(update_fields=["status", "sent_by", "started_at", "send_at", "updated_by", "updated_at"])
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=campaign, changes={"status": [before, Status.SENDING]}
    )
    pk = campaign.pk
    transaction.on_commit(lambda: jobs.enqueue(CAMPAIGN_RUN, pk), robust=True)
    return campaign


def campaign_send(*, campaign: Campaign, actor: User) -> Campaign:
    return campaign_schedule(campaign=campaign, actor=actor, send_at=None)


def campaign_start_due(*, now: dt.datetime | None = None) -> int:
    """Start the scheduled campaigns whose time has come, each as the user who scheduled it
    (still checked: a campaign that is no longer ready goes back to draft)."""
    now = now or timezone.now()
    started = 0
    due = Campaign.objects.filter(status=Status.SCHEDULED, send_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().filter(pk=pk, status=Status.SCHEDULED).first()
            if campaign is None or campaign.sent_by is None:
                continue
            try:
                campaign_check(campaign=campaign, actor=campaign.sent_by)
            except ValidationError:
                Campaign.objects.filter(pk=pk).update(status=Status.DRAFT, updated_at=now)
                continue
            _start(campaign, campaign.sent_by, now)
            started += 1
    return started


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, actor: User) -> Campaign:
    """A scheduled campaign goes back to draft; one being sent stops, and what it queued
    that has not gone yet is cancelled."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    policy.require_change(actor, campaign)
    before = campaign.status
    if campaign.status == Status.SCHEDULED:
        campaign.status = Status.DRAFT
    elif campaign.status == Status.SENDING:
        campaign.status, campaign.finished_at, campaign.lease = Status.CANCELLED, timezone.now(), None
        waiting = Recipient.objects.filter(
            campaign=campaign, state=Recipient.State.QUEUED, delivery=OutboundMessage.Status.QUEUED
        )
        with translation.override(actor.language or settings.LANGUAGE_CODE):
            reason = _("The campaign was cancelled.")
        OutboundMessage.objects.filter(
            pk__in=waiting.values("message_id"), status=OutboundMessage.Status.QUEUED
        ).update(status=OutboundMessage.Status.CANCELLED, last_error=reason, updated_at=timezone.now())
        waiting.update(delivery=OutboundMessage.Status.CANCELLED)
    else:
        raise ValidationError(_("Only a scheduled campaign or one being sent can be cancelled."))
    campaign.updated_by = actor
    campaign.save(update_fields=["status", "finished_at", "lease", "updated_by", "updated_at"])
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=campaign, changes={"status": [before, campaign.status]}
    )
    return campaign


# --- preview and test ---------------------------------------------------------------------


def campaign_preview(
    *, campaign: Campaign, actor: User, party: Party | None = None, language: str = "", variant: str = ""
) -> Rendered:
    """The message as ``party`` (a customer ``actor`` may see) would receive it, or as the
    sender would, in their language or in ``language``; an A/B test's ``variant`` "b": B's."""
    policy.require_view(actor, campaign)
    if party is not None:
        policy.require_view(actor, party)
    if party is None:  # the sender stands in, reading in their own language
        reader = reader_of_user(actor)
        language = language or actor.language or translation.get_language() or settings.LANGUAGE_CODE
    else:
        reader = reader_of(party)
    shown = variant_campaign(campaign, variant) if campaign.ab_test else campaign
    return Renderer(shown, sender=actor, track=False).render(reader, language=language)


def test_sends_left(actor: User, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    sent = OutboundMessage.objects.filter(
        recipient_user=actor, idempotency_key__startswith=TEST_KEY, created_at__gte=since
    ).count()
    return max(0, conf.test_send_limit() - sent)


@transaction.atomic
def campaign_test_send(
    *, campaign: Campaign, actor: User, to: str, party: Party | None = None, language: str = ""
) -> OutboundMessage:
    """Send the message (as ``party`` would get it) to the sender's own address or phone;
    a few an hour (conf.test_send_limit), marked as a test; by those who may change it."""
    policy.require_change(actor, campaign)
    if test_sends_left(actor) <= 0:
        raise ValidationError(
            _("You have made %(count)d test sends in the last hour; wait a little.")
            % {"count": conf.test_send_limit()}
        )
    try:
        address = normalize_email(to) if campaign.channel == Channel.EMAIL else normalize_phone(to)
    except ValidationError:
        raise ValidationError(
            {
                "to": [
                    _("Enter an email address.")
                    if campaign.channel == Channel.EMAIL
                    else _("Enter a mobile number.")
                ]
            }
        ) from None
    if campaign.channel == Channel.SMS and not content.is_mobile(address):
        raise ValidationError({"to": [_("This number cannot receive SMS: choose a mobile number.")]})
    rendered = campaign_preview(campaign=campaign, actor=actor, party=party, language=language)
    with translation.override(rendered.language):
        mark = _("[Test]")
    return message_queue(
        channel=campaign.channel,
        purpose=Purpose.NOTIFICATION,
        to_address=address,
        subject=f"{mark} {rendered.subject}"[:200],
        body_text=rendered.text if campaign.channel == Channel.EMAIL else f"{mark} {rendered.text}",
        body_html=rendered.html,
        recipient_user=actor,
        actor=actor,
        language=rendered.language,
        segments=rendered.segments,
        cost=rendered.cost,
        key=f"{TEST_KEY}{uuid.uuid4().hex}",
    )
