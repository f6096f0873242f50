"""Sales in a real browser: the kanban's drag and drop in Persian (RTL) and English, and the
money flow from a deal's lines to a paid invoice, with Jalali dates and Persian digits."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from peyvand.sales.models import Deal, Invoice, Order, Outcome
from peyvand.sales.services import catalogue, deals, pipelines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(users, make_org):
    pipeline = pipelines.pipeline_ensure_default()
    keys = ("new", "qualified", "proposal", "negotiation", "won", "lost")
    stages = dict(zip(keys, pipeline.stages.order_by("order"), strict=True))
    made = [
        deals.deal_create(
            actor=users["admin"],
            data={"title": title, "party": make_org(name=name), "owner": users["sales"], "amount": amount},
        )
        for title, name, amount in (
            ("قرارداد پشتیبانی", "شرکت آلفا", "5000000"),
            ("Licence renewal", "Beta Ltd", "900"),
        )
    ]
    return stages, made


def _drag(page: Page, deal: Deal, stage_id: int) -> None:
    card = page.locator(f"[data-testid=deal-{deal.pk}]")
    target = page.locator(f"[data-testid=stage-{stage_id}] [data-dropzone]")
    with page.expect_response(re.compile(rf"/api/v1/deals/{deal.pk}/move$")) as response:
        card.drag_to(target)
    assert response.value.status == 200, response.value.text()
    expect(target.locator(f"[data-testid=deal-{deal.pk}]")).to_be_visible()


def test_kanban_in_persian_is_right_to_left_and_drags(signed_in, board):
    stages, (first, _second) = board
    page = signed_in("sales", locale="fa-IR")
    page.goto("/sales/deals/board/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    new = page.locator(f"[data-testid=stage-{stages['new'].pk}]").bounding_box()
    qualified = page.locator(f"[data-testid=stage-{stages['qualified'].pk}]").bounding_box()
    assert new and qualified and new["x"] > qualified["x"], "the first stage should be on the right"
    expect(page.locator(f"[data-testid=deal-{first.pk}]")).to_contain_text("۵٬۰۰۰٬۰۰۰")

    new_total = page.locator(f"[data-testid=stage-{stages['new'].pk}] [data-total]")
    expect(new_total).to_contain_text("۵٬۰۰۰٬۹۰۰")  # both deals, in Rial, in the base currency
    _drag(page, first, stages["proposal"].pk)
    first.refresh_from_db()
    assert first.stage == stages["proposal"]
    expect(page.locator(f"[data-testid=stage-{stages['proposal'].pk}] [data-count]")).to_have_text("۱")
    # The totals follow the move, as the server computes them.
    expect(page.locator(f"[data-testid=stage-{stages['proposal'].pk}] [data-total]")).to_contain_text(
        "۵٬۰۰۰٬۰۰۰"
    )
    expect(new_total).to_contain_text("۹۰۰")
    expect(new_total).not_to_contain_text("۵٬۰۰۰")
    page.reload()
    expect(
        page.locator(f"[data-testid=stage-{stages['proposal'].pk}] [data-testid=deal-{first.pk}]")
    ).to_be_visible()
    page.locator(f"[data-testid=deal-{first.pk}] a").click()
    expect(page.locator("[data-testid=stage-history]")).to_contain_text(stages["proposal"].name)


def test_kanban_in_english_asks_why_a_deal_was_lost(signed_in, board):
    stages, (_first, second) = board
    page = signed_in("sales", locale="en-US")
    page.goto("/sales/deals/board/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    new = page.locator(f"[data-testid=stage-{stages['new'].pk}]").bounding_box()
    qualified = page.locator(f"[data-testid=stage-{stages['qualified'].pk}]").bounding_box()
    assert new and qualified and new["x"] < qualified["x"]

    # Cancelled: no reason given, so the card goes back and nothing changes.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.locator(f"[data-testid=deal-{second.pk}]").drag_to(
        page.locator(f"[data-testid=stage-{stages['lost'].pk}] [data-dropzone]")
    )
    page.wait_for_timeout(300)  # the dialog's event reaches Python after the drop
    assert dialogs == ["Why was the deal lost?"]
    expect(
        page.locator(f"[data-testid=stage-{stages['new'].pk}] [data-testid=deal-{second.pk}]")
    ).to_be_visible()
    second.refresh_from_db()
    assert second.status == Outcome.OPEN

    page.once("dialog", lambda dialog: dialog.accept("Chose a competitor"))
    _drag(page, second, stages["lost"].pk)
    second.refresh_from_db()
    assert second.status == Outcome.LOST and second.lost_reason == "Chose a competitor"


def test_from_lines_to_a_paid_invoice_in_persian(signed_in, users, make_org):
    pipelines.pipeline_ensure_default()
    price_list = catalogue.price_list_create(actor=users["admin"], name="عمومی", currency="IRR")
    catalogue.product_create(
        actor=users["admin"],
        data={"sku": "CRM-1", "name_fa": "مجوز نرم‌افزار", "tax_rate": "10"},
        prices={price_list: "1000000"},
    )
    party = make_org(name="شرکت گاما", contacts=[{"kind": "email", "value": "info@gamma.example"}])
    page = signed_in("sales", locale="fa-IR")

    page.goto(f"/sales/deals/new/?party={party.pk}")
    close = page.locator("input[name=expected_close]")
    close.fill("۱۴۰۵/۱۲/۲۰")  # a Jalali date in Persian digits
    page.keyboard.press("Escape")
    page.locator("[data-testid=deal-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sales/deals/\d+/$"))
    deal = Deal.objects.get()
    assert deal.expected_close.isoformat() == "2027-03-11"

    form = page.locator("[data-testid=line-form]")
    form.locator("select[name=product]").select_option(label="مجوز نرم‌افزار · CRM-1")
    form.locator("input[name=quantity]").fill("۴")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=deal-amount]")).to_contain_text("۴٬۴۰۰٬۰۰۰")

    page.locator("[data-testid=make-quote]").click()
    expect(page).to_have_url(re.compile(r"/sales/quotes/\d+/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=accept]").click()
    expect(page).to_have_url(re.compile(r"/sales/orders/\d+/$"))
    order = Order.objects.get()
    line = order.lines.get()
    page.locator(f"input[name=quantity_{line.pk}]").fill("۱")
    page.locator("[data-testid=invoice-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sales/invoices/\d+/$"))
    expect(page.locator("[data-testid=due]")).to_contain_text("۱٬۱۰۰٬۰۰۰")

    payment = page.locator("[data-testid=payment-form]")
    payment.locator("input[name=amount]").fill("۲٬۰۰۰٬۰۰۰")  # more than is due
    payment.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=payment-form] .invalid-feedback")).to_be_visible()
    assert Invoice.objects.get().paid == 0
    page.locator("[data-testid=payment-form] input[name=amount]").fill("۶۰۰۰۰۰")
    page.locator("[data-testid=payment-form] button[type=submit]").click()
    expect(page.locator("[data-testid=due]")).to_contain_text("۵۰۰٬۰۰۰")
    assert Invoice.objects.get().paid == Decimal("600000")

    page.goto(f"/customers/{party.pk}/")
    expect(page.locator("[data-testid=balance]")).to_contain_text("۵۰۰٬۰۰۰")


def test_a_deal_one_may_not_change_cannot_be_dragged(signed_in, users, make_org, board):
    stages, (first, _second) = board
    theirs = deals.deal_create(
        actor=users["admin"],
        data={"title": "قرارداد همکار", "party": make_org(name="شرکت دلتا"), "owner": users["sales2"]},
    )
    page = signed_in("sales", locale="fa-IR")
    page.goto("/sales/deals/board/")
    card = page.locator(f"[data-testid=deal-{theirs.pk}]")
    expect(card).to_have_attribute("draggable", "false")
    expect(card).to_have_attribute("title", "شما اجازه‌ی جابه‌جایی این فرصت فروش را ندارید.")
    expect(page.locator(f"[data-testid=deal-{first.pk}]")).to_have_attribute("draggable", "true")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    card.drag_to(page.locator(f"[data-testid=stage-{stages['proposal'].pk}] [data-dropzone]"))
    page.wait_for_timeout(300)
    assert dialogs == []  # no request was made, so no refusal to show
    expect(
        page.locator(f"[data-testid=stage-{stages['new'].pk}] [data-testid=deal-{theirs.pk}]")
    ).to_be_visible()
    theirs.refresh_from_db()
    assert theirs.stage == stages["new"]


def test_the_forecast_by_team_in_english(signed_in, users, make_org, team_a):
    from peyvand.sales.models import SalesTarget
    from peyvand.sales.periods import input_month, month_start

    pipeline = pipelines.pipeline_ensure_default()
    proposal = pipeline.stages.order_by("order")[2]
    deal = deals.deal_create(
        actor=users["admin"],
        data={
            "title": "Pilot",
            "party": make_org(name="Gamma Ltd"),
            "owner": users["sales"],
            "amount": "2000000",
        },
    )
    deals.deal_move_stage(deal=deal, stage=proposal, actor=users["admin"])
    month = month_start(deal.expected_close)
    page = signed_in("manager", locale="en-US")
    page.goto(f"/sales/forecast/?start={input_month(month, 'en')}")
    form = page.locator("[data-testid=target-form]")
    form.locator("input[name=month]").fill(input_month(month, "en"))
    expect(form.locator("select[name=team]")).to_have_value(str(team_a.pk))
    form.locator("input[name=amount]").fill("4000000")
    form.locator("button[type=submit]").click()
    teams = page.locator("[data-testid=forecast-teams]")
    expect(teams).to_contain_text("Team A")
    expect(teams).to_contain_text("1,000,000")  # half of 2,000,000, weighted by the stage
    expect(teams).to_contain_text("4,000,000")
    page.locator("[data-testid=forecast-filters] select[name=owner]").select_option(str(users["sales2"].pk))
    page.locator("[data-testid=forecast-filters] button[type=submit]").click()
    expect(page.locator("[data-testid=forecast-owners]")).not_to_contain_text("1,000,000")
    assert SalesTarget.objects.get().team == team_a
