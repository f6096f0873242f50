"""The PBX webhook: authenticated, finds the customer by any way of writing the number, one
interaction per call kept up to date, the screen-pop notification, unknown numbers as
suspects, and bad payloads answered with a clear error, never a 500."""

import json

import pytest
from django.test import Client

from peyvand.core.models import AuditEvent
from peyvand.core.services.tokens import api_token_create
from peyvand.customers.models import ContactPoint, Party
from peyvand.interactions.models import Interaction, PhoneCall
from peyvand.interactions.services.telephony import extension_set
from peyvand.notifications.models import Notification

SECRET = "pbx-shared-secret-0123456789"
URL = "/api/v1/telephony/calls"


@pytest.fixture
def pbx(settings, users):
    settings.PEYVAND_TELEPHONY_TOKEN = SECRET
    extension_set(user=users["sales"], extension="101", actor=users["admin"])
    extension_set(user=users["outsider"], extension="201", actor=users["admin"])
    client = Client(headers={"Authorization": f"Bearer {SECRET}", "Accept-Language": "en"})

    def post(data=None, *, raw=None, content_type="application/json", **headers):
        body = raw if raw is not None else json.dumps(data)
        return client.post(URL, body, content_type=content_type, headers=headers)

    return post


def error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["message"].strip()
    if field:
        assert field in [f["field"] for f in body["fields"]], body
    return body


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer "},
        {"X-Peyvand-Token": "wrong"},
        {"Authorization": f"Basic {SECRET}"},
    ],
)
def test_without_the_secret_nothing_happens(settings, users, headers):
    settings.PEYVAND_TELEPHONY_TOKEN = SECRET
    response = Client().post(
        URL,
        json.dumps({"call_id": "1", "event": "ringing", "number": "09121234567"}),
        content_type="application/json",
        headers=headers,
    )
    error(response, 401)
    assert not PhoneCall.objects.exists() and not Party.objects.exists()


def test_an_empty_secret_setting_opens_nothing(settings, db):
    settings.PEYVAND_TELEPHONY_TOKEN = ""
    response = Client().post(URL, "{}", content_type="application/json", headers={"X-Peyvand-Token": ""})
    error(response, 401)


def test_the_secret_in_a_header_or_an_administrators_token(settings, users, customer):
    settings.PEYVAND_TELEPHONY_TOKEN = SECRET
    body = json.dumps({"call_id": "h1", "event": "ringing", "number": "09121234567"})
    assert (
        Client()
        .post(URL, body, content_type="application/json", headers={"X-Peyvand-Token": SECRET})
        .status_code
        == 200
    )
    _token, admin_key = api_token_create(user=users["admin"], name="pbx")
    body = json.dumps({"call_id": "h2", "event": "ringing", "number": "09121234567"})
    assert (
        Client()
        .post(URL, body, content_type="application/json", headers={"Authorization": f"Bearer {admin_key}"})
        .status_code
        == 200
    )
    _token, sales_key = api_token_create(user=users["sales"], name="mine")
    body = json.dumps({"call_id": "h3", "event": "ringing", "number": "09121234567"})
    error(
        Client().post(
            URL, body, content_type="application/json", headers={"Authorization": f"Bearer {sales_key}"}
        ),
        401,
    )
    assert PhoneCall.objects.count() == 2


@pytest.mark.parametrize(
    "number",
    [
        "09121234567",
        "+989121234567",
        "+98 912 123 4567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "0912-123-4567",
        "(0912) 123 4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "tel:+989121234567",
        "sip:09121234567@pbx.local",
        '"0912 123 4567"',
    ],
)
def test_every_way_of_writing_the_number_finds_the_customer(pbx, customer, number):
    response = pbx({"call_id": "c-1", "event": "ringing", "number": number, "extension": "101"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["customer"]["id"] == customer.pk and body["caller_name"] == "مریم احمدی"
    assert body["number"] == "+989121234567"
    assert Party.objects.count() == 1  # no suspect made


def test_one_call_is_one_interaction_however_many_events(pbx, customer, users):
    for _ in range(2):  # the PBX may repeat a webhook it thinks failed
        pbx({"call_id": "1712345.67", "event": "ringing", "number": "09121234567", "extension": "101"})
    pbx({"call_id": "1712345.67", "event": "answered", "extension": "101"})
    events = AuditEvent.objects.count()
    finished = {
        "call_id": "1712345.67",
        "event": "finished",
        "duration": 125,
        "recording_url": "https://pbx.example.com/rec/1712345.67.wav",
    }
    assert pbx(finished).json()["status"] == "finished"
    after_finish = AuditEvent.objects.count()
    assert after_finish > events
    assert pbx(finished).status_code == 200
    assert AuditEvent.objects.count() == after_finish  # the repeat changed nothing
    interaction = Interaction.objects.get(party=customer)
    assert interaction.channel == "phone" and interaction.direction == "inbound"
    assert interaction.outcome == "completed" and interaction.handled_by == users["sales"]
    assert "2:05" in interaction.body and "rec/1712345.67.wav" in interaction.body
    call = PhoneCall.objects.get()
    assert call.duration == 125 and call.interaction == interaction and call.answered_at and call.ended_at
    # The screen-pop: the user on extension 101 is told once, with a link to the customer.
    pop = Notification.objects.get(recipient=users["sales"], kind="call")
    assert pop.url == f"/customers/{customer.pk}/" and pop.data["party"] == "مریم احمدی"


def test_a_call_nobody_answered_is_a_missed_call(pbx, customer, users):
    pbx({"call_id": "m1", "event": "ringing", "number": "09121234567", "extension": "101"})
    assert pbx({"call_id": "m1", "event": "finished", "duration": 0}).json()["status"] == "missed"
    interaction = Interaction.objects.get(party=customer)
    assert interaction.outcome == "no_answer"
    assert PhoneCall.objects.get().status == "missed"
    assert Notification.objects.filter(recipient=users["sales"], kind="missed_call").count() == 1


def test_the_timeline_shows_the_call_with_its_recording(pbx, customer, as_user):
    pbx({"call_id": "t1", "event": "ringing", "number": "09121234567", "extension": "101"})
    pbx(
        {
            "call_id": "t1",
            "event": "finished",
            "duration": 65,
            "recording_url": "https://pbx.example.com/r.wav",
        }
    )
    html = as_user("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="call-details"' in html and "https://pbx.example.com/r.wav" in html


def test_an_unknown_number_becomes_a_suspect_given_to_whoever_took_the_call(pbx, users):
    body = pbx({"call_id": "u1", "event": "ringing", "number": "0935 111 2233", "extension": "101"}).json()
    suspect = Party.objects.get(pk=body["customer"]["id"])
    assert suspect.stage == "suspect" and suspect.source == "phone" and suspect.owner == users["sales"]
    assert ContactPoint.objects.get(party=suspect).value == "+989351112233"
    assert Interaction.objects.get(party=suspect).handled_by == users["sales"]


def test_an_unknown_number_on_no_extension_is_left_for_the_team(pbx, users):
    body = pbx({"call_id": "u2", "event": "ringing", "number": "+44 20 7946 0958"}).json()
    suspect = Party.objects.get(pk=body["customer"]["id"])
    assert suspect.owner is None and suspect.created_by == users["admin"]


def test_a_withheld_number_is_told_but_put_on_nobody(pbx, users):
    body = pbx({"call_id": "w1", "event": "ringing", "number": "anonymous", "extension": "101"}).json()
    assert body["customer"] is None and body["number"] == ""
    assert not Interaction.objects.exists() and not Party.objects.exists()
    assert Notification.objects.filter(recipient=users["sales"], kind="call").count() == 1


def test_a_user_who_may_not_see_the_customer_gets_no_name_or_link(pbx, customer, users):
    pbx({"call_id": "x1", "event": "ringing", "number": "09121234567", "extension": "201"})
    pop = Notification.objects.get(recipient=users["outsider"], kind="call")
    assert pop.url == "" and pop.data["party"] == ""
    assert Interaction.objects.get(party=customer).handled_by == users["outsider"]


def test_a_queue_call_goes_to_whoever_answered(pbx, customer, users):
    extension_set(user=users["sales2"], extension="102", actor=users["admin"])
    pbx({"call_id": "q1", "event": "ringing", "number": "09121234567", "extension": "101"})
    pbx({"call_id": "q1", "event": "answered", "extension": "102"})
    assert Interaction.objects.get(party=customer).handled_by == users["sales2"]
    assert PhoneCall.objects.get().user == users["sales2"]


def test_an_outgoing_call(pbx, customer):
    pbx(
        {
            "call_id": "o1",
            "event": "answered",
            "direction": "outbound",
            "number": "09121234567",
            "extension": "101",
        }
    )
    interaction = Interaction.objects.get(party=customer)
    assert interaction.direction == "outbound"


def test_a_form_encoded_body_as_asterisk_curl_sends_it(pbx, customer):
    raw = "call_id=f1&event=finished&number=09121234567&extension=101&duration=42"
    response = pbx(raw=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert PhoneCall.objects.get().duration == 42


@pytest.mark.parametrize(
    "raw, field",
    [
        ("not json", None),
        ("[1, 2]", None),
        ("null", None),
        ('{"event": "ringing"}', "call_id"),
        ('{"call_id": "", "event": "ringing"}', "call_id"),
        ('{"call_id": "1", "event": "hungup"}', "event"),
        ('{"call_id": "1", "event": "ringing", "direction": "sideways"}', "direction"),
        ('{"call_id": "1", "event": "finished", "duration": -1}', "duration"),
        ('{"call_id": "1", "event": "finished", "duration": 99999999999999999999}', "duration"),
        ('{"call_id": "1", "event": "finished", "duration": "long"}', "duration"),
        ('{"call_id": "1", "event": "ringing", "recording_url": "javascript:alert(1)"}', "recording_url"),
        ('{"call_id": "1", "event": "ringing", "at": "yesterday"}', "at"),
        ('{"call_id": "1", "event": "ringing", "at": "9999-99-99T00:00"}', "at"),
        ('{"call_id": "1", "event": "ringing", "mood": "happy"}', "mood"),
        ('{"call_id": "' + "9" * 101 + '", "event": "ringing"}', "call_id"),
        ('{"call_id": "1\\u0000", "event": "ringing"}', "call_id"),
        ('{"call_id": "1", "event": "ringing", "number": "' + "1" * 101 + '"}', "number"),
        ('{"call_id": 12, "event": "ringing"}', "call_id"),
    ],
)
def test_bad_payloads_get_a_clear_error_and_change_nothing(pbx, customer, raw, field):
    response = pbx(raw=raw)
    assert response.status_code in (400, 422), response.content
    error(response, response.status_code, field)
    assert not PhoneCall.objects.exists() and not Interaction.objects.exists()


def test_a_number_that_is_not_a_phone_number_is_logged_nowhere(pbx, customer):
    body = pbx({"call_id": "n1", "event": "ringing", "number": "12", "extension": "101"}).json()
    assert body["customer"] is None and body["caller_name"] == "12"
    assert not Interaction.objects.exists()


def test_only_get_is_refused_in_the_api_format(pbx):
    response = Client(headers={"Authorization": f"Bearer {SECRET}"}).get(URL)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


# --- the README's Asterisk dialplan, number formats, outgoing calls, strict values --------


def _readme_payload(**args: str) -> str:
    """The body the README's dialplan makes Asterisk send, for these Gosub arguments."""
    from pathlib import Path
    from urllib.parse import quote

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if "CURL(${PEYVAND_URL}," in line)
    body = line.split("CURL(${PEYVAND_URL},", 1)[1].rsplit(")})", 1)[0]
    direction = args.get("ARG4") or "inbound"
    replacements = {
        "${CHANNEL(linkedid)}": args["linkedid"],
        '${IF($["${ARG4}"=""]?inbound:${ARG4})}': direction,
        "${URIENCODE(${ARG2})}": quote(args.get("ARG2", ""), safe=""),
        "${URIENCODE(${ARG6})}": quote(args.get("ARG6", ""), safe=""),
    }
    for variable, value in replacements.items():
        body = body.replace(variable, value)
    for name in ("ARG1", "ARG3", "ARG5"):
        body = body.replace("${" + name + "}", args.get(name, ""))
    assert "${" not in body, body  # every variable of the README's line is one Asterisk has
    return body


def test_the_readme_uses_asterisks_own_linkedid():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "${LINKEDID}" not in readme and "${CHANNEL(linkedid)}" in readme


def test_the_readme_dialplan_works_for_ringing_answered_and_finished(pbx, customer, users):
    ringing = _readme_payload(linkedid="L1", ARG1="ringing", ARG2="09121234567", ARG3="101")
    assert ringing == (
        "call_id=L1&event=ringing&number=09121234567&extension=101&direction=inbound&duration=&recording_url="
    )
    form = {"content_type": "application/x-www-form-urlencoded"}
    response = pbx(raw=ringing, **form)
    assert response.status_code == 200, response.content
    assert response.json()["customer"]["id"] == customer.pk
    answered = _readme_payload(linkedid="L1", ARG1="answered", ARG3="101")
    assert pbx(raw=answered, **form).json()["status"] == "answered"
    finished = _readme_payload(
        linkedid="L1", ARG1="finished", ARG2="09121234567", ARG5="73", ARG6="https://pbx.example.com/L1.wav"
    )
    body = pbx(raw=finished, **form).json()
    assert body["status"] == "finished"
    call = PhoneCall.objects.get()
    assert call.duration == 73 and call.recording_url == "https://pbx.example.com/L1.wav"
    assert Interaction.objects.get(party=customer).outcome == "completed"


@pytest.mark.parametrize(
    "number", ["88776655", "۸۸۷۷۶۶۵۵", "+98 21 8877 6655 ext. 12", "021 8877 6655 x12", "02188776655;ext=7"]
)
def test_local_numbers_and_extensions_find_the_customer(pbx, customer, number):
    body = pbx({"call_id": "a1", "event": "ringing", "number": number, "extension": "101"}).json()
    assert body["number"] == "+982188776655" and body["customer"]["id"] == customer.pk
    assert Party.objects.count() == 1


def test_a_local_number_is_in_the_configured_area_code(pbx, customer, settings):
    settings.PEYVAND_TELEPHONY_AREA_CODE = "31"  # Isfahan
    body = pbx({"call_id": "a2", "event": "ringing", "number": "88776655", "extension": "101"}).json()
    assert body["number"] == "+983188776655" and body["customer"]["id"] != customer.pk


def test_an_outgoing_call_nobody_took_is_not_a_missed_call(pbx, customer, users):
    pbx(
        {
            "call_id": "o2",
            "event": "ringing",
            "direction": "outbound",
            "number": "09121234567",
            "extension": "101",
        }
    )
    assert pbx({"call_id": "o2", "event": "finished", "duration": 0}).json()["status"] == "no_answer"
    interaction = Interaction.objects.get(party=customer)
    assert interaction.direction == "outbound" and interaction.outcome == "no_answer"
    assert interaction.subject == "تماس خروجی بی‌پاسخ"
    assert not Notification.objects.filter(kind__in=["missed_call", "call"]).exists()


@pytest.mark.parametrize(
    "language, incoming, missed",
    [("en", "Incoming call", "Missed call"), ("fa", "تماس ورودی", "تماس بی‌پاسخ")],
)
def test_a_call_is_written_in_the_language_of_the_user_who_took_it(
    pbx, customer, users, language, incoming, missed
):
    users["sales"].language = language
    users["sales"].save(update_fields=["language"])
    pbx({"call_id": "g1", "event": "ringing", "number": "09121234567", "extension": "101"})
    assert Interaction.objects.get(party=customer).subject == incoming
    pbx({"call_id": "g1", "event": "finished"})
    interaction = Interaction.objects.get(party=customer)
    assert interaction.subject == missed
    assert ("Extension: 101" in interaction.body) == (language == "en")


@pytest.mark.parametrize(
    "raw, field",
    [
        ('{"call_id": "1", "event": "finished", "duration": true}', "duration"),
        ('{"call_id": "1", "event": "finished", "duration": 12.5}', "duration"),
        ('{"call_id": "1", "event": "finished", "duration": "12"}', None),  # as a form sends it: fine
        ('{"call_id": "1", "event": "ringing", "at": "2100-01-01T00:00:00Z"}', "at"),
        ('{"call_id": "1", "event": "ringing", "at": "2001-01-01T00:00:00Z"}', "at"),
    ],
)
def test_strict_values(pbx, customer, raw, field):
    response = pbx(raw=raw)
    if field is None:
        assert response.status_code == 200 and PhoneCall.objects.get().duration == 12
        return
    error(response, 422, field)
    assert not PhoneCall.objects.exists()


def test_a_call_reported_late_keeps_its_own_time(pbx, customer):
    import datetime as dt

    from django.utils import timezone

    when = (timezone.now() - dt.timedelta(hours=5)).replace(microsecond=0)
    pbx({"call_id": "late1", "event": "ringing", "number": "09121234567", "at": when.isoformat()})
    assert Interaction.objects.get(party=customer).occurred_at == when


def test_deeply_nested_json_is_a_bad_request_not_a_500(pbx):
    deep = "[" * 100_000 + "]" * 100_000
    error(pbx(raw=deep), 400)
    error(pbx(raw='{"call_id": ' + deep + ', "event": "ringing"}'), 400)
    assert not PhoneCall.objects.exists()


@pytest.mark.parametrize("language, word", [("", "ناشناس"), ("fa", "ناشناس"), ("en", "Unknown")])
def test_a_suspect_is_named_in_the_language_of_whoever_took_the_call(pbx, users, language, word):
    users["sales"].language = language
    users["sales"].save(update_fields=["language"])
    body = pbx({"call_id": "s1", "event": "ringing", "number": "0935 111 2233", "extension": "101"}).json()
    assert word in Party.objects.get(pk=body["customer"]["id"]).display_name


@pytest.mark.parametrize("url", ["http://127.0.0.1/r.wav", "http://0177.0.0.1/r.wav", "http://[::1]/r.wav"])
def test_a_recording_on_a_loopback_host_is_refused(pbx, url):
    response = pbx({"call_id": "r1", "event": "finished", "number": "09121234567", "recording_url": url})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "recording_url"
