"""The custom fields' definitions: what the ``custom`` object of a record may hold.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from ..apikit.auth import actor
from ..apikit.endpoints import page_out
from ..apikit.schemas import ERRORS, PageOut, PageQuery
from ..custom_fields import Entity, FieldType
from ..pagination import keyset_page
from ..selectors.custom_fields import custom_field_list

router = Router(tags=["custom fields"])

STORED = (
    "How a record's `custom` object holds each type: text, link and choice as a string (a choice "
    "by its option's key); date as YYYY-MM-DD (Jalali accepted on input, e.g. 1403/05/12); number "
    'and money as a decimal string such as "1250000" (numbers, Persian or Arabic digits and '
    "thousands separators accepted on input); yes/no as true or false; multi-choice as a list of "
    "option keys; user as a user's id. Null or an empty value clears a field."
)


class ChoiceOut(Schema):
    key: str
    label_fa: str
    label_en: str


class CustomFieldOut(Schema):
    id: int
    entity: Literal["person", "organisation", "lead", "deal", "product", "ticket"]
    key: str = Field(description="The key in a record's `custom` object")
    type: Literal["text", "number", "money", "date", "choice", "multi_choice", "yes_no", "user", "link"] = (
        Field(description=STORED)
    )
    label_fa: str
    label_en: str
    choices: list[ChoiceOut] = Field(description="The options of a choice or multi-choice field")
    required: bool
    filterable: bool = Field(description="Lists filter and sort by it; its values are indexed")
    in_list: bool
    position: int
    active: bool = Field(description="An inactive field's values stay on the records but cannot be written")


assert {"person", "organisation", "lead", "deal", "product", "ticket"} == set(Entity.values)
assert len(FieldType.values) == 9


class CustomFieldQuery(PageQuery):
    entity: Entity | None = None
    active: bool | None = None


@router.get(
    "/custom-fields",
    response={200: PageOut[CustomFieldOut], **ERRORS},
    summary="The custom fields of each kind of record",
)
def custom_fields(request: HttpRequest, filters: Query[CustomFieldQuery]) -> dict[str, Any]:
    actor(request)
    wanted = {
        "entity": filters.entity or "",
        "active": "" if filters.active is None else ("yes" if filters.active else "no"),
    }
    queryset = custom_field_list(filters=wanted)
    page = keyset_page(
        queryset, order=["entity", "position", "id"], cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)
