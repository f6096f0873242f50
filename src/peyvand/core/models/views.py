"""Saved views of lists: a list's filters and sort under a name, private or shared with a team."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A list's query string (filters and sort; never a page cursor) kept under a name. The
    list still goes through the permission policy: a view shares a question, not its answers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.CharField(_("list"), max_length=200)  # the list's path, e.g. /customers/people/
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters and sort"), max_length=2000, blank=True)
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("shared with team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        constraints = [
            models.UniqueConstraint(fields=["owner", "page", "name"], name="saved_view_unique_name"),
        ]
        indexes = [models.Index(fields=["page", "team"], name="saved_view_team")]

    def __str__(self) -> str:
        return self.name


class DefaultView(models.Model):
    """The view a user's list opens with when they open it without filters."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=200)
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="default_view_unique")]

    def __str__(self) -> str:
        return self.page


class ListColumns(models.Model):
    """The columns, in order, a user chose for a list when no view of theirs chooses them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=200)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="list_columns_unique")]

    def __str__(self) -> str:
        return self.page
