"""Outgoing webhooks: endpoints an administrator keeps, and the delivery of record events to them.

Where the events come from: every service writes an audit event for every record it
creates, changes, deletes or merges, in the transaction of the change. ``core.hooks``
hands those events to ``webhook_events_record`` (registered by this app's hooks) before
the transaction commits, and it writes one delivery row per subscribed endpoint beside
them. So a change that is rolled back sends nothing, and one that commits has its
deliveries committed with it: no change of another app's services was needed, and no
event is lost to a crash between the commit and a queue.

How a delivery goes out is the outbox's protocol (see ``services.outbox``): claim with one
UPDATE (a token, a lease, one more attempt), POST, finish with an UPDATE guarded by the
token. A worker that dies in between leaves the row "sending" until its lease ends, and
the next run claims it again. The receiver gets every attempt with the same
``X-Peyvand-Delivery``; the one window where it may get a delivery twice is a worker dying
after the receiver answered and before the outcome's UPDATE committed — the id lets it
drop the repeat.

Retries: a network error, a timeout, 429 or a 5xx is tried again after 1, 4, 16, 64
minutes… (×4, at most 12 hours apart; 8 attempts, about 30 hours); any other answer but
2xx (a redirect too: it is not followed) fails the delivery at once. An endpoint that
fails ``PEYVAND_WEBHOOK_PAUSE_AFTER`` attempts in a row is paused, and the administrators
are told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import hooks, jobs, policy
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text
from peyvand.customers.models import Party

from ..delivery import TransientError, webhook
from ..models import WebhookDelivery, WebhookEndpoint
from ..webhook_events import EVENTS, MODELS, PARTY_KINDS, PING, topics_for

WEBHOOK_DELIVER = "interactions.webhook_deliver"  # the job's name (core.jobs), registered by tasks.py

logger = logging.getLogger("peyvand.webhooks")
Status = WebhookDelivery.Status
NAME_MAX_LENGTH = 100
URL_MAX_LENGTH = 2000
AUDITED = ("name", "url", "events", "active")
BACKOFF_FACTOR = 4
MAX_BACKOFF = dt.timedelta(hours=12)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("PEYVAND_WEBHOOK_MAX_ATTEMPTS", 8))


def _pause_after() -> int:
    return int(_setting("PEYVAND_WEBHOOK_PAUSE_AFTER", 20))


def _retry_delay(attempts: int) -> dt.timedelta:
    first = dt.timedelta(seconds=int(_setting("PEYVAND_WEBHOOK_RETRY_SECONDS", 60)))
    return min(first * BACKOFF_FACTOR ** max(attempts - 1, 0), MAX_BACKOFF)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Peyvand-Signature``: HMAC-SHA256 of ``<timestamp>.<body>`` under the secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- endpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookInput:
    name: str
    url: str
    events: Sequence[str] = field(default_factory=tuple)
    active: bool = True


def _clean(data: WebhookInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Give the webhook a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}]
    url = (data.url or "").strip()
    if not url:
        errors["url"] = [_("Enter the address to send the events to.")]
    elif len(url) > URL_MAX_LENGTH:
        errors["url"] = [_("At most %(limit)s characters.") % {"limit": URL_MAX_LENGTH}]
    elif not webhook.url_allowed(url):
        errors["url"] = [
            _(
                "Enter a public http or https address: loopback, private and link-local "
                "addresses (such as 127.0.0.1, 10.0.0.1 or localhost) are refused."
            )
        ]
    events = list(dict.fromkeys(data.events))
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        errors["events"] = [_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}]
    elif not events:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)
    ordered = [event for event in EVENTS if event in events]
    return {"name": name, "url": url, "events": ordered, "active": bool(data.active)}


@transaction.atomic
def webhook_create(*, actor: User, data: WebhookInput) -> WebhookEndpoint:
    """A new endpoint with a new secret (the caller shows it once)."""
    policy.require_admin(actor)
    values = _clean(data)
    endpoint = WebhookEndpoint.objects.create(
        **values, secret=new_secret(), created_by=actor, updated_by=actor
    )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=endpoint,
        changes={name: [None, value] for name, value in snapshot(endpoint, AUDITED).items()},
    )
    return endpoint


@transaction.atomic
def webhook_update(*, actor: User, endpoint: WebhookEndpoint, data: WebhookInput) -> WebhookEndpoint:
    """Change an endpoint; switching a paused one on again starts its failure count afresh."""
    policy.require_admin(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    values = _clean(data)
    before = snapshot(endpoint, AUDITED)
    if values["active"] and not endpoint.active:
        endpoint.failures, endpoint.paused_reason = 0, ""
    for name, value in values.items():
        setattr(endpoint, name, value)
    endpoint.updated_by = actor
    endpoint.save()
    changes = changes_between(before, snapshot(endpoint, AUDITED))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=endpoint, changes=changes)
    return endpoint


@transaction.atomic
def webhook_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    policy.require_admin(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=endpoint, changes={"name": [endpoint.name, None]})
    endpoint.delete()


@transaction.atomic
def webhook_secret_rotate(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret: deliveries sign with it from now on, retries of older ones too."""
    policy.require_admin(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret, endpoint.updated_by = new_secret(), actor
    endpoint.save(update_fields=["secret", "updated_by", "updated_at"])
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=endpoint, changes={"secret": ["…", "…"]})
    return endpoint


# --- events -------------------------------------------------------------------------------


def _body(event_id: uuid.UUID, event: str, at: dt.datetime, data: dict[str, Any]) -> str:
    payload = {"id": str(event_id), "event": event, "occurred_at": at.isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def _data(event: AuditEvent, kind: str) -> dict[str, Any]:
    """The record in the body: its id and kind, its name, and what changed."""
    data: dict[str, Any] = {
        "id": event.object_id,
        "kind": kind,
        "name": event.object_repr,
        "customer_id": event.party_id,
        "actor_id": event.actor_id,
        "changes": event.changes,
    }
    if "merged" in event.changes:
        data["merged_id"] = event.changes["merged"][0]
    return data


def _enqueue_all(ids: Iterable[int]) -> None:
    for pk in ids:
        jobs.enqueue(WEBHOOK_DELIVER, pk)


def webhook_events_record(events: list[AuditEvent]) -> None:
    """The record-event listener (``core.hooks.on_record_event``): a delivery for each event
    each active endpoint subscribes to, in the transaction of the change.

    No query at all for events no webhook can subscribe to (most of them: contact points,
    notes, interactions…); one for the active endpoints otherwise, one more for the kinds of
    the customers concerned, and one insert.
    """
    relevant = [event for event in events if event.model in MODELS]
    if not relevant:
        return
    endpoints = list(WebhookEndpoint.objects.filter(active=True).only("pk", "events"))
    subscribed = {name for endpoint in endpoints for name in endpoint.events}
    if not subscribed:
        return
    party_ids = {event.object_id for event in relevant if event.model == "customers.party"}
    party_kinds: dict[int, str] = {}
    if party_ids and any(name.split(".")[0] in PARTY_KINDS.values() for name in subscribed):
        party_kinds = dict(Party._base_manager.filter(pk__in=party_ids).values_list("pk", "kind"))
    rows: list[WebhookDelivery] = []
    now = timezone.now()
    for event in relevant:
        party_kind = party_kinds.get(event.object_id, "") if event.model == "customers.party" else ""
        for name in topics_for(event.model, event.kind, event.changes, party_kind):
            if name not in subscribed:
                continue
            kind = PARTY_KINDS.get(party_kind, "") if party_kind else MODELS[event.model]
            event_id = uuid.uuid4()
            body = _body(event_id, name, event.at, _data(event, kind))
            rows += [
                WebhookDelivery(
                    endpoint=endpoint,
                    uid=uuid.uuid4(),
                    event=name,
                    event_id=event_id,
                    body=body,
                    next_attempt_at=now,
                )
                for endpoint in endpoints
                if name in endpoint.events
            ]
    if not rows:
        return
    created = WebhookDelivery.objects.bulk_create(rows, batch_size=500)
    ids = [row.pk for row in created if row.pk is not None]
    # robust: a queue that is down must not fail the change; the periodic flush sends them.
    transaction.on_commit(lambda: _enqueue_all(ids), robust=True)


@transaction.atomic
def webhook_ping(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event ("ping") to an endpoint, active or paused; it shows in the log."""
    policy.require_admin(actor)
    event_id = uuid.uuid4()
    data = {"webhook": {"id": endpoint.pk, "name": endpoint.name}, "actor_id": actor.pk}
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        uid=uuid.uuid4(),
        event=PING,
        event_id=event_id,
        body=_body(event_id, PING, timezone.now(), data),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_all([delivery.pk]), robust=True)
    return delivery


@transaction.atomic
def webhook_send(*, endpoint: WebhookEndpoint, event: str, data: dict[str, Any]) -> WebhookDelivery:
    """Queue one event of the caller's own (an automation rule's call) to an endpoint: signed,
    retried and logged like every other delivery. A paused endpoint cancels it when it is due."""
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        uid=uuid.uuid4(),
        event=event[:40],
        event_id=event_id,
        body=_body(event_id, event, timezone.now(), data),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_all([delivery.pk]), robust=True)
    return delivery


@transaction.atomic
def webhook_delivery_retry(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed or cancelled delivery again, from a fresh count of attempts (same id)."""
    policy.require_admin(actor)
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (Status.FAILED, Status.CANCELLED):
        raise ValidationError(_("Only a failed or cancelled delivery can be sent again."))
    delivery.status, delivery.attempts, delivery.next_attempt_at = Status.QUEUED, 0, timezone.now()
    delivery.failed_at = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at", "updated_at"])
    transaction.on_commit(lambda: _enqueue_all([delivery.pk]), robust=True)
    return delivery


# --- delivery -----------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)


def delivery_claim(*, delivery_id: int, now: dt.datetime) -> uuid.UUID | None:
    """Step 1: take a due delivery for this worker (one UPDATE: only one worker can)."""
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=settings.PEYVAND_OUTBOX_LEASE_SECONDS)
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(_claimable(now))
        .update(
            status=Status.SENDING,
            claim_token=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return token if claimed else None


def webhook_deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Claim, send and finish one delivery; its status afterwards, or "skipped" when it was
    not due or another worker holds it. Safe to call any number of times."""
    now = now or timezone.now()
    token = delivery_claim(delivery_id=delivery_id, now=now)
    if token is None:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint", "endpoint__created_by").get(pk=delivery_id)
    writer = delivery.endpoint.created_by
    with translation.override((writer.language if writer else "") or settings.LANGUAGE_CODE):
        return _deliver(delivery, token, now)


def _deliver(delivery: WebhookDelivery, token: uuid.UUID, now: dt.datetime) -> str:
    endpoint = delivery.endpoint
    if delivery.attempts > max_attempts():
        # Reclaimed after its last attempt's worker died: give up rather than loop.
        return _finish(delivery, token, now, error=_("No attempt succeeded."), final=True)
    if not endpoint.active and delivery.event != PING:
        return _finish(delivery, token, now, error=_("Not sent: the webhook is paused."), cancel=True)
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Peyvand-Webhooks/1",
        "X-Peyvand-Event": delivery.event,
        "X-Peyvand-Delivery": str(delivery.uid),
        "X-Peyvand-Timestamp": timestamp,
        "X-Peyvand-Signature": signature(endpoint.secret, timestamp, body),
    }
    timeout = float(_setting("PEYVAND_WEBHOOK_TIMEOUT", 5))
    try:
        response = webhook.post(endpoint.url, body, headers, timeout=timeout)
    except webhook.Refused as exc:
        return _finish(delivery, token, now, error=str(exc), final=True)
    except TransientError as exc:
        logger.warning("webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        return _finish(delivery, token, now, error=str(exc), final=delivery.attempts >= max_attempts())
    answer = {
        "response_status": response.status,
        "response_body": response.body[: webhook.RESPONSE_KEPT],
        "duration_ms": response.duration_ms,
    }
    if 200 <= response.status < 300:
        return _finish(delivery, token, now, answer=answer)
    error = _("The receiver answered %(status)s.") % {"status": response.status}
    retry = response.status == 429 or response.status >= 500
    final = not retry or delivery.attempts >= max_attempts()
    return _finish(delivery, token, now, error=error, final=final, answer=answer)


def _finish(
    delivery: WebhookDelivery,
    token: uuid.UUID,
    now: dt.datetime,
    *,
    error: str = "",
    final: bool = False,
    cancel: bool = False,
    answer: dict[str, Any] | None = None,
) -> str:
    finished = timezone.now()
    fields: dict[str, Any] = dict(
        answer or {"response_status": None, "response_body": "", "duration_ms": None}
    )
    if cancel:
        fields.update(status=Status.CANCELLED, last_error=error[:1000])
    elif not error:
        fields.update(status=Status.DELIVERED, delivered_at=finished, last_error="")
    elif final:
        fields.update(status=Status.FAILED, failed_at=finished, last_error=error[:1000])
    else:
        fields.update(
            status=Status.QUEUED,
            next_attempt_at=now + _retry_delay(delivery.attempts),
            last_error=error[:1000],
        )
    # Guarded by the claim: a worker whose lease ran out (another reclaimed it) writes nothing.
    recorded = WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        **fields, claim_token=None, lease_until=None, updated_at=finished
    )
    if not recorded:
        return "skipped"
    if not cancel:
        _endpoint_outcome(delivery.endpoint, ok=not error, at=finished)
    return str(fields["status"])


def _endpoint_outcome(endpoint: WebhookEndpoint, *, ok: bool, at: dt.datetime) -> None:
    """Count failures in a row; pause the endpoint (once) when there are too many."""
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if ok:
        endpoints.update(failures=0, last_success_at=at)
        return
    endpoints.update(failures=F("failures") + 1, last_failure_at=at)
    limit = _pause_after()
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Paused after %(count)s failed attempts in a row.") % {"count": limit}
    # One UPDATE decides: of two workers failing at once, only one pauses it and tells.
    if endpoints.filter(active=True, failures__gte=limit).update(
        active=False, paused_reason=reason[:300], updated_at=at
    ):
        _tell_administrators(endpoint, limit, at)


def _tell_administrators(endpoint: WebhookEndpoint, count: int, at: dt.datetime) -> None:
    url = reverse("webhook_detail", args=[endpoint.pk])
    for admin in User.objects.filter(role=Role.ADMIN, is_active=True):
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            text = _(
                "The webhook %(name)s was paused after %(count)s failed attempts in a row. "
                "Check its address and switch it on again."
            ) % {"name": endpoint.name, "count": count}
        hooks.notify(
            recipient=admin,
            kind="webhook_paused",
            data={"text": text, "name": endpoint.name},
            url=url,
            key=f"webhook_paused:{endpoint.pk}:{at.timestamp():.0f}",
        )


def webhooks_flush(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Deliver every due delivery (retries, and claims left by a worker that died)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(_claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(webhook_deliver(delivery_id=pk, now=now) == Status.DELIVERED for pk in due)


def webhooks_prune(*, now: dt.datetime | None = None) -> int:
    """Forget finished deliveries older than ``PEYVAND_WEBHOOK_KEEP_DAYS`` (30): the log is
    for looking into recent trouble, and a busy installation sends thousands a day."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(_setting("PEYVAND_WEBHOOK_KEEP_DAYS", 30)))
    finished = (Status.DELIVERED, Status.FAILED, Status.CANCELLED)
    deleted, _by_model = WebhookDelivery.objects.filter(status__in=finished, created_at__lt=cutoff).delete()
    return deleted
