from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.custom_fields import Entity
from peyvand.core.jalali import local_digits
from peyvand.core.models import User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.policy import get_visible
from peyvand.core.selectors.custom_fields import CustomFilter, custom_list
from peyvand.core.text import search_terms
from peyvand.customers.models import Source

from ..models import AssignmentRule, Lead, LeadStage, LeadTouch, ScoreRule, WebForm

SORTS = {
    "score": ["score", "id"],
    "-score": ["-score", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "-score"
NO_OWNER = "none"


def lead_queryset(*, user: User, filters: Mapping[str, Any]) -> QuerySet[Lead]:
    queryset = policy.visible(user, Lead.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("stage") in LeadStage.values:
        queryset = queryset.filter(stage=filters["stage"])
    elif filters.get("stage") != "all":
        queryset = queryset.exclude(stage__in=(LeadStage.CONVERTED, LeadStage.DISQUALIFIED))
    if filters.get("source") in Source.values:
        queryset = queryset.filter(source=filters["source"])
    owner = filters.get("owner")
    if owner == NO_OWNER:
        queryset = queryset.filter(owner__isnull=True)
    elif (owner_id := choice_id(owner)) is not None:
        queryset = queryset.filter(owner_id=owner_id)
    return queryset


def lead_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str,
    cursor: str | None,
    limit: int = 50,
    custom: Sequence[CustomFilter] = (),
) -> Page[Lead]:
    """The leads ``user`` may see, filtered (custom fields' filters too) and sorted by one of
    SORTS or a filterable custom field's ``cf_<key>``."""
    queryset, custom_order = custom_list(lead_queryset(user=user, filters=filters), Entity.LEAD, custom, sort)
    page = keyset_page(
        queryset.select_related("owner"),
        order=custom_order or SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def lead_get(*, user: User, pk: Any) -> Lead:
    return get_visible(
        user, Lead.objects.select_related("owner", "team", "party", "organisation", "deal"), pk
    )


def lead_touches(*, lead: Lead, limit: int = 50) -> list[LeadTouch]:
    return list(lead.touches.select_related("actor").order_by("-at", "-id")[:limit])


@dataclass
class ScoreLine:
    label: str
    points: int


def score_explained(lead: Lead) -> list[ScoreLine]:
    """Why a lead has its score, one line per rule that counted, in the reader's language."""
    lines = []
    fields = {f.name: f for f in Lead._meta.fields}
    sources = dict(Source.choices)
    for item in lead.score_details or []:
        kind, value = item.get("kind"), item.get("value", "")
        if kind == ScoreRule.Kind.FIELD:
            label = _("%(field)s filled in") % {
                "field": fields[value].verbose_name if value in fields else value
            }
        elif kind == ScoreRule.Kind.SOURCE:
            label = _("Source: %(source)s") % {"source": sources.get(value, value)}
        elif kind == ScoreRule.Kind.PROVINCE:
            label = _("Province: %(province)s") % {"province": value}
        elif kind == ScoreRule.Kind.TOUCHES:
            label = _("Contacts logged")
        else:
            label = _("Contacted in the last %(days)s days") % {"days": local_digits(value)}
        lines.append(ScoreLine(str(label), int(item.get("points", 0))))
    return lines


def score_rules() -> QuerySet[ScoreRule]:
    return ScoreRule.objects.order_by("kind", "value", "id")


def assignment_rules() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.select_related("team", "user").order_by("order", "id")


def web_forms() -> QuerySet[WebForm]:
    return WebForm.objects.order_by("name", "id")


def web_form_public(*, key: str) -> WebForm | None:
    if not key or len(key) > 40:
        return None
    return WebForm.objects.filter(key=key, active=True).first()
