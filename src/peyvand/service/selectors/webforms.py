"""Public request forms, for the settings pages and for visitors."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import TicketWebForm


def web_forms() -> QuerySet[TicketWebForm]:
    return TicketWebForm.objects.select_related("category", "team").order_by("name", "id")


def web_form_public(*, key: str) -> TicketWebForm | None:
    """The active form a public address names; None for anything else."""
    if not key or len(key) > 40:
        return None
    return TicketWebForm.objects.select_related("category", "team").filter(key=key, active=True).first()
