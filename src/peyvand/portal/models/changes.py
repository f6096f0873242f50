"""A customer's change to their contact details, made in the portal.

Where the company reviews such changes (the company profile's setting), it waits here as
*pending* until a member of staff approves or rejects it; otherwise it is written at once
and kept here as *applied*, so staff see every change the portal made in one list.
``changes`` holds the cleaned values: ``{field: [before, after]}``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.customers.models import Party

from .accounts import PortalAccount


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("Applied at once")


class DetailChange(models.Model):
    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="detail_changes")
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="portal_changes"
    )
    changes = models.JSONField(_("changes"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("change of contact details")
        verbose_name_plural = _("changes of contact details")
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="portal_change_status"),
            models.Index(fields=["party", "status"], name="portal_change_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.status}"
