"""The "Email and SMS" card on the customer's 360° page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peyvand.core import policy
from peyvand.core.http import request_user

from .models import Interaction
from .smscount import count


def messaging_context(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    from .forms import EmailForm, SmsForm

    user = request_user(request)
    if not policy.can_create(user, Interaction):
        return None
    return {
        "email_form": EmailForm(party=party, user=user),
        "sms_form": SmsForm(party=party, user=user),
        "count": count(""),
    }
