"""Email and SMS through the API, the outbox, and the SMS gateway's reply webhook."""

import json

import pytest
from django.test import Client

from peyvand.core.services.tokens import api_token_create
from peyvand.interactions.models import Interaction, OutboundMessage
from tests.api.conftest import ApiClient, assert_error, ids


@pytest.fixture
def api_as(users):
    def make(who):
        _token, key = api_token_create(user=users[who], name="tests")
        return ApiClient(key)

    return make


def test_email_and_sms_through_the_api(api_as, customer):
    api = api_as("sales")
    email = api.post(
        f"/parties/{customer.pk}/emails",
        {"to": "Maryam@Example.com", "subject": "سلام {first_name}", "body": "متن"},
    )
    assert email.status_code == 201, email.content
    assert email.json()["status"] == "queued" and email.json()["subject"] == "سلام مریم"
    sms = api.post(f"/parties/{customer.pk}/sms", {"to": "0912 123 4567", "body": "س" * 80})
    assert sms.status_code == 201, sms.content
    assert sms.json()["segments"] == 2 and float(sms.json()["cost"]) == 3000
    listed = api.get("/outbound-messages", {"party": customer.pk})
    assert len(ids(listed)) == 2
    assert api.get(f"/outbound-messages/{email.json()['id']}").json()["to_address"] == "maryam@example.com"


def test_preview_counts_before_sending(api_as):
    body = api_as("sales").post("/sms/preview", {"text": "سلام"}).json()
    assert body == {
        "encoding": "UCS-2",
        "characters": 4,
        "segments": 1,
        "per_segment": 70,
        "cost": "1500",
        "currency": "IRR",
    }


def test_preview_for_a_customer_fills_the_placeholders(api_as, customer):
    api = api_as("sales")
    text = "{name}" * 10  # unfilled: GSM-7, 80 septets (a brace takes two)
    assert api.post("/sms/preview", {"text": text}).json()["segments"] == 1
    filled = api.post("/sms/preview", {"text": text, "party_id": customer.pk}).json()
    assert filled["characters"] == len("مریم احمدی") * 10 and filled["segments"] == 2
    assert api_as("outsider").post("/sms/preview", {"text": text, "party_id": customer.pk}).status_code == 404


@pytest.mark.parametrize(
    "path, body, status, field",
    [
        ("emails", {"to": "x@y.z", "subject": "s", "body": "b"}, 422, "to"),
        (
            "emails",
            {"to": "maryam@example.com", "subject": "s", "body": "b", "purpose": "marketing"},
            422,
            "purpose",
        ),
        ("emails", {"to": "maryam@example.com", "body": "b"}, 422, "subject"),
        (
            "emails",
            {"to": "maryam@example.com", "subject": "s", "body": "b", "template_id": 999},
            422,
            "template_id",
        ),
        ("sms", {"to": "+982188776655", "body": "b"}, 422, "to"),
        ("sms", {"to": "+989121234567", "body": ""}, 422, "body"),
    ],
)
def test_bad_sends_change_nothing(api_as, customer, path, body, status, field):
    assert_error(
        api_as("sales").post(f"/parties/{customer.pk}/{path}", body), status, "validation_error", field
    )
    assert not OutboundMessage.objects.exists() and not Interaction.objects.exists()


def test_others_customers_are_not_found(api_as, customer):
    for role in ("outsider", "readonly"):
        api = api_as(role)
        assert_error(
            api.post(
                f"/parties/{customer.pk}/emails", {"to": "maryam@example.com", "subject": "s", "body": "b"}
            ),
            404,
            "not_found",
        )
    assert not OutboundMessage.objects.exists()
    assert api_as("outsider").get("/outbound-messages").json()["items"] == []


# --- the SMS gateway's callback -----------------------------------------------------------


@pytest.fixture
def gateway_post(settings):
    settings.PEYVAND_SMS_WEBHOOK_TOKEN = "sms-secret"

    def post(data=None, raw=None, content_type="application/json", token="sms-secret"):
        body = raw if raw is not None else json.dumps(data)
        return Client().post(
            "/api/v1/sms/inbound", body, content_type=content_type, headers={"X-Peyvand-Token": token}
        )

    return post


def test_a_reply_as_json_or_as_a_form(gateway_post, customer):
    response = gateway_post({"from": "09121234567", "text": "باشه، ممنون", "id": "g1", "to": "3000"})
    assert response.status_code == 200, response.content
    assert response.json()["customer"]["id"] == customer.pk
    form = gateway_post(
        raw="from=%2B989121234567&message=%D9%84%D8%BA%D9%88&messageid=g2",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 200, form.content
    assert (
        gateway_post({"from": "09121234567", "text": "باشه، ممنون", "id": "g1"}).json()["interaction_id"]
        is None
    )
    assert Interaction.objects.filter(party=customer, channel="sms").count() == 2


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"data": {"from": "09121234567", "text": "x"}, "token": "wrong"}, 401),
        ({"data": {"text": "x"}}, 422),
        ({"data": {"from": "anonymous", "text": "x"}}, 422),
        ({"raw": "{oops"}, 400),
        ({"data": {"from": "0912\u0000", "text": "x"}}, 422),
        ({"data": {"from": "09121234567", "text": "x", "at": "2100-01-01T00:00:00Z"}}, 422),
        ({"raw": "[" * 100_000 + "]" * 100_000}, 400),
        ({"raw": '{"from": ' + "[" * 100_000 + "]" * 100_000 + "}"}, 400),
    ],
)
def test_bad_callbacks(gateway_post, customer, kwargs, status):
    response = gateway_post(**kwargs)
    assert response.status_code == status, response.content
    assert response.json()["error"]["message"]
    assert not Interaction.objects.exists()


def test_a_reply_dated_far_off_names_the_field(gateway_post, customer):
    response = gateway_post({"from": "09121234567", "text": "x", "at": "2100-01-01T00:00:00Z"})
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["at"]
