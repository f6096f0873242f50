"""Writing the knowledge base: articles (each save that changes one keeps a new version), going
back to an earlier version, and noting which articles a reply linked to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text

from .. import richtext
from ..models import Article, ArticleUse, ArticleVersion, Category, Message, Visibility

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 200_000
CONTENT = ("title_fa", "title_en", "body_fa", "body_en", "category", "visibility", "published")
# A link to an article as replies carry it: …/kb/<id>/ (the public page).
ARTICLE_LINK = re.compile(r"/kb/(\d{1,18})/")


@dataclass(frozen=True, kw_only=True)
class ArticleInput:
    title_fa: str = ""
    title_en: str = ""
    body_fa: str = ""
    body_en: str = ""
    category: Category | None = None
    visibility: str = Visibility.INTERNAL
    published: bool = True


def _clean(data: ArticleInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for language in ("fa", "en"):
        title = clean_text(getattr(data, f"title_{language}"))
        raw = getattr(data, f"body_{language}") or ""
        if len(title) > TITLE_MAX_LENGTH:
            errors[f"title_{language}"] = [_too_long(TITLE_MAX_LENGTH, len(title))]
        if len(raw) > BODY_MAX_LENGTH:
            errors[f"body_{language}"] = [_too_long(BODY_MAX_LENGTH, len(raw))]
        body = richtext.sanitize(raw)
        if body and not title:
            errors[f"title_{language}"] = [_("Give the text in this language a title.")]
        elif title and not body:
            errors[f"body_{language}"] = [_("Write the text in this language, or leave its title empty.")]
        values[f"title_{language}"], values[f"body_{language}"] = title, body
    if not errors and not (values["title_fa"] or values["title_en"]):
        errors["title_fa"] = [_("Write the article in Persian, in English or in both.")]
    if data.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose internal or public.")]
    if data.category is not None and not data.category.active:
        errors["category"] = [_("Choose an active category.")]
    if errors:
        raise ValidationError(errors)
    return {**values, "category": data.category, "visibility": data.visibility, "published": data.published}


def _too_long(limit: int, count: int) -> str:
    return _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": count}


@transaction.atomic
def article_save(*, actor: User, data: ArticleInput, article: Article | None = None) -> Article:
    """Write an article or change one; a change of its content keeps a new version."""
    if article is None:
        policy.require_create(actor, Article)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        policy.require_change(actor, article)
    cleaned = _clean(data)
    created = article is None
    before = {} if article is None else snapshot(article, CONTENT)
    article = article or Article(created_by=actor, version=0)
    for name, value in cleaned.items():
        setattr(article, name, value)
    changes = changes_between(before, snapshot(article, CONTENT))
    if not changes:
        return article
    article.version += 1
    article.updated_by = actor
    article.save()
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        author=actor,
        **{name: getattr(article, name) for name in CONTENT},
    )
    for name in ("body_fa", "body_en"):  # the texts are long: the audit notes that they changed
        if name in changes:
            changes[name] = [None, f"v{article.version}"]
    kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
    audit_log(actor=actor, kind=kind, obj=article, changes=changes)
    return article


@transaction.atomic
def article_restore(*, actor: User, version: ArticleVersion) -> Article:
    """Bring an earlier version back, as a new version (nothing in between is lost)."""
    data = ArticleInput(**{name: getattr(version, name) for name in CONTENT})
    return article_save(actor=actor, data=data, article=version.article)


@transaction.atomic
def article_delete(*, actor: User, article: Article) -> None:
    policy.require_change(actor, article)
    soft_delete_record(article, actor=actor, party_id=None, changes={"title": [str(article), None]})


def article_uses_record(message: Message) -> int:
    """Note the articles a reply links to (on the ticket, for what helped resolve it)."""
    ids = {int(found) for found in ARTICLE_LINK.findall(message.body)}
    if not ids:
        return 0
    known = Article.objects.filter(pk__in=ids).values_list("pk", flat=True)
    rows = [ArticleUse(article_id=pk, ticket_id=message.ticket_id, message=message) for pk in known]
    ArticleUse.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
