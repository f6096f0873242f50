"""The dashboard and the customer card in Persian and English, through the permission
policy: each role's view, a salesperson's figures only of the customers they may see, each
table as CSV, starting a run, and a number of queries that does not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from peyvand.analytics.models import Run, RunStatus
from peyvand.analytics.selectors import dashboard as selectors
from peyvand.customers.models import CustomerInsight, RfmCell

from .conftest import TODAY

pytestmark = pytest.mark.django_db

URL = reverse("analytics:dashboard")
JALALI_MONTH = re.compile(r"(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) ۱۴۰[۳۴]")


@pytest.fixture
def shop(make_person, buy, analyse, users):
    """Three customers of the salesperson (one a champion), two of another team's, one run."""
    mine = [make_person(first_name=f"خودی {i}") for i in range(3)]
    theirs = [make_person(first_name=f"دیگری {i}", owner="outsider") for i in range(2)]
    for weeks in range(0, 40, 4):
        buy(mine[0], TODAY - dt.timedelta(weeks=weeks, days=1), 2_000_000)
    for i, party in enumerate([*mine[1:], *theirs]):
        buy(party, TODAY - dt.timedelta(days=200 + 30 * i), 500_000)
        buy(party, TODAY - dt.timedelta(days=120 + 7 * i), 600_000 + 50_000 * i)
        buy(party, TODAY - dt.timedelta(days=20 + 10 * i), 700_000)
    run = analyse(actor=users["manager"])
    assert run.status == RunStatus.DONE, run.error
    return {"mine": mine, "theirs": theirs, "run": run}


def cells_total(chart):
    return sum(chart.series[0].values)


def test_the_dashboard_in_persian(as_user, shop):
    with translation.override("fa"):
        response = as_user("admin").get(URL, HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("revenue", "cells", "moves", "history", "clv", "alive", "cohorts", "holdout"):
        assert f'id="chart-{key}"' in page, key
    assert JALALI_MONTH.search(page)
    with translation.override("fa"):
        assert str(RfmCell.CHAMPIONS.label) in page  # the cell's name, in Persian
    assert 'data-testid="figure-customers">۵<' in page
    assert 'data-testid="clv-parameters"' in page


def test_the_dashboard_in_english(as_user, shop, users):
    users["admin"].language = "en"
    users["admin"].save()
    response = as_user("admin").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2025", page)
    assert "Champions" in page and 'data-testid="figure-customers">5<' in page
    assert re.search(r"r = [0-9]+\.[0-9]{3}", page)  # the model's parameters, in Latin digits


def test_a_salesperson_sees_only_the_figures_of_their_customers(shop, users):
    with translation.override("en"):
        mine = selectors.dashboard(user=users["outsider"], today=TODAY)
        everyone = selectors.dashboard(user=users["admin"], today=TODAY)
    assert cells_total(mine.charts["cells"]) == 2
    assert cells_total(everyone.charts["cells"]) == 5
    assert {i.party_id for i in mine.top} == {p.pk for p in shop["theirs"]}
    assert mine.holdout is None and not mine.may_run  # the model's diagnostics are the managers'
    revenue = sum(mine.charts["revenue"].series[0].values)
    assert 0 < revenue < sum(everyone.charts["revenue"].series[0].values)


@pytest.mark.parametrize(
    ("role", "status"),
    [("support", 403), ("readonly", 403), ("sales", 200), ("marketing", 200), ("manager", 200)],
)
def test_who_opens_the_dashboard(as_user, shop, role, status):
    assert as_user(role).get(URL).status_code == status


def test_each_table_downloads_as_csv(as_user, shop):
    response = as_user("manager").get(URL, {"export": "cells"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 8
    assert sum(int(r[1]) for r in rows[1:]) == 3  # the manager's team: the salesperson's three
    assert as_user("manager").get(URL, {"export": "nothing"}).status_code == 404
    assert as_user("sales").get(URL, {"export": "holdout"}).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(as_user, shop, queries, make_person, buy, analyse):
    client = as_user("manager")
    client.get(URL)
    with queries() as few:
        assert client.get(URL).status_code == 200
    for i in range(6):
        party = make_person(first_name=f"تازه {i}")
        buy(party, TODAY - dt.timedelta(days=i + 1), 100_000)
        buy(party, TODAY - dt.timedelta(days=i + 90), 100_000)
    analyse()
    with queries() as more:
        assert client.get(URL).status_code == 200
    # About one query a chart (eleven of them and the two models' checks), whatever the data.
    assert len(more) == len(few) <= 24


def test_a_manager_starts_a_run_and_a_fit(
    as_user, users, make_person, buy, django_capture_on_commit_callbacks
):
    client = as_user("manager")
    data = {
        "refresh": "full",
        "window_days": "180",
        "fit": "on",
        "calibration_end": "",
        "horizon_months": "6",
        "monthly_discount": "1.5",
        "margin": "40",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:run_start"), data)
    assert response.status_code == 302
    run = Run.objects.get()
    assert (run.window_days, run.refresh, run.created_by) == (180, "full", users["manager"])
    assert (run.fit.horizon_months, run.fit.monthly_discount, run.fit.margin) == (6, 0.015, 0.4)
    progress = client.get(reverse("analytics:run_progress", args=[run.pk]))
    assert progress.status_code == 200 and b'data-status="done"' in progress.content


def test_bad_settings_are_shown_on_the_form(as_user):
    data = {
        "refresh": "sometimes",
        "window_days": "0",
        "fit": "on",
        "horizon_months": "500",
        "monthly_discount": "-1",
        "margin": "0",
    }
    response = as_user("manager").post(reverse("analytics:run_start"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"refresh", "window_days", "horizon_months", "monthly_discount", "margin"}
    assert not Run.objects.exists()


def test_a_salesperson_cannot_start_a_run(as_user):
    assert as_user("sales").post(reverse("analytics:run_start"), {"refresh": "full"}).status_code == 403
    assert not Run.objects.exists()


def test_the_menu_shows_the_dashboard_to_those_who_may_open_it(as_user, shop):
    assert b'href="/analytics/"' in as_user("manager").get(reverse("home")).content
    assert b'href="/analytics/"' not in as_user("support").get(reverse("home")).content


def test_the_customer_card_in_persian_and_english(as_user, shop, users):
    champion = shop["mine"][0]
    insight = CustomerInsight.objects.get(party=champion)
    url = reverse("party_detail", args=[champion.pk])
    page = as_user("sales").get(url, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'data-testid="analytics-panel"' in page
    assert insight.get_rfm_cell_display() in page or "قهرمانان" in page
    assert 'data-testid="insight-clv"' in page and "٪" in page
    users["sales"].language = "en"
    users["sales"].save()
    page = as_user("sales").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Customer value" in page and "Predicted lifetime value" in page and "%" in page
    # Support may see the customer but not the analytics: no card.
    assert 'data-testid="analytics-panel"' not in as_user("support").get(url).content.decode()


def test_the_card_before_any_run(as_user, make_person):
    party = make_person()
    page = (
        as_user("manager")
        .get(reverse("party_detail", args=[party.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Not analysed yet" in page
