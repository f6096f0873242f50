"""Assessments from end to end on the real database: opening one, inviting colleagues and an
outsider by a one-time link, partial saves and submitting, the results page; and who reaches
which questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.adoption.models import Answer, Assessment, AssessmentStatus, Respondent
from peyvand.adoption.selectors import assessments as selectors
from peyvand.adoption.services import assessments
from peyvand.core.models import AuditEvent
from peyvand.notifications.models import Notification

from .conftest import answer_all, statements_of

pytestmark = pytest.mark.django_db


def test_a_manager_opens_an_assessment_and_colleagues_answer_it(
    assessment, users, nine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sales = assessments.respondent_invite_user(
            actor=users["manager"], assessment=assessment, user=users["sales"]
        )
    support = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["support"]
    )
    note = Notification.objects.get(recipient=users["sales"])
    assert note.url == reverse("adoption:respond", args=[sales.pk])
    answer_all(sales, nine, lambda s: 5 if not s.reverse else 1, users["sales"])
    answer_all(support, nine, lambda s: 3, users["support"])
    results = selectors.assessment_results(assessment)
    assert results.respondents == 2
    assert results.overall == pytest.approx(75.0)  # 100 and 50
    for factor in results.factors:
        assert (
            factor.score == pytest.approx(75.0) and factor.alpha is None and factor.alpha_reason == "too-few"
        )
    with pytest.raises(ValidationError):
        assessments.respondent_invite_user(actor=users["manager"], assessment=assessment, user=users["sales"])


def test_partial_answers_are_kept_and_do_not_count_until_submitted(assessment, users, nine, english):
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    first = statements_of(nine)[:4]
    assessments.answers_save(
        respondent=respondent, answers={s.pk: 4 for s in first}, submit=False, user=users["sales"]
    )
    assert Answer.objects.filter(respondent=respondent).count() == 4
    assert selectors.assessment_results(assessment).respondents == 0
    with pytest.raises(ValidationError, match="left"):
        assessments.answers_save(respondent=respondent, answers={}, submit=True, user=users["sales"])
    assert Respondent.objects.get(pk=respondent.pk).submitted_at is None
    answer_all(respondent, nine, lambda s: 2, users["sales"])
    with pytest.raises(ValidationError):
        assessments.answers_save(
            respondent=respondent, answers={first[0].pk: 5}, submit=False, user=users["sales"]
        )


def test_ratings_outside_the_scale_or_the_model_are_refused(assessment, users, nine):
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    statement = statements_of(nine)[0]
    for bad in ({statement.pk: 0}, {statement.pk: 6}, {999_999: 3}):
        with pytest.raises(ValidationError):
            assessments.answers_save(respondent=respondent, answers=bad, submit=False, user=users["sales"])
    assert not Answer.objects.exists()


def test_a_one_time_link_works_once_and_expires(assessment, users, nine):
    respondent, token = assessments.respondent_invite_link(
        actor=users["manager"], assessment=assessment, name="مشاور بیرونی", email="consultant@example.com"
    )
    assert respondent.token_hash == assessments.token_hash(token) and token not in respondent.token_hash
    assert not Respondent.objects.filter(token_hash=token).exists()
    client = Client()
    url = reverse("adoption:respond_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "ساختار" in page.content.decode()
    data = {f"s{s.pk}": "4" for s in statements_of(nine)}
    saved = client.post(url, {**data, "action": "save"})
    assert saved.status_code == 302
    done = client.post(url, {**data, "action": "submit"})
    assert done.status_code == 302 and done["Location"].endswith("?done=1")
    assert client.get(done["Location"]).status_code == 200
    # Used: the link is refused now, to read and to write.
    assert client.get(url).status_code == 404
    assert client.post(url, {**data, "action": "save"}).status_code == 404
    assert selectors.assessment_results(assessment).respondents == 1


def test_an_expired_or_unknown_link_is_refused(assessment, users, nine):
    respondent, token = assessments.respondent_invite_link(
        actor=users["manager"], assessment=assessment, name="X"
    )
    Respondent.objects.filter(pk=respondent.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    assert client.get(reverse("adoption:respond_link", args=[token])).status_code == 404
    assert client.get(reverse("adoption:respond_link", args=["not-a-token"])).status_code == 404
    statement = statements_of(nine)[0]
    response = client.post(
        reverse("adoption:respond_link", args=[token]), {f"s{statement.pk}": "3", "action": "save"}
    )
    assert response.status_code == 404 and not Answer.objects.exists()


def test_a_closed_assessment_takes_no_more_answers(assessment, users, nine):
    _respondent, token = assessments.respondent_invite_link(
        actor=users["manager"], assessment=assessment, name="X"
    )
    assessments.assessment_set_status(
        actor=users["manager"], assessment=assessment, status=AssessmentStatus.CLOSED
    )
    assert Client().get(reverse("adoption:respond_link", args=[token])).status_code == 404
    with pytest.raises(ValidationError):
        assessments.respondent_invite_user(actor=users["manager"], assessment=assessment, user=users["sales"])


def test_a_respondent_reaches_only_their_own_questionnaire(assessment, users, client_as, nine):
    mine = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    theirs = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales2"]
    )
    client = client_as("sales")
    assert client.get(reverse("adoption:respond", args=[mine.pk])).status_code == 200
    statement = statements_of(nine)[0]
    other = reverse("adoption:respond", args=[theirs.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {f"s{statement.pk}": "5", "action": "save"}).status_code == 404
    assert not Answer.objects.filter(respondent=theirs).exists()
    with pytest.raises(PermissionDenied):
        assessments.answers_save(
            respondent=theirs, answers={statement.pk: 5}, submit=False, user=users["sales"]
        )
    # A respondent without the adoption area sees neither the assessment nor its results.
    assert client.get(reverse("adoption:assessment_detail", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("adoption:assessment_results", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("adoption:my_questionnaires")).status_code == 200


def test_the_questionnaire_page_saves_and_submits(assessment, users, client_as, nine):
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    client = client_as("sales")
    url = reverse("adoption:respond", args=[respondent.pk])
    statements = statements_of(nine)
    response = client.post(url, {f"s{statements[0].pk}": "5", "action": "submit"})
    assert response.status_code == 422  # not everything rated: what was rated is kept
    assert Answer.objects.get(respondent=respondent).value == 5
    response = client.post(url, {f"s{statements[0].pk}": "9", "action": "save"})
    assert response.status_code == 422 and Answer.objects.get(respondent=respondent).value == 5
    response = client.post(url, {**{f"s{s.pk}": "3" for s in statements}, "action": "submit"})
    assert response.status_code == 302
    assert Respondent.objects.get(pk=respondent.pk).submitted_at is not None


def test_the_results_page_shows_the_radar_table_and_weak_factors(assessment, users, client_as, nine):
    for name, value in (("sales", 2), ("support", 1), ("marketing", 2)):
        respondent = assessments.respondent_invite_user(
            actor=users["manager"], assessment=assessment, user=users[name]
        )
        answer_all(respondent, nine, lambda s, v=value: v, users[name])
    client = client_as("manager")
    page = client.get(reverse("adoption:assessment_results", args=[assessment.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="chart-radar-data"' in text and '"kind": "radar"' in text
    assert 'data-testid="weaknesses"' in text and text.count('data-weak="1"') > 0
    # A later assessment of the same model compared with this one.
    later = assessments.assessment_create(
        actor=users["manager"], data=assessments.AssessmentInput(model=nine, title="بعدی")
    )
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=later, user=users["sales"]
    )
    answer_all(respondent, nine, lambda s: 4, users["sales"])
    compared = client.get(reverse("adoption:assessment_results", args=[later.pk]), {"other": assessment.pk})
    assert compared.status_code == 200 and 'data-testid="delta-table"' in compared.content.decode()


def test_the_assessment_pages_for_the_project_team(client_as, users, nine):
    client = client_as("manager")
    response = client.post(
        reverse("adoption:assessment_create"),
        {
            "model": nine.pk,
            "title": "ارزیابی فروش",
            "department": "فروش",
            "starts_on": "1404/09/16",
            "ends_on": "1404/10/16",
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and assessment.starts_on == dt.date(2025, 12, 7)
    detail = reverse("adoption:assessment_detail", args=[assessment.pk])
    link = client.post(reverse("adoption:invite_link", args=[assessment.pk]), {"name": "مشاور", "days": "7"})
    assert link.status_code == 200 and 'data-testid="new-link-url"' in link.content.decode()
    assert (
        client.post(
            reverse("adoption:invite_user", args=[assessment.pk]), {"user": users["sales"].pk}
        ).status_code
        == 302
    )
    assert client.get(detail).status_code == 200
    assert client.get(reverse("adoption:assessment_list"), {"q": "فروش", "sort": "title"}).status_code == 200
    bad = client.post(
        reverse("adoption:assessment_create"),
        {"model": nine.pk, "title": "x", "starts_on": "1404/10/01", "ends_on": "1404/09/01"},
    )
    assert bad.status_code == 422 and Assessment.objects.count() == 1
    assert AuditEvent.objects.filter(model="adoption.assessment", object_id=assessment.pk).count() == 3


def test_an_outsider_reads_the_questionnaire_in_english_too(assessment, users, nine):
    _respondent, token = assessments.respondent_invite_link(
        actor=users["manager"], assessment=assessment, name="Consultant"
    )
    url = reverse("adoption:respond_link", args=[token])
    persian = Client().get(url).content.decode()
    assert "ساختار" in persian and 'dir="rtl"' in persian
    english = Client(headers={"Accept-Language": "en"}).get(url).content.decode()
    first = statements_of(nine)[0]
    assert "Structure" in english and first.text_en in english and 'dir="ltr"' in english


def test_the_results_page_takes_the_same_queries_for_more_respondents(
    assessment, users, client_as, nine, queries
):
    client = client_as("manager")
    url = reverse("adoption:assessment_results", args=[assessment.pk])
    respondent = assessments.respondent_invite_user(
        actor=users["manager"], assessment=assessment, user=users["sales"]
    )
    answer_all(respondent, nine, lambda s: 4, users["sales"])
    client.get(url)
    with queries() as counted:
        client.get(url)
    few = len(counted)
    for name in ("sales2", "support", "marketing", "readonly"):
        respondent = assessments.respondent_invite_user(
            actor=users["manager"], assessment=assessment, user=users[name]
        )
        answer_all(respondent, nine, lambda s: 2, users[name])
    with queries() as counted:
        response = client.get(url)
    assert response.status_code == 200 and len(counted) == few


def test_a_model_page_shows_its_factors_guidance_and_statements(client_as, nine):
    page = client_as("manager").get(reverse("adoption:model_detail", args=[nine.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and text.count('data-testid="factor"') == 9
    structure = nine.factors.get(key="structure")
    assert structure.guidance_fa in text and structure.statements.first().text_fa in text
    assert client_as("sales").get(reverse("adoption:model_detail", args=[nine.pk])).status_code == 403
