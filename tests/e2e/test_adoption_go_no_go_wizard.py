"""The go/no-go evaluation as a guided wizard in a real browser, in Persian: from the
selection's page step by step through the four criteria (next without a score is refused,
back shows the draft as saved, progress moves), the risk step naming the risk questionnaire,
then the summary with the mean and the recommendation and the decision recorded; the same
pages' labels in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peyvand.adoption.models import GoNoGo, GoScore, ReadinessModel
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.services import assessments
from peyvand.adoption.services import selection as selection_services
from peyvand.adoption.services.catalogue import builtin_models_load, risk_groups_load, risk_questionnaire_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def builtin_data(transactional_db):
    builtin_models_load()
    risk_groups_load()
    risk_questionnaire_load()


def test_go_no_go_wizard_in_persian_with_english_labels(signed_in, users, page_errors):
    page_errors.expect_status(422, r"/adoption/selections/\d+/go-no-go/steps/\d+/$")
    users["manager"].language = "fa"
    users["manager"].save()
    risk = assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(
            model=ReadinessModel.objects.get(key=RISK_QUESTIONNAIRE_KEY), title="ریسک استقرار"
        ),
    )
    selection = selection_services.selection_create(
        actor=users["manager"], data=selection_services.SelectionInput(name="انتخاب CRM")
    )

    page = signed_in("manager", locale="fa-IR")
    page.goto(f"/adoption/selections/{selection.pk}/")
    page.locator("[data-testid=go-wizard-link]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    wizard = page.locator("[data-testid=go-wizard]")
    expect(wizard.locator("[data-testid=wizard-position]")).to_have_text("گام ۱ از ۵")
    expect(wizard.locator("[data-testid=wizard-back]")).to_have_count(0)

    # Next without a score: refused, on the same step.
    wizard.locator("[data-testid=wizard-next]").click()
    expect(page.locator("[data-testid=wizard-score-error]")).to_be_visible()
    expect(page.locator("[data-testid=wizard-position]")).to_have_text("گام ۱ از ۵")

    page.locator("label[for=score-4]").click()
    page.locator("textarea[name=note]").fill("مدیران پشتیبان‌اند")
    page.locator("[data-testid=wizard-next]").click()
    expect(page.locator("[data-testid=wizard-position]")).to_have_text("گام ۲ از ۵")
    expect(page.locator("[data-testid=wizard-progress]")).to_have_attribute("aria-valuenow", "25")
    page.locator("label[for=score-5]").click()
    page.locator("[data-testid=wizard-next]").click()
    expect(page.locator("[data-testid=wizard-position]")).to_have_text("گام ۳ از ۵")

    # Back: the previous step as its draft was saved.
    page.locator("[data-testid=wizard-back]").click()
    expect(page.locator("[data-testid=wizard-position]")).to_have_text("گام ۲ از ۵")
    expect(page.locator("#score-5")).to_be_checked()
    page.locator("[data-testid=wizard-next]").click()
    page.locator("label[for=score-3]").click()
    page.locator("[data-testid=wizard-next]").click()

    # The risk step names the risk questionnaire.
    expect(page.locator("[data-testid=wizard-position]")).to_have_text("گام ۴ از ۵")
    page.locator("select[name=risk_assessment]").select_option(value=str(risk.pk))
    page.locator("label[for=score-2]").click()
    page.locator("[data-testid=wizard-next]").click()

    # The summary: the scores, their mean and the recommendation, then the decision.
    summary = page.locator("[data-testid=wizard-summary]")
    expect(summary.locator("[data-testid=go-mean]")).to_have_text("۳٫۵۰")
    expect(summary.locator("[data-testid=summary-score-usefulness]")).to_have_text("۵")
    expect(summary.locator("[data-testid=go-recommendation]")).to_be_visible()
    form = summary.locator("[data-testid=go-decision-form]")
    form.locator("input[name=decision][value=go]").check()
    form.locator("textarea[name=reason]").fill("آماده‌ایم؛ با پایش ریسک فناوری.")
    form.locator("[data-testid=wizard-decide]").click()
    expect(page.locator("[data-testid=go-decision]")).to_have_attribute("data-decision", "go")
    expect(page.locator("[data-testid=go-decided]")).to_contain_text("آماده‌ایم")
    record = GoNoGo.objects.get(selection=selection)
    assert (record.decision, record.risk_assessment, record.decided_by) == ("go", risk, users["manager"])
    assert dict(GoScore.objects.filter(evaluation=record).values_list("criterion", "value")) == {
        "goal": 4,
        "usefulness": 5,
        "resources": 3,
        "risk": 2,
    }

    # The same pages in English.
    users["manager"].language = "en"
    users["manager"].save()
    english = signed_in("manager", locale="en-US")
    english.goto(f"/adoption/selections/{selection.pk}/go-no-go/steps/1/")
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    expect(english.locator("[data-testid=wizard-position]")).to_have_text("Step 1 of 5")
    expect(english.locator("[data-testid=wizard-criterion]")).to_have_text("CRM as an organisational goal")
    expect(english.locator("[data-testid=wizard-next]")).to_have_text("Next")
    english.goto(f"/adoption/selections/{selection.pk}/go-no-go/steps/5/")
    expect(english.locator("[data-testid=wizard-summary] h2")).to_have_text("Summary and decision")
    expect(english.locator("[data-testid=go-mean]")).to_have_text("3.50")
