"""Every write of the notifications app: notifications, email preferences, the messenger,
and @mentions in notes.

``notify`` is meant to be called inside the transaction of whatever the notification is
about, so the two commit or vanish together; its email (when the user asked for one) goes
into the same transaction's outbox.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.customers.models import Note

from .kinds import ALERTS, MESSAGES, REMINDERS, kind_of
from .models import Conversation, Message, Notification, NotificationPreference

MESSAGE_MAX_LENGTH = 5000
EXCERPT = 140
_PREFERENCE_FIELDS = {REMINDERS: "email_reminders", ALERTS: "email_alerts", MESSAGES: "email_messages"}


def notify(
    *,
    recipient: User,
    kind: str,
    data: Mapping[str, Any],
    url: str = "",
    key: str = "",
    party_id: int | None = None,
    actor: User | None = None,
    late: bool = False,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Tell ``recipient`` something; None when a notification with ``key`` already reached them."""
    if not recipient.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                data=dict(data),
                url=url[:500],
                key=key[:200],
                party_id=party_id,
                actor=actor if actor and actor.pk else None,
                late=late,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        if not key:
            raise
        return None  # delivered before: the key makes delivery idempotent
    _email(notification)
    return notification


def _email(notification: Notification) -> None:
    from peyvand.interactions.models import OutboundMessage, Purpose
    from peyvand.interactions.services.outbox import message_queue

    recipient = notification.recipient
    category = kind_of(notification.kind).email
    if category is None or not recipient.email:
        return
    preference = NotificationPreference.objects.filter(user=recipient).first()
    if preference is None or not getattr(preference, _PREFERENCE_FIELDS[category]):
        return
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(_zone(recipient)):
        text = notification_text(notification)
        link = settings.PEYVAND_BASE_URL + (notification.url or reverse("notification_list"))
        context = {
            "text": text,
            "link": link,
            "late": notification.late,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
            "language": language,
        }
        html = render_to_string("notifications/email.html", context)
        body = render_to_string("notifications/email.txt", context)
        subject = (_("Peyvand: %(notification)s") % {"notification": text})[:200]
    message_queue(
        channel=OutboundMessage.Kind.EMAIL,
        purpose=Purpose.NOTIFICATION,
        to_address=recipient.email,
        subject=subject,
        body_text=body,
        body_html=html,
        recipient_user=recipient,
        language=language,
        key=f"notification-{notification.pk}",
    )


def _zone(user: User) -> Any:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def notification_text(notification: Notification) -> str:
    return kind_of(notification.kind).text(notification.data)


def notification_mark_read(*, notification: Notification, user: User) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied(_("You do not have permission to change this record."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences --------------------------------------------------------------------------

REMINDER_CHOICES = (0, 5, 10, 15, 30, 60, 120, 1440, 2880, 10080)
DEFAULT_REMINDERS = [15]


def preference_update(*, user: User, data: Mapping[str, Any]) -> NotificationPreference:
    allowed = {*_PREFERENCE_FIELDS.values(), "default_reminders"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    values = dict(data)
    if "default_reminders" in values:
        offsets = values["default_reminders"]
        if not isinstance(offsets, list | tuple) or any(o not in REMINDER_CHOICES for o in offsets):
            raise ValidationError({"default_reminders": [_("Choose from the offered reminders.")]})
        values["default_reminders"] = sorted(set(offsets))
    preference, _created = NotificationPreference.objects.get_or_create(
        user=user, defaults={"default_reminders": DEFAULT_REMINDERS}
    )
    for name, value in values.items():
        setattr(preference, name, value if name == "default_reminders" else bool(value))
    preference.save()
    return preference


# --- the messenger ------------------------------------------------------------------------


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


@transaction.atomic
def message_send(*, sender: User, recipient: User, body: str, party_id: int | None = None) -> Message:
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not recipient.is_active:
        errors["recipient"] = [_("Choose an active user.")]
    elif recipient.pk == sender.pk:
        errors["recipient"] = [_("Choose someone other than yourself.")]
    if not body:
        errors["body"] = [_("Write the message.")]
    elif len(body) > MESSAGE_MAX_LENGTH:
        errors["body"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": MESSAGE_MAX_LENGTH, "count": len(body)}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    low, high = sorted((sender.pk, recipient.pk))
    conversation = Conversation.objects.select_for_update().filter(user_low_id=low, user_high_id=high).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    user_low_id=low, user_high_id=high, last_message_at=now
                )
        except IntegrityError:
            conversation = Conversation.objects.select_for_update().get(user_low_id=low, user_high_id=high)
    message = Message.objects.create(
        conversation=conversation,
        sender=sender,
        recipient=recipient,
        body=body,
        party_id=party_id,
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    notify(
        recipient=recipient,
        kind="message",
        key=f"message:{message.pk}",
        actor=sender,
        url=reverse("conversation", args=[sender.pk]),
        data={"actor": str(sender), "excerpt": _excerpt(body)},
        now=now,
    )
    return message


def conversation_mark_read(*, user: User, other: User) -> int:
    """Mark what ``other`` sent ``user`` read, and the bell's notifications of it."""
    low, high = sorted((user.pk, other.pk))
    read = Message.objects.filter(
        conversation__user_low_id=low, conversation__user_high_id=high, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())
    Notification.objects.filter(recipient=user, kind="message", actor=other, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return read


# --- @mentions ----------------------------------------------------------------------------

# "@sara" or "@sara.ahmadi", not an email address (nothing word-like just before the @).
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.+-]{0,149})")
MAX_MENTIONS = 20


def mentioned_usernames(text: str) -> list[str]:
    names: list[str] = []
    for match in MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-+")
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names[:MAX_MENTIONS]


def note_mentions_notify(*, note: Note, actor: User) -> list[User]:
    """Notify each user a note mentions with @username; returns who was notified.

    Only users who may see the note's customer are told (its text is in the notification);
    editing a note notifies only those newly mentioned.
    """
    names = mentioned_usernames(note.body)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    told = []
    party = note.party
    for user in User.objects.filter(query, is_active=True).exclude(pk=actor.pk):
        if not policy.can_view(user, note):
            continue
        sent = notify(
            recipient=user,
            kind="mention",
            key=f"mention:note:{note.pk}",
            actor=actor,
            party_id=party.pk,
            url=reverse("party_detail", args=[party.pk]),
            data={"actor": str(actor), "party": party.display_name, "excerpt": _excerpt(note.body)},
        )
        if sent is not None:
            told.append(user)
    return told


def notify_many(*, recipients: Sequence[User], **kwargs: Any) -> list[Notification]:
    return [n for n in (notify(recipient=r, **kwargs) for r in recipients) if n is not None]
