"""The implementation roadmap: the five phases of seed [004] and their sub-phases, each a
checklist item with an owner, dates, deliverables and a status; each phase also sits in one of
Chaffey's three stages of seed [000] (planning, foundation, execution)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import TrackedModel

from .readiness import localized


class Roadmap(TrackedModel):
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")
    FOUNDATION = "foundation", _("Foundation")
    EXECUTION = "execution", _("Execution")


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


class RoadmapItem(models.Model):
    roadmap = models.ForeignKey(
        Roadmap, verbose_name=_("roadmap"), on_delete=models.CASCADE, related_name="items"
    )
    phase_key = models.SlugField(_("phase"), max_length=40)
    phase_order = models.PositiveSmallIntegerField(default=0)
    phase_fa = models.CharField(_("phase in Persian"), max_length=200)
    phase_en = models.CharField(_("phase in English"), max_length=200)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    key = models.SlugField(_("key"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_fa = models.CharField(_("title in Persian"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["phase_order", "order", "id"]
        verbose_name = _("roadmap item")
        verbose_name_plural = _("roadmap items")
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="adoption_roadmap_item_key"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="adoption_item_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def phase(self) -> str:
        return localized(self, "phase")
