"""Public request forms: a page anyone may fill in (or a site embeds) that opens a ticket for
the customer found by their email or phone, or a new suspect."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Team

from .tickets import Category, Kind, Language


class TicketWebForm(models.Model):
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.PERSIAN
    )
    # What the tickets it opens are: their type, category and team (the assignment rules then
    # choose an agent).
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("request form")
        verbose_name_plural = _("request forms")

    def __str__(self) -> str:
        return self.name
