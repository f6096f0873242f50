"""Getting into the portal: invitations and codes expire, work once and are stored hashed;
passwords and codes lock out after too many failures, per account and per address; every
attempt is logged; signing in to the portal starts a session apart from staff's."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.core.text import to_persian_digits
from peyvand.interactions.models import OutboundMessage
from peyvand.portal.models import Invitation, PortalAccount, SignInCode, SignInLog
from peyvand.portal.services import accounts, signin
from tests.portal.conftest import PASSWORD, invite

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/portal/invitation/([A-Za-z0-9_-]+)/")
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def customer(person):
    return person("آرش", "arash@example.com")


@pytest.fixture
def account(users, customer) -> PortalAccount:
    return invite(users["sales"], customer)


def sent_token(account: PortalAccount) -> str:
    message = OutboundMessage.objects.filter(party=account.party).order_by("-pk").first()
    assert message is not None and message.to_address == account.email
    found = LINK.search(message.body_text)
    assert found is not None
    return found.group(1)


def sent_code(address: str) -> str:
    message = OutboundMessage.objects.filter(to_address=address).order_by("-pk").first()
    assert message is not None
    found = CODE.search(message.body_text)
    assert found is not None
    return found.group(1)


def accept(client: Client, token: str, password: str = PASSWORD):
    return client.post(
        reverse("portal:invitation", args=[token]),
        {"password1": password, "password2": password},
        REMOTE_ADDR="10.0.0.1",
    )


# --- invitations ----------------------------------------------------------------------------


def test_an_invitation_is_sent_through_the_outbox_and_stored_hashed(account):
    token = sent_token(account)
    invitation = Invitation.objects.get(account=account)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6)
    event = AuditEvent.objects.filter(model="portal.portalaccount", party_id=account.party_id).get()
    assert event.changes["portal_invitation"] == [None, "arash@example.com"]


def test_the_invitation_sets_the_password_once(account):
    token = sent_token(account)
    client = Client()
    assert client.get(reverse("portal:invitation", args=[token])).status_code == 200
    response = accept(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    account.refresh_from_db()
    assert check_password(PASSWORD, account.password) and account.activated_at is not None
    assert client.get(reverse("portal:home")).status_code == 200
    # Used: neither a second visit nor a second password works.
    other = Client()
    assert other.get(reverse("portal:invitation", args=[token])).status_code == 404
    assert accept(other, token, "another-long-passphrase-9").status_code == 404
    account.refresh_from_db()
    assert check_password(PASSWORD, account.password)
    log = SignInLog.objects.filter(account=account, succeeded=True).get()
    assert log.method == SignInLog.Method.INVITATION and log.address == "10.0.0.1"


def test_an_expired_invitation_does_not_work(account):
    token = sent_token(account)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert accept(Client(), token).status_code == 404
    account.refresh_from_db()
    assert account.password == ""


def test_a_new_invitation_ends_the_earlier_one(users, account):
    first = sent_token(account)
    invite(users["sales"], account.party)
    second = sent_token(account)
    assert first != second
    assert accept(Client(), first).status_code == 404
    assert accept(Client(), second).status_code == 302


def test_a_weak_password_is_refused_with_its_reason_and_the_link_still_works(account):
    token = sent_token(account)
    response = accept(Client(), token, "12345678")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert Invitation.objects.get().used_at is None
    mismatch = Client().post(
        reverse("portal:invitation", args=[token]), {"password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert mismatch.context["form"].errors["password2"]


def test_a_revoked_accounts_invitation_does_not_work(users, account):
    token = sent_token(account)
    accounts.portal_revoke(actor=users["sales"], party=account.party)
    assert accept(Client(), token).status_code == 404


def test_only_whoever_may_change_the_customer_invites(users, customer):
    point = customer.contact_points.get()
    for name in ("support", "readonly", "outsider"):
        client = Client()
        client.force_login(users[name])
        url = reverse("portal_staff:invite", args=[customer.pk])
        response = client.post(url, {"contact": point.pk, "language": "fa"})
        assert response.status_code in (403, 404), name
    assert not PortalAccount.objects.exists() and not OutboundMessage.objects.exists()
    client = Client()
    client.force_login(users["sales"])
    page = client.get(reverse("party_detail", args=[customer.pk])).content.decode()
    assert 'data-testid="portal-invite"' in page
    response = client.post(
        reverse("portal_staff:invite", args=[customer.pk]), {"contact": point.pk, "language": "fa"}
    )
    assert response.status_code == 302
    assert PortalAccount.objects.get().email == "arash@example.com"
    bad = client.post(
        reverse("portal_staff:invite", args=[customer.pk]), {"contact": "99999", "language": "xx"}
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    client.post(reverse("portal_staff:revoke", args=[customer.pk]))
    assert PortalAccount.objects.get().revoked_at is not None


# --- passwords ------------------------------------------------------------------------------


def password_sign_in(client: Client, identifier: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("portal:sign_in"), {"identifier": identifier, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def active(account) -> PortalAccount:
    accept(Client(), sent_token(account))
    account.refresh_from_db()
    return account


def test_a_password_signs_in_and_every_attempt_is_logged(active):
    assert password_sign_in(Client(), "ARASH@example.com", PASSWORD).status_code == 302
    wrong = password_sign_in(Client(), "arash@example.com", "wrong-one")
    assert wrong.status_code == 200 and wrong.context["form"].non_field_errors()
    unknown = password_sign_in(Client(), "nobody@example.com", "wrong-one")
    # The same words whether the account exists or not.
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    reasons = list(SignInLog.objects.order_by("pk").values_list("succeeded", "reason"))
    assert reasons[-3:] == [(True, ""), (False, "password"), (False, "unknown")]


def test_an_account_locks_after_too_many_failures_from_anywhere(active):
    for number in range(signin.MAX_ACCOUNT_FAILURES):
        password_sign_in(Client(), "arash@example.com", "wrong", address=f"10.0.1.{number}")
    response = password_sign_in(Client(), "arash@example.com", PASSWORD, address="10.0.2.1")
    assert response.status_code == 200 and SignInLog.objects.order_by("-pk").first().reason == "locked"
    # The window passes: the right password works again.
    SignInLog.objects.update(at=timezone.now() - signin.WINDOW - dt.timedelta(seconds=1))
    assert password_sign_in(Client(), "arash@example.com", PASSWORD).status_code == 302


def test_an_address_locks_after_too_many_failures_on_any_accounts(active):
    for number in range(signin.MAX_ADDRESS_FAILURES):
        password_sign_in(Client(), f"guess{number}@example.com", "wrong", address="10.9.9.9")
    assert password_sign_in(Client(), "arash@example.com", PASSWORD, address="10.9.9.9").status_code == 200
    assert password_sign_in(Client(), "arash@example.com", PASSWORD, address="10.0.0.7").status_code == 302


def test_signing_in_to_the_portal_ends_a_staff_session_in_that_browser(users, active):
    client = Client()
    client.force_login(users["admin"])
    assert client.get(reverse("home")).status_code == 200
    old_key = client.session.session_key
    assert password_sign_in(client, "arash@example.com", PASSWORD).status_code == 302
    assert client.session.session_key != old_key
    assert client.get(reverse("home")).status_code == 302  # to the staff sign-in


def test_a_new_password_ends_other_sessions(active):
    client = Client()
    password_sign_in(client, "arash@example.com", PASSWORD)
    assert client.get(reverse("portal:home")).status_code == 200
    PortalAccount.objects.filter(pk=active.pk).update(password="changed")
    assert client.get(reverse("portal:home")).status_code == 302


# --- codes ----------------------------------------------------------------------------------


def code_request(client: Client, identifier: str, address: str = "10.0.0.1"):
    return client.post(reverse("portal:code_request"), {"identifier": identifier}, REMOTE_ADDR=address)


def code_sign_in(client: Client, identifier: str, code: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("portal:code_sign_in"), {"identifier": identifier, "code": code}, REMOTE_ADDR=address
    )


def test_a_code_by_sms_signs_in_once_typed_in_persian_digits(users, customer):
    point = customer.contact_points.create(kind="phone", value="+989121234567", label="mobile")
    accounts.portal_invite(
        actor=users["sales"], party=customer, data=accounts.InviteInput(contact=point, channel="sms")
    )
    client = Client()
    assert code_request(client, "۰۹۱۲ ۱۲۳ ۴۵۶۷").status_code == 200
    code = sent_code("+989121234567")
    stored = SignInCode.objects.get()
    assert stored.channel == "sms" and code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at - timezone.now() <= dt.timedelta(minutes=signin.CODE_MINUTES)
    response = code_sign_in(client, "09121234567", to_persian_digits(code))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200
    # Once only.
    assert code_sign_in(Client(), "09121234567", code).status_code == 200
    assert SignInLog.objects.filter(method="code", succeeded=True).count() == 1


def test_an_expired_code_does_not_work(account):
    code_request(Client(), "arash@example.com")
    code = sent_code("arash@example.com")
    SignInCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert code_sign_in(Client(), "arash@example.com", code).status_code == 200
    assert not SignInLog.objects.filter(succeeded=True).exists()


def test_a_code_allows_few_tries(account):
    code_request(Client(), "arash@example.com")
    code = sent_code("arash@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for number in range(signin.CODE_ATTEMPTS):
        code_sign_in(Client(), "arash@example.com", wrong, address=f"10.0.3.{number}")
    assert SignInCode.objects.get().attempts == signin.CODE_ATTEMPTS
    assert code_sign_in(Client(), "arash@example.com", code, address="10.0.4.1").status_code == 200
    assert not SignInLog.objects.filter(succeeded=True).exists()


def test_asking_for_a_code_says_nothing_about_who_has_an_account(account):
    known = code_request(Client(), "arash@example.com")
    unknown = code_request(Client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert OutboundMessage.objects.filter(to_address="nobody@example.com").count() == 0
    for _number in range(signin.MAX_CODES + 2):
        code_request(Client(), "arash@example.com")
    assert SignInCode.objects.count() == signin.MAX_CODES  # no more within the window


def test_an_address_asking_for_too_many_codes_waits(account):
    for _number in range(signin.MAX_ADDRESS_CODES):
        SignInCode.objects.create(
            account=account, code_hash="x", channel="email", sent_to="x", address="10.5.5.5",
            expires_at=timezone.now(),
        )  # fmt: skip
    assert code_request(Client(), "arash@example.com", address="10.5.5.5").status_code == 429


def test_bad_input_is_a_form_error_not_a_crash(account):
    client = Client()
    for data in ({}, {"identifier": "x" * 300}, {"identifier": "arash@example.com", "code": "abc"}):
        assert client.post(reverse("portal:code_sign_in"), data).status_code == 200
        assert client.post(reverse("portal:sign_in"), data).status_code == 200
    assert client.post(reverse("portal:code_request"), {}).status_code == 400
    assert client.get(reverse("portal:invitation", args=["x" * 200])).status_code == 404


def test_an_sms_invitation_goes_to_a_mobile_only(users, customer):
    landline = customer.contact_points.create(kind="phone", value="+982188776655", label="work")
    with pytest.raises(ValidationError) as refused:
        accounts.portal_invite(
            actor=users["sales"], party=customer, data=accounts.InviteInput(contact=landline, channel="sms")
        )
    assert "contact" in refused.value.message_dict
    client = Client()
    client.force_login(users["sales"])
    form = client.get(reverse("portal_staff:invite", args=[customer.pk])).context["form"]
    offered = [value for value, _label in form.fields["contact"].choices]
    assert str(landline.pk) not in offered and offered
