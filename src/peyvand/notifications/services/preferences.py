"""What each user wants by email, and the reminders a new activity starts with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peyvand.core.models import User

from ..models import NotificationPreference
from ..reminders import DEFAULT_REMINDERS, REMINDER_CHOICES
from .notifications import PREFERENCE_FIELDS

# --- preferences --------------------------------------------------------------------------


def preference_update(*, user: User, data: Mapping[str, Any]) -> NotificationPreference:
    allowed = {*PREFERENCE_FIELDS.values(), "default_reminders"}
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
