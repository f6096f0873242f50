"""Segments: saved rules over customers (dynamic), and static lists of chosen customers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Searchable, TrackedModel
from peyvand.customers.models import Party

ALIVE = Q(deleted_at__isnull=True)


class Segment(Searchable, TrackedModel):
    """A group of customers: a rule evaluated whenever it is used, or a fixed list."""

    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic (a rule)")
        STATIC = "static", _("Static list")

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    # The rule's JSON (rules.parse_rule reads it); empty for a static list.
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("name", "description")

    class Meta(TrackedModel.Meta):
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [
            models.Index(fields=["name", "id"], condition=ALIVE, name="segment_name"),
            models.Index(fields=["-created_at", "-id"], condition=ALIVE, name="segment_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:segment_detail", args=[self.pk])

    @property
    def is_static(self) -> bool:
        return self.kind == self.Kind.STATIC


class SegmentMember(models.Model):
    """A customer on a static list, once."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+", db_index=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        constraints = [models.UniqueConstraint(fields=["segment", "party"], name="segmentmember_once")]
        indexes = [models.Index(fields=["party", "segment"], name="segmentmember_party")]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.party_id}"
