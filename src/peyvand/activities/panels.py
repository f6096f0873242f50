"""The "Next steps" card on the customer's 360° page: open activities and the two-click
"schedule next contact"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peyvand.core import jalali, policy
from peyvand.core.http import request_user

from .models import Activity, Status
from .presets import PRESETS, preset_due


def next_steps_context(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    from .selectors import party_next_steps

    user = request_user(request)
    may_plan = policy.can_create(user, Activity)
    activities, total = party_next_steps(user=user, party=party)
    if not may_plan and not activities:
        return None
    uses_jalali = jalali.uses_jalali()
    return {
        "activities": activities,
        "total": total,
        "may_plan": may_plan,
        "presets": [(name, label, preset_due(name, jalali=uses_jalali)) for name, label in PRESETS.items()],
        # Coming back from logging a call: offer to plan the next one.
        "offer": _offered(request, party),
        "open_status": Status.OPEN,
    }


def _offered(request: HttpRequest, party: Any) -> bool:
    session = getattr(request, "session", None)
    if session is None or session.get("follow_up_offer") != party.pk:
        return False
    del session["follow_up_offer"]
    return True
