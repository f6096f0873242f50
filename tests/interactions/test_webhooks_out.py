"""Outgoing webhooks: record events delivered to a real HTTP receiver (http.server on
127.0.0.1, let through by PEYVAND_WEBHOOK_ALLOW_PRIVATE, which only these tests set), signed,
retried with back-off through the delivery outbox, never to loopback, private or link-local
addresses in production."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.core.services.audit import audit_event
from peyvand.customers import services as customer_services
from peyvand.interactions import webhook_events
from peyvand.interactions.delivery import webhook
from peyvand.interactions.models import WebhookDelivery, WebhookEndpoint
from peyvand.interactions.services import webhooks
from peyvand.interactions.services.webhooks import WebhookInput
from peyvand.notifications.models import Notification
from peyvand.sales.services import deals as deal_services

Status = WebhookDelivery.Status


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    """What the receiver got; ``answers`` are the (status, body, headers) of its next replies
    (then 200); ``hold`` makes it wait (for the timeout test) until the test ends."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes, dict[str, str]]] = field(default_factory=list)
    hold: threading.Event | None = None
    drip: bool = False  # answer a header line every tenth of a second, for ever

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/peyvand?x=1"

    def verified(self, secret: str, request: Received) -> bool:
        """The receiver's check: HMAC-SHA256 of "<timestamp>.<body>", a fresh timestamp."""
        timestamp = request.headers["X-Peyvand-Timestamp"]
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256)
        given = request.headers["X-Peyvand-Signature"]
        fresh = abs(time.time() - int(timestamp)) < 300
        return fresh and hmac.compare_digest(given, "sha256=" + expected.hexdigest())


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PEYVAND_WEBHOOK_ALLOW_PRIVATE = True
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            got.requests.append(Received(dict(self.headers.items()), body, self.path))
            if got.hold is not None:
                got.hold.wait(10)
            if got.drip:
                self.send_response(200)
                self.flush_headers()  # the status line and the first headers, no end
                stop = threading.Event()
                for n in range(100):
                    self.wfile.write(f"X-Slow-{n}: 1\r\n".encode())
                    self.wfile.flush()
                    if stop.wait(0.1):  # a receiver that is slow on purpose
                        break
                return
            status, text, headers = got.answers.pop(0) if got.answers else (200, b"ok", {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield got
    if got.hold is not None:
        got.hold.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def admin_reads_english(users):
    """A delivery's errors are written in its webhook's author's language: English here."""
    users["admin"].language = "en"
    users["admin"].save(update_fields=["language"])


@pytest.fixture
def endpoint(admin, receiver) -> WebhookEndpoint:
    return webhooks.webhook_create(
        actor=admin,
        data=WebhookInput(
            name="ERP", url=receiver.url, events=("person.created", "deal.won", "deal.stage_changed")
        ),
    )


def _deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))


# --- events and delivery ------------------------------------------------------------------


def test_a_new_person_is_posted_signed_once(
    endpoint, receiver, make_person, make_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(first_name="مریم", last_name="رضایی")
        make_org(name="شرکت آلفا")  # organization.created: not subscribed
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks/peyvand?x=1"
    assert receiver.verified(endpoint.secret, request)
    assert not receiver.verified("whsec_another", request)
    body = json.loads(request.body)
    assert body["event"] == "person.created" and request.headers["X-Peyvand-Event"] == "person.created"
    assert body["data"]["id"] == person.pk and body["data"]["kind"] == "person"
    assert body["data"]["name"] == "مریم رضایی"
    assert body["data"]["changes"]["first_name"] == [None, "مریم"]
    assert dt.datetime.fromisoformat(body["occurred_at"]).tzinfo is not None
    [delivery] = _deliveries(endpoint)
    assert request.headers["X-Peyvand-Delivery"] == str(delivery.uid)
    assert body["id"] == str(delivery.event_id)
    assert request.headers["Content-Type"].startswith("application/json")
    assert delivery.status == Status.DELIVERED and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_body == "ok"
    assert delivery.duration_ms is not None
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.failures == 0


def test_a_deal_won_raises_stage_changed_and_won(endpoint, receiver, make_deal, stages, admin):
    deal = make_deal()
    deal_services.deal_move_stage(deal=deal, stage=stages["won"], actor=admin)
    # The deal's organisation and the deal's creation are not subscribed to.
    assert sorted(d.event for d in _deliveries(endpoint)) == ["deal.stage_changed", "deal.won"]
    won = WebhookDelivery.objects.get(endpoint=endpoint, event="deal.won")
    data = json.loads(won.body)["data"]
    assert data["id"] == deal.pk and data["kind"] == "deal" and data["changes"]["status"] == ["open", "won"]


def test_a_change_that_is_rolled_back_sends_nothing(endpoint, make_person):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_person()
        raise RuntimeError("undo")
    assert not WebhookDelivery.objects.exists()


def test_a_paused_or_unsubscribed_endpoint_gets_no_deliveries(endpoint, admin, make_person, make_org):
    webhooks.webhook_update(
        actor=admin,
        endpoint=endpoint,
        data=WebhookInput(name="ERP", url=endpoint.url, events=endpoint.events, active=False),
    )
    make_person()
    make_org()
    assert not WebhookDelivery.objects.exists()


def test_events_no_webhook_subscribes_to_cost_no_query(endpoint, make_person):
    person = make_person()
    unrelated = audit_event(actor=None, kind=AuditEvent.Kind.UPDATE, obj=endpoint, changes={})
    with CaptureQueriesContext(connection) as captured:
        webhooks.webhook_events_record([unrelated])
    assert len(captured) == 0
    # A subscribable record's event costs the endpoints, the customers' kinds and one insert.
    event = AuditEvent.objects.filter(model="customers.party", object_id=person.pk).first()
    with CaptureQueriesContext(connection) as captured:
        webhooks.webhook_events_record([event, event, event])
    assert len(captured) <= 4
    assert WebhookDelivery.objects.filter(event="person.created").count() == 4


# --- retries ------------------------------------------------------------------------------


def _due_now(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return webhooks.webhook_ping(actor=endpoint.created_by, endpoint=endpoint)


def test_a_500_is_retried_with_growing_back_off_then_delivered(endpoint, receiver):
    receiver.answers = [(500, b"down", {}), (503, b"busy", {}), (429, b"slow", {})]
    delivery = _due_now(endpoint)
    now = timezone.now()
    delays = []
    for step in range(3):
        assert webhooks.webhook_deliver(delivery_id=delivery.pk, now=now) == Status.QUEUED
        delivery.refresh_from_db()
        assert delivery.attempts == step + 1 and delivery.last_error
        delays.append(delivery.next_attempt_at - now)
        # Not due before its time: nothing is sent.
        assert webhooks.webhooks_flush(now=now) == 0
        now = delivery.next_attempt_at
    assert delays == [dt.timedelta(minutes=1), dt.timedelta(minutes=4), dt.timedelta(minutes=16)]
    assert webhooks.webhooks_flush(now=now) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 4 and delivery.last_error == ""
    assert [r.headers["X-Peyvand-Delivery"] for r in receiver.requests] == [str(delivery.uid)] * 4
    assert all(receiver.verified(endpoint.secret, r) for r in receiver.requests)


def test_a_400_fails_at_once_and_is_not_retried(endpoint, receiver):
    receiver.answers = [(400, b"bad" * 1000, {})]
    delivery = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.FAILED
    delivery.refresh_from_db()
    assert delivery.response_status == 400 and len(delivery.response_body) == 1024
    assert "400" in delivery.last_error and delivery.failed_at is not None
    assert webhooks.webhooks_flush(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(endpoint, receiver):
    receiver.answers = [(302, b"", {"Location": "http://127.0.0.1:1/elsewhere"})]
    delivery = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.FAILED
    assert len(receiver.requests) == 1


def test_no_answer_within_the_timeout_is_retried(endpoint, receiver, settings):
    settings.PEYVAND_WEBHOOK_TIMEOUT = 0.3
    receiver.hold = threading.Event()
    delivery = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.QUEUED
    delivery.refresh_from_db()
    assert "0.3 seconds" in delivery.last_error and delivery.next_attempt_at > timezone.now()


def test_an_answer_dripping_past_the_timeout_is_cut_off(endpoint, receiver, settings, english):
    """Each byte comes within the socket's timeout; the whole answer does not."""
    settings.PEYVAND_WEBHOOK_TIMEOUT = 0.5
    receiver.drip = True
    delivery = _due_now(endpoint)
    started = time.monotonic()
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.QUEUED
    assert time.monotonic() - started < 3
    delivery.refresh_from_db()
    assert "no complete answer within 0.5 seconds" in delivery.last_error


def test_the_last_attempt_fails_for_good(endpoint, receiver, settings):
    settings.PEYVAND_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [(500, b"", {}), (500, b"", {})]
    delivery = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.QUEUED
    later = timezone.now() + dt.timedelta(hours=1)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk, now=later) == Status.FAILED


def test_a_failing_endpoint_is_paused_and_the_administrators_told(
    endpoint, receiver, settings, admin, english, make_person
):
    settings.PEYVAND_WEBHOOK_PAUSE_AFTER = 3
    receiver.answers = [(500, b"", {})] * 3
    make_person()
    first = WebhookDelivery.objects.get(event="person.created")
    second = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=first.pk) == Status.QUEUED
    assert webhooks.webhook_deliver(delivery_id=second.pk) == Status.QUEUED
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failures == 2
    later = timezone.now() + dt.timedelta(hours=1)
    assert webhooks.webhook_deliver(delivery_id=first.pk, now=later) == Status.QUEUED
    endpoint.refresh_from_db()
    assert not endpoint.active and "3" in endpoint.paused_reason
    [note] = Notification.objects.filter(recipient=admin, kind="webhook_paused")
    assert "ERP" in note.data["text"]
    # Its queued deliveries are not sent while it is paused, but a test ping still is.
    later = later + dt.timedelta(hours=1)
    assert webhooks.webhook_deliver(delivery_id=first.pk, now=later) == Status.CANCELLED
    assert webhooks.webhook_deliver(delivery_id=second.pk, now=later) == Status.DELIVERED
    assert len(receiver.requests) == 4
    # Switching it on again starts the count afresh.
    webhooks.webhook_update(
        actor=admin,
        endpoint=endpoint,
        data=WebhookInput(name="ERP", url=endpoint.url, events=endpoint.events, active=True),
    )
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failures == 0 and endpoint.paused_reason == ""


def test_a_failed_delivery_is_sent_again_by_hand(endpoint, receiver, admin):
    receiver.answers = [(410, b"gone", {})]
    delivery = _due_now(endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.FAILED
    webhooks.webhook_delivery_retry(actor=admin, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.attempts == 0
    assert webhooks.webhooks_flush() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 1
    with pytest.raises(ValidationError):
        webhooks.webhook_delivery_retry(actor=admin, delivery=delivery)


def test_a_worker_that_died_after_claiming_leaves_it_to_the_next_one_exactly_once(
    endpoint, receiver, settings
):
    delivery = _due_now(endpoint)
    now = timezone.now()
    # A worker claims it and dies before sending (the process is gone; its claim remains).
    assert webhooks.delivery_claim(delivery_id=delivery.pk, now=now) is not None
    # Another worker, while the lease runs: it is not taken twice.
    assert webhooks.webhook_deliver(delivery_id=delivery.pk, now=now) == "skipped"
    assert webhooks.webhooks_flush(now=now) == 0
    after_lease = now + dt.timedelta(seconds=settings.PEYVAND_OUTBOX_LEASE_SECONDS + 1)
    assert webhooks.webhooks_flush(now=after_lease) == 1
    assert webhooks.webhooks_flush(now=after_lease + dt.timedelta(hours=1)) == 0
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 2


def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_outcome(endpoint, receiver):
    delivery = _due_now(endpoint)
    now = timezone.now()
    stale = webhooks.delivery_claim(delivery_id=delivery.pk, now=now)
    assert stale is not None
    later = now + dt.timedelta(hours=1)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk, now=later) == Status.DELIVERED
    delivery.refresh_from_db()
    assert webhooks._finish(delivery, stale, now, error="late", final=True) == "skipped"
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED


# --- SSRF ---------------------------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1/hook",
    "http://0177.0.0.1/hook",
    "http://2130706433/hook",
    "http://[::1]/hook",
    "http://localhost:8000/hook",
    "http://localhost./hook",
    "http://10.0.0.1/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/hook",
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_or_loopback_address_is_refused_when_saved(admin, url, english):
    with pytest.raises(ValidationError) as caught:
        webhooks.webhook_create(actor=admin, data=WebhookInput(name="x", url=url, events=("person.created",)))
    assert "public" in caught.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://0177.0.0.1:9/", "http://[::1]:9/", "http://localhost:9/"]
)
def test_a_private_address_is_refused_at_delivery_too(admin, url, english):
    # Saved before the rule (or straight in the database): refused when it would be sent.
    endpoint = WebhookEndpoint.objects.create(
        name="old", url=url, events=["person.created"], secret="s", created_by=admin
    )
    delivery = webhooks.webhook_ping(actor=admin, endpoint=endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.FAILED
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Refused") and delivery.attempts == 1


def test_a_name_that_resolves_to_loopback_at_delivery_is_refused(
    admin, receiver, settings, monkeypatch, english
):
    """DNS rebinding: a public name when saved, 127.0.0.1 when sent. The name is resolved
    once, checked, and the connection made to the checked address only."""
    endpoint = webhooks.webhook_create(
        actor=admin,
        data=WebhookInput(
            name="x", url=f"http://hooks.example.com:{receiver.port}/", events=("person.created",)
        ),
    )
    settings.PEYVAND_WEBHOOK_ALLOW_PRIVATE = False
    real = socket.getaddrinfo

    def rebound(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.com":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    delivery = webhooks.webhook_ping(actor=admin, endpoint=endpoint)
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == Status.FAILED
    delivery.refresh_from_db()
    assert "hooks.example.com" in delivery.last_error and delivery.last_error.startswith("Refused")
    assert receiver.requests == []


def test_the_production_default_refuses_loopback(settings):
    assert (
        not hasattr(settings, "PEYVAND_WEBHOOK_ALLOW_PRIVATE") or not settings.PEYVAND_WEBHOOK_ALLOW_PRIVATE
    )
    assert not webhook.url_allowed("http://127.0.0.1/")
    assert webhook.url_allowed("https://hooks.example.com/peyvand")


# --- endpoints ----------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_reason_per_field(admin, english):
    with pytest.raises(ValidationError) as caught:
        webhooks.webhook_create(actor=admin, data=WebhookInput(name=" ", url="", events=("nope",)))
    errors = caught.value.message_dict
    assert set(errors) == {"name", "url", "events"}
    assert "nope" in errors["events"][0]
    with pytest.raises(ValidationError) as caught:
        webhooks.webhook_create(
            actor=admin, data=WebhookInput(name="x", url="https://example.com", events=())
        )
    assert caught.value.message_dict == {"events": ["Choose at least one event."]}


def test_a_new_secret_signs_from_then_on(endpoint, receiver, admin):
    old = endpoint.secret
    assert old.startswith("whsec_") and len(old) > 40
    rotated = webhooks.webhook_secret_rotate(actor=admin, endpoint=endpoint)
    assert rotated.secret != old
    delivery = _due_now(rotated)
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    assert receiver.verified(rotated.secret, receiver.requests[-1])
    assert not receiver.verified(old, receiver.requests[-1])
    assert AuditEvent.objects.filter(model="interactions.webhookendpoint", object_id=endpoint.pk).count() == 2


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_only_an_administrator_keeps_webhooks(users, role, endpoint):
    user = users[role]
    before = (WebhookEndpoint.objects.count(), WebhookDelivery.objects.count(), AuditEvent.objects.count())
    data = WebhookInput(name="x", url="https://example.com/h", events=("person.created",))
    with pytest.raises(PermissionDenied):
        webhooks.webhook_create(actor=user, data=data)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_update(actor=user, endpoint=endpoint, data=data)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_delete(actor=user, endpoint=endpoint)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_secret_rotate(actor=user, endpoint=endpoint)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_ping(actor=user, endpoint=endpoint)
    after = (WebhookEndpoint.objects.count(), WebhookDelivery.objects.count(), AuditEvent.objects.count())
    assert after == before
    endpoint.refresh_from_db()
    assert endpoint.name == "ERP" and endpoint.active


# --- which record events raise which webhook events ---------------------------------------


@pytest.mark.parametrize(
    ("model", "kind", "changes", "party_kind", "expected"),
    [
        ("customers.party", "create", {}, "person", ["person.created"]),
        ("customers.party", "update", {"email": [1, 2]}, "organisation", ["organization.updated"]),
        ("customers.party", "delete", {}, "person", ["person.deleted"]),
        ("customers.party", "merge", {"merged": [7, 3]}, "organisation", ["organization.merged"]),
        ("customers.party", "merge", {"merged_into": [None, 3]}, "person", []),  # the one merged away
        ("customers.party", "restore", {}, "person", []),
        ("customers.party", "create", {}, "", []),  # a customer whose kind is unknown
        ("sales.lead", "create", {}, "", ["lead.created"]),
        ("sales.lead", "update", {"stage": ["qualified", "converted"]}, "", ["lead.converted"]),
        ("sales.lead", "update", {"stage": ["new", "qualified"]}, "", []),
        ("sales.deal", "create", {}, "", ["deal.created"]),
        (
            "sales.deal",
            "update",
            {"stage": [{"stage": "New"}, "Won"], "status": ["open", "won"]},
            "",
            ["deal.stage_changed", "deal.won"],
        ),
        (
            "sales.deal",
            "update",
            {"status": ["open", "lost"], "lost_reason": ["", "price"]},
            "",
            ["deal.lost"],
        ),
        ("sales.deal", "update", {"amount": ["1", "2"]}, "", []),
        ("sales.order", "create", {}, "", ["order.created"]),
        ("sales.invoice", "create", {}, "", ["invoice.created"]),
        ("sales.payment", "create", {}, "", ["payment.created"]),
        ("service.ticket", "create", {}, "", ["ticket.created"]),
        ("service.ticket", "update", {"status": ["new", "open"]}, "", ["ticket.status_changed"]),
        ("service.ticket", "update", {"priority": ["low", "high"]}, "", []),
        ("customers.contactpoint", "create", {}, "", []),
        ("interactions.outboundmessage", "update", {"status": ["a", "b"]}, "", []),
    ],
)
def test_record_events_map_to_webhook_events(model, kind, changes, party_kind, expected):
    assert webhook_events.topics_for(model, kind, changes, party_kind) == expected
    assert all(name in webhook_events.EVENTS for name in expected)


def test_a_deleted_organisation_is_sent_with_its_kind(endpoint, admin, make_org):
    webhooks.webhook_update(
        actor=admin,
        endpoint=endpoint,
        data=WebhookInput(name="ERP", url=endpoint.url, events=("organization.deleted",)),
    )
    org = make_org(name="شرکت بتا")
    customer_services.parties.party_delete(party=org, actor=admin)
    [delivery] = _deliveries(endpoint)
    data = json.loads(delivery.body)["data"]
    assert (
        delivery.event == "organization.deleted" and data["id"] == org.pk and data["kind"] == "organization"
    )


def test_old_finished_deliveries_are_forgotten(endpoint, receiver):
    old, waiting, recent = _due_now(endpoint), _due_now(endpoint), _due_now(endpoint)
    webhooks.webhook_deliver(delivery_id=old.pk)
    month_ago = timezone.now() - dt.timedelta(days=31)
    WebhookDelivery.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=month_ago)
    assert webhooks.webhooks_prune() == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
