"""Culture surveys after the competing-values model (OCAI) on the real database: the built-in
model, respondents (a colleague and an outsider by link) dividing 100 points now and preferred,
validation, the results (means, gaps, dominant culture, the reading), the pages and the API,
and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.adoption.models import (
    Assessment,
    CultureAnswer,
    CultureType,
    ModelKind,
    ReadinessModel,
    Respondent,
    Statement,
)
from peyvand.adoption.selectors import culture as selectors
from peyvand.adoption.services import assessments, catalogue, culture
from peyvand.core.models import AuditEvent
from peyvand.demo import adoption_culture as demo

pytestmark = pytest.mark.django_db

TYPES = ("clan", "adhocracy", "market", "hierarchy")
ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


@pytest.fixture(autouse=True)
def culture_model(db):
    catalogue.culture_models_load()


@pytest.fixture
def ocai(culture_model) -> ReadinessModel:
    return ReadinessModel.objects.get(key="ocai")


@pytest.fixture
def survey(users, ocai) -> Assessment:
    return assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(model=ocai, title="فرهنگ ۱۴۰۴", department="فروش"),
    )


def statements(model) -> dict[str, dict[str, Statement]]:
    """dimension key -> culture type -> statement."""
    found: dict[str, dict[str, Statement]] = {}
    for s in Statement.objects.filter(factor__model=model).select_related("factor"):
        found.setdefault(s.factor.key, {})[s.culture] = s
    return found


def points(model, now: tuple[int, ...], preferred: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """The same split in every dimension (clan, adhocracy, market, hierarchy)."""
    return {
        by_type[t].pk: (now[i], preferred[i])
        for by_type in statements(model).values()
        for i, t in enumerate(TYPES)
    }


def invite(survey, users, name):
    return assessments.respondent_invite_user(actor=users["manager"], assessment=survey, user=users[name])


def test_the_built_in_culture_model_has_six_dimensions_of_four_cultures(ocai):
    assert ocai.kind == ModelKind.CULTURE and ocai.builtin
    keys = list(ocai.factors.order_by("order").values_list("key", flat=True))
    assert keys == [
        "dominant-characteristics",
        "leadership",
        "management-of-employees",
        "organisational-glue",
        "strategic-emphases",
        "criteria-of-success",
    ]
    for by_type in statements(ocai).values():
        assert sorted(by_type) == sorted(TYPES)
        assert all(s.text_fa and s.text_en for s in by_type.values())
    assert catalogue.culture_models_load() == 0  # loading again adds nothing


def test_a_culture_model_file_needs_one_statement_per_culture_in_each_dimension(english):
    data = {
        "kind": "culture",
        "key": "x",
        "name": {"fa": "ف", "en": "x"},
        "factors": [
            {
                "key": "a",
                "name": {"fa": "الف", "en": "A"},
                "statements": [
                    {"culture": "clan", "fa": "۱", "en": "1"},
                    {"culture": "clan", "fa": "۲", "en": "2"},
                    {"culture": "market", "fa": "۳", "en": "3"},
                    {"culture": "nonsense", "fa": "۴", "en": "4"},
                ],
            }
        ],
    }
    with pytest.raises(ValidationError) as caught:
        catalogue.model_spec(data)
    text = " ".join(caught.value.messages)
    assert "valid culture type" in text and "one statement for each" in text


def test_two_colleagues_divide_their_points_and_the_results_average_them(survey, users, ocai):
    sales, support = invite(survey, users, "sales"), invite(survey, users, "support")
    culture.culture_answers_save(
        respondent=sales,
        answers=points(ocai, (10, 20, 30, 40), (40, 30, 20, 10)),
        submit=True,
        user=users["sales"],
    )
    culture.culture_answers_save(
        respondent=support,
        answers=points(ocai, (20, 20, 30, 30), (30, 30, 30, 10)),
        submit=True,
        user=users["support"],
    )
    results = selectors.culture_results(survey)
    assert results.respondents == 2
    expected = {"clan": (15, 35), "adhocracy": (20, 30), "market": (30, 25), "hierarchy": (35, 10)}
    for culture_type, (now, preferred) in expected.items():
        score = results.type(culture_type)
        assert (score.now, score.preferred) == (pytest.approx(now), pytest.approx(preferred))
    assert results.type("hierarchy").gap == pytest.approx(-25) and results.type("hierarchy").notable
    assert results.type("adhocracy").gap == pytest.approx(10) and results.type("adhocracy").notable
    assert results.type("market").gap == pytest.approx(-5) and not results.type("market").notable
    assert results.dominant_now.culture == "hierarchy" and results.dominant_preferred.culture == "clan"
    assert sum(t.now for t in results.types) == pytest.approx(100)
    assert len(results.dimensions) == 6 and results.dimensions[0].types[0].now == pytest.approx(15)
    assert Respondent.objects.get(pk=sales.pk).submitted_at is not None
    assert AuditEvent.objects.filter(model="adoption.assessment", changes__has_key="submitted").count() == 2


def test_the_pure_scores_with_a_hand_worked_respondent():
    dims = [
        selectors.Dimension("a", "A", {t: i + 1 for i, t in enumerate(TYPES)}),
        selectors.Dimension("b", "B", {t: i + 11 for i, t in enumerate(TYPES)}),
    ]
    answers = {
        7: {
            1: (50, 25),
            2: (50, 25),
            3: (0, 25),
            4: (0, 25),
            11: (0, 25),
            12: (0, 25),
            13: (100, 25),
            14: (0, 25),
        }
    }
    results = selectors.culture_scores(dims, answers)
    assert [t.now for t in results.types] == [25.0, 25.0, 50.0, 0.0]
    assert [t.gap for t in results.types] == [0.0, 0.0, -25.0, 25.0]
    assert selectors.culture_scores(dims, {}).dominant_now is None


def test_points_must_be_whole_dimensions_adding_up_to_100(survey, users, ocai, english):
    respondent = invite(survey, users, "sales")
    dimension = statements(ocai)["leadership"]
    good = {dimension[t].pk: (25, 25) for t in TYPES}
    bad_cases = [
        ({**good, dimension["clan"].pk: (26, 25)}, "add up to 101"),  # now sums to 101
        ({**good, dimension["clan"].pk: (25, 30)}, "add up to 105"),  # preferred sums to 105
        ({dimension["clan"].pk: (100, 100)}, "all four statements"),  # a part of a dimension
        ({**good, dimension["clan"].pk: (-5, 25)}, "whole points"),
        ({**good, dimension["clan"].pk: (125, 25)}, "whole points"),
        ({**good, dimension["clan"].pk: (True, 25)}, "whole points"),
        ({999_999: (25, 25)}, "not in this questionnaire"),
    ]
    for answers, message in bad_cases:
        with pytest.raises(ValidationError, match=message):
            culture.culture_answers_save(
                respondent=respondent, answers=answers, submit=False, user=users["sales"]
            )
    assert not CultureAnswer.objects.exists()
    culture.culture_answers_save(respondent=respondent, answers=good, submit=False, user=users["sales"])
    assert CultureAnswer.objects.filter(respondent=respondent).count() == 4
    assert selectors.culture_results(survey).respondents == 0  # saved, not submitted
    with pytest.raises(ValidationError, match="5 left"):
        culture.culture_answers_save(respondent=respondent, answers={}, submit=True, user=users["sales"])
    assert Respondent.objects.get(pk=respondent.pk).submitted_at is None


def test_only_the_respondent_answers_and_only_once(survey, users, ocai):
    respondent = invite(survey, users, "sales")
    answers = points(ocai, (25, 25, 25, 25), (25, 25, 25, 25))
    for other in ("sales2", "manager", "admin"):
        with pytest.raises(PermissionDenied):
            culture.culture_answers_save(
                respondent=respondent, answers=answers, submit=True, user=users[other]
            )
    with pytest.raises(PermissionDenied):
        culture.culture_answers_save(respondent=respondent, answers=answers, submit=True, user=None)
    culture.culture_answers_save(respondent=respondent, answers=answers, submit=True, user=users["sales"])
    with pytest.raises(ValidationError):
        culture.culture_answers_save(
            respondent=respondent, answers=answers, submit=False, user=users["sales"]
        )


def test_a_colleague_answers_on_the_page_in_persian_digits(survey, users, ocai, client_as):
    respondent = invite(survey, users, "sales")
    client = client_as("sales")
    url = reverse("adoption:respond", args=[respondent.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"culture-questionnaire" in page.content
    data = {"action": "submit"}
    for by_type in statements(ocai).values():
        for t, now, preferred in zip(TYPES, ("۴۰", "٣٠", "20", "۱۰"), ("۱۰", "20", "۳۰", "٤٠"), strict=True):
            data[f"n{by_type[t].pk}"], data[f"p{by_type[t].pk}"] = now, preferred
    wrong = {**data, f"n{statements(ocai)['leadership']['clan'].pk}": "۴۱"}
    refused = client.post(url, wrong)
    body = refused.content.decode()
    assert refused.status_code == 422 and ("۱۰۱" in body or "101" in body)
    assert not CultureAnswer.objects.exists()
    assert "۴۱" in body  # what was typed is kept
    letters = {**data, f"n{statements(ocai)['leadership']['clan'].pk}": "abc"}
    assert client.post(url, letters).status_code == 422
    done = client.post(url, data)
    assert done.status_code == 302 and done["Location"] == reverse("adoption:my_questionnaires")
    results = selectors.culture_results(survey)
    assert results.type("clan").now == pytest.approx(40)
    assert results.type("hierarchy").preferred == pytest.approx(40)


def test_an_outsider_answers_by_link_and_cannot_see_the_results(survey, users, ocai, client):
    respondent, token = assessments.respondent_invite_link(
        actor=users["manager"], assessment=survey, name="مشاور"
    )
    url = reverse("adoption:respond_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and b"culture-questionnaire" in page.content
    data = {"action": "submit"}
    for by_type in statements(ocai).values():
        for t in TYPES:
            data[f"n{by_type[t].pk}"], data[f"p{by_type[t].pk}"] = "25", "25"
    assert client.post(url, data)["Location"].endswith("?done=1")
    assert Respondent.objects.get(pk=respondent.pk).submitted_at is not None
    assert client.get(url, {"done": "1"}).status_code == 200  # the thank-you page
    assert client.get(url).status_code == 404  # the link is spent
    assert client.post(url, data).status_code == 404
    results = client.get(reverse("adoption:assessment_results", args=[survey.pk]))
    assert results.status_code == 302  # to sign in: the results are the team's


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_culture_pages_as_the_policy_says(survey, users, ocai, client_as, role):
    respondent = invite(survey, users, "sales")
    culture.culture_answers_save(
        respondent=respondent,
        answers=points(ocai, (10, 20, 30, 40), (40, 30, 20, 10)),
        submit=True,
        user=users["sales"],
    )
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    for url in (reverse("adoption:culture_list"), reverse("adoption:culture_create")):
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    results = client.get(reverse("adoption:assessment_results", args=[survey.pk]))
    assert results.status_code == (200 if allowed else 404), role
    if allowed:
        body = results.content.decode()
        assert 'data-testid="chart-culture"' in body and 'data-testid="culture-reading"' in body
    before = Assessment.objects.count(), AuditEvent.objects.count()
    response = client.post(reverse("adoption:culture_create"), {"model": ocai.pk, "title": "دوم"})
    assert response.status_code == (302 if allowed else 403), role
    assert Assessment.objects.count() == before[0] + (1 if allowed else 0)
    if not allowed:
        assert AuditEvent.objects.count() == before[1]


def test_the_results_read_the_profile(survey, users, ocai, client_as):
    respondent = invite(survey, users, "sales")
    culture.culture_answers_save(
        respondent=respondent,
        answers=points(ocai, (10, 20, 30, 40), (40, 30, 20, 10)),
        submit=True,
        user=users["sales"],
    )
    body = client_as("manager").get(reverse("adoption:assessment_results", args=[survey.pk])).content.decode()
    assert 'data-testid="dominant-now"' in body and str(CultureType.HIERARCHY.label) in body
    reading = selectors.culture_reading(selectors.culture_results(survey))
    assert len(reading) == 3 + 4  # dominant, its guidance, preferred, four gaps of 20 or 30
    assert str(CultureType.HIERARCHY.label) in reading[0]


def test_the_culture_list_holds_only_culture_surveys_in_the_same_queries(
    survey, users, nine, client_as, queries
):
    assessments.assessment_create(
        actor=users["manager"], data=assessments.AssessmentInput(model=nine, title="سنجش نه‌عاملی")
    )
    client = client_as("manager")
    listed = client.get(reverse("adoption:culture_list")).content.decode()
    assert "فرهنگ ۱۴۰۴" in listed and "سنجش نه‌عاملی" not in listed
    readiness = client.get(reverse("adoption:assessment_list")).content.decode()
    assert "سنجش نه‌عاملی" in readiness and "فرهنگ ۱۴۰۴" not in readiness
    with queries() as counted:
        client.get(reverse("adoption:culture_list"))
    few = len(counted)
    for i in range(12):
        found = assessments.assessment_create(
            actor=users["manager"], data=assessments.AssessmentInput(model=survey.model, title=f"c{i}")
        )
        invite(found, users, "sales")
    with queries() as counted:
        assert client.get(reverse("adoption:culture_list")).status_code == 200
    assert len(counted) == few


def test_the_api_saves_points_and_gives_the_results_to_the_team_only(survey, users, ocai, api_as):
    respondent = invite(survey, users, "sales")
    api = api_as("sales")
    body = {
        "answers": [
            {"statement_id": pk, "now": now, "preferred": preferred}
            for pk, (now, preferred) in points(ocai, (10, 20, 30, 40), (40, 30, 20, 10)).items()
        ],
        "submit": True,
    }
    wrong = {**body, "answers": [{**body["answers"][0], "now": 99}, *body["answers"][1:]]}
    refused = api.put(f"/adoption/respondents/{respondent.pk}/culture-answers", wrong)
    assert refused.status_code == 422 and "add up to" in refused.content.decode()
    assert not CultureAnswer.objects.exists()
    assert api.put(f"/adoption/respondents/{respondent.pk}/culture-answers", body).status_code == 200
    assert api.get(f"/adoption/assessments/{survey.pk}/culture-results").status_code == 404
    found = api_as("manager").get(f"/adoption/assessments/{survey.pk}/culture-results").json()
    assert found["respondents"] == 1 and found["dominant_now"] == "hierarchy"
    assert found["dominant_preferred"] == "clan" and len(found["dimensions"]) == 6
    clan = next(t for t in found["types"] if t["culture"] == "clan")
    assert (clan["now"], clan["preferred"], clan["gap"], clan["notable"]) == (10, 40, 30, True)
    assert found["reading"]
    listed = api_as("manager").get("/adoption/assessments", {"kind": "culture"}).json()
    assert [a["id"] for a in listed["items"]] == [survey.pk]
    model = api_as("manager").get(f"/adoption/models/{ocai.pk}").json()
    assert model["kind"] == "culture" and model["factors"][0]["statements"][0]["culture"] == "clan"


def test_the_demo_culture_survey_is_finished_and_hierarchical_today(users, culture_model):
    staff = dict(
        zip(demo.CULTURE_RESPONDENTS, ("sales", "sales2", "support", "marketing", "readonly"), strict=True)
    )
    found = {username: users[name] for username, name in staff.items()}
    found["bahram.salehi"] = users["manager"]
    anchor = dt.date(2025, 12, 7)
    assert demo.write_culture(found, seed=7, anchor=anchor) == 1
    assert demo.write_culture(found, seed=7, anchor=anchor) == 0
    survey = Assessment.objects.get(title=demo.CULTURE_TITLE)
    results = selectors.culture_results(survey)
    assert results.respondents == 5 and survey.status == "closed"
    assert results.dominant_now.culture == "hierarchy" and results.dominant_preferred.culture == "clan"
    assert results.type("hierarchy").gap < -10
