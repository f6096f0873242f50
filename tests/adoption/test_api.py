"""The adoption API: models, opening an assessment, inviting, a colleague's own answers, the
scores; the risk register; errors in the API's format; who may do what."""

from __future__ import annotations

import pytest

from peyvand.adoption.models import Assessment, ReadinessModel, Respondent, Risk, RiskGroup
from tests.api.conftest import assert_error

from .conftest import statements_of

pytestmark = pytest.mark.django_db


def test_models_are_listed_and_shown_in_full(api_as):
    api = api_as("manager")
    listed = api.get("/adoption/models").json()
    assert {m["key"] for m in listed} >= {"firstwave", "tgo", "atfocus", "iranian-9", "iranian-6"}
    nine = next(m for m in listed if m["key"] == "iranian-9")
    full = api.get(f"/adoption/models/{nine['id']}").json()
    assert len(full["factors"]) == 9 and full["factors"][0]["name_fa"] == "ساختار"
    assert {"text_fa", "text_en", "weight", "reverse"} <= set(full["factors"][0]["statements"][0])
    assert_error(api_as("sales").get("/adoption/models"), 403, "permission_denied")
    assert_error(api.get("/adoption/models/999999"), 404, "not_found")


def test_an_administrator_imports_a_model_and_a_bad_one_is_refused_whole(api_as):
    api = api_as("admin")
    model = {
        "key": "api-model",
        "name": {"fa": "مدل", "en": "Model"},
        "factors": [{"key": "f", "name": {"fa": "ع", "en": "F"}, "statements": [{"fa": "ج", "en": "S"}]}],
    }
    response = api.post("/adoption/models", {"model": model})
    assert response.status_code == 201, response.content
    before = ReadinessModel.objects.count()
    error = assert_error(
        api.post("/adoption/models", {"model": {**model, "key": "other", "factors": []}}),
        422,
        "validation_error",
    )
    assert "no factors" in error["message"] or any("no factors" in f["message"] for f in error["fields"])
    assert ReadinessModel.objects.count() == before
    assert_error(api_as("manager").post("/adoption/models", {"model": model}), 403, "permission_denied")


def test_an_assessment_through_the_api(api_as, users, nine):
    manager = api_as("manager")
    created = manager.post(
        "/adoption/assessments", {"model_id": nine.pk, "title": "ارزیابی", "starts_on": "1404/09/16"}
    )
    assert created.status_code == 201, created.content
    assessment_id = created.json()["id"]
    assert created.json()["starts_on"] == "2025-12-07"
    invited = manager.post(
        f"/adoption/assessments/{assessment_id}/respondents", {"user_id": users["sales"].pk}
    )
    assert invited.status_code == 201 and invited.json()["link"] is None
    link = manager.post(f"/adoption/assessments/{assessment_id}/respondents", {"name": "مشاور", "days": 3})
    assert link.status_code == 201 and "/adoption/answer/" in link.json()["link"]
    assert_error(
        manager.post(f"/adoption/assessments/{assessment_id}/respondents", {}), 422, "validation_error"
    )
    respondent_id = invited.json()["id"]
    sales = api_as("sales")
    statements = statements_of(nine)
    partial = sales.put(
        f"/adoption/respondents/{respondent_id}/answers",
        {"answers": [{"statement_id": statements[0].pk, "value": 4}]},
    )
    assert partial.status_code == 200 and partial.json()["submitted_at"] is None
    assert_error(
        sales.put(f"/adoption/respondents/{respondent_id}/answers", {"answers": [], "submit": True}),
        422,
        "validation_error",
    )
    assert_error(
        sales.put(
            f"/adoption/respondents/{respondent_id}/answers",
            {"answers": [{"statement_id": statements[0].pk, "value": 7}]},
        ),
        422,
        "validation_error",
    )
    answers = [{"statement_id": s.pk, "value": 1 if s.reverse else 5} for s in statements]
    done = sales.put(f"/adoption/respondents/{respondent_id}/answers", {"answers": answers, "submit": True})
    assert done.status_code == 200 and done.json()["submitted_at"]
    # Another colleague cannot write someone else's answers.
    assert_error(
        api_as("sales2").put(f"/adoption/respondents/{respondent_id}/answers", {"answers": answers}),
        404,
        "not_found",
    )
    results = manager.get(f"/adoption/assessments/{assessment_id}/results").json()
    assert results["respondents"] == 1 and results["overall"] == pytest.approx(100.0)
    assert all(
        f["strong"] and f["alpha"] is None and f["alpha_note"] == "too-few" for f in results["factors"]
    )
    listed = manager.get("/adoption/assessments", {"q": "ارزیابی", "limit": 1})
    assert [a["id"] for a in listed.json()["items"]] == [assessment_id]
    # Not for those outside the project team, and nothing written.
    assert_error(api_as("sales").get(f"/adoption/assessments/{assessment_id}/results"), 404, "not_found")
    before = Assessment.objects.count(), Respondent.objects.count()
    assert_error(
        api_as("sales").post("/adoption/assessments", {"model_id": nine.pk, "title": "x"}),
        403,
        "permission_denied",
    )
    assert_error(
        api_as("support").post(
            f"/adoption/assessments/{assessment_id}/respondents", {"user_id": users["support"].pk}
        ),
        404,
        "not_found",
    )
    assert (Assessment.objects.count(), Respondent.objects.count()) == before


def test_the_risk_register_through_the_api(api_as, users):
    manager = api_as("manager")
    group = RiskGroup.objects.get(key="project-management")
    created = manager.post(
        "/adoption/risks",
        {
            "group_id": group.pk,
            "title_fa": "تغییر مدیر پروژه",
            "likelihood": 4,
            "impact": 4,
            "owner_id": users["manager"].pk,
        },
    )
    assert created.status_code == 201, created.content
    risk = created.json()
    assert (
        risk["score"] == 16
        and risk["owner"]["username"] == "manager"
        and risk["group"]["key"] == "project-management"
    )
    changed = manager.patch(
        f"/adoption/risks/{risk['id']}", {"impact": 2, "status": "monitored", "owner_id": None}
    )
    assert changed.status_code == 200 and changed.json()["score"] == 8 and changed.json()["owner"] is None
    assert_error(
        manager.patch(f"/adoption/risks/{risk['id']}", {"likelihood": 9}),
        422,
        "validation_error",
        "likelihood",
    )
    assert_error(manager.post("/adoption/risks", {"group_id": group.pk}), 422, "validation_error")
    assert_error(
        manager.post("/adoption/risks", {"group_id": 999999, "title_en": "x"}),
        422,
        "validation_error",
        "group_id",
    )
    listed = manager.get("/adoption/risks", {"sort": "-score", "status": "monitored"}).json()
    assert [r["id"] for r in listed["items"]] == [risk["id"]]
    before = Risk.objects.get().score
    assert_error(api_as("marketing").patch(f"/adoption/risks/{risk['id']}", {"impact": 5}), 404, "not_found")
    assert_error(
        api_as("readonly").post("/adoption/risks", {"group_id": group.pk, "title_en": "x"}),
        403,
        "permission_denied",
    )
    assert Risk.objects.get().score == before and Risk.objects.count() == 1


def test_the_risk_list_takes_the_same_queries_for_more_rows(api_as, users, queries):
    manager = api_as("manager")
    group = RiskGroup.objects.get(key="system")
    manager.post(
        "/adoption/risks", {"group_id": group.pk, "title_en": "first", "owner_id": users["sales"].pk}
    )
    with queries() as counted:
        manager.get("/adoption/risks")
    few = len(counted)
    for i in range(10):
        manager.post(
            "/adoption/risks", {"group_id": group.pk, "title_en": f"r{i}", "owner_id": users["support"].pk}
        )
    with queries() as counted:
        response = manager.get("/adoption/risks")
    assert len(response.json()["items"]) == 11 and len(counted) == few
