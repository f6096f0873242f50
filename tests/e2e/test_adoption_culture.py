"""The culture survey and the stakeholder map in a real browser, in Persian: a manager opens a
culture survey, a colleague divides the points (in Persian digits) now and preferred, and the
results draw the radar with its table and the reading; then the manager puts a stakeholder on
the buy-in matrix, moves them, and plans an action with a Jalali due date."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from peyvand.adoption.models import Assessment, Respondent, Stakeholder, StakeholderAction, Statement
from peyvand.adoption.services.catalogue import builtin_models_load, culture_models_load, risk_groups_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPES = ("clan", "adhocracy", "market", "hierarchy")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(autouse=True)
def builtin_data(transactional_db):
    """What the migrations load, again: a browser test's database is emptied between tests."""
    builtin_models_load()
    risk_groups_load()
    culture_models_load()


def close_date_picker(page: Page) -> None:
    picker = page.locator("jdp-container")
    for _ in range(30):
        page.keyboard.press("Escape")
        try:
            expect(picker).to_be_hidden(timeout=100)
        except AssertionError:
            continue
        return
    expect(picker).to_be_hidden()


def test_a_culture_survey_and_the_stakeholder_map(signed_in, users, page_errors):
    page_errors.expect_status(422, r"/adoption/questionnaires/\d+/$")  # the sum that is refused
    manager = signed_in("manager", locale="fa-IR")
    manager.goto("/adoption/culture/")
    expect(manager.locator("html")).to_have_attribute("dir", "rtl")
    manager.locator("[data-testid=new-culture-survey]").click()
    form = manager.locator("[data-testid=culture-form]")
    form.locator("input[name=title]").fill("فرهنگ واحد فروش")
    form.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=assessment-title]")).to_have_text("فرهنگ واحد فروش")
    invite = manager.locator("[data-testid=invite-user]")
    invite.locator("select[name=user]").select_option(value=str(users["sales"].pk))
    invite.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=respondent-table] tbody")).to_contain_text(
        users["sales"].get_full_name()
    )
    survey = Assessment.objects.get(title="فرهنگ واحد فروش")
    assert survey.model.key == "ocai"

    colleague = signed_in("sales", locale="fa-IR")
    colleague.goto("/adoption/questionnaires/")
    colleague.locator("[data-testid=my-questionnaires] a", has_text="فرهنگ واحد فروش").click()
    expect(colleague.locator("[data-testid=dimension-leadership] legend")).to_have_text("رهبری سازمان")
    dimensions = list(
        Statement.objects.filter(factor__model=survey.model).values_list("factor__key", flat=True).distinct()
    )
    now, preferred = (10, 20, 30, 40), (40, 30, 20, 10)
    for key in dimensions:
        for culture, a, b in zip(TYPES, now, preferred, strict=True):
            colleague.locator(f"[data-testid=now-{key}-{culture}]").fill(str(a).translate(PERSIAN_DIGITS))
            colleague.locator(f"[data-testid=preferred-{key}-{culture}]").fill(
                str(b).translate(PERSIAN_DIGITS)
            )
    # One column that does not add up to 100 is refused, and what was typed stays.
    colleague.locator("[data-testid=now-leadership-clan]").fill("۱۵")
    colleague.locator("[data-testid=submit-answers]").click()
    expect(colleague.locator("[data-testid=questionnaire-error]")).to_have_count(1)
    expect(colleague.locator("[data-testid=now-leadership-clan]")).to_have_value("۱۵")
    colleague.locator("[data-testid=now-leadership-clan]").fill("۱۰")
    colleague.locator("[data-testid=submit-answers]").click()
    expect(colleague.locator("[data-testid=my-questionnaires]")).to_be_visible()
    assert Respondent.objects.get(user=users["sales"]).submitted_at is not None

    manager.goto(f"/adoption/{survey.pk}/")
    manager.locator("[data-testid=see-results]").click()
    chart = manager.locator("#chart-culture [data-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg").first).to_be_attached()
    rows = manager.locator("[data-testid=radar-table] tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.locator("td").nth(0)).to_have_text("۱۰٫۰")  # clan now
    expect(rows.first.locator("td").nth(1)).to_have_text("۴۰٫۰")  # clan preferred
    expect(rows.first.locator("td").nth(2)).to_have_text("۳۰٫۰")  # the gap
    expect(manager.locator("[data-testid=respondent-count]")).to_have_text("۱")
    expect(manager.locator("[data-testid=culture-reading] p")).to_have_count(7)
    expect(manager.locator("[data-testid=dimension-table] tbody tr")).to_have_count(6)

    # The stakeholder map.
    manager.goto("/adoption/stakeholders/")
    manager.locator("[data-testid=new-stakeholder]").click()
    form = manager.locator("[data-testid=stakeholder-form]")
    form.locator("input[name=name]").fill("کاوه شریفی")
    form.locator("input[name=role]").fill("مدیر مالی")
    form.locator("select[name=rational]").select_option("2")
    form.locator("select[name=emotional]").select_option("1")
    form.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=quadrant]")).to_have_attribute(
        "class", "badge quadrant-blocker fs-6"
    )
    place = manager.locator("[data-testid=place-form]")
    place.locator("select[name=rational]").select_option("5")
    place.locator("select[name=emotional]").select_option("4")
    place.locator("input[name=note]").fill("طرح توجیهی را پذیرفت")
    place.locator("[data-testid=place-submit]").click()
    expect(manager.locator("[data-testid=quadrant]")).to_have_attribute(
        "class", "badge quadrant-champion fs-6"
    )
    expect(manager.locator("[data-testid=placement-history] tbody tr")).to_have_count(2)
    action = manager.locator("[data-testid=action-form]")
    action.locator("input[name=description]").fill("دعوت به کمیتهٔ راهبری")
    action.locator("input[name=due_on]").fill("1405/10/01")
    close_date_picker(manager)
    action.locator("[data-testid=action-submit]").click()
    expect(manager.locator("[data-testid=action-plan]")).to_contain_text("۱۴۰۵/۱۰/۰۱")
    assert StakeholderAction.objects.get().due_on == dt.date(2026, 12, 22)
    stakeholder = Stakeholder.objects.get()
    manager.goto("/adoption/stakeholders/")
    expect(manager.locator("[data-testid=cell-5-4]")).to_contain_text("کاوه شریفی")
    expect(manager.locator("[data-testid=stakeholder-table] tbody tr")).to_have_count(1)
    manager.goto("/adoption/stakeholders/?quadrant=blocker")
    expect(manager.locator("[data-testid=stakeholder-table] tbody")).not_to_contain_text(stakeholder.name)
