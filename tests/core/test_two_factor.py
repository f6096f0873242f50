"""Two-factor sign-in (an authenticator app's codes and recovery codes), the roles that must
use it, and each user's signed-in sessions: listed, and signed out from another browser."""

import datetime as dt
import time

import pyotp
from django.test import Client, override_settings
from django.utils import timezone

from peyvand.core.models import AuditEvent, RecoveryCode, Role, TwoFactorDevice, User, UserSession
from peyvand.core.services import two_factor
from peyvand.core.services.tokens import api_token_create
from peyvand.core.services.two_factor import CodeInput
from peyvand.core.signin import PENDING_KEY, SEEN_KEY
from peyvand.core.text import to_persian_digits

PASSWORD = "secret-pass-123"
# A fixed moment for the service-level tests: 2025-03-10 12:00:00 UTC.
NOON = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


def login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def code_now(user, ahead=0):
    """The code of the current 30-second step (or one ahead, since the current one may be used)."""
    totp = pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + ahead)


def turn_on(user, now=None):
    """Two-factor sign-in on, as the set-up page does it; returns the recovery codes."""
    device = two_factor.two_factor_begin(user=user)
    totp = pyotp.TOTP(device.secret)
    _device, codes = two_factor.two_factor_confirm(
        user=user, data=CodeInput(totp.at(now or timezone.now())), now=now
    )
    return codes


def signed_in(client):
    return "_auth_user_id" in client.session


# --- setting it up ------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_turns_on_only_with_a_right_code(client, users):
    user = users["sales"]
    client.force_login(user)
    page = client.get("/settings/two-factor/set-up/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "two-factor-qr" in html  # drawn on the server, inline
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert device.secret[:4] in html  # the key for typing in by hand
    # Opening the page again keeps the secret the person may have scanned already.
    client.get("/settings/two-factor/set-up/")
    assert TwoFactorDevice.objects.get(user=user).secret == device.secret

    wrong = client.post("/settings/two-factor/set-up/", {"code": "000000"})
    assert wrong.status_code == 200 and not two_factor.two_factor_enabled(user)

    # The code in Persian digits, as a Persian keyboard types it.
    code = to_persian_digits(pyotp.TOTP(device.secret).now())
    response = client.post("/settings/two-factor/set-up/", {"code": code})
    assert response.status_code == 200
    assert two_factor.two_factor_enabled(user)
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once, kept only as hashes.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert AuditEvent.objects.filter(
        model="core.user", object_id=user.pk, changes={"two_factor": [False, True]}
    ).exists()
    # Once on, the set-up page sends to the settings page.
    assert client.get("/settings/two-factor/set-up/")["Location"] == "/settings/two-factor/"
    assert client.get("/settings/two-factor/").status_code == 200


def test_arabic_digits_and_spaces_are_read_as_the_code(users):
    user = users["sales"]
    device = two_factor.two_factor_begin(user=user)
    code = pyotp.TOTP(device.secret).at(NOON)
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    two_factor.two_factor_confirm(user=user, data=CodeInput(f"{arabic[:3]} {arabic[3:]}"), now=NOON)
    assert two_factor.two_factor_enabled(user)


# --- signing in ---------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_signs_in_only_when_it_is_right(client, users):
    user = users["sales"]
    turn_on(user)
    response = login(client, "sales")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert not signed_in(client)
    assert client.get("/")["Location"].startswith("/login/")  # not signed in yet

    wrong = client.post("/login/code/", {"code": "123456"})
    assert wrong.status_code == 200 and not signed_in(client)
    assert "code" in wrong.context["form"].errors

    response = client.post("/login/code/", {"code": code_now(user, ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client) and PENDING_KEY not in client.session
    assert client.get("/").status_code == 200


def test_the_code_step_keeps_where_the_user_was_going(client, users):
    user = users["sales"]
    turn_on(user)
    client.post("/login/", {"username": "sales", "password": PASSWORD, "next": "/settings/"})
    response = client.post("/login/code/", {"code": code_now(user, ahead=1)})
    assert response["Location"] == "/settings/"


def test_the_code_step_without_a_right_password_sends_back_to_sign_in(client, users):
    turn_on(users["sales"])
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"
    assert login(client, "sales", "wrong").status_code == 200
    assert client.get("/login/code/")["Location"] == "/login/"


def test_a_waiting_password_expires_after_five_minutes(client, users):
    user = users["sales"]
    turn_on(user)
    login(client, "sales")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "until": int(time.time()) - 1}
    session.save()
    response = client.post("/login/code/", {"code": code_now(user, ahead=1)})
    assert response["Location"] == "/login/" and not signed_in(client)


def test_a_code_is_accepted_once(users):
    user = users["sales"]
    turn_on(user, now=NOON - dt.timedelta(minutes=10))
    totp = pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret)
    code = totp.at(NOON)
    assert two_factor.two_factor_verify(user=user, data=CodeInput(code), now=NOON) == "totp"
    # The same code again, within its window: refused.
    assert two_factor.two_factor_verify(user=user, data=CodeInput(code), now=NOON) is None
    assert (
        two_factor.two_factor_verify(user=user, data=CodeInput(code), now=NOON + dt.timedelta(seconds=20))
        is None
    )
    # An earlier step's code, still inside the clock's tolerance: refused too.
    earlier = totp.at(NOON - dt.timedelta(seconds=30))
    assert two_factor.two_factor_verify(user=user, data=CodeInput(earlier), now=NOON) is None
    # The next step's code works.
    later = NOON + dt.timedelta(seconds=30)
    assert two_factor.two_factor_verify(user=user, data=CodeInput(totp.at(later)), now=later) == "totp"
    # A code from far away in time does not.
    far = totp.at(NOON + dt.timedelta(minutes=5))
    assert two_factor.two_factor_verify(user=user, data=CodeInput(far), now=later) is None


def test_a_replayed_code_is_refused_at_sign_in(users):
    user = users["sales"]
    turn_on(user)
    code = code_now(user, ahead=1)
    first, second = Client(), Client()
    login(first, "sales")
    assert first.post("/login/code/", {"code": code}).status_code == 302
    login(second, "sales", REMOTE_ADDR="10.0.0.2")
    response = second.post("/login/code/", {"code": code}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200 and not signed_in(second)


def test_a_recovery_code_signs_in_once(client, users):
    user = users["sales"]
    codes = turn_on(user)
    login(client, "sales")
    response = client.post("/login/code/", {"code": codes[0].upper()}, follow=True)
    assert signed_in(client)
    (message,) = response.context["messages"]
    assert "۹" in str(message)  # how many are left, in the reader's digits
    assert two_factor.recovery_codes_left(user) == 9
    client.post("/logout/")
    login(client, "sales")
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 200
    assert not signed_in(client)
    assert client.post("/login/code/", {"code": codes[1]}).status_code == 302
    assert AuditEvent.objects.filter(object_id=user.pk, changes={"recovery_codes": [10, 9]}).exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_wrong_codes_are_throttled_like_wrong_passwords(client, users):
    user = users["sales"]
    turn_on(user)
    login(client, "sales")
    for _ in range(3):
        assert client.post("/login/code/", {"code": "000000"}).status_code == 200
    # Even the right code now waits, and so does the password.
    response = client.post("/login/code/", {"code": code_now(user, ahead=1)})
    assert response.status_code == 429 and response["Retry-After"]
    assert not signed_in(client)
    assert login(Client(), "sales").status_code == 429
    # A right password alone does not forgive the wrong codes.
    assert login(Client(), "sales", REMOTE_ADDR="10.0.0.3").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_right_password_does_not_reset_the_count_of_wrong_codes(client, users):
    user = users["sales"]
    turn_on(user)
    for _ in range(3):
        login(client, "sales")
        client.post("/login/code/", {"code": "000000"})
    assert client.post("/login/code/", {"code": code_now(user, ahead=1)}).status_code == 429


# --- turning it off, new recovery codes ---------------------------------------------------


def test_turning_off_needs_a_code_or_the_password(client, users):
    user = users["sales"]
    turn_on(user)
    client.force_login(user)
    response = client.post("/settings/two-factor/off/", {"off-code": "000000", "off-password": "nope"})
    assert response.status_code == 400 and two_factor.two_factor_enabled(user)
    response = client.post("/settings/two-factor/off/", {"off-password": PASSWORD})
    assert response.status_code == 302 and not two_factor.two_factor_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(object_id=user.pk, changes={"two_factor": [True, False]}).exists()

    turn_on(user, now=timezone.now() - dt.timedelta(minutes=5))
    response = client.post("/settings/two-factor/off/", {"off-code": code_now(user)})
    assert response.status_code == 302 and not two_factor.two_factor_enabled(user)


def test_new_recovery_codes_replace_the_old_ones(client, users):
    user = users["sales"]
    old = turn_on(user)
    client.force_login(user)
    assert client.post("/settings/two-factor/recovery-codes/", {"codes-password": "nope"}).status_code == 400
    response = client.post("/settings/two-factor/recovery-codes/", {"codes-password": PASSWORD})
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.two_factor_verify(user=user, data=CodeInput(old[0])) is None
    assert two_factor.two_factor_verify(user=user, data=CodeInput(new[0])) == "recovery"


# --- required by role ---------------------------------------------------------------------


def test_the_administrator_requires_it_of_roles(client, users):
    client.force_login(users["admin"])
    page = client.get("/admin/permissions/")
    assert page.status_code == 200 and 'data-testid="two-factor-roles"' in page.content.decode()
    response = client.post("/admin/permissions/two-factor/", {"roles": ["sales", "manager"]})
    assert response.status_code == 302
    assert two_factor.two_factor_required_roles() == {"sales", "manager"}
    assert (
        AuditEvent.objects.filter(
            model="core.rolesecurity", changes={"two_factor_required": [False, True]}
        ).count()
        == 2
    )
    client.post("/admin/permissions/two-factor/", {"roles": ["manager"]})
    assert two_factor.two_factor_required_roles() == {"manager"}
    # Another role may not.
    other = Client()
    other.force_login(users["support"])
    assert other.post("/admin/permissions/two-factor/", {"roles": []}).status_code == 403
    assert two_factor.two_factor_required_roles() == {"manager"}


def test_a_role_that_requires_it_is_held_on_the_set_up_page_until_done(client, users):
    two_factor.two_factor_roles_set(roles={Role.SALES}, actor=users["admin"])
    user = users["sales"]
    response = login(client, "sales")
    assert response["Location"] == "/settings/two-factor/set-up/"
    assert signed_in(client)
    # Nothing else opens: pages, htmx fragments, the API through the session.
    assert client.get("/")["Location"] == "/settings/two-factor/set-up/"
    assert client.get("/settings/sessions/")["Location"] == "/settings/two-factor/set-up/"
    assert client.get("/", headers={"HX-Request": "true"}).status_code == 403
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_setup_required"
    page = client.get("/settings/two-factor/set-up/")
    assert page.status_code == 200 and page.context["forced"]
    # An API token is its own proof: not held.
    _token, key = api_token_create(user=user, name="script")
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    # Set up: free to go.
    device = TwoFactorDevice.objects.get(user=user)
    response = client.post("/settings/two-factor/set-up/", {"code": pyotp.TOTP(device.secret).now()})
    assert response.status_code == 200 and response.context["forced"]
    assert client.get("/").status_code == 200
    # Other roles are not asked.
    assert login(Client(), "support")["Location"] == "/"


def test_a_signed_in_user_is_held_within_a_minute_of_the_requirement(client, users):
    client.force_login(users["sales"])
    assert client.get("/").status_code == 200
    two_factor.two_factor_roles_set(roles={Role.SALES}, actor=users["admin"])
    assert client.get("/").status_code == 200  # seen less than a minute ago
    session = client.session
    session[SEEN_KEY] = [session.session_key, int(time.time()) - 61]
    session.save()
    assert client.get("/")["Location"] == "/settings/two-factor/set-up/"


def test_a_required_second_factor_cannot_be_turned_off_by_its_user(client, users):
    user = users["sales"]
    turn_on(user)
    two_factor.two_factor_roles_set(roles={Role.SALES}, actor=users["admin"])
    client.force_login(user)
    response = client.post("/settings/two-factor/off/", {"off-password": PASSWORD})
    assert response.status_code == 400 and two_factor.two_factor_enabled(user)


def test_an_administrator_resets_a_users_second_factor(client, users):
    user = users["sales"]
    turn_on(user)
    client.force_login(users["admin"])
    page = client.get(f"/admin/users/{user.pk}/")
    assert "Reset two-factor sign-in" in page.content.decode() or page.context["two_factor"]
    response = client.post(f"/admin/users/{user.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not two_factor.two_factor_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(
        model="core.user", object_id=user.pk, changes={"two_factor": [True, False]}
    )
    assert event.actor == users["admin"]
    # The password alone signs in again.
    assert login(Client(), "sales")["Location"] == "/"


def test_only_an_administrator_resets_a_second_factor(client, users):
    user = users["sales"]
    turn_on(user)
    client.force_login(users["manager"])
    assert client.post(f"/admin/users/{user.pk}/two-factor/reset/").status_code == 403
    assert two_factor.two_factor_enabled(user)


# --- sessions -----------------------------------------------------------------------------

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_sessions_are_listed_with_the_current_one_marked(users):
    office = Client(HTTP_USER_AGENT=FIREFOX, HTTP_ACCEPT_LANGUAGE="en")
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    login(office, "sales", REMOTE_ADDR="192.0.2.10")
    login(phone, "sales", REMOTE_ADDR="198.51.100.20")
    login(Client(), "sales2")  # someone else's
    page = office.get("/settings/sessions/", REMOTE_ADDR="192.0.2.10")
    rows = page.context["sessions"]
    assert [row.device for row in rows] == ["Firefox on Windows", "Chrome on Android"]
    assert [row.current for row in rows] == [True, False]
    assert rows[1].session.address == "198.51.100.20"
    assert "Sign out everywhere else" in page.content.decode()
    persian = phone.get("/settings/sessions/", REMOTE_ADDR="198.51.100.20").context["sessions"]
    assert persian[0].device == "Chrome روی Android" and persian[0].current


def test_a_session_signed_out_from_another_browser_is_signed_out_at_its_next_request(users):
    office, phone = Client(), Client()
    login(office, "sales")
    login(phone, "sales")
    assert phone.get("/").status_code == 200
    other = UserSession.objects.get(session_key=phone.session.session_key)
    response = office.post(f"/settings/sessions/{other.pk}/revoke/")
    assert response.status_code == 302
    assert phone.get("/")["Location"].startswith("/login/")
    assert office.get("/").status_code == 200
    other.refresh_from_db()
    assert other.ended_at is not None
    event = AuditEvent.objects.get(model="core.usersession", object_id=other.pk)
    assert event.kind == AuditEvent.Kind.DELETE and event.actor == users["sales"]
    # The one in use is not revoked from the list (that is logging out).
    mine = UserSession.objects.get(session_key=office.session.session_key)
    office.post(f"/settings/sessions/{mine.pk}/revoke/")
    assert office.get("/").status_code == 200


def test_sign_out_everywhere_else(users):
    here, *others = Client(), Client(), Client()
    for client in (here, *others):
        login(client, "sales")
    assert here.post("/settings/sessions/").status_code == 302
    assert all(client.get("/").status_code == 302 for client in others)
    assert here.get("/").status_code == 200
    assert UserSession.objects.filter(user=users["sales"], ended_at__isnull=True).count() == 1


def test_another_users_session_cannot_be_revoked(users):
    mine, theirs = Client(), Client()
    login(mine, "sales")
    login(theirs, "sales2")
    target = UserSession.objects.get(session_key=theirs.session.session_key)
    before = AuditEvent.objects.count()
    assert mine.post(f"/settings/sessions/{target.pk}/revoke/").status_code == 404
    assert theirs.get("/").status_code == 200
    target.refresh_from_db()
    assert target.ended_at is None and AuditEvent.objects.count() == before
    assert (
        all(not row.current for row in []) and len(mine.get("/settings/sessions/").context["sessions"]) == 1
    )


def test_a_session_ended_elsewhere_is_signed_out_even_if_the_store_kept_it(client, users):
    """With a session engine that cannot delete (signed cookies), the row's end is read."""
    login(client, "sales")
    UserSession.objects.filter(session_key=client.session.session_key).update(ended_at=timezone.now())
    assert client.get("/").status_code == 200  # read at most once a minute
    session = client.session
    session[SEEN_KEY] = [session.session_key, int(time.time()) - 61]
    session.save()
    assert client.get("/")["Location"].startswith("/login/")


def test_last_seen_is_written_at_most_once_a_minute(client, users):
    login(client, "sales")
    row = UserSession.objects.get(session_key=client.session.session_key)
    client.get("/")
    client.get("/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at
    session = client.session
    session[SEEN_KEY] = [session.session_key, int(time.time()) - 61]
    session.save()
    client.get("/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at > row.last_seen_at


def test_a_new_password_ends_every_other_session_and_keeps_this_one(users):
    here, there = Client(), Client()
    login(here, "sales")
    login(there, "sales")
    response = here.post(
        "/settings/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-pass-456", "new_password2": "a-new-pass-456"},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert there.get("/")["Location"].startswith("/login/")
    live = UserSession.objects.filter(user=users["sales"], ended_at__isnull=True)
    assert list(live.values_list("session_key", flat=True)) == [here.session.session_key]
    assert [row.current for row in here.get("/settings/sessions/").context["sessions"]] == [True]


def test_an_administrators_new_password_for_a_user_ends_their_sessions(client, users):
    theirs = Client()
    login(theirs, "sales")
    client.force_login(users["admin"])
    client.post(f"/admin/users/{users['sales'].pk}/password/")
    assert theirs.get("/")["Location"].startswith("/login/")
    assert not UserSession.objects.filter(user=users["sales"], ended_at__isnull=True).exists()


def test_logging_out_ends_the_session_row(client, users):
    login(client, "sales")
    key = client.session.session_key
    client.post("/logout/")
    assert UserSession.objects.get(session_key=key).ended_at is not None


def test_the_pages_read_in_persian(client, users):
    user = users["sales"]
    codes = turn_on(user)
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(language="fa")
    html = client.get("/settings/two-factor/").content.decode()
    assert "۱۰" in html  # the count of recovery codes in Persian digits
    assert codes[0] not in html  # never shown again
    assert client.get("/settings/sessions/").status_code == 200
