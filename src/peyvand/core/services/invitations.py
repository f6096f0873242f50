"""Inviting a colleague by email: their account is made without a password, and a one-time
link lets them choose one.

The link carries Django's password-reset token, which is a keyed hash of the account's
current password hash, last sign-in and the time it was made: nothing is stored, choosing a
password (or sending a new invitation, which draws a new unusable password) spends every
earlier link, and a link older than ``PASSWORD_RESET_TIMEOUT`` (seven days) is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .. import hooks, policy
from ..models import AuditEvent, Team, User
from .audit import audit_log
from .users import user_create


def invitation_link(user: User) -> str:
    """The one-time link for ``user``; valid until they choose a password or a week passes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation", args=[uid, default_token_generator.make_token(user)])
    return settings.PEYVAND_BASE_URL + path


def invitation_pending(user: User) -> bool:
    """Whether ``user`` was invited and has not chosen a password yet."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


@transaction.atomic
def user_invite(
    *,
    actor: User,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    language: str = "",
    time_zone: str = "Asia/Tehran",
) -> User:
    """Create an account nobody can sign in to yet and email its owner the link to choose a
    password."""
    policy.require_admin(actor)
    if not email.strip():
        raise ValidationError({"email": _("Enter the email address the invitation goes to.")})
    user, _password = user_create(
        actor=actor,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        team=team,
        language=language,
        time_zone=time_zone,
        can_log_in=False,
    )
    _send(user, actor)
    return user


@transaction.atomic
def invitation_resend(*, user: User, actor: User) -> User:
    """Send a new link; the earlier ones stop working."""
    policy.require_admin(actor)
    if not invitation_pending(user):
        raise ValidationError(_("This user has already chosen a password."))
    if not user.email:
        raise ValidationError({"email": _("Enter the email address the invitation goes to.")})
    user.set_unusable_password()  # a new hash: the links sent before no longer match it
    user.save(update_fields=["password"])
    _send(user, actor)
    return user


def _send(user: User, actor: User) -> None:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "inviter": actor.get_full_name() or actor.get_username(),
            "link": invitation_link(user),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "language": language,
        }
        subject = _("You are invited to Peyvand")
        body_text = render_to_string("core/email/invitation.txt", context)
        body_html = render_to_string("core/email/invitation.html", context)
    # One email per link: the password hash the link is made from names it.
    key = f"invitation-{user.pk}-{user.password[-12:]}"
    if not hooks.mail_user(
        recipient=user, subject=subject, body_text=body_text, body_html=body_html, language=language, key=key
    ):
        raise ValidationError(_("This installation cannot send email."))
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"invitation_sent": [None, user.email]}
    )


def invitation_user(uidb64: str, token: str) -> User | None:
    """The invited user a link names, if the link is still good."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not invitation_pending(user) or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def invitation_accept(*, uidb64: str, token: str, password: str) -> User:
    """Set the invited user's password; the link is spent."""
    user = invitation_user(uidb64, token)
    if user is None:
        raise PermissionDenied(_("This invitation has expired or was already used."))
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(
        actor=user, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"invitation_accepted": [False, True]}
    )
    return user
