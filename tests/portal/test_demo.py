"""The demo company has a portal customer who sees their organisation's invoices."""

from __future__ import annotations

import datetime as dt

import pytest

from peyvand.demo.load import load_demo
from peyvand.portal.models import PortalAccount
from peyvand.portal.selectors import records

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_portal_customer():
    load_demo(size="small", anchor=dt.date(2025, 3, 10))
    account = PortalAccount.objects.get()
    assert account.email and not account.password
    assert records.invoice_list(account=account, cursor=None).items
