"""The adoption API's objectives (list, add, change, measure, progress history), the go/no-go
evaluation of a selection and the feedback loop's periods: errors in the API's format, bad
input, and who may do what."""

from __future__ import annotations

import pytest

from peyvand.adoption.models import FeedbackPeriod, GoScore, Objective, ReadinessModel
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.services import assessments
from peyvand.adoption.services import selection as selection_services
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

OBJECTIVE = {
    "title": "۲۰۰ سرنخ بیشتر در فصل بعد",
    "goal": "جذب مشتریان جدید",
    "metric": "new_leads",
    "baseline_start": "1404/07/01",
    "baseline_end": "1404/09/30",
    "starts_on": "2026-01-01",
    "due_on": "2026-03-31",
    "target": "200",
}


def test_objectives_are_added_changed_measured_and_listed(api_as, users):
    api = api_as("manager")
    made = api.post("/adoption/objectives", OBJECTIVE)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["baseline_start"] == "2025-09-23" and body["metric"] == "new_leads"
    assert body["state"] in {"achieved", "missed", "on_track", "off_track", "no_data", "not_started"}
    oid = body["id"]
    changed = api.patch(f"/adoption/objectives/{oid}", {"target": "250", "team_id": users["sales"].team_id})
    assert changed.status_code == 200 and float(changed.json()["target"]) == 250
    assert changed.json()["team"]["id"] == users["sales"].team_id
    assert api.post(f"/adoption/objectives/{oid}/measure").status_code == 200
    history = api.get(f"/adoption/objectives/{oid}/measures").json()
    assert len(history) == 1 and "measured_on" in history[0]
    listed = api.get("/adoption/objectives", {"metric": "new_leads"}).json()
    assert [o["id"] for o in listed["items"]] == [oid]
    assert api.get("/adoption/objectives", {"metric": "retention"}).json()["items"] == []


@pytest.mark.parametrize(
    "bad",
    [
        {"metric": "nonsense"},
        {"title": ""},
        {"due_on": "2025-01-01"},
        {"target": "بسیار"},
        {"team_id": 999999},
        {"owner_id": 999999},
        {"unknown": 1},
        {"baseline_start": "1404/13/40"},
    ],
)
def test_bad_objectives_are_refused(api_as, bad):
    response = api_as("manager").post("/adoption/objectives", {**OBJECTIVE, **bad})
    assert response.status_code in (400, 422), response.content
    assert not Objective.objects.exists()


def test_objectives_are_the_project_teams(api_as):
    assert_error(api_as("sales").get("/adoption/objectives"), 403, "permission_denied")
    assert_error(api_as("sales").post("/adoption/objectives", OBJECTIVE), 403, "permission_denied")
    assert not Objective.objects.exists()
    assert_error(api_as("manager").get("/adoption/objectives/999999"), 404, "not_found")
    malformed = api_as("manager").post("/adoption/objectives", raw="{not json")
    assert malformed.status_code in (400, 422)


def test_the_go_no_go_evaluation_over_the_api(api_as, users):
    selection = selection_services.selection_create(
        actor=users["manager"], data=selection_services.SelectionInput(name="انتخاب")
    )
    risk = assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(
            model=ReadinessModel.objects.get(key=RISK_QUESTIONNAIRE_KEY), title="ریسک"
        ),
    )
    api = api_as("manager")
    path = f"/adoption/selections/{selection.pk}/go-no-go"
    assert api.get(path).json()["decision"] == "pending"
    scores = [
        {"criterion": c, "value": v}
        for c, v in (("goal", 4), ("usefulness", 4), ("resources", 3), ("risk", 3))
    ]
    saved = api.put(path, {"risk_assessment_id": risk.pk, "scores": scores})
    assert saved.status_code == 200, saved.content
    assert saved.json()["recommendation"] == "go" and saved.json()["mean"] == 3.5
    assert len(saved.json()["risk_groups"]) == 6
    assert api.put(path, {"scores": [{"criterion": "goal", "value": 6}]}).status_code == 422
    assert api.put(path, {"scores": [{"criterion": "nonsense", "value": 3}]}).status_code == 422
    assert api.put(path, {"risk_assessment_id": 999999, "scores": []}).status_code == 422
    assert_error(api_as("sales").put(path, {"scores": scores}), 404, "not_found")  # not theirs to see
    assert api.post(f"{path}/decision", {"decision": "go", "reason": ""}).status_code == 422
    decided = api.post(f"{path}/decision", {"decision": "go", "reason": "همه چیز آماده است"})
    assert decided.status_code == 200 and decided.json()["decision"] == "go"
    assert decided.json()["decided_by"] == users["manager"].pk
    assert api.post(f"{path}/decision", {"decision": "no_go", "reason": "x"}).status_code == 422
    assert api.post(f"{path}/reopen").json()["decision"] == "pending"
    assert GoScore.objects.count() == 4


def test_feedback_periods_over_the_api(api_as):
    api = api_as("manager")
    made = api.post("/adoption/feedback-periods", {"start": "1405/01/01", "end": "1405/03/31"})
    assert made.status_code == 201, made.content
    pid = made.json()["id"]
    assert made.json()["start"] == "2026-03-21" and made.json()["decision"] == ""
    assert (
        api.post("/adoption/feedback-periods", {"start": "2026-03-21", "end": "2026-06-21"}).status_code
        == 422
    )
    assert (
        api.post("/adoption/feedback-periods", {"start": "2026-05-01", "end": "2026-04-01"}).status_code
        == 422
    )
    assert api.post(f"/adoption/feedback-periods/{pid}/measure").status_code == 200
    decided = api.post(
        f"/adoption/feedback-periods/{pid}/decision", {"decision": "reduce", "reason": "تأخیر"}
    )
    assert decided.status_code == 200 and decided.json()["decided_by"]["username"] == "manager"
    assert api.post(f"/adoption/feedback-periods/{pid}/measure").status_code == 422
    assert (
        api.post(
            f"/adoption/feedback-periods/{pid}/decision", {"decision": "maybe", "reason": "x"}
        ).status_code
        == 422
    )
    assert [p["id"] for p in api.get("/adoption/feedback-periods").json()["items"]] == [pid]
    assert api_as("readonly").get(f"/adoption/feedback-periods/{pid}").status_code in (403, 404)
    assert_error(
        api_as("sales").post("/adoption/feedback-periods", {"start": "2026-01-01", "end": "2026-01-02"}),
        403,
        "permission_denied",
    )
    assert FeedbackPeriod.objects.count() == 1
