"""The administrator's first-run set-up: each app's steps, done as the administrator does them;
how money and months show, chosen on a page instead of the environment; the home card."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from peyvand.core.models import AuditEvent, Role
from peyvand.core.selectors.setup import setup_state
from peyvand.core.services import invitations, site
from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.core.services.site import site_flag_set, site_setting
from peyvand.sales import conf, periods
from peyvand.sales.money import format_money
from peyvand.sales.services.pipelines import pipeline_ensure_default, pipeline_save
from peyvand.service.models import BusinessCalendar
from peyvand.service.services.settings import CalendarInput, calendar_save

STEPS = ["company", "money", "pipeline", "working-week", "colleagues"]


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def done(key: str) -> bool:
    return next(state.done for state in setup_state().steps if state.step.key == key)


def test_a_fresh_installation_has_every_step_to_do(admin_client, queries):
    assert [state.step.key for state in setup_state().steps] == STEPS
    with queries() as captured:
        page = admin_client.get("/admin/setup/")
    assert page.status_code == 200 and len(captured) <= 15
    html = page.content.decode()
    assert html.count('data-done="0"') == len(STEPS) and 'data-done="1"' not in html
    assert "راه‌اندازی پیوند" in html  # in Persian, the installation's language


def test_each_step_is_done_as_the_administrator_does_it(admin, db):
    company_profile_save(actor=admin, data=CompanyProfileInput(legal_name_fa="شرکت نمونه"))
    assert done("company")

    pipeline = pipeline_ensure_default()
    stages = [
        {"id": s.pk, "name": f"{s.name}!", "probability": s.probability, "outcome": s.outcome}
        for s in pipeline.stages.filter(active=True)
    ]
    assert not done("pipeline")
    pipeline_save(actor=admin, name=pipeline.name, stages=stages, pipeline=pipeline, is_default=True)
    assert done("pipeline")

    calendar = BusinessCalendar.objects.first()
    assert not done("working-week")
    calendar_save(
        actor=admin,
        data=CalendarInput(name=calendar.name, week=dict.fromkeys((5, 6, 0, 1, 2), "08:00-16:00")),
        calendar=calendar,
    )
    assert done("working-week")

    assert not done("colleagues")
    invitations.user_invite(actor=admin, username="neda", email="neda@example.com", role=Role.SALES)
    assert done("colleagues")


def test_money_shows_in_toman_and_months_follow_the_chosen_calendar(admin_client, admin):
    assert not conf.show_toman() and conf.fiscal_calendar() == "jalali"
    response = admin_client.post(
        "/admin/sales/money-and-calendar/", {"unit": "toman", "fiscal_calendar": "gregorian"}
    )
    assert response.status_code == 302
    assert conf.show_toman() and conf.fiscal_calendar() == "gregorian"
    assert format_money(Decimal("53290000"), "IRR") == "۵٬۳۲۹٬۰۰۰ تومان"
    assert periods.month_start(dt.date(2026, 3, 25)) == dt.date(2026, 3, 1)
    assert done("money")
    event = AuditEvent.objects.filter(model="core.companyprofile").latest("pk")
    assert event.actor == admin
    assert event.changes == {"show_toman": [None, "1"], "fiscal_calendar": [None, "gregorian"]}

    # Back to Rial and Jalali: 1 Farvardin starts the month that holds 25 March.
    admin_client.post("/admin/sales/money-and-calendar/", {"unit": "rial", "fiscal_calendar": "jalali"})
    assert format_money(Decimal("53290000"), "IRR") == "۵۳٬۲۹۰٬۰۰۰ ریال"
    assert periods.month_start(dt.date(2026, 3, 25)) == dt.date(2026, 3, 21)


def test_the_choice_wins_over_the_environment(admin_client, monkeypatch):
    monkeypatch.setenv("PEYVAND_SHOW_TOMAN", "1")
    assert conf.show_toman()
    admin_client.post("/admin/sales/money-and-calendar/", {"unit": "rial", "fiscal_calendar": "jalali"})
    assert not conf.show_toman()


def test_a_wrong_choice_is_refused_and_nothing_saved(admin_client):
    response = admin_client.post(
        "/admin/sales/money-and-calendar/", {"unit": "dollars", "fiscal_calendar": "lunar"}
    )
    assert response.status_code == 200 and response.content.decode().count("is-invalid") >= 2
    assert site_setting("show_toman") is None and site_setting("fiscal_calendar") is None


def test_another_process_sees_a_change_within_seconds(db, monkeypatch):
    monkeypatch.setattr(site, "SETTING_SECONDS", 5.0)  # as in production (the suite keeps them)
    clock = [1000.0]
    monkeypatch.setattr(site.time, "monotonic", lambda: clock[0])
    assert site_setting("show_toman") is None
    site_flag_set("setting:show_toman", "1")  # as another web worker's save would
    assert site_setting("show_toman") is None  # still what this process read
    clock[0] += site.SETTING_SECONDS + 0.1
    assert site_setting("show_toman") == "1"


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_only_administrators_set_up(users, role):
    client = Client()
    client.force_login(users[role])
    assert client.get("/admin/setup/").status_code == 403
    assert client.get("/admin/sales/money-and-calendar/").status_code == 403
    refused = client.post("/admin/sales/money-and-calendar/", {"unit": "toman", "fiscal_calendar": "jalali"})
    assert refused.status_code == 403 and site_setting("show_toman") is None
    assert client.post("/admin/setup/card/", {"hide": "1"}).status_code == 403
    assert 'data-testid="home-setup"' not in client.get("/").content.decode()


def test_the_home_card_stays_until_hidden(admin_client):
    assert 'data-testid="home-setup"' in admin_client.get("/").content.decode()
    assert admin_client.post("/admin/setup/card/", {"hide": "1"}).status_code == 302
    assert 'data-testid="home-setup"' not in admin_client.get("/").content.decode()
    assert setup_state().dismissed
    admin_client.post("/admin/setup/card/", {"hide": "0"})
    assert 'data-testid="home-setup"' in admin_client.get("/").content.decode()
