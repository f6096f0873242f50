"""Authentication: personal tokens, the browser session with CSRF, and who the caller is."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from peyvand.core.models import ApiToken
from peyvand.core.services.tokens import api_token_create, api_token_revoke
from peyvand.customers.models import Note
from tests.api.conftest import BASE, ApiClient, assert_error


def test_a_valid_token_authenticates_and_notes_its_use(users):
    token, key = api_token_create(user=users["sales"], name="integration")
    response = ApiClient(key).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "sales"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer pvd_" + "x" * 43,
        "Bearer pvd_" + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Token pvd_abc",
        "bearer\tpvd_abc",
    ],
)
def test_missing_or_garbage_credentials_are_401_json(db, header):
    client = ApiClient()
    response = client.get("/me", headers={"Authorization": header} if header else None)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_or_inactive_user_is_refused(users):
    token, key = api_token_create(user=users["sales"], name="old")
    client = ApiClient(key)
    assert client.get("/me").status_code == 200
    api_token_revoke(token=token, actor=users["sales"])
    assert_error(client.get("/me"), 401, "unauthorized")

    _token, key = api_token_create(user=users["sales2"], name="leaver")
    users["sales2"].is_active = False
    users["sales2"].save()
    assert_error(ApiClient(key).get("/people"), 401, "unauthorized")


def test_writes_with_a_token_need_no_csrf_token(users, make_person):
    party = make_person(owner="sales")
    _token, key = api_token_create(user=users["sales"], name="t")
    client = ApiClient(key, client=Client(enforce_csrf_checks=True))
    response = client.post(f"/parties/{party.pk}/notes", {"body": "called back"})
    assert response.status_code == 201


def test_session_reads_work_and_writes_need_the_csrf_token(users, make_person):
    party = make_person(owner="sales")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["sales"])
    assert browser.get(f"{BASE}/people/{party.pk}").status_code == 200

    url = f"{BASE}/parties/{party.pk}/notes"
    response = browser.post(url, {"body": "no token"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not Note.objects.filter(party=party).exists()

    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    response = browser.post(
        url,
        {"body": "with token"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 201
    assert Note.objects.get(party=party).body == "with token"


def test_anonymous_browser_gets_401_not_a_csrf_complaint(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"{BASE}/people", {"last_name": "x"}, content_type="application/json")
    assert_error(response, 401, "unauthorized")


def test_token_users_language_and_time_zone_apply(users, make_person):
    party = make_person(owner="sales")
    user = users["sales"]
    user.language, user.time_zone = "en", "UTC"
    user.save()
    _token, key = api_token_create(user=user, name="t")
    client = ApiClient(key)
    response = client.post(
        "/interactions",
        {
            "party_id": party.pk,
            "channel": "phone",
            "subject": "s",
            "occurred_at": "1403/05/12 14:30",
        },
        headers={"Accept-Language": "fa"},
    )
    assert response.status_code == 201, response.content
    assert response["Content-Language"] == "en"
    assert response.json()["occurred_at"] == "2024-08-02T14:30:00Z"  # read as UTC, the user's zone


@pytest.mark.parametrize("language", ["fa", "en"])
def test_error_messages_follow_accept_language(db, users, language):
    _token, key = api_token_create(user=users["sales"], name="t")
    response = ApiClient(key).post("/people", {"last_name": 5}, headers={"Accept-Language": language})
    assert_error(response, 422, "validation_error", field="last_name")
    assert response["Content-Language"] == language


def test_me_describes_the_caller_and_their_reach(api_as):
    data = api_as("sales").get("/me").json()
    assert data["role"] == "sales" and data["team"]["name"] == "Team A"
    assert data["scopes"]["party"] == {"view": "team", "change": "own"}
    assert data["is_administrator"] is False


def test_users_lists_active_users_and_whom_the_caller_may_assign(api_as, users):
    users["readonly"].is_active = False
    users["readonly"].save()
    response = api_as("manager").get("/users", {"limit": 200})
    assert response.status_code == 200
    items = {item["username"]: item for item in response.json()["items"]}
    assert "readonly" not in items
    assert set(items["admin"]) == {"id", "username", "display_name", "team_id", "assignable"}
    assignable = {name for name, item in items.items() if item["assignable"]}
    assert assignable == {"manager", "sales", "sales2", "support", "marketing"}  # team A only

    mine = api_as("sales").get("/users", {"limit": 200}).json()["items"]
    assert [u["username"] for u in mine if u["assignable"]] == ["sales"]

    found = api_as("sales").get("/users", {"q": "outsid"}).json()["items"]
    assert [u["username"] for u in found] == ["outsider"]


def test_users_pages_by_cursor(api_as, users):
    client = api_as("admin")
    first = client.get("/users", {"limit": 3}).json()
    second = client.get("/users", {"limit": 3, "cursor": first["next_cursor"]}).json()
    names = [u["username"] for u in first["items"] + second["items"]]
    assert names == sorted(users)[:6]


def test_token_last_use_is_written_at_most_once_a_minute(users, queries):
    token, key = api_token_create(user=users["sales"], name="t")
    client = ApiClient(key)
    client.get("/me")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timezone.timedelta(minutes=5))
    client.get("/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
