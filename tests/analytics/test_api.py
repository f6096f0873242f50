"""The API: the current lifetime-value model, starting a fit, a run's progress and one
customer's insight; who may do which."""

from __future__ import annotations

import datetime as dt

import pytest

from peyvand.analytics.models import Run

from .conftest import TODAY
from .test_runs import simulated_shop

pytestmark = pytest.mark.django_db


def test_the_model_before_and_after_a_fit(api_as, users, django_capture_on_commit_callbacks):
    api = api_as("manager")
    assert api.get("/analytics/clv/model").status_code == 404
    simulated_shop([users["sales"]], customers=150, seed=3)
    end = (dt.date.today() - dt.timedelta(weeks=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            "/analytics/clv/fit",
            {"calibration_end": end, "horizon_months": 24, "discount_rate": 0.01, "margin": 0.25},
        )
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["status"] == "queued" and body["steps"] == 8
    run = api.get(f"/analytics/runs/{body['id']}").json()
    assert run["status"] == "done" and run["percent"] == 100
    model = api.get("/analytics/clv/model").json()
    assert model["run_id"] == body["id"] and model["calibration_end"] == end
    assert (model["horizon_months"], model["monthly_discount"], model["margin"]) == (24, 0.01, 0.25)
    assert model["customers"] > 0 and model["bgnbd_log_likelihood"] < 0
    assert {"r", "alpha", "a", "b", "p", "q", "gamma"} <= set(model)
    assert sum(group["customers"] for group in model["holdout"]) == model["customers"]


def test_bad_fit_settings_are_field_errors(api_as):
    api = api_as("manager")
    response = api.post(
        "/analytics/clv/fit", {"horizon_months": 0, "discount_rate": 2, "margin": 0, "extra": 1}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["error"]["fields"]}
    assert {"horizon_months", "discount_rate", "margin", "extra"} <= fields
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = api.post("/analytics/clv/fit", {"calibration_end": tomorrow})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["error"]["fields"]] == ["calibration_end"]
    assert not Run.objects.exists()


@pytest.mark.parametrize("role", ["sales", "support", "readonly"])
def test_who_may_not_fit(api_as, role):
    assert api_as(role).post("/analytics/clv/fit", {}).status_code == 403
    assert not Run.objects.exists()


def test_the_model_is_for_those_who_see_analytics(api_as):
    assert api_as("support").get("/analytics/clv/model").status_code == 403
    assert api_as("sales").get("/analytics/clv/model").status_code == 404  # allowed; nothing fitted


def test_a_customers_insight_through_the_policy(api_as, make_person, buy, analyse):
    mine = make_person(first_name="مریم")
    theirs = make_person(first_name="رضا", owner="outsider")
    for party in (mine, theirs):
        buy(party, TODAY - dt.timedelta(days=40), 1_000_000)
        buy(party, TODAY - dt.timedelta(days=10), 2_000_000)
    analyse()
    found = api_as("sales").get(f"/analytics/customers/{mine.pk}/insight")
    assert found.status_code == 200
    assert (
        found.json()["rfm_cell"]
        and found.json()["purchases"] == 2
        and found.json()["monetary"] == "3000000.00"
    )
    assert api_as("sales").get(f"/analytics/customers/{theirs.pk}/insight").status_code == 404
    assert api_as("outsider").get(f"/analytics/customers/{theirs.pk}/insight").status_code == 200
