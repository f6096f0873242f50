"""The risk questionnaire and the go/no-go evaluation in a real browser, in Persian and in
English: a colleague answers the risk questionnaire of seed [004]; the manager sees it scored
per group as risk levels, then on the selection's page names it, scores the four criteria (a
score out of range is refused and what was typed stays), sees the recommendation, and records
the decision with why, which the page then shows with who and when."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peyvand.adoption.models import GoNoGo, GoScore, ReadinessModel, Statement
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.services import assessments
from peyvand.adoption.services import selection as selection_services
from peyvand.adoption.services.catalogue import builtin_models_load, risk_groups_load, risk_questionnaire_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "fa": {
        "locale": "fa-IR",
        "dir": "rtl",
        "high": "ریسک بالا",
        "bad": "۹",
        "scores": ("۴", "۴", "۳", "۲"),
        "mean": "۳٫۲۵",
        "why": "ریسک فناوری بالاست؛ پس از ارتقای زیرساخت دوباره بررسی شود.",
    },
    "en": {
        "locale": "en-US",
        "dir": "ltr",
        "high": "High risk",
        "bad": "9",
        "scores": ("4", "4", "3", "2"),
        "mean": "3.25",
        "why": "Technology risk is high; look again once the infrastructure is upgraded.",
    },
}


@pytest.fixture(autouse=True)
def builtin_data(transactional_db):
    builtin_models_load()
    risk_groups_load()
    risk_questionnaire_load()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_risk_questionnaire_then_go_no_go(signed_in, users, page_errors, language):
    text = TEXT[language]
    page_errors.expect_status(422, r"/adoption/selections/\d+/go-no-go/$")
    for name in ("manager", "sales"):
        users[name].language = language
        users[name].save()
    model = ReadinessModel.objects.get(key=RISK_QUESTIONNAIRE_KEY)
    assessment = assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(model=model, title="ریسک استقرار / Deployment risk"),
    )
    assessments.respondent_invite_user(actor=users["manager"], assessment=assessment, user=users["sales"])
    selection = selection_services.selection_create(
        actor=users["manager"], data=selection_services.SelectionInput(name="انتخاب CRM / CRM selection")
    )

    # The colleague answers: technology weak, everything else strong.
    colleague = signed_in("sales", locale=text["locale"])
    colleague.goto("/adoption/questionnaires/")
    expect(colleague.locator("html")).to_have_attribute("dir", text["dir"])
    colleague.locator("[data-testid=my-questionnaires] a", has_text=assessment.title).click()
    for statement in Statement.objects.filter(factor__model=model).select_related("factor"):
        weak = statement.factor.key == "technology"
        rating = (5 if statement.reverse else 1) if weak else (1 if statement.reverse else 5)
        colleague.locator(f"label[for=s{statement.pk}-{rating}]").click()
    colleague.locator("[data-testid=submit-answers]").click()
    expect(colleague.locator(".alert-success")).to_be_visible()

    # The manager sees the questionnaire scored per group.
    manager = signed_in("manager", locale=text["locale"])
    manager.goto(f"/adoption/{assessment.pk}/results/")
    # The level's badge (its wording comes from the catalogue: the colour is checked here).
    expect(manager.locator("[data-testid=risk-level-technology]")).to_have_class(re.compile("text-bg-danger"))
    expect(manager.locator("[data-testid=risk-level-organisational]")).to_have_class(
        re.compile("text-bg-success")
    )

    # The go/no-go evaluation on the selection's page.
    manager.goto(f"/adoption/selections/{selection.pk}/")
    box = manager.locator("[data-testid=go-no-go]")
    box.locator("select[name=risk_assessment]").select_option(value=str(assessment.pk))
    box.locator("[data-testid=go-score-goal]").fill(text["bad"])
    box.locator("[data-testid=go-form] button[type=submit]").click()
    expect(manager.locator("[data-testid=go-no-go] .invalid-feedback")).to_be_visible()
    expect(manager.locator("[data-testid=go-score-goal]")).to_have_value(text["bad"])
    assert not GoScore.objects.exists()
    box = manager.locator("[data-testid=go-no-go]")
    for criterion, value in zip(("goal", "usefulness", "resources", "risk"), text["scores"], strict=True):
        box.locator(f"[data-testid=go-score-{criterion}]").fill(value)
    box.locator("input[name=note-risk]").fill("<b>" + text["high"] + "</b>")
    box.locator("[data-testid=go-form] button[type=submit]").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    box = manager.locator("[data-testid=go-no-go]")
    expect(box.locator("[data-testid=go-mean]")).to_have_text(text["mean"])
    expect(box.locator("[data-testid=go-recommendation]")).to_be_visible()
    expect(box.locator("[data-testid=go-suggested]")).to_be_visible()
    expect(box.locator("[data-testid=risk-level-technology]")).to_have_class(re.compile("text-bg-danger"))
    expect(box.locator("input[name=note-risk]")).to_have_value("<b>" + text["high"] + "</b>")

    decision = box.locator("[data-testid=go-decision-form]")
    decision.locator("input[name=decision][value=no_go]").check()
    decision.locator("textarea[name=reason]").fill(text["why"])
    decision.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=go-decision]")).to_have_attribute("data-decision", "no_go")
    expect(manager.locator("[data-testid=go-decided]")).to_contain_text(text["why"])
    record = GoNoGo.objects.get(selection=selection)
    assert (record.decision, record.decided_by, record.reason) == ("no_go", users["manager"], text["why"])
    assert record.risk_assessment == assessment
    assert dict(GoScore.objects.filter(evaluation=record).values_list("criterion", "value")) == {
        "goal": 4,
        "usefulness": 4,
        "resources": 3,
        "risk": 2,
    }
