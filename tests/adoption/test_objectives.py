"""Objectives measured on live figures: the baseline and today's figure from the company's
own records, where each stands for the time gone, the worker's daily measure, the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.adoption.metrics import METRICS, Scope
from peyvand.adoption.models import Measure, Objective
from peyvand.adoption.selectors.objectives import standing
from peyvand.adoption.services import objectives as services
from peyvand.sales.models import Lead
from peyvand.sales.services.leads import lead_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _leads(users, count: int, on: dt.date) -> None:
    for n in range(count):
        data = {"first_name": f"سرنخ{n}", "last_name": "آزمایشی", "email": f"lead{on:%j}-{n}@example.com"}
        lead = lead_create(actor=users["sales"], data=data)
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
        Lead.all_objects.filter(pk=lead.pk).update(created_at=moment)


def _objective(users, **data) -> Objective:
    fields = {
        "title": "۲۰ سرنخ بیشتر در این فصل",
        "metric": "new_leads",
        "baseline_start": TODAY - dt.timedelta(days=100),
        "baseline_end": TODAY - dt.timedelta(days=11),
        "starts_on": TODAY - dt.timedelta(days=10),
        "due_on": TODAY + dt.timedelta(days=10),
        "target": "۲۰",
        **data,
    }
    return services.objective_save(actor=users["manager"], data=services.ObjectiveInput(**fields))


def test_an_objective_is_measured_on_the_companys_own_leads(users):
    _leads(users, 3, TODAY - dt.timedelta(days=50))  # the baseline period
    _leads(users, 9, TODAY - dt.timedelta(days=2))  # since the start
    objective = _objective(users)
    assert (objective.baseline_value, objective.current_value, objective.target) == (3, 9, Decimal(20))
    now = standing(objective)
    # Half the time gone, 45% of the target made: within the slack, on track.
    assert (round(now.expected, 2), now.percent, now.state) == (0.5, 45, "on_track")
    assert Measure.objects.get(objective=objective).value == 9


def test_behind_for_the_time_gone_is_off_track_and_past_the_deadline_missed(users):
    _leads(users, 2, TODAY - dt.timedelta(days=2))
    objective = _objective(users)
    assert standing(objective).state == "off_track"
    assert standing(objective, today=TODAY + dt.timedelta(days=11)).state == "missed"
    _leads(users, 18, TODAY)
    services.objective_measure(objective)
    assert standing(objective).state == "achieved"


def test_a_level_is_judged_against_its_baseline_and_fewer_complaints_are_better(users):
    objective = _objective(users, metric="retention", target="80")
    objective.baseline_value, objective.current_value = 60.0, 70.0
    assert (standing(objective).percent, standing(objective).state) == (50, "on_track")
    objective.current_value = 62.0
    assert standing(objective).state == "off_track"
    complaints = _objective(users, metric="complaints", target="10")
    complaints.current_value = 4.0  # 40% of the allowance with half the time gone
    assert standing(complaints).state == "on_track"
    complaints.current_value = 9.0
    assert standing(complaints).state == "off_track"
    complaints.current_value = 11.0
    assert standing(complaints).state == "missed"


@pytest.mark.parametrize("key", sorted(METRICS))
def test_every_metric_computes_on_an_empty_company_and_for_a_team(users, key):
    for team in (None, users["sales"].team_id):
        value = METRICS[key].value(TODAY - dt.timedelta(days=30), TODAY, Scope(team=team))
        assert value is None or value == 0


def test_the_worker_measures_each_running_objective_once_a_day(users):
    objective = _objective(users)
    finished = _objective(
        users, starts_on=TODAY - dt.timedelta(days=90), due_on=TODAY - dt.timedelta(days=30)
    )
    _leads(users, 4, TODAY)
    assert services.objectives_measure_all() == 1
    assert services.objectives_measure_all() == 1  # again the same day: one row, updated
    assert Measure.objects.filter(objective=objective).count() == 1
    assert Measure.objects.get(objective=objective).value == 4
    finished.refresh_from_db()
    assert finished.current_value == 0  # measured when saved, left alone since


def test_bad_input_is_refused_with_reasons(users):
    with pytest.raises(ValidationError) as error:
        _objective(users, title=" ", metric="magic", target="بسیار", due_on=TODAY - dt.timedelta(days=30))
    assert set(error.value.message_dict) == {"title", "metric", "target", "due_on"}
    assert not Objective.objects.exists()


def test_only_the_project_team_writes_objectives(users):
    with pytest.raises(PermissionDenied):
        services.objective_save(
            actor=users["sales"],
            data=services.ObjectiveInput(
                title="x", metric="new_leads", baseline_start=TODAY, baseline_end=TODAY, starts_on=TODAY,
                due_on=TODAY, target="1",
            ),
        )  # fmt: skip


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_pages_show_where_each_objective_stands_with_its_trend(users, client_as, language):
    _leads(users, 2, TODAY - dt.timedelta(days=1))
    objective = _objective(users)
    client = client_as("manager")
    client.cookies["django_language"] = language
    users["manager"].language = language
    users["manager"].save()
    listed = client.get("/adoption/objectives/").content.decode()
    assert f'data-testid="objective-{objective.pk}"' in listed
    page = client.get(f"/adoption/objectives/{objective.pk}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="chart-trend"' in content and 'data-testid="off-track"' in content
    assert client.get("/adoption/objectives/new/").status_code == 200
    response = client.post(
        "/adoption/objectives/new/",
        {
            "title": "شکایت کمتر",
            "metric": "complaints",
            "baseline_start": "2026-01-01",
            "baseline_end": "2026-03-31",
            "starts_on": TODAY.isoformat(),
            "due_on": (TODAY + dt.timedelta(days=90)).isoformat(),
            "target": "۵",
        },
    )
    assert response.status_code == 302
    assert client_as("sales").get("/adoption/objectives/").status_code == 403
    assert client_as("sales").get(f"/adoption/objectives/{objective.pk}/").status_code == 404
