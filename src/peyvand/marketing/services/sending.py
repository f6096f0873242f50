"""Sending a campaign: the background run that writes every recipient into the outbox once.

1. The run takes the campaign's lease (one run at a time; a run whose heartbeat stops is
   taken over by the periodic check, see ``campaigns_resume``).
2. The audience is frozen: one ``INSERT … SELECT`` writes a pending row per customer the
   sender may see, unique per campaign and customer, so running it again adds nobody twice.
3. Batch by batch (by row id, so a restart resumes where it stopped), each pending customer
   is skipped with a reason (no consent, unsubscribed, no address, bounced) or rendered, and
   in one transaction its outbox message is inserted (``ON CONFLICT DO NOTHING`` on the
   message's idempotency key, which names the recipient row), the recipient row records
   the outcome and the message, and the campaign its progress, under the lease. A crash
   loses the whole batch or nothing; a batch done twice finds the same messages and links
   them, never writing a second one.
4. After each batch commits, its messages are handed to the outbox's delivery job.

Exactly once per customer and channel therefore rests on two unique constraints (recipient
per campaign and customer; outbox message per idempotency key), not on the lease.

A control group and an A/B test (``groups``): when the audience is frozen, the eligible
customers are split in the same transaction; the control group is held out (never queued),
the test's sample is pending with its variant, and the rest waits (state ``rest``). Once the
sample is queued the run stops until the test ends (``ab_ends_at``); the run after that picks
the winner (``abtest.ab_decide``, once) and turns the rest into pending rows with the winner's
variant, which the same batches queue, once each.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from peyvand.core import bulk, jobs
from peyvand.customers.models import Kind
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.outbox import outbound_deliver

from .. import conf, content
from ..models import Campaign, Channel, Recipient, Status
from ..selectors import campaigns as selectors
from . import abtest, groups
from .common import db_datetime, insert_parties
from .rendering import Reader, Renderer, campaign_links, companies, owner_names, variant_campaign

CAMPAIGN_DELIVER = "marketing.campaign_deliver"  # registered by tasks.py
logger = logging.getLogger("peyvand.marketing")
State, Reason = Recipient.State, Recipient.Reason
# What a consent withdrawn by the customer is recorded with (interactions: the unsubscribe
# link and an opt-out reply); any other "no" was never a "yes".
OPTED_OUT = frozenset({"unsubscribe", "sms_reply"})
PARTY_FIELDS = (
    "party__kind",
    "party__first_name",
    "party__last_name",
    "party__display_name",
    "party__owner_id",
    "party__primary_email",
    "party__primary_phone",
    "party__email_consent",
    "party__email_consent_source",
    "party__sms_consent",
    "party__sms_consent_source",
)
# The outbox's columns a campaign fills, the same for every message of a run…
_FIXED = (
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "channel",
    "purpose",
    "status",
    "reply_to",
    "attempts",
    "next_attempt_at",
    "last_error",
    "provider_id",
    "currency",
    "source_type_id",
    "source_field",
)
# …and its own.
_OWN = (
    "party_id",
    "to_address",
    "subject",
    "body_text",
    "body_html",
    "language",
    "idempotency_key",
    "segments",
    "cost",
    "source_id",
)


class LeaseLost(Exception):
    """Another run holds the campaign now, or it was cancelled: stop without writing."""


class TestRunning(Exception):
    """The A/B test's sample is out and its time has not run out: stop until it has."""


@dataclass
class Decided:
    recipient_id: int
    state: str
    reason: str = ""
    address: str = ""
    language: str = ""
    key: str = ""
    row: tuple[Any, ...] = ()  # the outbox row, for a queued one
    cost: Decimal | None = None


def message_key(recipient_id: int) -> str:
    return f"campaign-recipient-{recipient_id}"


def _take(campaign_id: int, now: dt.datetime) -> uuid.UUID | None:
    token = uuid.uuid4()
    stale = now - dt.timedelta(seconds=conf.LEASE_SECONDS)
    taken = (
        Campaign.objects.filter(pk=campaign_id, status=Status.SENDING)
        .filter(Q(lease__isnull=True) | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))
        .update(lease=token, heartbeat_at=now)
    )
    return token if taken else None


def _beat(campaign: Campaign, token: uuid.UUID, **fields: Any) -> None:
    """Record progress while this run holds the lease and the campaign is still sending."""
    fields["heartbeat_at"] = timezone.now()
    if not Campaign.objects.filter(pk=campaign.pk, lease=token, status=Status.SENDING).update(**fields):
        raise LeaseLost(campaign.pk)


def campaign_run(*, campaign_id: int, batches: int | None = None) -> Campaign:
    """Send what is left of the campaign; safe to call any number of times, at once or after a
    crash. ``batches`` stops after that many (a test's crash)."""
    now = timezone.now()
    token = _take(campaign_id, now)
    campaign = Campaign.objects.select_related("sent_by").get(pk=campaign_id)
    if token is None:
        return campaign
    try:
        if not campaign.audience_frozen:
            _freeze(campaign, token)
        renderers = _renderers(campaign)
        bounced = _bounced(campaign.channel, now)
        done = 0
        while batches is None or done < batches:
            if not _batch(campaign, token, renderers, bounced):
                if _rest_released(campaign, token):
                    continue
                Campaign.objects.filter(pk=campaign.pk, lease=token, status=Status.SENDING).update(
                    status=Status.SENT, finished_at=timezone.now(), lease=None, heartbeat_at=None
                )
                break
            done += 1
    except LeaseLost:
        logger.info("campaign %s: another run holds it, or it was cancelled", campaign_id)
    except TestRunning:
        logger.info("campaign %s: the A/B test runs until %s", campaign_id, campaign.ab_ends_at)
    campaign.refresh_from_db()
    return campaign


def _renderers(campaign: Campaign) -> dict[str, Renderer]:
    """The renderer of each variant a recipient may get ("" and "a": the campaign's own)."""
    found = {"": Renderer(campaign, sender=campaign.sent_by, track=True)}
    found["a"] = found[""]
    if campaign.ab_test:
        found["b"] = Renderer(variant_campaign(campaign, "b"), sender=campaign.sent_by, track=True)
    return found


def _rest_released(campaign: Campaign, token: uuid.UUID) -> bool:
    """After the A/B test's sample: pick the winner when the test is over (or it was picked by
    hand) and release the rest to be sent with it; True when there is more to send now.
    Raises TestRunning while the test runs (the periodic check comes back when it ends)."""
    if not campaign.ab_test or not Recipient.objects.filter(campaign=campaign, state=State.REST).exists():
        return False
    now = timezone.now()
    if not campaign.ab_winner:
        if campaign.ab_ends_at is None:
            campaign.ab_ends_at = now + dt.timedelta(hours=campaign.ab_hours)
            _beat(campaign, token, ab_ends_at=campaign.ab_ends_at)
        if campaign.ab_ends_at > now:
            Campaign.objects.filter(pk=campaign.pk, lease=token).update(lease=None, heartbeat_at=None)
            raise TestRunning(campaign.pk)
        abtest.ab_decide(campaign=campaign, variant=None, actor=None)
        campaign.refresh_from_db(fields=["ab_winner", "ab_decided_at", "ab_decided_by", "ab_result"])
    with transaction.atomic():
        _beat(campaign, token, cursor=0)
        Recipient.objects.filter(campaign=campaign, state=State.REST).update(
            state=State.PENDING, variant=campaign.ab_winner
        )
    campaign.cursor = 0
    return True


@transaction.atomic
def _freeze(campaign: Campaign, token: uuid.UUID) -> None:
    """Write a pending row for each customer the campaign targets, as its sender sees them,
    and split off the control group and the A/B test's sample."""
    _beat(campaign, token)
    if campaign.sent_by is not None:
        audience = selectors.campaign_audience(
            user=campaign.sent_by, campaign=campaign, now=campaign.started_at
        )
        insert_parties(
            Recipient._meta.db_table,
            (
                "campaign_id",
                "state",
                "reason",
                "address",
                "language",
                "delivery",
                "clicks",
                "variant",
                "in_test",
            ),
            (campaign.pk, State.PENDING.value, "", "", "", "", 0, "", False),
            audience,
        )
    held = _split(campaign) if campaign.control_percent or campaign.ab_test else 0
    total = Recipient.objects.filter(campaign=campaign).count()
    links = campaign_links(campaign)
    _beat(campaign, token, audience_frozen=True, total=total, links=links, processed=held)
    campaign.audience_frozen, campaign.total, campaign.links = True, total, links


def _split(campaign: Campaign) -> int:
    """Hold out the control group, mark the test's sample A or B and the rest waiting (see
    ``groups``); the eligible are those the send would not skip. Returns how many were held."""
    bounced = _bounced(campaign.channel, timezone.now())
    rows = (
        Recipient.objects.filter(campaign=campaign, state=State.PENDING)
        .order_by("id")
        .values_list("id", "party_id", *PARTY_FIELDS[-6:])
    )
    eligible = []
    for recipient_id, party_id, *fields in rows.iterator(chunk_size=5000):
        row = dict(zip(PARTY_FIELDS[-6:], fields, strict=True))
        if not _reason(row, campaign.channel, bounced)[0]:
            eligible.append((recipient_id, party_id))
    split = groups.split(
        campaign.pk,
        eligible,
        control_percent=campaign.control_percent,
        sample_percent=campaign.ab_sample_percent if campaign.ab_test else None,
    )
    marks: list[tuple[list[int], dict[str, Any]]] = [
        (split.control, {"state": State.HELD_OUT, "reason": Reason.CONTROL}),
        (split.a, {"variant": "a", "in_test": True}),
        (split.b, {"variant": "b", "in_test": True}),
    ]
    if campaign.ab_test:
        marks.append((split.rest, {"state": State.REST}))
    for ids, values in marks:
        for start in range(0, len(ids), 900):
            Recipient.objects.filter(pk__in=ids[start : start + 900]).update(**values)
    return len(split.control)


def _bounced(channel: str, now: dt.datetime) -> frozenset[str]:
    """Addresses a message failed on for good lately (a bounce, a refused number)."""
    since = now - dt.timedelta(days=conf.bounce_days())
    return frozenset(
        OutboundMessage.objects.filter(
            channel=channel, status=OutboundMessage.Status.FAILED, failed_at__gte=since
        ).values_list("to_address", flat=True)
    )


def _reason(row: dict[str, Any], channel: str, bounced: frozenset[str]) -> tuple[str, str]:
    """(reason to skip, or "", the address)."""
    if not row[f"party__{channel}_consent"]:
        source = row[f"party__{channel}_consent_source"]
        return (Reason.UNSUBSCRIBED if source in OPTED_OUT else Reason.NO_CONSENT), ""
    address = row["party__primary_email"] if channel == Channel.EMAIL else row["party__primary_phone"]
    if not address or (channel == Channel.SMS and not content.is_mobile(address)):
        return Reason.NO_ADDRESS, ""
    if address in bounced:
        return Reason.BOUNCED, address
    return "", address


def _batch(
    campaign: Campaign, token: uuid.UUID, renderers: dict[str, Renderer], bounced: frozenset[str]
) -> bool:
    """Decide and write the next batch of pending recipients; False when none is left."""
    rows = list(
        Recipient.objects.filter(campaign=campaign, state=State.PENDING, id__gt=campaign.cursor)
        .order_by("id")
        .values("id", "party_id", "variant", *PARTY_FIELDS)[: conf.batch_size()]
    )
    if not rows:
        return False
    people = [r["party_id"] for r in rows if r["party__kind"] == Kind.PERSON]
    wanted = any("{company}" in str(renderer.parts) for renderer in renderers.values())
    firms = companies(people) if wanted else {}
    owners = owner_names(r["party__owner_id"] for r in rows if r["party__owner_id"])
    now = timezone.now()
    decided = [
        _decide(row, campaign, renderers.get(row["variant"], renderers[""]), bounced, firms, owners)
        for row in rows
    ]
    with transaction.atomic():
        _beat(campaign, token, processed=F("processed") + len(rows), cursor=rows[-1]["id"])
        messages = _insert_messages(campaign, [d for d in decided if d.state == State.QUEUED], now)
        _record(decided, messages, now)
        ids = sorted(messages.values())
        transaction.on_commit(lambda: jobs.enqueue(CAMPAIGN_DELIVER, ids), robust=True)
    campaign.cursor = rows[-1]["id"]
    return True


def _decide(
    row: dict[str, Any],
    campaign: Campaign,
    renderer: Renderer,
    bounced: frozenset[str],
    firms: dict[int, str],
    owners: dict[int, str],
) -> Decided:
    reason, address = _reason(row, campaign.channel, bounced)
    if reason:
        return Decided(row["id"], State.SKIPPED, reason=reason, address=address)
    party_id = row["party_id"]
    reader = Reader(
        party_id=party_id,
        kind=row["party__kind"],
        first_name=row["party__first_name"],
        last_name=row["party__last_name"],
        display_name=row["party__display_name"],
        email=row["party__primary_email"],
        phone=row["party__primary_phone"],
        owner=owners.get(row["party__owner_id"], ""),
        company=firms.get(party_id, "") if row["party__kind"] == Kind.PERSON else row["party__display_name"],
    )
    rendered = renderer.render(reader, recipient_id=row["id"])
    key = message_key(row["id"])
    cost = rendered.cost if campaign.channel == Channel.SMS else None
    own = (
        party_id,
        address,
        rendered.subject,
        rendered.text,
        rendered.html,
        rendered.language,
        key,
        rendered.segments,
        _money(cost),
        row["id"],
    )
    return Decided(
        row["id"], State.QUEUED, address=address, language=rendered.language, key=key, row=own, cost=cost
    )


@functools.lru_cache(maxsize=256)
def _money(amount: Decimal | None) -> Any:
    """A cost as the driver takes it (a message's cost is one of a few amounts)."""
    return None if amount is None else connection.ops.adapt_decimalfield_value(amount, 14, 2)


def _fixed(campaign: Campaign, now: dt.datetime) -> tuple[Any, ...]:
    moment = db_datetime(now)
    sender = campaign.sent_by_id
    return (
        moment,
        moment,
        sender,
        sender,
        campaign.channel,
        Purpose.MARKETING.value,
        OutboundMessage.Status.QUEUED.value,
        "",
        0,
        moment,
        "",
        "",
        settings.PEYVAND_SMS_CURRENCY if campaign.channel == Channel.SMS else "",
        ContentType.objects.get_for_model(Recipient).pk,
        "delivery",
    )


def _insert_messages(campaign: Campaign, queued: Sequence[Decided], now: dt.datetime) -> dict[str, int]:
    """Insert the outbox messages (those already there are left as they are); key -> id."""
    if not queued:
        return {}
    table = OutboundMessage._meta.db_table
    columns = (*_FIXED, *_OWN)
    names = ", ".join(columns)
    fixed = _fixed(campaign, now)
    rows = [(*fixed, *d.row) for d in queued]
    skip = "ON CONFLICT (idempotency_key) DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            load = bulk.staged(cursor, "campaign_message_load", like=table, columns=columns, rows=rows)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {load} {skip}")  # noqa: S608 - our own names
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {skip}", rows)  # noqa: S608 - our own names
    keys = [d.key for d in queued]
    return dict(OutboundMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))


# A recipient's outcome, as ``_record`` writes it (the row's id last).
_OUTCOME = ("state", "reason", "address", "language", "message_id", "delivery", "cost", "queued_at")


def _record(decided: Sequence[Decided], messages: dict[str, int], now: dt.datetime) -> None:
    """Each recipient's outcome, if it is still pending (a row is decided once)."""
    moment = db_datetime(now)
    rows = []
    for d in decided:
        queued = d.state == State.QUEUED
        rows.append(
            (
                str(d.state),
                str(d.reason),
                d.address,
                d.language,
                messages.get(d.key) if queued else None,
                OutboundMessage.Status.QUEUED.value if queued else "",
                _money(d.cost),
                moment if queued else None,
                d.recipient_id,
            )
        )
    table = Recipient._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            load = bulk.staged(
                cursor, "campaign_outcome_load", like=table, columns=(*_OUTCOME, "id"), rows=rows
            )
            assigned = ", ".join(f"{name} = l.{name}" for name in _OUTCOME)
            # The batch's range of ids keeps the engine on the primary key: without it a planner
            # with stale statistics scans every recipient of the campaign for each batch.
            cursor.execute(
                f"UPDATE {table} r SET {assigned} FROM {load} l "  # noqa: S608 - our own names
                "WHERE r.id = l.id AND r.id BETWEEN %s AND %s AND r.state = 'pending'",
                [rows[0][-1], rows[-1][-1]],
            )
            return
        assigned = ", ".join(f"{name} = %s" for name in _OUTCOME)
        cursor.executemany(f"UPDATE {table} SET {assigned} WHERE id = %s AND state = 'pending'", rows)  # noqa: S608 - our own names


def campaign_deliver(*, message_ids: Sequence[int]) -> int:
    """Deliver a batch's messages (each claimed, so a message taken by another worker or
    already sent is skipped); returns how many went."""
    return sum(outbound_deliver(message_id=pk) == OutboundMessage.Status.SENT for pk in message_ids)


def campaigns_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Campaigns being sent whose run stopped sending heartbeats (its worker died)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=conf.LEASE_SECONDS)
    return list(
        Campaign.objects.filter(status=Status.SENDING, started_at__lt=stale)
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))
        .exclude(ab_test=True, ab_winner="", ab_ends_at__gt=now)  # its A/B test still runs
        .values_list("pk", flat=True)
    )
