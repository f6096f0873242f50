"""Cross-selling: what buyers of the same products also bought, counted by the database."""

from __future__ import annotations

import io

import pytest

from peyvand.customers import importer
from peyvand.customers.importer import engine
from peyvand.customers.models import ImportJob
from peyvand.sales.selectors.billing import cross_sell

pytestmark = pytest.mark.django_db


def _orders(actor, rows):
    """Past orders brought in through the import machinery, its job run here."""
    content = ("order,customer,date,sku,quantity,unit_price\n" + "\n".join(rows)).encode()
    job = importer.import_upload(
        actor=actor, kind="orders", source=io.BytesIO(content), name="o.csv", size=len(content)
    )
    job = importer.import_configure(job=job, actor=actor, columns=job.mapping, duplicates="refuse")
    importer.import_queue(job=job, actor=actor)
    job = engine.run(job.pk)
    assert job.status == ImportJob.Status.DONE, list(job.issues.values_list("row", "column", "message"))


def test_suggestions_with_their_counts(users, products, make_org, queries):
    me, a, b, c = (make_org(name=n) for n in ("من", "الف", "ب", "ج"))
    _orders(
        users["admin"],
        [
            f"1,{me.pk},1402/01/01,CRM-1,1,10",
            f"2,{a.pk},1402/01/01,CRM-1,1,10",
            f"2,{a.pk},1402/01/01,SUP-1,1,10",
            f"3,{b.pk},1402/01/01,CRM-1,1,10",
            f"3,{b.pk},1402/01/01,SUP-1,1,10",
            f"4,{b.pk},1402/02/01,TRN-1,1,10",
            f"5,{c.pk},1402/01/01,TRN-1,1,10",  # bought nothing in common with me: not counted
        ],
    )
    with queries() as counted:
        suggestions = cross_sell(party=me)
    assert len(counted) <= 3
    assert [(s.product.sku, s.buyers, s.peers) for s in suggestions] == [("SUP-1", 2, 2), ("TRN-1", 1, 2)]
    assert suggestions[0].share == 100


def test_nothing_to_suggest_without_orders(make_org, products):
    assert cross_sell(party=make_org()) == []
