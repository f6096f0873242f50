from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from peyvand.adoption.models import Assessment, ReadinessModel, Statement
from peyvand.adoption.services import assessments
from peyvand.adoption.services.catalogue import builtin_models_load, risk_groups_load, risk_questionnaire_load
from peyvand.core.models import User


@pytest.fixture(autouse=True)
def builtin_data(request: pytest.FixtureRequest) -> None:
    """The readiness models and risk groups the migrations load. A transactional test that
    ran earlier on the same worker empties the tables it leaves, migrations' rows too, so
    load them again (the loaders add only what is missing, as the migration does)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        builtin_models_load()
        risk_groups_load()
        risk_questionnaire_load()


@pytest.fixture
def client_as(users: dict[str, User]) -> Callable[[str], Client]:
    def login(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return login


@pytest.fixture
def api_as(users: dict[str, User]) -> Callable[[str], Any]:
    from peyvand.core.services.tokens import api_token_create
    from tests.api.conftest import ApiClient

    def make(name: str) -> ApiClient:
        _token, key = api_token_create(user=users[name], name="tests")
        return ApiClient(key)

    return make


@pytest.fixture
def nine(db: Any) -> ReadinessModel:
    """The Iranian 9-factor model, loaded by the app's migration."""
    return ReadinessModel.objects.get(key="iranian-9")


@pytest.fixture
def assessment(users: dict[str, User], nine: ReadinessModel) -> Assessment:
    return assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(model=nine, title="آمادگی ۱۴۰۴", department="فروش"),
    )


def statements_of(model: ReadinessModel) -> list[Statement]:
    return list(Statement.objects.filter(factor__model=model).order_by("factor__order", "order"))


def answer_all(respondent: Any, model: ReadinessModel, value: Callable[[Statement], int], user: Any) -> None:
    ratings = {s.pk: value(s) for s in statements_of(model)}
    assessments.answers_save(respondent=respondent, answers=ratings, submit=True, user=user)
