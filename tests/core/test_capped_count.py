"""Capped counts: the same answer along the list's own order, and the order reaches the SQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peyvand.core.pagination import capped_count
from peyvand.customers.models import Party

pytestmark = pytest.mark.django_db


def test_counting_along_an_order_gives_the_same_capped_count(make_person):
    for n in range(5):
        make_person(first_name=f"n{n}", data={"stage": "customer" if n < 2 else "suspect"})
    customers = Party.objects.filter(stage="customer")
    assert capped_count(customers) == capped_count(customers, along=["sort_key", "id"]) == (2, False)
    assert capped_count(Party.objects.all(), cap=3, along=["sort_key", "id"]) == (3, True)
    with CaptureQueriesContext(connection) as queries:
        capped_count(customers, along=["stage", "sort_key", "id"])
    # The engine is told the order, so it can count along that index (see capped_count).
    assert "ORDER BY" in queries.captured_queries[0]["sql"]
