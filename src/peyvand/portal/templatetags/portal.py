"""The portal's template filters: a record's reference in portal addresses."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.translation import get_language

from ..refs import ref_for

register = template.Library()


@register.filter
def ref(obj: models.Model, kind: str) -> str:
    """``{% url 'portal:order_detail' order|ref:'order' %}``"""
    return ref_for(kind, int(obj.pk))


@register.filter
def article_title(article: Any) -> str:
    """A help article's title in the reader's language, else in the other one."""
    return str(article.title(get_language() or "fa"))
