"""Canned replies: answers agents use again, in Persian and English, with placeholders the
ticket fills in ({customer}, {first_name}, {ticket}, {agent})."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Searchable, Team, TrackedModel


class CannedReply(Searchable, TrackedModel):
    """An agent's own (personal) or shared with a team (or with every team when it has none)."""

    title = models.CharField(_("title"), max_length=200)
    body_fa = models.TextField(_("text in Persian"), blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    shared = models.BooleanField(_("shared"), default=False)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("title", "body_fa", "body_en")

    class Meta(TrackedModel.Meta):
        ordering = ["title", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        indexes = [
            models.Index(fields=["owner", "title", "id"], name="canned_owner_title"),
            models.Index(fields=["shared", "team", "title", "id"], name="canned_shared_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def body(self, language: str) -> str:
        """The text in ``language``, else in the other one."""
        first, second = (
            (self.body_en, self.body_fa) if language.startswith("en") else (self.body_fa, self.body_en)
        )
        return first or second
