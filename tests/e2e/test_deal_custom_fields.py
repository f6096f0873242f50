"""Custom fields on deals in a real browser: an administrator adds a choice field for deals
in Persian, a seller fills it on a deal and sees it as a column of the deals list, filtered
by it; in English the same column reads in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from peyvand.sales.models import Deal
from peyvand.sales.services import deals, pipelines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_deal_field_defined_in_persian_is_filled_and_listed(signed_in, users, make_org):
    admin = signed_in("admin", locale="fa-IR")
    admin.goto("/admin/custom-fields/new/")
    admin.select_option("select[name=entity]", "deal")
    admin.fill("input[name=key]", "channel")
    admin.select_option("select[name=type]", "choice")
    admin.fill("input[name=label_fa]", "کانال فروش")
    admin.fill("input[name=label_en]", "Sales channel")
    admin.fill("textarea[name=choices]", "agent | نماینده | Agent\nonline | آنلاین | Online")
    admin.check("input[name=filterable]")
    admin.check("input[name=in_list]")
    admin.get_by_test_id("save-custom-field").click()
    expect(admin.get_by_test_id("custom-field-table")).to_contain_text("کانال فروش")

    pipelines.pipeline_ensure_default()
    seller = users["sales"]
    made = {}
    for title in ("قرارداد پشتیبانی", "فروش سامانه"):
        party = make_org(name=f"شرکت {title}", owner=seller)
        data = {"title": title, "party": party, "owner": seller, "amount": Decimal(1000)}
        made[title] = deals.deal_create(actor=seller, data=data)

    page = signed_in("sales", locale="fa-IR")
    page.goto(f"/sales/deals/{made['فروش سامانه'].pk}/edit/")
    page.select_option("select[name=cf_channel]", "online")
    page.get_by_test_id("deal-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("custom-channel")).to_have_text("آنلاین")
    assert Deal.objects.get(pk=made["فروش سامانه"].pk).custom == {"channel": "online"}

    page.goto("/sales/deals/")
    page.select_option("select[name=cf_channel]", "online")
    page.locator("form[role=search] button[type=submit]").click()
    table = page.get_by_test_id("deal-table")
    expect(page.get_by_test_id("custom-column-cf_channel")).to_contain_text("کانال فروش")
    expect(table).to_contain_text("فروش سامانه")
    expect(table).to_contain_text("آنلاین")
    expect(table).not_to_contain_text("قرارداد پشتیبانی")

    english = signed_in("sales", locale="en-US")
    english.goto("/sales/deals/?cf_channel=online")
    expect(english.get_by_test_id("custom-column-cf_channel")).to_contain_text("Sales channel")
    expect(english.get_by_test_id("deal-table")).to_contain_text("Online")
