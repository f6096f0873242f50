"""The messenger between users."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core.models import User

from ..models import Conversation, Message, Notification
from .notifications import EXCERPT, MESSAGE_MAX_LENGTH, notify

# --- the messenger ------------------------------------------------------------------------


def excerpt(text: str) -> str:
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
        data={"actor": str(sender), "excerpt": excerpt(body)},
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
