"""Malformed requests are 4xx in the one JSON error format, never a 500, and write nothing."""

import json

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peyvand.core.models import AuditEvent
from peyvand.customers.models import ContactPoint, Note, Party
from peyvand.interactions.models import Interaction
from tests.api.conftest import assert_error

BIG = 10**30


@pytest.fixture
def world(make_person, make_org):
    """A person, an organisation and a contact point, referred to by {person} etc. in paths."""
    person = make_person(contacts=[{"kind": "phone", "value": "09121234567"}])
    org = make_org()
    note = Note.objects.create(party=person, body="n")
    return {
        "person": person.pk,
        "org": org.pk,
        "point": person.contact_points.get().pk,
        "note": note.pk,
    }


def rows():
    return (
        Party.all_objects.count(),
        ContactPoint.all_objects.count(),
        Note.all_objects.count(),
        Interaction.all_objects.count(),
        AuditEvent.objects.count(),
    )


BODIES = [
    # (method, path, raw body, status, code, field)
    ("post", "/people", "{bad", 400, "invalid_json", None),
    ("post", "/people", '{"last_name": "x",}', 400, "invalid_json", None),
    ("post", "/people", b"\xff\xfe\x00", 400, "invalid_json", None),
    ("post", "/people", "[" * 50_000, 400, "invalid_json", None),
    ("post", "/people", "NaN", 422, "validation_error", None),
    ("post", "/people", "[1, 2]", 422, "validation_error", None),
    ("post", "/people", '"text"', 422, "validation_error", None),
    ("post", "/people", "null", 422, "validation_error", None),
    ("post", "/people", "", 422, "validation_error", None),
    ("patch", "/people/{person}", "{bad", 400, "invalid_json", None),
    ("put", "/parties/{person}/tags", "{", 400, "invalid_json", None),
    ("post", "/interactions", "}", 400, "invalid_json", None),
]


@pytest.mark.parametrize(("method", "path", "raw", "status", "code", "field"), BODIES)
def test_bodies_that_are_not_a_json_object(api, world, method, path, raw, status, code, field):
    before = rows()
    assert_error(api.send(method, path.format(**world), raw=raw), status, code, field)
    assert rows() == before


JSON_CASES = [
    # wrong types
    ("post", "/people", {"first_name": 123}, "first_name"),
    ("post", "/people", {"last_name": ["x"]}, "last_name"),
    ("post", "/people", {"last_name": "x", "owner": "3"}, "owner"),
    ("post", "/people", {"last_name": "x", "owner": 1.5}, "owner"),
    ("post", "/people", {"last_name": "x", "owner": True}, "owner"),
    ("post", "/people", {"last_name": "x", "allow_duplicate": "yes"}, "allow_duplicate"),
    ("post", "/people", {"last_name": "x", "sms_consent": 1}, "sms_consent"),
    ("post", "/people", {"last_name": "x", "contacts": "09121234567"}, "contacts"),
    ("post", "/people", {"last_name": "x", "contacts": [5]}, "contacts.0"),
    ("post", "/people", {"last_name": "x", "contacts": [{"kind": "phone"}]}, "contacts.0.value"),
    (
        "post",
        "/people",
        {"last_name": "x", "contacts": [{"kind": "phone", "value": 9121234567}]},
        "contacts.0.value",
    ),
    ("post", "/people", {"last_name": "x", "tags": [1]}, "tags.0"),
    ("post", "/people", {"last_name": "x", "tags": "vip"}, "tags"),
    ("post", "/people", {"last_name": "x", "organisations": [{"id": "1"}]}, "organisations.0.id"),
    ("post", "/people", {"last_name": "x", "date_of_birth": "not a date"}, "date_of_birth"),
    ("post", "/people", {"last_name": "x", "date_of_birth": "1403/13/40"}, "date_of_birth"),
    ("post", "/people", {"last_name": "x", "date_of_birth": "2024-02-30"}, "date_of_birth"),
    ("post", "/people", {"last_name": "x", "date_of_birth": "9999-12-31"}, "date_of_birth"),
    ("post", "/people", {"last_name": "x", "date_of_birth": 19900101}, "date_of_birth"),
    (
        "post",
        "/people",
        {"last_name": "x", "date_of_birth": "2020-01-01T10:00:00"},
        "date_of_birth",
    ),
    ("post", "/people", {"last_name": "x", "stage": 1}, "stage"),
    ("post", "/organisations", {"name": {"fa": "x"}}, "name"),
    ("patch", "/people/{person}", {"first_name": None, "last_name": None}, "last_name"),
    ("post", "/parties/{person}/notes", {"body": 5}, "body"),
    ("post", "/parties/{person}/notes", {}, "body"),
    ("put", "/parties/{person}/tags", {"names": None}, "names"),
    ("put", "/parties/{person}/tags", {}, "names"),
    ("post", "/people/{person}/merge", {"other_id": "2"}, "other_id"),
    ("post", "/people/{person}/merge", {}, "other_id"),
    ("post", "/people/{person}/memberships", {"organisation_id": None}, "organisation_id"),
    (
        "post",
        "/interactions",
        {"party_id": "{person}", "channel": "phone", "subject": "s"},
        "party_id",
    ),
    ("post", "/interactions", {"channel": "phone", "subject": "s"}, "party_id"),
    # unknown fields
    ("post", "/people", {"last_name": "x", "is_admin": True}, "is_admin"),
    ("post", "/people", {"last_name": "x", "name": "Acme"}, "name"),
    ("post", "/people", {"last_name": "x", "id": 5}, "id"),
    ("post", "/people", {"last_name": "x", "created_by": 1}, "created_by"),
    (
        "post",
        "/people",
        {"last_name": "x", "contacts": [{"kind": "phone", "value": "09121234567", "x": 1}]},
        "contacts.0.x",
    ),
    ("post", "/organisations", {"name": "x", "organisations": []}, "organisations"),
    ("post", "/organisations", {"name": "x", "first_name": "y"}, "first_name"),
    ("patch", "/people/{person}", {"kind": "organisation"}, "kind"),
    ("patch", "/contact-points/{point}", {"party_id": 1}, "party_id"),
    ("patch", "/notes/{note}", {"body": "x", "party": 1}, "party"),
    (
        "post",
        "/interactions",
        {"party_id": 1, "channel": "phone", "subject": "s", "deleted_at": None},
        "deleted_at",
    ),
    # oversized values
    ("post", "/people", {"last_name": "x" * 101}, "last_name"),
    ("post", "/organisations", {"name": "x" * 201}, "name"),
    (
        "post",
        "/people",
        {"last_name": "x", "contacts": [{"kind": "email", "value": "a" * 300}]},
        "contacts.0.value",
    ),
    (
        "post",
        "/people",
        {"last_name": "x", "contacts": [{"kind": "phone", "value": "0912"}] * 51},
        "contacts",
    ),
    ("post", "/people", {"last_name": "x", "tags": ["t" * 51]}, "tags.0"),
    ("post", "/people", {"last_name": "x", "tags": [str(i) for i in range(51)]}, "tags"),
    ("post", "/parties/{person}/notes", {"body": "x" * 20_001}, "body"),
    (
        "post",
        "/interactions",
        {"party_id": 1, "channel": "phone", "subject": "s", "body": "x" * 50_001},
        "body",
    ),
    ("post", "/people", {"last_name": "bad\u0000nul"}, "last_name"),
    # ids that do not exist or cannot
    ("post", "/people", {"last_name": "x", "owner": 999_999}, "owner"),
    ("post", "/people", {"last_name": "x", "owner": 0}, "owner"),
    ("post", "/people", {"last_name": "x", "owner": -1}, "owner"),
    ("post", "/people", {"last_name": "x", "owner": BIG}, "owner"),
    (
        "post",
        "/people",
        {"last_name": "x", "organisations": [{"id": 999_999}]},
        "organisations.0.id",
    ),
    (
        "post",
        "/people",
        {"last_name": "x", "organisations": [{"id": "{person}"}]},
        "organisations.0.id",
    ),
    ("post", "/people/{person}/merge", {"other_id": BIG}, "other_id"),
    ("post", "/people/{person}/merge", {"other_id": "{org}"}, "other_id"),
    ("post", "/interactions", {"party_id": BIG, "channel": "phone", "subject": "s"}, "party_id"),
    (
        "post",
        "/interactions",
        {"party_id": "{person}", "channel": "phone", "subject": "s", "handled_by": -5},
        "handled_by",
    ),
]


def fill(value, world):
    """Put the world's ids where a case says "{person}", keeping them numbers."""
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in world:
        return world[value[1:-1]]
    return value


@pytest.mark.parametrize(("method", "path", "body", "field"), JSON_CASES)
def test_bad_values_are_422_naming_the_field(api, world, method, path, body, field):
    before = rows()
    payload = fill(body, world)
    if body.get("party_id") == "{person}" and "handled_by" not in body:
        payload["party_id"] = str(world["person"])  # a string where a number belongs
    response = api.send(method, path.format(**world), payload)
    assert_error(response, 422, "validation_error", field)
    assert rows() == before


PATHS = [
    ("get", "/people/abc", None),
    ("get", "/people/0", None),
    ("get", "/people/-1", None),
    ("get", "/people/1.5", None),
    ("get", f"/people/{BIG}", None),
    ("get", "/people/999999", None),
    ("get", "/people/۱", None),
    ("patch", "/people/abc", {}),
    ("delete", f"/people/{BIG}", None),
    ("post", "/people/abc/merge", {"other_id": 1}),
    ("get", "/organisations/{person}", None),
    ("delete", "/organisations/{person}", None),
    ("get", "/contact-points/x", None),
    ("patch", "/contact-points/999999", {}),
    ("delete", "/notes/999999", None),
    ("patch", "/memberships/abc", {"title": "x"}),
    ("get", "/interactions/999999", None),
    ("get", "/parties/abc/timeline", None),
    ("get", "/parties/999999/notes", None),
    ("post", "/parties/999999/contact-points", {"kind": "email", "value": "a@example.com"}),
    ("get", "/people/{org}/memberships", None),
    ("get", "/no-such-thing", None),
    ("get", "/people/1/nope", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PATHS)
def test_bad_or_unknown_ids_in_the_path_are_404(api, world, method, path, body):
    before = rows()
    if method == "get":
        response = api.get(path.format(**world))
    else:
        response = api.send(method, path.format(**world), body)
    assert_error(response, 404, "not_found")
    assert rows() == before


QUERIES = [
    ("/people", {"limit": 0}, "limit"),
    ("/people", {"limit": 201}, "limit"),
    ("/people", {"limit": "ten"}, "limit"),
    ("/people", {"limit": BIG}, "limit"),
    ("/people", {"sort": "salary"}, "sort"),
    ("/people", {"owner": "someone"}, "owner"),
    ("/people", {"owner": str(BIG)}, "owner"),
    ("/people", {"tag": "vip"}, "tag"),
    ("/people", {"tag": BIG}, "tag"),
    ("/people", {"stage": "lead"}, "stage"),
    ("/people", {"source": "tv"}, "source"),
    ("/people", {"created_from": "yesterday"}, "created_from"),
    ("/people", {"created_to": "9999-12-31"}, "created_to"),
    ("/people", {"created_to": "0001-01-01"}, "created_to"),
    ("/people", {"q": "x" * 201}, "q"),
    ("/people", {"q": "a\u0000b"}, "q"),
    ("/organisations", {"limit": -1}, "limit"),
    ("/interactions", {"party": "x"}, "party"),
    ("/interactions", {"channel": "telepathy"}, "channel"),
    ("/tags", {"q": "x" * 51}, "q"),
    ("/users", {"limit": 1000}, "limit"),
    ("/parties/{person}/timeline", {"limit": 0}, "limit"),
    ("/parties/{person}/timeline", {"kinds": "everything"}, "kinds"),
    ("/parties/{person}/notes", {"limit": "x"}, "limit"),
]


@pytest.mark.parametrize(("path", "params", "field"), QUERIES)
def test_bad_query_parameters_are_422_naming_the_parameter(api, world, path, params, field):
    assert_error(api.get(path.format(**world), params), 422, "validation_error", field)


def test_unknown_query_parameters_are_ignored(api, world):
    assert api.get("/people", {"_": "1700000000", "utm_source": "x"}).status_code == 200


def test_a_wrong_method_is_405_json(api, world):
    response = api.put("/people", {})
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_413(api, world):
    before = rows()
    assert_error(api.post("/people", {"last_name": "x" * 2000}), 413, "too_large")
    assert rows() == before


# --- fuzzing ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "first_name",
    "last_name",
    "name",
    "owner",
    "stage",
    "source",
    "date_of_birth",
    "contacts",
    "tags",
    "organisations",
    "allow_duplicate",
    "national_id",
    "sms_consent",
    "website",
    "party_id",
    "channel",
    "subject",
    "occurred_at",
    "handled_by",
    "outcome",
    "body",
    "names",
    "other_id",
    "organisation_id",
    "title",
    "kind",
    "value",
    "is_primary",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values
TARGETS = [
    ("post", "/people"),
    ("post", "/organisations"),
    ("patch", "/people/{person}"),
    ("patch", "/organisations/{org}"),
    ("post", "/parties/{person}/contact-points"),
    ("patch", "/contact-points/{point}"),
    ("post", "/people/{person}/memberships"),
    ("post", "/parties/{person}/notes"),
    ("put", "/parties/{person}/tags"),
    ("post", "/interactions"),
    ("post", "/people/{person}/merge"),
]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(target=st.sampled_from(TARGETS), body=bodies)
def test_fuzzed_bodies_never_cause_a_server_error(api, world, target, body):
    method, path = target
    response = api.send(method, path.format(**world), raw=json.dumps(body))
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_error(response, response.status_code, response.json()["error"]["code"])


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/people",
            "/organisations",
            "/interactions",
            "/tags",
            "/users",
            "/parties/{person}/timeline",
            "/parties/{person}/notes",
        ]
    ),
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "owner",
                "tag",
                "stage",
                "source",
                "created_from",
                "created_to",
                "sort",
                "cursor",
                "limit",
                "party",
                "channel",
                "kinds",
            ]
        ),
        st.text(max_size=40),
        max_size=5,
    ),
)
def test_fuzzed_query_strings_never_cause_a_server_error(api, world, path, params):
    response = api.get(path.format(**world), params)
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_error(response, response.status_code, response.json()["error"]["code"])


@FUZZ
@given(
    segment=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s and "#" not in s)
)
def test_fuzzed_path_ids_never_cause_a_server_error(api, world, segment):
    response = api.get(f"/people/{segment}")
    assert response.status_code in (200, 404), response.content[:300]


def test_the_api_answers_json_everywhere_under_its_prefix(users):
    """Issue 13, finding 6: an unknown path answered Django's HTML CSRF page to a POST, and a
    path ending in a newline the HTML 404."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a browser session is checked
    client.force_login(users["sales"])
    responses = [
        client.post("/api/v1/nowhere", "{}", content_type="application/json"),
        client.patch("/api/v1/nowhere/1", "{}", content_type="application/json"),
        client.get("/api/v1/people%0A"),
    ]
    for response in responses:
        assert response.status_code == 404, (response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_found"


def test_a_priority_in_a_query_string_is_read_as_a_number(api, users):
    assert api.get("/activities", {"priority": "1"}).status_code == 200
    assert api.get("/activities", {"priority": "9"}).status_code == 422


def test_an_assignment_rules_order_is_a_number_not_a_boolean(api_as):
    response = api_as("admin").post(
        "/lead-assignment-rules", {"kind": "round_robin", "value": "", "order": False}
    )
    assert response.status_code == 422


def test_a_multipart_body_without_its_boundary_is_400_json(settings, client):
    """Found by the schemathesis run (tests/api/test_fuzz.py): the PBX webhook read a form body
    declared multipart without a boundary, and the API answered 500."""
    settings.PEYVAND_TELEPHONY_TOKEN = "secret"
    response = client.post(
        "/api/v1/telephony/calls",
        data=b"call_id=1&event=ringing",
        content_type="multipart/form-data",
        HTTP_X_PEYVAND_TOKEN="secret",
    )
    assert_error(response, 400, "invalid_body")
