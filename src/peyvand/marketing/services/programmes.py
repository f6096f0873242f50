"""Programmes (drips): writing one and its steps, starting and pausing it, enrolling
customers, and the periodic job that walks each enrolment through its steps.

Walking (``programmes_advance``): the enrolments due (``due_at`` passed, programme running)
are taken a batch at a time, oldest first; each is locked and moved in its own transaction
as far as it can go now — a send, a tag, a task or a lead happens and the next step is
reached, a wait or a branch still watching sets the next look. A crash loses one
enrolment's move or nothing, and the next run takes it up again. A step's message is a
``Recipient`` of the step's campaign unique per enrolment, decided and written into the
outbox by the campaigns' own code (consent, unsubscribe and bounces checked and counted,
the message's idempotency key naming the recipient row), so it goes once per enrolment
and step whatever happens.

Entering (``programmes_enter``): each running programme with an entry segment enrols,
in one statement, the segment's customers (as the one who started it sees them) who were
never enrolled, and again those whose last passage ended ``reentry_days`` ago or more.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.activities.services.activities import activity_create
from peyvand.core import jobs, policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Kind, Party
from peyvand.customers.services.tags import tags_attach
from peyvand.interactions.models import Direction, Interaction
from peyvand.sales.models import Lead, Order, OrderStatus
from peyvand.sales.services.leads import lead_create

from .. import conf
from ..models import Campaign, Channel, Enrolment, PathEvent, Programme, Recipient, Segment, Step
from ..models import Status as CampaignStatus
from ..selectors import segments as segment_selectors
from . import campaigns as campaign_services
from . import sending
from .common import db_datetime, insert_parties
from .rendering import Renderer, campaign_links, companies, owner_names

logger = logging.getLogger("peyvand.marketing")
Kind_ = Step.Kind
MAX_MOVES = 50  # steps one enrolment may walk in one look (a branch that loops back)
BRANCH_LOOK = dt.timedelta(minutes=15)  # how often a branch still watching looks again
MAX_STEPS = 40
MAX_AMOUNT = {Step.Unit.DAYS: 365, Step.Unit.HOURS: 24 * 30}
TEXT_MAX = 200
ENTRY_COLUMNS = (
    "programme_id",
    "number",
    "state",
    "source",
    "step_id",
    "step_since",
    "due_at",
    "entered_at",
    "moves",
)


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProgrammeInput:
    """A programme's fields as the form and the API give them; on a change, UNSET stays."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    entry_segment: Segment | Unset | None = UNSET
    reentry_days: int | Unset | None = UNSET
    attribution_days: int | Unset = UNSET
    default_language: str | Unset = UNSET
    track_links: bool | Unset = UNSET
    track_opens: bool | Unset = UNSET
    owner: User | Unset | None = UNSET


PROGRAMME_FIELDS = tuple(f.name for f in fields(ProgrammeInput))


@dataclass(frozen=True, kw_only=True)
class StepInput:
    """One step as the step editor and the API give it.

    ``position``: where it goes (1 is first; None: at the end). A branch's ``yes_position``
    and ``no_position`` name the step to go to (None: the next one). A send's content is per
    language, as a campaign's."""

    kind: str
    position: int | None = None
    amount: int = 0
    unit: str = Step.Unit.DAYS
    channel: str = Channel.EMAIL
    subject_fa: str = ""
    body_fa: str = ""
    subject_en: str = ""
    body_en: str = ""
    condition: str = ""
    yes_position: int | None = None
    no_position: int | None = None
    text: str = ""


# --- programmes ---------------------------------------------------------------------------


def _clean(data: ProgrammeInput, *, actor: User) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in given(data).items():
        if name == "name":
            value = clean_text(value or "")
            if not value or len(value) > 200:
                errors[name] = [_("Enter a name of at most 200 characters.")]
        elif name == "description":
            value = (value or "").strip()
            if len(value) > 5000:
                errors[name] = [_("Use at most %(limit)d characters.") % {"limit": 5000}]
        elif name == "entry_segment":
            if value is not None and (value.deleted_at is not None or not policy.can_view(actor, value)):
                errors[name] = [_("Choose a segment you can see.")]
        elif name == "reentry_days":
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650
            ):
                errors[name] = [_("Enter a number of days from 1 to 3650, or leave it empty.")]
        elif name == "attribution_days":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
                errors[name] = [_("Enter a number of days from 1 to 365.")]
        elif name == "default_language" and value not in dict(settings.LANGUAGES):
            errors[name] = [_("Choose Persian or English.")]
        elif name in ("track_links", "track_opens"):
            value = bool(value)
        elif name == "owner" and not policy.may_own(actor, Programme, value):
            errors[name] = [_("You may not give this programme to that user.")]
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


AUDITED = ("name", "description", "entry_segment", "reentry_days", "attribution_days", "owner", "status")


@transaction.atomic
def programme_create(*, actor: User, data: ProgrammeInput, template: str = "") -> Programme:
    policy.require_create(actor, Programme)
    if data.name is UNSET:
        raise ValidationError({"name": [_("This field is required.")]})
    cleaned = _clean(data, actor=actor)
    cleaned.setdefault("owner", actor)
    cleaned.setdefault("attribution_days", conf.attribution_days())
    programme = Programme.objects.create(created_by=actor, updated_by=actor, template=template, **cleaned)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=programme,
        changes={k: [None, v] for k, v in snapshot(programme, AUDITED).items() if v not in (None, "")},
    )
    return programme


def _lock(programme: Programme, actor: User) -> Programme:
    locked = Programme.objects.select_for_update().get(pk=programme.pk, deleted_at=None)
    policy.require_change(actor, locked)
    return locked


@transaction.atomic
def programme_update(*, programme: Programme, actor: User, data: ProgrammeInput) -> Programme:
    programme = _lock(programme, actor)
    cleaned = _clean(data, actor=actor)
    before = snapshot(programme, AUDITED)
    for name, value in cleaned.items():
        setattr(programme, name, value)
    programme.updated_by = actor
    programme.save()
    _sync_campaigns(programme)
    changes = changes_between(before, snapshot(programme, AUDITED))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=programme, changes=changes)
    return programme


@transaction.atomic
def programme_delete(*, programme: Programme, actor: User) -> None:
    programme = _lock(programme, actor)
    if programme.status == Programme.Status.ACTIVE:
        raise ValidationError(_("Pause the programme before deleting it."))
    soft_delete_record(programme, actor=actor, party_id=None, changes={"name": [programme.name, None]})


def _sync_campaigns(programme: Programme) -> None:
    """The step campaigns follow their programme's settings (name, owner, window, tracking)."""
    for step in programme.steps.filter(campaign__isnull=False).select_related("campaign"):
        campaign = step.campaign
        assert campaign is not None
        campaign.name = _step_name(programme, step)
        campaign.owner_id = programme.owner_id
        campaign.attribution_days = programme.attribution_days
        campaign.track_links = programme.track_links
        campaign.track_opens = programme.track_opens
        campaign.default_language = programme.default_language
        campaign.save()


def _step_name(programme: Programme, step: Step) -> str:
    return (_("%(programme)s, step %(step)d") % {"programme": programme.name, "step": step.position})[:200]


def _check_ready(programme: Programme) -> None:
    steps = list(programme.steps.select_related("campaign"))
    if not steps:
        raise ValidationError(_("Add at least one step before starting the programme."))
    for step in steps:
        if step.kind == Kind_.SEND and (step.campaign is None or not step.campaign.languages):
            raise ValidationError(
                _("Step %(step)d sends nothing yet: write its text.") % {"step": step.position}
            )


@transaction.atomic
def programme_start(*, programme: Programme, actor: User, now: dt.datetime | None = None) -> Programme:
    """Start a draft, or resume a paused programme: its due enrolments go on at the next run."""
    programme = _lock(programme, actor)
    if programme.status == Programme.Status.ACTIVE:
        return programme
    _check_ready(programme)
    now = now or timezone.now()
    programme.status = Programme.Status.ACTIVE
    if programme.started_at is None:
        programme.started_at = now
    programme.started_by = actor
    programme.updated_by = actor
    programme.save()
    Campaign.objects.filter(programme=programme).update(sent_by=actor, started_at=programme.started_at)
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=programme, changes={"status": ["", "active"]})
    return programme


@transaction.atomic
def programme_pause(*, programme: Programme, actor: User) -> Programme:
    """Stop walking: nobody enters and nobody moves until it is resumed (the waits go on
    counting: a wait that ended meanwhile moves at once on resuming)."""
    programme = _lock(programme, actor)
    if programme.status != Programme.Status.ACTIVE:
        raise ValidationError(_("Only a running programme can be paused."))
    programme.status = Programme.Status.PAUSED
    programme.updated_by = actor
    programme.save()
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=programme, changes={"status": ["active", "paused"]}
    )
    return programme


# --- steps --------------------------------------------------------------------------------


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _clean_step(
    programme: Programme, data: StepInput, *, actor: User, current: Step | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = data.kind
    if kind not in Kind_.values:
        raise ValidationError({"kind": [_("Choose what the step does.")]})
    cleaned: dict[str, Any] = {"kind": kind}
    count = programme.steps.count()
    last = count if current is not None else count + 1
    if data.position is not None and (_whole(data.position) is None or not 1 <= data.position <= last):
        errors["position"] = [_("Enter a step number from 1 to %(last)d.") % {"last": last}]
    if kind in (Kind_.WAIT, Kind_.BRANCH):
        if data.unit not in Step.Unit.values:
            errors["unit"] = [_("Choose days or hours.")]
        else:
            top = MAX_AMOUNT[Step.Unit(data.unit)]
            amount = _whole(data.amount)
            if amount is None or not 1 <= amount <= top:
                errors["amount"] = [_("Enter a whole number from 1 to %(max)d.") % {"max": top}]
            cleaned.update(amount=data.amount, unit=data.unit)
    if kind == Kind_.BRANCH:
        if data.condition not in Step.Condition.values:
            errors["condition"] = [_("Choose what the customer must have done.")]
        cleaned["condition"] = data.condition
        for name in ("yes_position", "no_position"):
            value = getattr(data, name)
            if value is not None and (_whole(value) is None or not 1 <= value <= last):
                errors[name] = [_("Enter a step number from 1 to %(last)d.") % {"last": last}]
    if kind in (Kind_.TAG, Kind_.TASK, Kind_.LEAD):
        text = clean_text(data.text or "")
        if not text:
            errors["text"] = [_("Enter the tag.") if kind == Kind_.TAG else _("Enter a title.")]
        elif len(text) > (50 if kind == Kind_.TAG else TEXT_MAX):
            errors["text"] = [
                _("Use at most %(limit)d characters.") % {"limit": 50 if kind == Kind_.TAG else TEXT_MAX}
            ]
        cleaned["text"] = text
    if kind == Kind_.SEND:
        content = campaign_services.CampaignInput(
            channel=data.channel,
            subject_fa=data.subject_fa or "",
            body_fa=data.body_fa or "",
            subject_en=data.subject_en or "",
            body_en=data.body_en or "",
        )
        try:
            cleaned["content"] = campaign_services._clean(content, actor=actor, current=None)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            languages = [code for code, _n in settings.LANGUAGES if cleaned["content"].get(f"body_{code}")]
            if not languages:
                errors["body_fa"] = [_("Write the message in at least one language.")]
            if data.channel == Channel.EMAIL:
                for code in languages:
                    if not cleaned["content"].get(f"subject_{code}"):
                        errors[f"subject_{code}"] = [_("Write the subject.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _renumber(programme: Programme) -> None:
    for number, step in enumerate(programme.steps.order_by("position", "id"), start=1):
        if step.position != number:
            Step.objects.filter(pk=step.pk).update(position=number)


def _apply_step(programme: Programme, step: Step, cleaned: dict[str, Any], data: StepInput) -> None:
    """Write the cleaned fields onto ``step`` (saved, at its position) and its campaign."""
    content = cleaned.pop("content", None)
    step.kind = cleaned["kind"]
    step.amount = cleaned.get("amount", 0)
    step.unit = cleaned.get("unit", Step.Unit.DAYS)
    step.condition = cleaned.get("condition", "")
    step.text = cleaned.get("text", "")
    step.save()
    if content is not None:
        campaign = step.campaign or Campaign(
            programme=programme,
            currency=_currency(),
            status=CampaignStatus.DRAFT,
            audience_frozen=True,
        )
        for name in ("channel", "subject_fa", "body_fa", "subject_en", "body_en"):
            setattr(campaign, name, content.get(name, ""))
        campaign.name = _step_name(programme, step)
        campaign.owner_id = programme.owner_id
        campaign.attribution_days = programme.attribution_days
        campaign.track_links, campaign.track_opens = programme.track_links, programme.track_opens
        campaign.default_language = programme.default_language
        campaign.sent_by_id = programme.started_by_id
        campaign.started_at = programme.started_at
        campaign.links = campaign_links(campaign)
        campaign.save()
        if step.campaign_id != campaign.pk:
            step.campaign = campaign
            step.save(update_fields=["campaign"])


def _currency() -> str:
    return campaign_services.sales_conf.base_currency()


def _place(programme: Programme, step: Step, position: int | None) -> None:
    """Move ``step`` to ``position`` (1 = first), the others keeping their order."""
    others = list(programme.steps.exclude(pk=step.pk).order_by("position", "id"))
    at = len(others) if position is None else max(0, min(position - 1, len(others)))
    ordered = [*others[:at], step, *others[at:]]
    for number, item in enumerate(ordered, start=1):
        if item.position != number:
            Step.objects.filter(pk=item.pk).update(position=number)
            item.position = number
    step.position = ordered.index(step) + 1


def _link(programme: Programme, step: Step, data: StepInput, positions: dict[int, Step]) -> None:
    if step.kind != Kind_.BRANCH:
        Step.objects.filter(pk=step.pk).update(yes_step=None, no_step=None)
        return
    step.yes_step = positions.get(data.yes_position) if data.yes_position else None
    step.no_step = positions.get(data.no_position) if data.no_position else None
    if step.yes_step == step or step.no_step == step:
        raise ValidationError({"yes_position": [_("A branch cannot go to itself.")]})
    step.save(update_fields=["yes_step", "no_step"])


@transaction.atomic
def step_add(*, programme: Programme, actor: User, data: StepInput) -> Step:
    programme = _lock(programme, actor)
    if programme.steps.count() >= MAX_STEPS:
        raise ValidationError(_("A programme has at most %(max)d steps.") % {"max": MAX_STEPS})
    cleaned = _clean_step(programme, data, actor=actor, current=None)
    # The branch's targets are read by their numbers before the new step shifts them.
    positions = {s.position: s for s in programme.steps.all()}
    step = Step(programme=programme, position=programme.steps.count() + 1, kind=cleaned["kind"])
    _apply_step(programme, step, cleaned, data)
    _link(programme, step, data, positions)
    _place(programme, step, data.position)
    _sync_campaigns(programme)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=programme,
        changes={"steps": [None, f"+{step.position}"]},
    )
    return step


@transaction.atomic
def step_update(*, step: Step, actor: User, data: StepInput) -> Step:
    programme = _lock(step.programme, actor)
    step = Step.objects.select_related("campaign").get(pk=step.pk, programme=programme)
    if step.kind != data.kind and Enrolment.objects.filter(step=step, state=Enrolment.State.ACTIVE).exists():
        raise ValidationError({"kind": [_("Customers are at this step: its kind cannot change now.")]})
    cleaned = _clean_step(programme, data, actor=actor, current=step)
    positions = {s.position: s for s in programme.steps.all()}
    _apply_step(programme, step, cleaned, data)
    _link(programme, step, data, positions)
    if data.position is not None and data.position != step.position:
        _place(programme, step, data.position)
        _sync_campaigns(programme)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=programme,
        changes={"steps": [None, f"~{step.position}"]},
    )
    return step


@transaction.atomic
def step_delete(*, step: Step, actor: User) -> None:
    programme = _lock(step.programme, actor)
    if Enrolment.objects.filter(step=step, state=Enrolment.State.ACTIVE).exists():
        raise ValidationError(_("Customers are at this step: it cannot be removed now."))
    position = step.position
    if step.campaign_id and not Recipient.objects.filter(campaign_id=step.campaign_id).exists():
        Campaign.objects.filter(pk=step.campaign_id).delete()
    step.delete()
    _renumber(programme)
    _sync_campaigns(programme)
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=programme, changes={"steps": [f"-{position}", None]}
    )


# --- enrolling ----------------------------------------------------------------------------


@dataclass
class Enrolled:
    added: int = 0
    skipped: int = 0  # already in it, or not yet allowed back in


def _first_step(programme: Programme) -> Step | None:
    return programme.steps.order_by("position", "id").first()


@transaction.atomic
def programme_enrol(
    *,
    programme: Programme,
    actor: User,
    party_ids: Iterable[int] = (),
    segment: Segment | None = None,
    now: dt.datetime | None = None,
) -> Enrolled:
    """Enrol chosen customers, or a list's (or a segment's) customers, whom ``actor`` may see:
    once each, or again when the programme allows re-entry and their last passage ended
    long enough ago."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk, deleted_at=None)
    policy.require_change(actor, programme)
    if programme.status == Programme.Status.DRAFT:
        raise ValidationError(_("Start the programme before enrolling customers."))
    now = now or timezone.now()
    if segment is not None:
        if segment.deleted_at is not None or not policy.can_view(actor, segment):
            raise ValidationError({"segment": [_("Choose a segment you can see.")]})
        parties = segment_selectors.segment_parties(user=actor, segment=segment, now=now)
    else:
        wanted = {int(pk) for pk in party_ids}
        parties = policy.visible(actor, Party.objects.filter(pk__in=wanted))
    ids = list(parties.values_list("pk", flat=True)[:100_000])
    result = _enrol_ids(programme, ids, now=now, source="list" if segment else "selection", actor=actor)
    if result.added:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=programme,
            changes={"enrolled": [None, result.added]},
        )
    return result


def _enrol_ids(
    programme: Programme, party_ids: Sequence[int], *, now: dt.datetime, source: str, actor: User | None
) -> Enrolled:
    first = _first_step(programme)
    result = Enrolled()
    latest: dict[int, Enrolment] = {}
    for start in range(0, len(party_ids), 900):
        chunk = party_ids[start : start + 900]
        for enrolment in Enrolment.objects.filter(programme=programme, party_id__in=chunk).order_by("number"):
            latest[enrolment.party_id] = enrolment
    cutoff = now - dt.timedelta(days=programme.reentry_days) if programme.reentry_days else None
    rows = []
    for party_id in party_ids:
        last = latest.get(party_id)
        if last is not None and (
            cutoff is None
            or last.state == Enrolment.State.ACTIVE
            or last.finished_at is None
            or last.finished_at > cutoff
        ):
            result.skipped += 1
            continue
        rows.append(
            Enrolment(
                programme=programme,
                party_id=party_id,
                number=last.number + 1 if last else 1,
                source=source,
                step=first,
                step_since=now,
                due_at=now,
                entered_at=now,
                entered_by=actor,
            )
        )
    made = Enrolment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    result.added = len(made)
    return result


def programmes_enter(*, now: dt.datetime | None = None) -> int:
    """Enrol the new customers of each running programme's entry segment; how many."""
    now = now or timezone.now()
    added = 0
    running = Programme.objects.filter(
        status=Programme.Status.ACTIVE,
        deleted_at=None,
        entry_segment__isnull=False,
        entry_segment__deleted_at=None,
        started_by__isnull=False,
    ).select_related("entry_segment", "started_by")
    for programme in running:
        assert programme.entry_segment is not None and programme.started_by is not None
        audience = segment_selectors.segment_parties(
            user=programme.started_by, segment=programme.entry_segment, now=now
        )
        first = _first_step(programme)
        with transaction.atomic():
            fresh = audience.exclude(pk__in=Enrolment.objects.filter(programme=programme).values("party_id"))
            moment = db_datetime(now)
            added += insert_parties(
                Enrolment._meta.db_table,
                ENTRY_COLUMNS,
                (
                    programme.pk,
                    1,
                    "active",
                    "segment",
                    first.pk if first else None,
                    moment,
                    moment,
                    moment,
                    0,
                ),
                fresh,
            )
            if programme.reentry_days:
                cutoff = now - dt.timedelta(days=programme.reentry_days)
                back = (
                    Enrolment.objects.filter(programme=programme, party__in=audience)
                    .values("party_id")
                    .annotate(
                        active=Count("id", filter=Q(state=Enrolment.State.ACTIVE)), ended=Max("finished_at")
                    )
                    .filter(active=0, ended__lte=cutoff)
                    .values_list("party_id", flat=True)[:5000]
                )
                added += _enrol_ids(programme, list(back), now=now, source="segment", actor=None).added
    return added


# --- walking ------------------------------------------------------------------------------


@dataclass
class Plan:
    """A programme's steps, looked up once per run."""

    steps: dict[int, Step]
    order: list[int]
    renderers: dict[int, Renderer]

    def after(self, step: Step) -> Step | None:
        at = self.order.index(step.pk)
        return self.steps[self.order[at + 1]] if at + 1 < len(self.order) else None


class Walker:
    """One run of the job: the programmes' plans and the bounced addresses, read once."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.plans: dict[int, Plan] = {}
        self.bounced: dict[str, frozenset[str]] = {}

    def plan(self, programme_id: int) -> Plan:
        if programme_id not in self.plans:
            steps = list(
                Step.objects.filter(programme_id=programme_id)
                .select_related("campaign", "campaign__sent_by")
                .order_by("position", "id")
            )
            renderers = {
                s.pk: Renderer(s.campaign, sender=s.campaign.sent_by, track=True)
                for s in steps
                if s.kind == Kind_.SEND and s.campaign is not None and s.campaign.languages
            }
            self.plans[programme_id] = Plan({s.pk: s for s in steps}, [s.pk for s in steps], renderers)
        return self.plans[programme_id]

    def bounced_on(self, channel: str) -> frozenset[str]:
        if channel not in self.bounced:
            self.bounced[channel] = sending._bounced(channel, self.now)
        return self.bounced[channel]

    # One enrolment, in its own transaction.

    def advance(self, enrolment_id: int) -> bool:
        with transaction.atomic():
            enrolment = (
                Enrolment.objects.select_for_update(of=("self",))
                .filter(
                    pk=enrolment_id,
                    state=Enrolment.State.ACTIVE,
                    due_at__lte=self.now,
                    programme__status=Programme.Status.ACTIVE,
                    programme__deleted_at=None,
                )
                .select_related("programme", "party")
                .first()
            )
            if enrolment is None:
                return False
            plan = self.plan(enrolment.programme_id)
            self._walk(enrolment, plan)
            enrolment.save()
            return True

    def _event(
        self,
        enrolment: Enrolment,
        step: Step | None,
        kind: str,
        detail: str = "",
        *,
        code: str = "",
        target: int | None = None,
    ) -> None:
        PathEvent.objects.create(
            enrolment=enrolment,
            step=step,
            kind=kind,
            at=self.now,
            detail=detail[:300],
            code=code,
            target=target,
        )

    def _arrive(self, enrolment: Enrolment, step: Step | None, code: str = "") -> None:
        enrolment.moves += 1
        enrolment.step = step
        enrolment.step_since = self.now
        enrolment.due_at = self.now
        if step is None:
            self._finish(enrolment, None, Enrolment.State.DONE, "done")
        else:
            self._event(enrolment, step, PathEvent.Kind.ARRIVED, code=code)

    def _finish(self, enrolment: Enrolment, step: Step | None, state: str, code: str) -> None:
        enrolment.state = state
        enrolment.finished_at = self.now
        enrolment.due_at = None
        kind = PathEvent.Kind.EXITED if state == Enrolment.State.EXITED else PathEvent.Kind.DONE
        self._event(enrolment, step, kind, code=code)

    def _walk(self, enrolment: Enrolment, plan: Plan) -> None:
        if enrolment.party.deleted_at is not None:
            self._finish(enrolment, enrolment.step, Enrolment.State.EXITED, "deleted")
            return
        if enrolment.moves == 0:
            first = plan.steps.get(enrolment.step_id) if enrolment.step_id else None
            if first is None and plan.order:
                first = plan.steps[plan.order[0]]
            self._arrive(enrolment, first, "entered")
        for _move in range(MAX_MOVES):
            if enrolment.state != Enrolment.State.ACTIVE:
                return
            step = plan.steps.get(enrolment.step_id) if enrolment.step_id else None
            if step is None:
                # Its step was removed (or none was left): carry on after the last one.
                self._finish(enrolment, None, Enrolment.State.DONE, "done")
                return
            outcome = self._do(enrolment, step, plan)
            if outcome is None:  # waiting: due_at says until when
                return
            target, code = outcome
            self._arrive(enrolment, target, code)
        enrolment.due_at = self.now + BRANCH_LOOK  # a loop without waits: look again later

    def _do(self, enrolment: Enrolment, step: Step, plan: Plan) -> tuple[Step | None, str] | None:
        """Do the step; the next step and why, or None to wait (``due_at`` set)."""
        if step.kind == Kind_.WAIT:
            until = enrolment.step_since + _length(step)
            if self.now < until:
                enrolment.due_at = until
                return None
            self._event(enrolment, step, PathEvent.Kind.WAITED)
            return plan.after(step), ""
        if step.kind == Kind_.SEND:
            self._send(enrolment, step, plan)
            return plan.after(step), ""
        if step.kind == Kind_.BRANCH:
            return self._branch(enrolment, step, plan)
        if step.kind == Kind_.TAG:
            tags_attach([enrolment.party_id], [step.text])
            self._event(enrolment, step, PathEvent.Kind.TAGGED, step.text)
            return plan.after(step), ""
        if step.kind == Kind_.TASK:
            self._task(enrolment, step)
            return plan.after(step), ""
        if step.kind == Kind_.LEAD:
            self._lead(enrolment, step)
            return plan.after(step), ""
        self._finish(enrolment, step, Enrolment.State.EXITED, "exit")
        return None

    def _send(self, enrolment: Enrolment, step: Step, plan: Plan) -> None:
        campaign = step.campaign
        renderer = plan.renderers.get(step.pk)
        if campaign is None or renderer is None:
            self._event(enrolment, step, PathEvent.Kind.FAILED, code="no_message")
            return
        Recipient.objects.bulk_create(
            [Recipient(campaign=campaign, party_id=enrolment.party_id, enrolment=enrolment)],
            ignore_conflicts=True,
        )
        row = (
            Recipient.objects.filter(campaign=campaign, enrolment=enrolment)
            .values("id", "party_id", "variant", "state", "reason", *sending.PARTY_FIELDS)
            .get()
        )
        if row["state"] == Recipient.State.PENDING:
            party_id = row["party_id"]
            firms = companies([party_id]) if row["party__kind"] == Kind.PERSON else {}
            owners = owner_names([row["party__owner_id"]] if row["party__owner_id"] else [])
            decided = sending._decide(
                row, campaign, renderer, self.bounced_on(campaign.channel), firms, owners
            )
            queued = [decided] if decided.state == Recipient.State.QUEUED else []
            messages = sending._insert_messages(campaign, queued, self.now)
            sending._record([decided], messages, self.now)
            ids = sorted(messages.values())
            if ids:
                transaction.on_commit(lambda: jobs.enqueue(sending.CAMPAIGN_DELIVER, ids), robust=True)
            state, reason = decided.state, decided.reason
        else:
            state, reason = row["state"], row["reason"]
        if state == Recipient.State.QUEUED:
            self._event(enrolment, step, PathEvent.Kind.SENT, campaign.channel, code="channel")
        else:
            self._event(enrolment, step, PathEvent.Kind.SKIPPED, reason, code="reason")

    def _branch(self, enrolment: Enrolment, step: Step, plan: Plan) -> tuple[Step | None, str] | None:
        condition = Step.Condition(step.condition) if step.condition in Step.Condition.values else None
        if condition is not None and did(enrolment, condition, since=enrolment.step_since):
            target = step.yes_step if step.yes_step_id else plan.after(step)
            self._branched(enrolment, step, "yes", target)
            return _in_plan(plan, target), "yes"
        deadline = enrolment.step_since + _length(step)
        if self.now < deadline:
            enrolment.due_at = min(deadline, self.now + BRANCH_LOOK)
            return None
        target = step.no_step if step.no_step_id else plan.after(step)
        self._branched(enrolment, step, "no", target)
        return _in_plan(plan, target), "no"

    def _branched(self, enrolment: Enrolment, step: Step, answer: str, target: Step | None) -> None:
        where = target.position if target is not None else 0
        self._event(enrolment, step, PathEvent.Kind.BRANCHED, step.condition, code=answer, target=where)

    def _task(self, enrolment: Enrolment, step: Step) -> None:
        """A task for the customer's owner (else the programme's), written in their name: the
        programme acts for them, and may only give them work on a customer they can see."""
        programme = enrolment.programme
        party = enrolment.party
        owner = party.owner
        assignee = owner if owner is not None and owner.is_active else programme.owner
        try:
            if assignee is None or not assignee.is_active:
                raise PermissionDenied
            activity_create(
                actor=assignee,
                data={
                    "title": step.text,
                    "party": party,
                    "assignee": assignee,
                    "due_at": self.now + dt.timedelta(days=1),
                    "description": _("From the programme «%(programme)s».") % {"programme": programme.name},
                },
            )
        except (PermissionDenied, ValidationError) as exc:
            self._event(enrolment, step, PathEvent.Kind.FAILED, _why(exc))
            return
        self._event(enrolment, step, PathEvent.Kind.TASK, f"{step.text} → {assignee}")

    def _lead(self, enrolment: Enrolment, step: Step) -> None:
        party = enrolment.party
        data: dict[str, Any] = {
            "email": party.primary_email,
            "phone": party.primary_phone,
            "source": "campaign",
            "message": step.text,
        }
        if party.kind == Kind.PERSON:
            data.update(first_name=party.first_name, last_name=party.last_name or party.display_name)
        else:
            data["company"] = party.display_name
        owner = party.owner
        if owner is not None and owner.is_active:
            data["owner"] = owner
        try:
            lead = lead_create(actor=None, data=data)
        except ValidationError as exc:
            self._event(enrolment, step, PathEvent.Kind.FAILED, _why(exc))
            return
        Lead.objects.filter(pk=lead.pk).update(party=party)
        self._event(enrolment, step, PathEvent.Kind.LEAD, step.text)


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return _("Nobody may be given this task.")


def _in_plan(plan: Plan, step: Step | None) -> Step | None:
    return plan.steps.get(step.pk) if step is not None else None


def _length(step: Step) -> dt.timedelta:
    if step.unit == Step.Unit.HOURS:
        return dt.timedelta(hours=step.amount)
    return dt.timedelta(days=step.amount)


def did(enrolment: Enrolment, condition: str, *, since: dt.datetime) -> bool:
    """Whether the customer did it: opened or clicked the enrolment's last message, replied on
    its channel after it was sent, or placed an order (not cancelled) after it (or, with no
    message yet, after ``since``)."""
    last = (
        Recipient.objects.filter(enrolment=enrolment, state=Recipient.State.QUEUED)
        .select_related("campaign")
        .order_by("-queued_at", "-id")
        .first()
    )
    if condition == Step.Condition.OPENED:
        return last is not None and last.opened_at is not None
    if condition == Step.Condition.CLICKED:
        return last is not None and last.clicked_at is not None
    after = last.queued_at if last is not None and last.queued_at else since
    if condition == Step.Condition.REPLIED:
        if last is None:
            return False
        return Interaction.objects.filter(
            party_id=enrolment.party_id,
            direction=Direction.INBOUND,
            channel=last.campaign.channel,
            occurred_at__gte=after,
        ).exists()
    return (
        Order.objects.filter(party_id=enrolment.party_id, created_at__gte=after)
        .exclude(status=OrderStatus.CANCELLED)
        .exists()
    )


def programmes_advance(*, now: dt.datetime | None = None, batch: int = 500, limit: int | None = None) -> int:
    """Move every due enrolment of the running programmes; how many moved. ``limit`` stops
    after that many looks (a test's crash; the next run carries on)."""
    now = now or timezone.now()
    walker = Walker(now)
    moved = looked = 0
    seen: set[int] = set()
    while True:
        due = list(
            Enrolment.objects.filter(
                state=Enrolment.State.ACTIVE,
                due_at__lte=now,
                programme__status=Programme.Status.ACTIVE,
                programme__deleted_at=None,
            )
            .exclude(pk__in=seen)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        if not due:
            return moved
        for pk in due:
            if limit is not None and looked >= limit:
                return moved
            looked += 1
            try:
                went = walker.advance(pk)
            except Exception:  # one customer's failure must not stop everyone else's
                logger.exception("programme enrolment %s could not move", pk)
                went = False
            moved += went
            if not went:
                seen.add(pk)  # not again in this run


def programmes_tick(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The periodic job: enter, then walk."""
    now = now or timezone.now()
    return programmes_enter(now=now), programmes_advance(now=now)
