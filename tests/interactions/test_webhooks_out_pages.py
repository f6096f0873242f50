"""Outgoing webhooks in the administration pages and the API: administrators only, the secret
shown once, the delivery log filtered and paged in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peyvand.core.models import AuditEvent
from peyvand.core.services.tokens import api_token_create
from peyvand.interactions.models import WebhookDelivery, WebhookEndpoint
from peyvand.interactions.services import webhooks
from peyvand.interactions.services.webhooks import WebhookInput
from peyvand.interactions.views import webhooks as webhook_views
from tests.api.conftest import ApiClient
from tests.interactions.test_webhooks_out import receiver  # noqa: F401 - the HTTP receiver

ROLES = ["manager", "sales", "support", "marketing", "readonly"]


@pytest.fixture
def endpoint(admin) -> WebhookEndpoint:
    return webhooks.webhook_create(
        actor=admin,
        data=WebhookInput(name="ERP", url="https://hooks.example.com/peyvand", events=("person.created",)),
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> ApiClient:
    _token, key = api_token_create(user=user, name="tests")
    return ApiClient(key)


def _state() -> tuple[Any, ...]:
    return (
        list(WebhookEndpoint.objects.values_list("name", "url", "events", "active", "secret").order_by("id")),
        WebhookDelivery.objects.count(),
        AuditEvent.objects.filter(model="interactions.webhookendpoint").count(),
    )


# --- pages --------------------------------------------------------------------------------


def test_an_administrator_adds_a_webhook_and_sees_its_secret_once(
    admin,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = _client(admin)
    page = client.get(reverse("webhook_create"))
    assert page.status_code == 200 and "Person created" in page.content.decode()
    response = client.post(
        reverse("webhook_create"),
        {"name": "ERP", "url": receiver.url, "events": ["person.created", "deal.won"], "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhook_detail", args=[endpoint.pk]
    )
    assert endpoint.events == ["person.created", "deal.won"] and endpoint.active
    detail = client.get(response["Location"]).content.decode()
    assert endpoint.secret in detail and "Deal won" in detail
    assert endpoint.secret not in client.get(response["Location"]).content.decode()
    # A test ping: delivered to the receiver, in the log.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook_ping", args=[endpoint.pk]))
    assert response.status_code == 302
    assert receiver.requests[-1].headers["X-Peyvand-Event"] == "ping"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered"
    log = client.get(response["Location"]).content.decode()
    assert "Delivered" in log
    assert reverse("webhook_delivery", args=[endpoint.pk, delivery.pk]) in log
    one = client.get(reverse("webhook_delivery", args=[endpoint.pk, delivery.pk])).content.decode()
    assert str(delivery.uid) in one and "&quot;event&quot;: &quot;ping&quot;" in one
    assert "webhooks" in client.get(reverse("webhook_list")).content.decode().lower()


def test_a_loopback_address_is_refused_on_the_form_with_the_reason(admin):
    admin.language = "en"
    admin.save(update_fields=["language"])
    response = _client(admin).post(
        reverse("webhook_create"), {"name": "x", "url": "http://0177.0.0.1/", "events": ["person.created"]}
    )
    assert response.status_code == 200
    assert "Enter a public http or https address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_form_reads_in_persian(admin):
    admin.language = "fa"
    admin.save(update_fields=["language"])
    response = _client(admin).post(reverse("webhook_create"), {"name": "x", "url": "http://10.0.0.1/"})
    assert response.status_code == 200
    assert 'lang="fa"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_administrator_edits_rotates_and_deletes(admin, endpoint):
    client = _client(admin)
    old = endpoint.secret
    response = client.post(
        reverse("webhook_edit", args=[endpoint.pk]),
        {"name": "ERP 2", "url": "https://hooks.example.com/v2", "events": ["ticket.created"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.events, endpoint.active) == (
        "ERP 2",
        "https://hooks.example.com/v2",
        ["ticket.created"],
        False,
    )
    response = client.post(reverse("webhook_rotate", args=[endpoint.pk]), follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()
    client.post(reverse("webhook_edit", args=[endpoint.pk]), {"action": "delete"})
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_filters_and_pages_in_a_fixed_number_of_queries(
    admin, endpoint, make_person, monkeypatch
):
    monkeypatch.setattr(webhook_views, "PAGE_SIZE", 30)
    admin.language = "en"  # the page's words are read below
    admin.save(update_fields=["language"])
    client = _client(admin)
    url = reverse("webhook_detail", args=[endpoint.pk])

    def counted(query: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        return len(captured)

    make_person()
    few = counted({})
    for _ in range(30):
        make_person()
    webhooks.webhook_ping(actor=admin, endpoint=endpoint)
    assert counted({}) == few
    WebhookDelivery.objects.filter(pk__in=WebhookDelivery.objects.values("pk")[:3]).update(status="failed")
    failed = client.get(url, {"status": "failed"})
    assert [d.status for d in failed.context["page"].items] == ["failed"] * 3
    assert failed.content.decode().count("Send again") == 3
    page = client.get(url, {"event": "ping"})
    assert page.context["page"].items[0].event == "ping" and len(page.context["page"].items) == 1
    first = client.get(url, {"sort": "old"}).context["page"]
    assert len(first.items) == 30 and first.next_cursor
    rest = client.get(url, {"sort": "old", "cursor": first.next_cursor}).context["page"]
    assert len(rest.items) == 2
    assert {d.pk for d in first.items}.isdisjoint({d.pk for d in rest.items})
    assert client.get(url, {"cursor": "garbage"}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_other_role_is_refused_every_page_and_changes_nothing(users, role, endpoint, make_person):
    make_person()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    client = _client(users[role])
    before = _state()
    pages = [
        ("get", reverse("webhook_list")),
        ("get", reverse("webhook_create")),
        ("post", reverse("webhook_create")),
        ("get", reverse("webhook_detail", args=[endpoint.pk])),
        ("get", reverse("webhook_edit", args=[endpoint.pk])),
        ("post", reverse("webhook_edit", args=[endpoint.pk])),
        ("post", reverse("webhook_ping", args=[endpoint.pk])),
        ("post", reverse("webhook_rotate", args=[endpoint.pk])),
        ("get", reverse("webhook_delivery", args=[endpoint.pk, delivery.pk])),
        ("post", reverse("webhook_delivery_retry", args=[endpoint.pk, delivery.pk])),
    ]
    for method, url in pages:
        data = {"name": "x", "url": "https://e.com/", "events": ["person.created"], "action": "delete"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url, response.status_code)
    assert _state() == before
    assert WebhookDelivery.objects.get().status == "failed"


# --- API ----------------------------------------------------------------------------------


def test_the_api_keeps_webhooks_for_administrators(admin, english, receiver):  # noqa: F811
    api = _api(admin)
    created = api.post(
        "/webhooks", {"name": "ERP", "url": receiver.url, "events": ["person.created", "lead.converted"]}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["person.created", "lead.converted"]
    pk = body["id"]
    got = api.get(f"/webhooks/{pk}").json()
    assert "secret" not in got and got["active"] is True
    assert [w["id"] for w in api.get("/webhooks").json()] == [pk]
    changed = api.patch(f"/webhooks/{pk}", {"active": False, "name": "ERP 2"})
    assert (
        changed.status_code == 200 and changed.json()["active"] is False and changed.json()["name"] == "ERP 2"
    )
    ping = api.post(f"/webhooks/{pk}/ping")
    assert ping.status_code == 202 and ping.json()["status"] == "queued"
    listed = api.get(f"/webhooks/{pk}/deliveries", {"event": "ping"}).json()
    assert [d["event"] for d in listed["items"]] == ["ping"]
    delivery_id = listed["items"][0]["id"]
    one = api.get(f"/webhooks/{pk}/deliveries/{delivery_id}").json()
    assert one["body"]["event"] == "ping" and one["body"]["data"]["webhook"]["id"] == pk
    refused = api.post(f"/webhooks/{pk}/deliveries/{delivery_id}/retry")
    assert refused.status_code == 422 and "Only a failed" in refused.json()["error"]["message"]
    rotated = api.post(f"/webhooks/{pk}/secret").json()
    assert rotated["secret"] != body["secret"]
    assert api.get(f"/webhooks/{pk}/deliveries", {"status": "nope"}).status_code == 422
    assert api.delete(f"/webhooks/{pk}").status_code == 204
    assert api.get(f"/webhooks/{pk}").status_code == 404


def test_the_api_refuses_bad_input_field_by_field(admin, english):
    api = _api(admin)
    response = api.post(
        "/webhooks", {"name": "x", "url": "http://169.254.169.254/", "events": ["person.created"]}
    )
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
    assert "public" in fields["url"]
    response = api.post("/webhooks", {"name": "x", "url": "https://e.com/", "events": ["nope"]})
    assert response.status_code == 422
    response = api.post("/webhooks", {"name": "x", "url": "https://e.com/", "events": []})
    assert response.status_code == 422
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_refuses_every_other_role_and_changes_nothing(users, role, endpoint):
    api = _api(users[role])
    before = _state()
    calls = [
        ("get", "/webhooks", None),
        ("post", "/webhooks", {"name": "x", "url": "https://e.com/", "events": ["person.created"]}),
        ("get", f"/webhooks/{endpoint.pk}", None),
        ("patch", f"/webhooks/{endpoint.pk}", {"active": False}),
        ("delete", f"/webhooks/{endpoint.pk}", None),
        ("post", f"/webhooks/{endpoint.pk}/secret", None),
        ("post", f"/webhooks/{endpoint.pk}/ping", None),
        ("get", f"/webhooks/{endpoint.pk}/deliveries", None),
    ]
    for method, path, data in calls:
        response = getattr(api, method)(path, data) if data is not None else getattr(api, method)(path)
        assert response.status_code == 403, (method, path, response.status_code)
    assert _state() == before
