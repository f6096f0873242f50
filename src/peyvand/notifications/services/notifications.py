"""Notifications: ``notify`` is meant to be called inside the transaction of whatever the
notification is about, so the two commit or vanish together; its email (when the user asked
for one) goes into the same transaction's outbox. Other apps reach it through core's
``hooks.notify``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core.models import User
from peyvand.interactions.models import OutboundMessage, Purpose
from peyvand.interactions.services.outbox import message_queue

from ..kinds import ALERTS, MESSAGES, REMINDERS, kind_of, notification_text
from ..models import Notification, NotificationPreference

MESSAGE_MAX_LENGTH = 5000
EXCERPT = 140
PREFERENCE_FIELDS = {REMINDERS: "email_reminders", ALERTS: "email_alerts", MESSAGES: "email_messages"}


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
    recipient = notification.recipient
    category = kind_of(notification.kind).email
    if category is None or not recipient.email:
        return
    preference = NotificationPreference.objects.filter(user=recipient).first()
    if preference is None or not getattr(preference, PREFERENCE_FIELDS[category]):
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
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def notification_mark_read(*, notification: Notification, user: User) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied(_("You do not have permission to change this record."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
