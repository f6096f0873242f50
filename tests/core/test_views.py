import pytest
from django.test import Client, override_settings

from peyvand.core import policy
from peyvand.core.models import ApiToken, AuditEvent, LoginAttempt, Role, Scope, Team, User
from peyvand.core.services.tokens import api_token_authenticate, api_token_create

ADMIN_PAGES = [
    "/admin/users/",
    "/admin/users/new/",
    "/admin/teams/",
    "/admin/permissions/",
    "/admin/audit/",
    "/admin/trash/",
]


def login(client, username, password="secret-pass-123", **headers):
    return client.post("/login/", {"username": username, "password": password}, **headers)


def test_login_and_logout(client, users):
    response = login(client, "sales")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405  # logging out needs a POST (no CSRF logout)
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_login_refuses_an_open_redirect(client, users):
    response = client.post(
        "/login/", {"username": "sales", "password": "secret-pass-123", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@override_settings(LOGIN_MAX_FAILURES=3)
def test_brute_force_locks_the_username_even_for_the_right_password(client, users):
    for _ in range(3):
        assert login(client, "sales", "wrong").status_code == 200
    response = login(client, "sales")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    assert login(client, "sales2", REMOTE_ADDR="10.0.0.9").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_guessing_the_administrators_password_does_not_lock_them_out_elsewhere(client, users):
    for _ in range(5):
        login(client, "admin", "wrong", REMOTE_ADDR="203.0.113.5")
    assert login(client, "admin", REMOTE_ADDR="203.0.113.5").status_code == 429
    assert login(Client(), "admin", REMOTE_ADDR="198.51.100.7").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=5)
def test_behind_a_trusted_proxy_the_real_client_is_counted(client, users, monkeypatch):
    monkeypatch.setenv("PEYVAND_TRUSTED_PROXIES", "10.0.0.0/8")
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(20):  # a script sprays made-up names through the proxy
        login(client, f"nobody{i}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5", **via_proxy)
    assert set(LoginAttempt.objects.values_list("address", flat=True)) == {"203.0.113.5"}
    assert login(Client(), "sales", HTTP_X_FORWARDED_FOR="203.0.113.5", **via_proxy).status_code == 429
    assert login(Client(), "admin", HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy).status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_wait_doubles_with_each_failure_after_it(client, users):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    start = timezone.now()
    for minute in range(3):
        with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(seconds=minute)):
            login(client, "sales", "wrong")
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(seconds=50)):
        assert login(client, "sales").status_code == 429
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(seconds=65)):
        assert login(client, "sales", "wrong").status_code == 200  # the minute passed: a try
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(seconds=65 + 110)):
        response = login(client, "sales")
        assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 10  # two minutes


@override_settings(LOGIN_MAX_FAILURES=3)
def test_an_administrator_lifts_a_wait(client, users):
    for _ in range(3):
        login(client, "sales", "wrong")
    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get("/admin/sign-ins/")
    assert page.status_code == 200 and "sales" in page.content.decode()
    assert Client().get("/admin/sign-ins/").status_code == 302
    support = Client()
    support.force_login(users["support"])
    assert support.get("/admin/sign-ins/").status_code == 403
    admin.post("/admin/sign-ins/", {"username": "sales", "address": "127.0.0.1"})
    assert login(client, "sales").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_successful_login_forgives_earlier_failures(client, users):
    login(client, "sales", "wrong")
    login(client, "sales", "wrong")
    assert login(client, "sales").status_code == 302
    assert not LoginAttempt.objects.filter(username="sales", succeeded=False).exists()


def test_inactive_user_cannot_log_in(client, users):
    users["sales"].is_active = False
    users["sales"].save()
    assert login(client, "sales").status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [("en-US,en;q=0.9", "en", "ltr"), ("fa-IR", "fa", "rtl"), ("de-DE", "fa", "rtl"), ("", "fa", "rtl")],
)
def test_first_visit_follows_the_browser_then_persian(client, db, header, lang, direction):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_a_users_own_language_wins_over_the_browser(client, users):
    user = users["sales"]
    user.language = "en"
    user.save()
    client.force_login(user)
    assert '<html lang="en" dir="ltr">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    client.post("/language/", {"language": "fa", "next": "/person/"})
    user.refresh_from_db()
    assert user.language == "fa"
    assert '<html lang="fa" dir="rtl">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client, users):
    client.force_login(users["sales"])
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    users["sales"].refresh_from_db()
    assert users["sales"].language == ""


def test_settings_save_language_and_time_zone(client, users):
    client.force_login(users["sales"])
    client.post("/settings/", {"language": "en", "time_zone": "Europe/London"})
    users["sales"].refresh_from_db()
    assert (users["sales"].language, users["sales"].time_zone) == ("en", "Europe/London")
    response = client.post("/settings/", {"language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_change_password(client, users):
    client.force_login(users["sales"])
    client.post(
        "/settings/password/",
        {
            "old_password": "secret-pass-123",
            "new_password1": "a-new-Long-pass-42",
            "new_password2": "a-new-Long-pass-42",
        },
    )
    users["sales"].refresh_from_db()
    assert users["sales"].check_password("a-new-Long-pass-42")
    event = AuditEvent.objects.get(model="core.user", object_id=users["sales"].pk, kind="update")
    assert event.actor == users["sales"] and event.changes == {"password": ["***", "***"]}
    assert "a-new-Long-pass-42" not in str(event.changes)
    # Still signed in: the session follows the new password.
    assert client.get("/settings/").status_code == 200


def test_a_wrong_old_password_changes_nothing_and_logs_nothing(client, users):
    client.force_login(users["sales"])
    response = client.post(
        "/settings/password/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-Long-pass-42",
            "new_password2": "a-new-Long-pass-42",
        },
    )
    assert response.status_code == 200
    users["sales"].refresh_from_db()
    assert users["sales"].check_password("secret-pass-123")
    assert not AuditEvent.objects.filter(model="core.user", object_id=users["sales"].pk).exists()


def test_api_tokens_are_shown_once_and_revocable(client, users):
    client.force_login(users["sales"])
    html = client.post("/settings/tokens/", {"name": "ERP"}).content.decode()
    token = ApiToken.objects.get(user=users["sales"])
    key = html.split('data-testid="new-token">')[1].split("<")[0]
    assert key.startswith("pvd_") and token.key_hash not in html
    assert api_token_authenticate(key) == users["sales"]
    assert key not in client.get("/settings/tokens/").content.decode()
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert api_token_authenticate(key) is None


def test_someone_elses_token_cannot_be_revoked(client, users):
    token, key = api_token_create(user=users["sales2"], name="theirs")
    client.force_login(users["sales"])
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert api_token_authenticate(key) == users["sales2"]


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_administration_is_for_administrators_only(client, users, role, url):
    client.force_login(users[role])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_administration_pages_open_for_an_administrator(client, users, url):
    client.force_login(users["admin"])
    assert client.get(url).status_code == 200


def test_a_non_admin_cannot_create_users_by_posting(client, users):
    client.force_login(users["manager"])
    client.post("/admin/users/new/", {"username": "intruder", "role": "admin", "time_zone": "Asia/Tehran"})
    assert not User.objects.filter(username="intruder").exists()


def test_administrator_creates_a_user_with_a_generated_password(client, users, team_a):
    client.force_login(users["admin"])
    html = client.post(
        "/admin/users/new/",
        {
            "username": "neda",
            "role": "support",
            "team": team_a.pk,
            "time_zone": "Asia/Tehran",
            "first_name": "ندا",
        },
    ).content.decode()
    password = html.split('data-testid="generated-password">')[1].split("<")[0]
    neda = User.objects.get(username="neda")
    assert neda.check_password(password) and neda.role == Role.SUPPORT and neda.team == team_a
    response = client.post(
        "/admin/users/new/", {"username": "NEDA", "role": "support", "time_zone": "Asia/Tehran"}
    )
    assert response.status_code == 200 and User.objects.filter(username__iexact="neda").count() == 1


def test_administrator_cannot_demote_themselves(client, users):
    client.force_login(users["admin"])
    client.post(
        f"/admin/users/{users['admin'].pk}/", {"role": "sales", "time_zone": "Asia/Tehran", "is_active": "on"}
    )
    users["admin"].refresh_from_db()
    assert users["admin"].role == Role.ADMIN


def test_permission_matrix_saves_and_is_audited(client, users):
    client.force_login(users["admin"])
    client.post("/admin/permissions/", {"readonly.party.view": "all"})
    assert policy.effective_matrix()[Role.READONLY]["party"]["view"] == Scope.ALL
    assert AuditEvent.objects.filter(model="core.rolescope").count() == 1
    client.post("/admin/permissions/", {"readonly.party.view": "nonsense"})
    assert policy.effective_matrix()[Role.READONLY]["party"]["view"] == Scope.ALL


def test_teams_are_created_once(client, users):
    client.force_login(users["admin"])
    client.post("/admin/teams/", {"name": "فروش شیراز"})
    client.post("/admin/teams/", {"name": "فروش  شیراز"})
    assert Team.objects.filter(name="فروش شیراز").count() == 1


def test_audit_log_lists_changes_with_filters(client, users, make_person):
    party = make_person()
    client.force_login(users["admin"])
    html = client.get("/admin/audit/", {"kind": "create"}).content.decode()
    assert party.display_name in html
    assert client.get("/admin/audit/", {"date_from": "not a date"}).status_code == 200


def test_error_pages_are_rendered_not_blank(client, users):
    client.force_login(users["sales"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "<html" in response.content.decode()
    response = client.get("/admin/users/")
    assert response.status_code == 403 and "<html" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["team=99999999999999999999999", "team=abc", "team=-1", "team=%00", "role=x&active=maybe&sort=x"],
)
def test_user_list_ignores_hostile_filters(client, users, query):
    client.force_login(users["admin"])
    response = client.get(f"/admin/users/?{query}")
    assert response.status_code == 200
    assert "admin" in response.content.decode()


def test_user_list_filters_by_team_in_any_digits(client, users, team_a):
    client.force_login(users["admin"])
    persian = str(team_a.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    names = {u.username for u in client.get("/admin/users/", {"team": persian}).context["page"].items}
    assert names == {u.username for u in users.values() if u.team_id == team_a.pk}


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fa", ["دسترسی: <bdi>فقط خواندنی · مشتریان (اشخاص و سازمان‌ها) · دیدن", "همهٔ رکوردها", "توکن API: "]),
        ("en", ["permission: <bdi>Read-only · Customers (people and organisations) · See", "All records"]),
    ],
)
def test_audit_log_names_permissions_and_tokens_in_the_readers_language(client, users, language, shown):
    client.force_login(users["admin"])
    client.post("/admin/permissions/", {"readonly.party.view": "all"})
    api_token_create(user=users["admin"], name="ERP")
    html = client.get("/admin/audit/", headers={"Accept-Language": language}).content.decode()
    for text in shown:
        assert text in html, text
    for raw in ("readonly.party.view", "<bdi>all</bdi>", "api token", "rolescope"):
        assert raw not in html, raw
    assert "API token: <bdi>ERP" in html or "توکن API: <bdi>ERP" in html


@pytest.mark.parametrize(
    ("target", "landing"), [("abc", "abc"), ("/person/", "/person/"), ("//evil.example", "/")]
)
def test_language_switch_goes_back_to_a_path_never_elsewhere(client, users, target, landing):
    client.force_login(users["sales"])
    response = client.post("/language/", {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == landing


def test_deactivating_a_user_revokes_their_tokens_and_a_new_password_may(client, users):
    from peyvand.core.models import ApiToken
    from peyvand.core.services import tokens
    from peyvand.core.services.users import user_update

    tokens.api_token_create(user=users["sales"], name="script")
    user_update(user=users["sales"], actor=users["admin"], is_active=False)
    assert not ApiToken.objects.filter(user=users["sales"], revoked_at__isnull=True).exists()
    tokens.api_token_create(user=users["sales2"], name="script")
    client.force_login(users["sales2"])
    response = client.post(
        "/settings/password/",
        {
            "old_password": "secret-pass-123",
            "new_password1": "A-new-pass-456!",
            "new_password2": "A-new-pass-456!",
            "revoke_tokens": "on",
        },
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=users["sales2"], revoked_at__isnull=True).exists()


def test_a_refused_page_is_logged_without_a_traceback(client, users, caplog):
    client.force_login(users["support"])
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get("/admin/users/").status_code == 403
    forbidden = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert forbidden and all(r.exc_info is None for r in forbidden)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_languages_are_named_in_themselves(client, users, language):
    """Issue 12: the Persian settings page offered «انگلیسی»; a reader of English looks for
    "English", a reader of Persian for «فارسی», whatever the page's language."""
    users["admin"].language = language
    users["admin"].save(update_fields=["language"])
    client.force_login(users["admin"])
    for url in ("/settings/", f"/admin/users/{users['sales'].pk}/"):
        html = client.get(url).content.decode()
        assert '<option value="fa"' in html and ">فارسی</option>" in html, url
        assert ">English</option>" in html and "انگلیسی" not in html, url


@pytest.mark.parametrize("language,none", [("fa", "(هیچ)"), ("en", "(none)")])
def test_a_select_without_a_choice_says_none_in_words(client, users, language, none):
    client.force_login(users["admin"])
    for page in ["/admin/users/new/", "/sales/deals/new/"]:
        html = client.get(page, headers={"Accept-Language": language}).content.decode()
        assert "---------" not in html and f">{none}</option>" in html, page
