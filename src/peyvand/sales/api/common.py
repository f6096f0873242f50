"""Schemas the sales endpoints share. No ``from __future__ import annotations``: ninja reads them."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, PlainSerializer

from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import NoNul
from peyvand.core.models import User
from peyvand.customers import selectors as customer_selectors
from peyvand.customers.models import Party

Text = Annotated[str, Field(max_length=200), NoNul]
LongText = Annotated[str, Field(max_length=5000), NoNul]
Reason = Annotated[str, Field(max_length=500), NoNul]
Currency = Annotated[str, Field(max_length=10), NoNul]
# Money and quantities travel as strings ("1250000.50") or numbers; never as floats inside.
Amount = Annotated[Decimal, Field(max_digits=20, decimal_places=3)]


def _fixed(places: int) -> PlainSerializer:
    step = Decimal(1).scaleb(-places)
    return PlainSerializer(lambda value: format(Decimal(value).quantize(step), "f"), return_type=str)


# Out: money always with two decimals ("27500000.00"), quantities and rates with three.
MoneyOut = Annotated[Decimal, _fixed(2)]
QuantityOut = Annotated[Decimal, _fixed(3)]


class PartyRef(Schema):
    id: int
    kind: str
    display_name: str


def visible_party(user: User, pk: int | None, field: str, kind: str | None = None) -> Party | None:
    """A customer a body refers to; one the caller cannot see is a field error."""
    if pk is None:
        return None
    try:
        return customer_selectors.parties.party_get(user=user, pk=pk, kind=kind)
    except Http404:
        raise field_error(field, _("Choose a customer you can see.")) from None


def one_of(rows: Any, pk: int | None, field: str, message: str) -> Any:
    """A record a body refers to by id among ``rows`` (a queryset), or a field error."""
    if pk is None:
        return None
    obj = rows.filter(pk=pk).first()
    if obj is None:
        raise field_error(field, message)
    return obj


DateOut = dt.date
