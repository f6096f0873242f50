"""Small facts about this installation."""

from __future__ import annotations

from django.db import models


class SiteFlag(models.Model):
    """Small facts about this installation, such as whether the demo data was loaded."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
