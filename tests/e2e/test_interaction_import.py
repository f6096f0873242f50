"""The main flow of importing past interactions, in a real browser and in Persian: a manager
uploads a Persian file, sees its columns matched, starts it, watches it finish, and finds the
call with its duration on the customer's timeline."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from peyvand.customers.models import ImportJob
from peyvand.interactions.models import Interaction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["مشتری", "کانال", "جهت", "تاریخ", "موضوع", "مدت تماس", "شناسه"],
    ["ali@example.com", "تماس تلفنی", "ورودی", "۱۴۰۳/۰۵/۱۲ ۱۴:۳۰", "پیگیری سفارش قدیمی", "۲:۰۵", "A-1"],
    ["ali@example.com", "جلسه", "خروجی", "1403/05/13 10:00", "دیدار در نمایشگاه", "", "A-2"],
    ["nobody@example.com", "ایمیل", "ورودی", "1403/05/14", "ناشناس", "", "A-3"],
]


def test_a_manager_imports_past_interactions_in_persian(
    signed_in: Callable[..., Page], make_person: Callable[..., object], tmp_path: Path
) -> None:
    ali = make_person(owner="sales", contacts=[{"kind": "email", "value": "ali@example.com"}])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROWS)
    path = tmp_path / "تعاملات.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))

    page = signed_in("manager")
    page.goto("/interactions/import/")
    with translation.override("fa"):  # the catalogue's words (English until they are translated)
        title = gettext("Import past interactions")
    expect(page.locator("h1")).to_have_text(title)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_test_id("upload").click()
    # The columns matched from their Persian names.
    expect(page.locator("select[name=column-5]")).to_have_value("duration")
    expect(page.locator("select[name=column-0]")).to_have_value("customer")
    page.get_by_test_id("start-import").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("created-count")).to_contain_text("۲")
    expect(page.get_by_test_id("rejected-count")).to_contain_text("۱")
    job = ImportJob.objects.get()
    assert (job.kind, job.created_count, job.error_count) == ("interactions", 2, 1)

    page.goto(f"/customers/{ali.pk}/")
    expect(page.get_by_text("پیگیری سفارش قدیمی")).to_be_visible()
    expect(page.get_by_text("دیدار در نمایشگاه")).to_be_visible()
    expect(page.get_by_test_id("call-details").first).to_contain_text("۲:۰۵")
    assert Interaction.objects.filter(party=ali).count() == 2
