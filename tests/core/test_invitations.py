"""Inviting a colleague by email: the account waits without a password, the email goes through
the outbox in the invitee's language, and the one-time link sets a password once, for a week."""

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.test import Client

from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.services import invitations
from peyvand.interactions.models import OutboundMessage, Purpose

NEW_PASSWORD = "a-long-enough-Passw0rd"


def invite(client, **fields):
    data = {
        "username": "zahra",
        "email": "Zahra@Example.com",
        "role": Role.SUPPORT,
        "language": "fa",
        "time_zone": "Asia/Tehran",
        "invite": "on",
        **fields,
    }
    return client.post("/admin/users/new/", data)


def sent_link(user: User) -> str:
    message = OutboundMessage.objects.filter(recipient_user=user).latest("pk")
    return re.search(r"https?://\S+/invitation/\S+/\S+/", message.body_text).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def test_an_administrator_invites_a_colleague_who_chooses_a_password_once(admin_client, admin):
    response = invite(admin_client)
    assert response.status_code == 302 and response["Location"] == "/admin/users/"
    user = User.objects.get(username="zahra")
    assert user.email == "zahra@example.com" and user.role == Role.SUPPORT
    assert not user.has_usable_password() and invitations.invitation_pending(user)

    message = OutboundMessage.objects.get(recipient_user=user)
    assert message.channel == OutboundMessage.Kind.EMAIL and message.purpose == Purpose.NOTIFICATION
    assert message.to_address == "zahra@example.com" and message.language == "fa"
    assert message.subject == "شما به پیوند دعوت شده‌اید"  # in the invitee's language
    assert "zahra" in message.body_text and 'dir="rtl"' in message.body_html

    page = Client()
    link = path_of(sent_link(user))
    form = page.get(link)
    assert form.status_code == 200 and "zahra" in form.content.decode()
    # Django's validators judge it, and the two must match.
    refused = page.post(link, {"new_password1": "zahra", "new_password2": "zahra"})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    mismatch = page.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()

    done = page.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not invitations.invitation_pending(user)
    assert page.post("/login/", {"username": "zahra", "password": NEW_PASSWORD}).status_code == 302

    # Spent: the link does not set a password again, even for someone holding it.
    again = Client().post(
        link, {"new_password1": "another-Passw0rd-1", "new_password2": "another-Passw0rd-1"}
    )
    assert again.status_code == 404 and 'data-testid="invitation-expired"' in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    kinds = list(
        AuditEvent.objects.filter(object_id=user.pk, model="core.user")
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert {"invitation_sent": [None, "zahra@example.com"]} in kinds
    assert {"invitation_accepted": [False, True]} in kinds


def test_a_link_is_good_for_a_week(admin, monkeypatch):
    user = invitations.user_invite(actor=admin, username="reza", email="reza@example.com", role=Role.SALES)
    link = path_of(sent_link(user))
    assert Client().get(link).status_code == 200
    later = dt.datetime.now() + dt.timedelta(days=7, hours=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert Client().get(link).status_code == 404
    assert invitations.invitation_user(*link.strip("/").split("/")[1:]) is None


def test_inviting_again_spends_the_earlier_link(admin_client, admin):
    user = invitations.user_invite(actor=admin, username="reza", email="reza@example.com", role=Role.SALES)
    first = path_of(sent_link(user))
    page = admin_client.get(f"/admin/users/{user.pk}/")
    assert 'data-testid="invitation-pending"' in page.content.decode()
    assert admin_client.post(f"/admin/users/{user.pk}/invite/").status_code == 302
    second = path_of(sent_link(user))
    assert first != second and OutboundMessage.objects.filter(recipient_user=user).count() == 2
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_a_user_with_a_password_is_not_invited_again(admin, users):
    with pytest.raises(ValidationError) as refused:
        invitations.invitation_resend(user=users["sales"], actor=admin)
    assert "گذرواژه" in str(refused.value)
    assert not OutboundMessage.objects.filter(recipient_user=users["sales"]).exists()


def test_an_invitation_needs_an_email_address(admin_client):
    response = invite(admin_client, email="")
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not User.objects.filter(username="zahra").exists()


def test_without_the_invitation_a_password_is_shown_once(admin_client):
    response = invite(admin_client, invite="")
    assert response.status_code == 200 and 'data-testid="generated-password"' in response.content.decode()
    user = User.objects.get(username="zahra")
    assert user.has_usable_password() and not OutboundMessage.objects.filter(recipient_user=user).exists()


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_only_administrators_invite(users, role):
    client = Client()
    client.force_login(users[role])
    assert invite(client).status_code == 403
    some = User.objects.create(username="pending", email="p@example.com")
    some.set_unusable_password()
    some.save()
    assert client.post(f"/admin/users/{some.pk}/invite/").status_code == 403
    assert not User.objects.filter(username="zahra").exists()
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("uid, token", [("MQ", "bad-token"), ("!!", "x"), ("OTk5OTk", "abc-def"), ("", "")])
def test_a_made_up_link_finds_nobody(db, uid, token):
    path = f"/invitation/{uid}/{token}/" if uid else "/invitation/x/y/"
    response = Client().get(path)
    assert response.status_code == 404


def test_a_signed_in_user_opening_a_link_is_signed_out_first(admin, users):
    user = invitations.user_invite(actor=admin, username="reza", email="reza@example.com", role=Role.SALES)
    client = Client()
    client.force_login(users["sales"])
    assert client.get(path_of(sent_link(user))).status_code == 200
    assert client.get("/").status_code == 302  # the session left open is gone
