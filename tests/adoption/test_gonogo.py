"""The risk questionnaire of seed [004] scored per group, and the go/no-go evaluation that ends
a selection: scores with bad input, the recommendation against hand-computed figures, the
decision with who/when/why, reopening, each role's reach, the selection's page and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.adoption.models import (
    Factor,
    GoDecision,
    GoNoGo,
    GoScore,
    ReadinessModel,
    Statement,
)
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.selectors import gonogo as selectors
from peyvand.adoption.services import assessments
from peyvand.adoption.services import gonogo as services
from peyvand.adoption.services import selection as selection_services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def risk_model() -> ReadinessModel:
    return ReadinessModel.objects.get(key=RISK_QUESTIONNAIRE_KEY)


def answered(users, ratings_by_group: dict[str, int]):
    """A risk questionnaire answered by the sales user: every statement of a group rated the
    same (reverse-scored ones too, as typed)."""
    assessment = assessments.assessment_create(
        actor=users["manager"],
        data=assessments.AssessmentInput(model=risk_model(), title="ریسک ۱۴۰۵"),
    )
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    answers = {
        s.pk: ratings_by_group[s.factor.key]
        for s in Statement.objects.filter(factor__model=assessment.model).select_related("factor")
    }
    assessments.answers_save(respondent=respondent, answers=answers, submit=True, user=users["sales"])
    return assessment


def scores(**values):
    return [services.GoScoreInput(criterion=k, value=v, note=f"یادداشت {k}") for k, v in values.items()]


@pytest.fixture
def selection(users):
    return selection_services.selection_create(
        actor=users["manager"], data=selection_services.SelectionInput(name="انتخاب CRM")
    )


def test_the_risk_questionnaire_has_the_six_groups_of_the_register():
    model = risk_model()
    keys = list(Factor.objects.filter(model=model).order_by("order").values_list("key", flat=True))
    assert keys == [
        "organisational",
        "skills-staffing",
        "project-management",
        "system",
        "application-use",
        "technology",
    ]
    assert Statement.objects.filter(factor__model=model).count() == 27
    assert Statement.objects.filter(factor__model=model, reverse=True).count() == 3


def test_groups_are_read_as_risk_levels_and_suggest_the_risk_score(users, selection):
    # Organisational: 4, 2 (reverse of 4), 4, 4 with weights 2, 1.5, 1.5, 1 → (8+3+6+4)/6 = 3.5
    # → 62.5, medium. Technology all 1 with one reverse (counts 5): (2·1+1·5+1·1)/4 = 2 → 25,
    # high. Every statement of the other groups rated 5 (none reversed there except project
    # management's fifth, weight 1 of 6.5: (5.5·5 + 1·1)/6.5 = 4.3846 → 84.6, low).
    assessment = answered(
        users,
        {
            "organisational": 4,
            "skills-staffing": 5,
            "project-management": 5,
            "system": 5,
            "application-use": 5,
            "technology": 1,
        },
    )
    services.go_no_go_save(actor=users["manager"], selection=selection, scores=[], risk_assessment=assessment)
    found = selectors.evaluation(selection)
    by_key = {g.key: g for g in found.risk_groups}
    assert by_key["organisational"].score == pytest.approx(62.5)
    assert by_key["organisational"].risk == pytest.approx(37.5)
    assert by_key["organisational"].level == "medium"
    assert by_key["technology"].score == pytest.approx(25.0)
    assert by_key["technology"].level == "high"
    assert by_key["project-management"].score == pytest.approx((5.5 * 5 + 1) / 6.5 * 25 - 25)
    assert by_key["project-management"].level == "low"
    assert found.risk_overall is not None
    assert found.suggested_risk_score == max(1, min(5, int(1 + found.risk_overall / 25 + 0.5)))


def test_scores_the_recommendation_and_the_decision(users, selection):
    manager = users["manager"]
    services.go_no_go_save(
        actor=manager, selection=selection, scores=scores(goal=4, usefulness="۵", resources="٣")
    )
    found = selectors.evaluation(selection)
    assert [r.value for r in found.rows] == [4, 5, 3, None]
    assert found.recommendation == ""  # not every criterion is scored
    with pytest.raises(ValidationError) as err:
        services.go_no_go_decide(actor=manager, selection=selection, decision="go", reason="خوب است")
    assert "__all__" in err.value.message_dict
    services.go_no_go_save(actor=manager, selection=selection, scores=scores(risk=1))
    found = selectors.evaluation(selection)
    assert found.mean == pytest.approx(13 / 4)
    # A mean of 3.25 is enough, but one criterion below 2 sends it back to step zero.
    assert found.recommendation == GoDecision.NO_GO
    services.go_no_go_save(actor=manager, selection=selection, scores=scores(risk=2))
    assert selectors.evaluation(selection).recommendation == GoDecision.GO
    record = services.go_no_go_decide(
        actor=manager, selection=selection, decision="go", reason="ریسک‌ها مهارشدنی‌اند"
    )
    assert (record.decision, record.decided_by, record.reason) == ("go", manager, "ریسک‌ها مهارشدنی‌اند")
    assert record.decided_at is not None
    assert AuditEvent.objects.filter(model="adoption.gonogo", object_id=record.pk).count() >= 3
    # Decided: no more scores, no second decision, until reopened.
    with pytest.raises(ValidationError):
        services.go_no_go_save(actor=manager, selection=selection, scores=scores(goal=1))
    with pytest.raises(ValidationError):
        services.go_no_go_decide(actor=manager, selection=selection, decision="no_go", reason="x")
    assert GoScore.objects.get(evaluation=record, criterion="goal").value == 4
    reopened = services.go_no_go_reopen(actor=manager, selection=selection)
    assert (reopened.decision, reopened.decided_at) == (GoDecision.PENDING, None)
    # A blank value clears a score.
    services.go_no_go_save(actor=manager, selection=selection, scores=scores(goal=""))
    assert not GoScore.objects.filter(evaluation=record, criterion="goal").exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"goal": "6"},
        {"goal": "0"},
        {"goal": "سه"},
        {"goal": "2.5"},
        {"goal": "-1"},
        {"bogus": "3"},
    ],
)
def test_bad_scores_are_refused_and_change_nothing(users, selection, bad):
    with pytest.raises(ValidationError):
        services.go_no_go_save(actor=users["manager"], selection=selection, scores=scores(**bad))
    assert not GoScore.objects.exists()


def test_bad_decisions_are_refused(users, selection):
    services.go_no_go_save(
        actor=users["manager"], selection=selection, scores=scores(goal=3, usefulness=3, resources=3, risk=3)
    )
    for decision, reason in (("maybe", "x"), ("go", "  "), ("pending", "x"), ("go", "x" * 5001)):
        with pytest.raises(ValidationError):
            services.go_no_go_decide(
                actor=users["manager"], selection=selection, decision=decision, reason=reason
            )
    assert GoNoGo.objects.get(selection=selection).decision == GoDecision.PENDING


def test_a_readiness_assessment_is_not_a_risk_questionnaire(users, selection, nine):
    other = assessments.assessment_create(
        actor=users["manager"], data=assessments.AssessmentInput(model=nine, title="آمادگی")
    )
    with pytest.raises(ValidationError):
        services.go_no_go_save(actor=users["manager"], selection=selection, scores=[], risk_assessment=other)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_project_team_scores_and_decides(users, selection, client_as, role):
    user = users[role]
    if role in PROJECT_TEAM:
        services.go_no_go_save(actor=user, selection=selection, scores=scores(goal=3))
    else:
        with pytest.raises(PermissionDenied):
            services.go_no_go_save(actor=user, selection=selection, scores=scores(goal=3))
        response = client_as(role).post(
            reverse("adoption:go_no_go_save", args=[selection.pk]), {"score-goal": "3"}
        )
        assert response.status_code in (403, 404)
        response = client_as(role).post(
            reverse("adoption:go_no_go_decide", args=[selection.pk]), {"decision": "go", "reason": "x"}
        )
        assert response.status_code in (403, 404)
        assert not GoScore.objects.exists()


def test_the_selection_page_scores_and_decides(users, selection, client_as):
    users["manager"].language = "en"
    users["manager"].save()
    assessment = answered(
        users,
        dict.fromkeys(
            (
                "organisational",
                "skills-staffing",
                "project-management",
                "system",
                "application-use",
                "technology",
            ),
            2,
        ),
    )
    client = client_as("manager")
    page = reverse("adoption:selection_detail", args=[selection.pk])
    response = client.get(page)
    assert response.status_code == 200
    assert b'data-testid="go-no-go"' in response.content
    bad = client.post(
        reverse("adoption:go_no_go_save", args=[selection.pk]),
        {"risk_assessment": str(assessment.pk), "score-goal": "9", "score-usefulness": "۴"},
    )
    assert bad.status_code == 422
    assert "Score from 1 to 5." in bad.content.decode()
    assert not GoScore.objects.exists()
    ok = client.post(
        reverse("adoption:go_no_go_save", args=[selection.pk]),
        {
            "risk_assessment": str(assessment.pk),
            "score-goal": "4",
            "score-usefulness": "۴",
            "score-resources": "3",
            "score-risk": "2",
            "note-risk": "<b>ریسک</b>",
        },
    )
    assert ok.status_code == 302
    shown = client.get(page).content.decode()
    assert "&lt;b&gt;ریسک&lt;/b&gt;" in shown
    assert 'data-testid="risk-level-technology"' in shown
    assert "High risk" in shown
    refused = client.post(
        reverse("adoption:go_no_go_decide", args=[selection.pk]), {"decision": "go", "reason": ""}
    )
    assert refused.status_code == 422
    done = client.post(
        reverse("adoption:go_no_go_decide", args=[selection.pk]),
        {"decision": "no_go", "reason": "ریسک فناوری بالاست"},
    )
    assert done.status_code == 302
    shown = client.get(page).content.decode()
    assert 'data-testid="go-decided"' in shown
    assert "ریسک فناوری بالاست" in shown
    results = client.get(reverse("adoption:assessment_results", args=[assessment.pk])).content.decode()
    assert 'data-testid="risk-groups"' in results


def test_bogus_risk_assessment_ids_are_refused(users, selection, client_as):
    client = client_as("manager")
    for value in ("abc", "99999999", "٣", "1" * 40):
        response = client.post(
            reverse("adoption:go_no_go_save", args=[selection.pk]),
            {"risk_assessment": value, "score-goal": "3"},
        )
        assert response.status_code == 422
    assert not GoScore.objects.exists()
