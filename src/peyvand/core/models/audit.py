"""The append-only audit log: who did what to which record, with old and new values."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEvent(models.Model):
    """One append-only row per change: who, when, what, and each field's old and new value."""

    class Kind(models.TextChoices):
        # Read after the actor's name on the timeline: "Sara changed …".
        CREATE = "create", pgettext_lazy("audit event", "created")
        UPDATE = "update", pgettext_lazy("audit event", "changed")
        DELETE = "delete", pgettext_lazy("audit event", "deleted")
        RESTORE = "restore", pgettext_lazy("audit event", "restored")
        MERGE = "merge", pgettext_lazy("audit event", "merged")

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    model = models.CharField(_("record type"), max_length=60)
    object_id = models.BigIntegerField(_("record"))
    object_repr = models.CharField(_("record"), max_length=200)
    # The customer whose timeline shows this event (a contact point's change shows on its
    # person). Not a foreign key: the log outlives the rows it describes.
    party_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["party_id", "-at", "-id"], name="audit_party_timeline"),
            models.Index(fields=["model", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("audit events are append-only")
