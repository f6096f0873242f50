"""The knowledge base: articles in Persian and English (sanitised rich text), internal or
public, in the ticket categories; every saved state kept as a version; and which articles
agents linked in their replies (counted on resolved tickets: what helped)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import Searchable, TrackedModel

from .. import richtext
from .tickets import Category, Message, Ticket


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (staff only)")
    PUBLIC = "public", _("Public")


class Article(Searchable, TrackedModel):
    title_fa = models.CharField(_("title in Persian"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    body_fa = models.TextField(_("text in Persian"), blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    published = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("title_fa", "title_en", "text_fa", "text_en")

    class Meta(TrackedModel.Meta):
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="article_updated"),
            models.Index(fields=["category", "published"], name="article_category"),
        ]

    def __str__(self) -> str:
        return self.title_fa or self.title_en

    def get_absolute_url(self) -> str:
        return reverse("service:article_detail", args=[self.pk])

    @property
    def text_fa(self) -> str:
        return richtext.to_text(self.body_fa)

    @property
    def text_en(self) -> str:
        return richtext.to_text(self.body_en)

    def title(self, language: str) -> str:
        """The title in ``language``, else in the other one."""
        return (
            (self.title_en or self.title_fa)
            if language.startswith("en")
            else (self.title_fa or self.title_en)
        )

    def body(self, language: str) -> str:
        return (self.body_en or self.body_fa) if language.startswith("en") else (self.body_fa or self.body_en)

    def language_of(self, language: str) -> str:
        """The language the article is read in when ``language`` is asked for."""
        if language.startswith("en"):
            return "en" if self.title_en or self.body_en else "fa"
        return "fa" if self.title_fa or self.body_fa else "en"


class ArticleVersion(models.Model):
    """One saved state of an article, numbered from 1."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_fa = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    body_fa = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    published = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_once")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleUse(models.Model):
    """An article linked in a reply to a customer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "message"], name="article_use_once")]
        indexes = [models.Index(fields=["article", "ticket"], name="article_use_ticket")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"
