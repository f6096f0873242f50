"""Reads of the catalogue: price lists with how many products each prices."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ..models import PriceList


def price_lists() -> QuerySet[PriceList]:
    return PriceList.objects.annotate(products=Count("prices")).order_by(
        "-is_default", "-active", "name", "id"
    )
