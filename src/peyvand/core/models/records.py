"""The bases of records: who made and changed a record and soft delete (TrackedModel), and
the search column (Searchable)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import search_text


class AliveManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TrackedModel(models.Model):
    """Who made and changed a record, and soft delete.

    A deleted record keeps its row with ``deleted_at`` set; records deleted together
    share a ``deletion_batch`` so the trash can restore them together.
    """

    # No index of its own on these: every list has composite indexes (kind, created_at, id)
    # and the like, and each extra index slows every insert of a bulk import.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    deletion_batch = models.UUIDField(null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @staticmethod
    def new_batch() -> uuid.UUID:
        return uuid.uuid4()


class Searchable(models.Model):
    """A record found by its search column: the search forms (text.search_key) of the fields
    ``SEARCHED`` names, "party.display_name" style paths too. Filled on every save, here
    and nowhere else, so no write path can leave it stale."""

    SEARCHED: ClassVar[tuple[str, ...]] = ()
    SEARCH_COLUMN: ClassVar[str] = "search_text"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {path.split(".")[0] for path in self.SEARCHED} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, self.SEARCH_COLUMN}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        text = search_text(*(self._searched(path) for path in self.SEARCHED))
        limit = getattr(self._meta.get_field(self.SEARCH_COLUMN), "max_length", None)
        setattr(self, self.SEARCH_COLUMN, text[:limit] if limit else text)

    def _searched(self, path: str) -> str:
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return str(value)
