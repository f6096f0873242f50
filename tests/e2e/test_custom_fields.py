"""Custom fields in a real browser: an administrator adds a Jalali date field and a choice
field in Persian, fills them on a person, and filters the people list by them; in English
the same list is filtered by the choice's English label and sorted by the date."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peyvand.core.models import CustomField
from peyvand.customers.models import Party

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _add_field(page, **values):
    page.goto("/admin/custom-fields/new/")
    page.select_option("select[name=entity]", "person")
    page.fill("input[name=key]", values["key"])
    page.select_option("select[name=type]", values["type"])
    page.fill("input[name=label_fa]", values["label_fa"])
    page.fill("input[name=label_en]", values["label_en"])
    if "choices" in values:
        page.fill("textarea[name=choices]", values["choices"])
    page.check("input[name=filterable]")
    page.check("input[name=in_list]")
    page.get_by_test_id("save-custom-field").click()
    expect(page.get_by_test_id("custom-field-table")).to_contain_text(values["label_fa"])


def test_an_administrator_adds_fields_fills_them_and_filters_the_list(signed_in, make_person):
    page = signed_in("admin", locale="fa-IR")
    _add_field(page, key="visit", type="date", label_fa="تاریخ بازدید", label_en="Visit date")
    _add_field(
        page,
        key="size",
        type="choice",
        label_fa="اندازه",
        label_en="Size",
        choices="small | کوچک | Small\nlarge | بزرگ | Large",
    )
    assert list(CustomField.objects.values_list("key", flat=True)) == ["visit", "size"]

    ali = make_person(first_name="علی", last_name="کریمی")
    make_person(
        first_name="سارا", last_name="رضایی", data={"custom": {"size": "small", "visit": "2023-01-01"}}
    )
    page.goto(f"/customers/{ali.pk}/edit/")
    date = page.locator("input[name=cf_visit]")
    expect(date).to_have_attribute("data-jdp", "")  # the Jalali picker, as every date input
    date.fill("۱۴۰۳/۰۵/۱۲")
    page.keyboard.press("Escape")
    page.select_option("select[name=cf_size]", "large")
    page.get_by_test_id("save-party").click()
    expect(page.get_by_test_id("custom-visit")).to_have_text("۱۴۰۳/۰۵/۱۲")
    expect(page.get_by_test_id("custom-size")).to_have_text("بزرگ")
    assert Party.objects.get(pk=ali.pk).custom == {"visit": "2024-08-02", "size": "large"}

    page.goto("/person/")
    page.select_option("select[name=cf_size]", "large")
    page.locator("input[name=cf_visit_from]").fill("۱۴۰۳/۰۱/۰۱")
    page.keyboard.press("Escape")
    page.locator("form[role=search] button[type=submit]").click()
    table = page.get_by_test_id("party-table")
    expect(table).to_contain_text("علی کریمی")
    expect(table).not_to_contain_text("سارا")
    expect(page.get_by_test_id("custom-column-cf_visit")).to_be_visible()

    english = signed_in("admin", locale="en-US")
    english.goto("/person/?cf_size=small")
    expect(english.get_by_test_id("party-table")).to_contain_text("سارا")
    expect(english.get_by_test_id("party-table")).not_to_contain_text("علی")
    english.get_by_test_id("custom-column-cf_visit").locator("a").click()
    rows = english.get_by_test_id("party-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Small")
