"""A readiness assessment in a real browser, in Persian: a manager opens one of the Iranian
9-factor model, two colleagues answer it, and the results show the radar chart with its table
and the weak factors; then a short look in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peyvand.adoption.models import Assessment, ReadinessModel, Respondent, Statement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSIAN_NUMBER = re.compile(r"^[۰-۹٫]+$")


def close_date_picker(page: Page) -> None:
    """Escape closes the Jalali picker once it has finished opening: press until it is hidden."""
    picker = page.locator("jdp-container")
    for _ in range(30):
        page.keyboard.press("Escape")
        try:
            expect(picker).to_be_hidden(timeout=100)
        except AssertionError:
            continue
        return
    expect(picker).to_be_hidden()


def answer(page: Page, respondent: Respondent, rating) -> None:
    """Open one's questionnaire from "My questionnaires", rate every statement, submit."""
    page.goto("/adoption/questionnaires/")
    page.locator("[data-testid=my-questionnaires] a", has_text=respondent.assessment.title).click()
    expect(page.locator("[data-testid=factor-structure] legend")).to_have_text("ساختار")
    statements = Statement.objects.filter(factor__model=respondent.assessment.model).select_related("factor")
    for statement in statements:
        page.locator(f"label[for=s{statement.pk}-{rating(statement)}]").click()
    page.locator("[data-testid=submit-answers]").click()
    expect(page.locator("[data-testid=my-questionnaires]")).to_be_visible()
    expect(page.locator(".alert-success")).to_be_visible()


def weak_structure(statement: Statement) -> int:
    """Structure rated low (reverse-scored statements high), everything else high."""
    low = statement.factor.key == "structure"
    if statement.reverse:
        return 5 if low else 1
    return 1 if low else 5


def test_a_manager_runs_an_assessment_that_two_colleagues_answer(signed_in, users):
    model = ReadinessModel.objects.get(key="iranian-9")
    manager = signed_in("manager", locale="fa-IR")
    manager.goto("/adoption/")
    expect(manager.locator("html")).to_have_attribute("dir", "rtl")
    manager.locator("[data-testid=new-assessment]").click()
    form = manager.locator("[data-testid=assessment-form]")
    form.locator("select[name=model]").select_option(label=model.name_fa)
    form.locator("input[name=title]").fill("آمادگی واحد فروش")
    form.locator("input[name=department]").fill("فروش")
    form.locator("input[name=starts_on]").fill("1404/09/16")
    close_date_picker(manager)
    form.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=assessment-title]")).to_have_text("آمادگی واحد فروش")
    for name in ("sales", "support"):
        invite = manager.locator("[data-testid=invite-user]")
        invite.locator("select[name=user]").select_option(value=str(users[name].pk))
        invite.locator("button[type=submit]").click()
        expect(manager.locator("[data-testid=respondent-table] tbody")).to_contain_text(
            users[name].get_full_name()
        )
    assessment = Assessment.objects.get(title="آمادگی واحد فروش")
    assert assessment.model == model and assessment.department == "فروش"

    answer(signed_in("sales", locale="fa-IR"), Respondent.objects.get(user=users["sales"]), weak_structure)
    answer(
        signed_in("support", locale="fa-IR"), Respondent.objects.get(user=users["support"]), weak_structure
    )

    manager.goto(f"/adoption/{assessment.pk}/")
    manager.locator("[data-testid=see-results]").click()
    chart = manager.locator("#chart-radar [data-chart]")
    expect(chart).to_have_attribute("data-chart-drawn", "1")
    expect(chart.locator("svg").first).to_be_attached()
    table = manager.locator("[data-testid=radar-table] tbody tr")
    expect(table).to_have_count(9)
    expect(table.first.locator("th")).to_have_text("ساختار")
    expect(table.first.locator("td")).to_have_text("۰٫۰")
    expect(manager.locator("[data-testid=respondent-count]")).to_have_text("۲")
    expect(manager.locator("[data-testid=overall]")).to_have_text(PERSIAN_NUMBER)
    weak = manager.locator("[data-testid=weaknesses] li")
    expect(weak).to_have_count(1)
    expect(weak.first).to_contain_text("ساختار")
    expect(manager.locator("[data-testid=factor-table] tr[data-weak]")).to_have_count(1)
    expect(manager.locator("[data-testid=strengths] li")).to_have_count(8)

    english = signed_in("admin", locale="en-US")
    english.goto(f"/adoption/{assessment.pk}/results/")
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    expect(english.locator("#chart-radar [data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(english.locator("[data-testid=weaknesses] li").first).to_contain_text("Structure")
    expect(english.locator("[data-testid=radar-table] tbody tr").first.locator("th")).to_have_text(
        "Structure"
    )
