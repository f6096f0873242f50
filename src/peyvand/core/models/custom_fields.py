"""Custom fields: the fields an administrator adds to people, organisations, leads, deals,
products and tickets. The values live on each record (its ``custom`` JSON); the rules of
each type are in ``core.custom_fields``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..custom_fields import Choice, Definition, Entity, FieldType


class CustomField(models.Model):
    entity = models.CharField(_("record type"), max_length=20, choices=Entity.choices)
    # The name in the API, imports and exports; fixed once a record has a value under it.
    key = models.CharField(_("key"), max_length=40)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    label_fa = models.CharField(_("label in Persian"), max_length=100)
    label_en = models.CharField(_("label in English"), max_length=100)
    help_fa = models.CharField(_("help in Persian"), max_length=200, blank=True)
    help_en = models.CharField(_("help in English"), max_length=200, blank=True)
    # [{"key": ..., "label_fa": ..., "label_en": ...}] for choice and multi-choice fields.
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    filterable = models.BooleanField(_("filter and sort the list by it"), default=False)
    in_list = models.BooleanField(_("a column of the list"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["entity", "position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="custom_field_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label(get_language())

    def label(self, language: str | None = None) -> str:
        return (self.label_fa if (language or "").startswith("fa") else self.label_en) or self.key

    def help_text(self, language: str | None = None) -> str:
        return self.help_fa if (language or "").startswith("fa") else self.help_en

    def option_list(self) -> tuple[Choice, ...]:
        return tuple(
            Choice(str(c.get("key", "")), str(c.get("label_fa", "")), str(c.get("label_en", "")))
            for c in self.choices or []
            if isinstance(c, dict)
        )

    def definition(self) -> Definition:
        return Definition(
            key=self.key,
            type=self.type,
            label_fa=self.label_fa,
            label_en=self.label_en,
            required=self.required,
            choices=self.option_list(),
            filterable=self.filterable,
            in_list=self.in_list,
        )


def CustomValues() -> models.JSONField:
    """A record's custom values, ``{key: value}``: empty by default, in the database too,
    so the bulk paths that insert rows by hand need not name it."""
    return models.JSONField(
        _("custom fields"), default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
