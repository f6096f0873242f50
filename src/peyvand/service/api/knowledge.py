"""The knowledge base over the API: articles and their versions, and the articles suggested
for a ticket's reply.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.schemas import (
    ERRORS,
    BodyId,
    Id,
    InputSchema,
    NoNul,
    PageOut,
    PageQuery,
    SchemaName,
    UserRef,
)

from ..models import Article, ArticleVersion, Category, Visibility
from ..selectors import knowledge as selectors
from ..selectors import tickets as ticket_selectors
from ..services import knowledge as services
from .common import NamedRef, one_row

router = Router(tags=["knowledge base"])

ArticleVisibility = Annotated[Visibility, SchemaName("ArticleVisibility")]
Title = Annotated[str, Field(max_length=services.TITLE_MAX_LENGTH), NoNul]
Text = Annotated[str, Field(max_length=services.BODY_MAX_LENGTH), NoNul]


class ArticleOut(Schema):
    id: int
    title_fa: str
    title_en: str
    body_fa: str = Field(description="Sanitised HTML")
    body_en: str = Field(description="Sanitised HTML")
    category: NamedRef | None
    visibility: str
    published: bool
    version: int
    helped: int = Field(0, description="Resolved tickets whose replies linked to it")
    public_url: str | None = Field(description="The page customers read it at (public articles)")
    updated_at: dt.datetime

    @staticmethod
    def resolve_public_url(obj: Article) -> str | None:
        if obj.visibility != Visibility.PUBLIC:
            return None
        return settings.PEYVAND_BASE_URL + reverse("service:article_public", args=[obj.pk])


class ArticleVersionOut(Schema):
    number: int
    title_fa: str
    title_en: str
    body_fa: str
    body_en: str
    visibility: str
    published: bool
    author: UserRef | None
    created_at: dt.datetime


class ArticleIn(InputSchema):
    title_fa: Title = ""
    title_en: Title = ""
    body_fa: Text = Field("", description="Plain text or simple HTML, sanitised on saving")
    body_en: Text = ""
    category_id: BodyId | None = None
    visibility: ArticleVisibility = Visibility.INTERNAL
    published: StrictBool = True


class ArticlePatch(InputSchema):
    title_fa: Title | None = None
    title_en: Title | None = None
    body_fa: Text | None = None
    body_en: Text | None = None
    category_id: BodyId | None = None
    visibility: ArticleVisibility | None = None
    published: StrictBool | None = None


class ArticleQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""
    category: Id | None = None
    visibility: ArticleVisibility | None = None
    published: Literal["yes", "no"] | None = None
    sort: Literal["-updated", "-helped"] = "-updated"


def _input(values: dict[str, Any]) -> services.ArticleInput:
    values["category"] = one_row(Category, values.pop("category_id", None), "category_id")
    visibility = values.get("visibility")
    values["visibility"] = getattr(visibility, "value", visibility)
    return services.ArticleInput(**values)


@router.get("/articles", response={200: PageOut[ArticleOut], **ERRORS}, summary="Knowledge base articles")
def article_list(request: HttpRequest, filters: Query[ArticleQuery]) -> dict[str, Any]:
    values = filters.model_dump(exclude={"cursor", "limit", "sort"})
    values["visibility"] = getattr(filters.visibility, "value", None)
    page = selectors.article_list(
        user=actor(request), filters=values, sort=filters.sort, cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.post("/articles", response={201: ArticleOut, **ERRORS}, summary="Write an article")
def article_create(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    article = services.article_save(actor=actor(request), data=_input(payload.model_dump()))
    return Status(201, article)


@router.get("/articles/{article_id}", response={200: ArticleOut, **ERRORS}, summary="Get an article")
def article_get(request: HttpRequest, article_id: Id) -> Article:
    return selectors.article_get(user=actor(request), pk=article_id)


@router.patch(
    "/articles/{article_id}",
    response={200: ArticleOut, **ERRORS},
    summary="Change an article (a new version)",
)
def article_update(request: HttpRequest, article_id: Id, payload: ArticlePatch) -> Article:
    user = actor(request)
    article = selectors.article_get(user=user, pk=article_id)
    policy.require_change(user, article)
    values: dict[str, Any] = {name: getattr(article, name) for name in services.CONTENT if name != "category"}
    values["category_id"] = article.category_id
    sent = payload.model_dump(exclude_unset=True)
    values |= {k: v for k, v in sent.items() if v is not None or k == "category_id"}
    services.article_save(actor=user, data=_input(values), article=article)
    return selectors.article_get(user=user, pk=article_id)


@router.delete("/articles/{article_id}", response={204: None, **ERRORS}, summary="Delete an article")
def article_delete(request: HttpRequest, article_id: Id) -> Status[None]:
    user = actor(request)
    services.article_delete(actor=user, article=selectors.article_get(user=user, pk=article_id))
    return Status(204, None)


@router.get(
    "/articles/{article_id}/versions",
    response={200: list[ArticleVersionOut], **ERRORS},
    summary="An article's versions, newest first",
)
def article_versions(request: HttpRequest, article_id: Id) -> list[ArticleVersion]:
    article = selectors.article_get(user=actor(request), pk=article_id)
    return selectors.article_versions(article=article)


@router.get(
    "/tickets/{ticket_id}/suggested-articles",
    response={200: list[ArticleOut], **ERRORS},
    summary="Articles that may help answer a ticket",
)
def article_suggestions(request: HttpRequest, ticket_id: Id) -> list[Article]:
    user = actor(request)
    ticket = ticket_selectors.ticket_get(user=user, pk=ticket_id)
    return selectors.article_suggestions(user=user, ticket=ticket)
