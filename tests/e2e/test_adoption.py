"""A readiness assessment in a real browser, in Persian: a manager opens one of the Iranian
9-factor model, two colleagues answer it, and the results show the radar chart with its table
and the weak factors; then a short look in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from peyvand.adoption.models import Assessment, ReadinessModel, Respondent, Statement
from peyvand.adoption.services.catalogue import builtin_models_load, risk_groups_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def builtin_data(transactional_db):
    """The readiness models and risk groups the migrations load: a browser test's database is
    emptied between tests (another may have run first on this worker), so load them again, as
    the migration does (it adds only what is missing)."""
    builtin_models_load()
    risk_groups_load()


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


def test_a_manager_writes_a_business_case_and_follows_the_roadmap(signed_in):
    manager = signed_in("manager", locale="fa-IR")
    manager.goto("/adoption/business-cases/")
    expect(manager.locator("html")).to_have_attribute("dir", "rtl")
    manager.locator("[data-testid=new-case]").click()
    form = manager.locator("[data-testid=case-form]")
    form.locator("input[name=title]").fill("طرح توجیهی پیوند")
    form.locator("input[name=horizon_years]").fill("۳")
    form.locator("input[name=discount_rate]").fill("۱۰")
    form.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=case-title]")).to_have_text("طرح توجیهی پیوند")

    lines = manager.locator("[data-testid=line-form]")
    lines.locator("select[name=kind]").select_option("benefit")
    lines.locator("select[name=category]").select_option("retention")
    lines.locator("input[name=amount]").fill("۵٬۰۰۰٬۰۰۰")
    lines.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=line-table] tbody tr")).to_have_count(1)
    lines.locator("select[name=kind]").select_option("cost")
    lines.locator("select[name=category]").select_option("licences")
    lines.locator("input[name=amount]").fill("10000000")
    lines.locator("input[name=one_off]").check()
    lines.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=line-table] tbody tr")).to_have_count(2)

    # 5,000,000 a year for three years at 10% is worth 12,434,260 now, less 10,000,000.
    expect(manager.locator("[data-testid=npv]")).to_contain_text("۲٬۴۳۴٬۲۶۰")
    expect(manager.locator("[data-testid=payback]")).to_have_text("۲٫۰")
    tornado = manager.locator("#chart-tornado [data-chart]")
    expect(tornado).to_have_attribute("data-chart-drawn", "1")
    expect(tornado.locator("svg").first).to_be_attached()
    expect(manager.locator("[data-testid=tornado-table] tbody tr")).to_have_count(2)

    # An assumption, a line it drives (2 a year × 1,000,000), then the assumption doubled.
    assumption = manager.locator("[data-testid=assumption-form]")
    assumption.locator("input[name=label]").fill("فروش تازه در سال")
    assumption.locator("input[name=value]").fill("۲")
    assumption.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=assumption-table] tbody tr")).to_have_count(1)
    lines.locator("select[name=kind]").select_option("benefit")
    lines.locator("select[name=category]").select_option("conversion")
    lines.locator("select[name=assumption]").select_option(label="فروش تازه در سال")
    lines.locator("input[name=per_unit]").fill("۱٬۰۰۰٬۰۰۰")
    lines.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=driven]")).to_have_text("فروش تازه در سال (۲) × ۱٬۰۰۰٬۰۰۰")
    expect(manager.locator("[data-testid=npv]")).to_contain_text("۷٬۴۰۷٬۹۶۴")
    expect(manager.locator("[data-testid=tornado-table] tbody tr")).to_have_count(3)
    expect(manager.locator("[data-testid=tornado-table]")).to_contain_text("فرض: فروش تازه در سال")
    manager.locator("[data-testid=assumption-table] tbody tr a").click()
    edit = manager.locator("[data-testid=assumption-edit-form]")
    edit.locator("input[name=value]").fill("۴")
    edit.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=npv]")).to_contain_text("۱۲٬۳۸۱٬۶۶۸")
    expect(manager.locator("#chart-cash [data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(manager.locator("[data-testid=cash-table] tbody tr")).to_have_count(4)
    case_page = manager.url

    english = signed_in("admin", locale="en-US")
    english.goto(case_page)
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    expect(english.locator("[data-testid=npv]")).to_contain_text("12,381,668")
    expect(english.locator("#chart-tornado [data-chart]")).to_have_attribute("data-chart-drawn", "1")
    expect(english.locator("[data-testid=tornado-table] tbody tr").first.locator("th")).to_have_text(
        "More revenue from retention"
    )

    manager.goto("/adoption/roadmaps/")
    roadmap = manager.locator("[data-testid=roadmap-form]")
    roadmap.locator("input[name=title]").fill("نقشهٔ راه پیوند")
    roadmap.locator("input[name=starts_on]").fill("1404/09/16")
    close_date_picker(manager)
    roadmap.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=roadmap-title]")).to_have_text("نقشهٔ راه پیوند")
    expect(manager.locator("[data-testid=gantt] .gantt-row")).to_have_count(25)
    expect(manager.locator("[data-testid=item-table] tbody tr").first).to_contain_text("۱۴۰۴/۰۹/۱۶")
    manager.locator("[data-testid=item-table] tbody tr").first.locator("a").click()
    manager.locator("[data-testid=item-form] select[name=status]").select_option("done")
    manager.locator("[data-testid=item-form] button[type=submit]").click()
    expect(manager.locator("[data-testid=overall-progress]")).to_have_text("۴٪")
    expect(manager.locator("[data-testid=phase-strategy]")).to_contain_text("۱")


def test_a_manager_sets_an_objective_measured_on_live_leads(signed_in, users):
    """In Persian with the Jalali picker, then read in English: the objective is measured at
    once on the company's leads, and its page draws the trend with its table."""
    from django.utils import timezone

    from peyvand.core import jalali
    from peyvand.sales.services.leads import lead_create

    for n in range(3):
        lead_create(actor=users["sales"], data={"first_name": f"سرنخ{n}", "email": f"l{n}@example.com"})
    # Team B's lead is outside the objective's scope (team A).
    lead_create(actor=users["outsider"], data={"first_name": "بیرونی", "email": "out@example.com"})
    today = timezone.localdate()
    manager = signed_in("manager")
    manager.goto("/adoption/objectives/")
    manager.locator("[data-testid=new-objective]").click()
    form = manager.locator("[data-testid=objective-form]")
    form.locator("input[name=title]").fill("۲۰ سرنخ تازه")
    form.locator("select[name=metric]").select_option("new_leads")
    for name, day in (
        ("baseline_start", today.replace(day=1) - dt.timedelta(days=60)),
        ("baseline_end", today.replace(day=1) - dt.timedelta(days=1)),
        ("starts_on", today.replace(day=1)),
        ("due_on", today.replace(day=1) + dt.timedelta(days=90)),
    ):
        form.locator(f"input[name={name}]").fill(jalali.input_date(day, "fa"))
        close_date_picker(manager)
    form.locator("input[name=target]").fill("۲۰")
    form.locator("select[name=team]").select_option(label="Team A")
    form.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=objective-now]")).to_contain_text("۳")
    expect(manager.locator("#chart-trend [data-chart]")).to_have_attribute("data-chart-drawn", "1")

    english = signed_in("manager", locale="en-US")
    english.goto("/adoption/objectives/")
    row = english.locator("[data-testid=objective-table] tbody tr").first
    expect(row).to_contain_text("New leads")
    expect(row.locator("[data-testid=objective-state]")).to_be_visible()


def test_an_administrator_writes_a_readiness_model_in_the_editor(signed_in):
    """The editor's rows added in the page: a statement to the first factor, a second factor."""
    admin = signed_in("admin", locale="fa-IR")
    admin.goto("/adoption/models/")
    admin.locator("[data-testid=new-model]").click()
    editor = admin.locator("[data-testid=model-editor]")
    editor.locator("input[name=key]").fill("our-own")
    editor.locator("input[name=name_fa]").fill("مدل ما")
    editor.locator("input[name=name_en]").fill("Our model")
    first = editor.locator("[data-testid=editor-factor]").first
    first.locator("input[name$=-key]").fill("people")
    first.locator("input[name$=-name_fa]").fill("افراد")
    first.locator("input[name$=-name_en]").fill("People")
    first.locator("[data-add-statement]").click()
    statements = first.locator("[data-testid=editor-statement]")
    expect(statements).to_have_count(4)
    statements.nth(0).locator("textarea[name$=-fa]").fill("کارکنان آماده‌اند.")
    statements.nth(0).locator("textarea[name$=-en]").fill("Staff are ready.")
    statements.nth(3).locator("textarea[name$=-fa]").fill("کارکنان نگران‌اند.")
    statements.nth(3).locator("textarea[name$=-en]").fill("Staff are worried.")
    statements.nth(3).locator("input[name$=-weight]").fill("۲")
    statements.nth(3).locator("input[name$=-reverse]").check()
    editor.locator("[data-add-factor]").click()
    second = editor.locator("[data-testid=editor-factor]").nth(1)
    second.locator("input[name$=-key]").fill("tools")
    second.locator("input[name$=-name_fa]").fill("ابزار")
    second.locator("input[name$=-name_en]").fill("Tools")
    second.locator("[data-testid=editor-statement] textarea[name$=-fa]").fill("ابزار داریم.")
    second.locator("[data-testid=editor-statement] textarea[name$=-en]").fill("We have tools.")
    editor.locator("[data-testid=save-model]").click()

    expect(admin.locator("h1")).to_have_text("مدل ما")
    expect(admin.locator("[data-testid=factor]")).to_have_count(2)
    expect(admin.locator("[data-testid=factor]").first.locator("tbody tr")).to_have_count(2)
    expect(admin.locator("[data-testid=factor]").first).to_contain_text("کارکنان نگران‌اند.")
    expect(admin.locator("[data-testid=edit-model]")).to_be_visible()
