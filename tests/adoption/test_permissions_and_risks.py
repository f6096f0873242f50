"""Who reaches the adoption area, per role (administrators and managers change it, the others
nothing by default), a denied write changing nothing; and the risk register: the checklist of
seed [004], rating, filtering, sorting, paging, the heat map, and its queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from peyvand.adoption.models import Assessment, Risk, RiskGroup, RiskStatus
from peyvand.adoption.selectors import risks as risk_selectors
from peyvand.adoption.services import assessments, risks
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def group(key="organisational"):
    return RiskGroup.objects.get(key=key)


def add(actor, title="کمبود بودجه", likelihood=3, impact=3, **fields):
    data = risks.RiskInput(
        group=fields.pop("group", group()), title_fa=title, likelihood=likelihood, impact=impact, **fields
    )
    return risks.risk_save(actor=actor, data=data)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_adoption_pages_as_the_policy_says(client_as, users, assessment, role):
    risk = add(users["admin"])
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    for url in (
        reverse("adoption:assessment_list"),
        reverse("adoption:risk_list"),
        reverse("adoption:model_list"),
        reverse("adoption:assessment_create"),
        reverse("adoption:risk_create"),
    ):
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    for url in (
        reverse("adoption:assessment_detail", args=[assessment.pk]),
        reverse("adoption:assessment_results", args=[assessment.pk]),
        reverse("adoption:risk_edit", args=[risk.pk]),
    ):
        assert client.get(url).status_code == (200 if allowed else 404), (role, url)
    home = client.get("/").content.decode()
    assert (reverse("adoption:assessment_list") in home) == allowed


@pytest.mark.parametrize("role", sorted(set(ROLES) - PROJECT_TEAM))
def test_a_denied_write_changes_nothing(client_as, users, assessment, nine, role):
    risk = add(users["admin"], mitigation="")
    before_audit = AuditEvent.objects.count()
    before = (Assessment.objects.count(), Risk.objects.count(), assessment.respondents.count())
    client = client_as(role)
    attempts = [
        (reverse("adoption:assessment_create"), {"model": nine.pk, "title": "x"}),
        (reverse("adoption:invite_user", args=[assessment.pk]), {"user": users[role].pk}),
        (reverse("adoption:invite_link", args=[assessment.pk]), {"name": "x", "days": "3"}),
        (reverse("adoption:assessment_status", args=[assessment.pk]), {"status": "closed"}),
        (
            reverse("adoption:risk_create"),
            {"group": group().pk, "title_fa": "x", "likelihood": 5, "impact": 5, "status": "identified"},
        ),
        (
            reverse("adoption:risk_edit", args=[risk.pk]),
            {"group": group().pk, "title_fa": "y", "likelihood": 5, "impact": 5, "status": "closed"},
        ),
        (reverse("adoption:risks_standard"), {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in (403, 404), (role, url)
    assert (Assessment.objects.count(), Risk.objects.count(), assessment.respondents.count()) == before
    risk.refresh_from_db()
    assert (risk.title_fa, risk.score, risk.status) == ("کمبود بودجه", 9, RiskStatus.IDENTIFIED)
    assert Assessment.objects.get(pk=assessment.pk).status == "open"
    assert AuditEvent.objects.count() == before_audit
    with pytest.raises(PermissionDenied):
        assessments.assessment_create(
            actor=users[role], data=assessments.AssessmentInput(model=nine, title="x")
        )
    with pytest.raises(PermissionDenied):
        add(users[role])


def test_the_standard_checklist_is_added_once(users):
    assert risks.risks_add_standard(actor=users["manager"]) == 27
    assert risks.risks_add_standard(actor=users["manager"]) == 0
    assert Risk.objects.count() == 27
    assert set(Risk.objects.values_list("group__key", flat=True)) == set(
        RiskGroup.objects.values_list("key", flat=True)
    )
    senior = Risk.objects.get(title_fa="حمایت و تعهد مدیریت ارشد")
    assert senior.title_en == "Senior management's support and commitment" and senior.score == 9
    assert AuditEvent.objects.filter(model="adoption.risk").count() == 27


def test_rating_a_risk_scores_it_and_audits_the_change(users, english):
    risk = add(users["manager"], likelihood=4, impact=5, owner=users["sales"], mitigation="آموزش بیشتر")
    assert risk.score == 20
    changed = risks.risk_save(
        actor=users["manager"],
        data=risks.RiskInput(
            group=risk.group, title_fa=risk.title_fa, likelihood=2, impact=5, status=RiskStatus.MITIGATING
        ),
        risk=risk,
    )
    assert changed.score == 10 and changed.owner is None
    event = AuditEvent.objects.filter(model="adoption.risk", kind=AuditEvent.Kind.UPDATE).get()
    assert event.changes["likelihood"] == [4, 2] and event.changes["status"] == ["identified", "mitigating"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add(users["manager"], title="", likelihood=3)
    with pytest.raises(ValidationError):
        add(users["manager"], likelihood=6)


def test_the_register_filters_sorts_pages_and_counts_the_heat_map(users, client_as, queries):
    manager = users["manager"]
    risks.risks_add_standard(actor=manager)
    top = add(
        manager, title="قطع برق", likelihood=5, impact=5, owner=users["sales"], group=group("technology")
    )
    add(manager, title="بسته", likelihood=5, impact=4, status=RiskStatus.CLOSED)
    page = risk_selectors.risk_list(user=manager, filters={}, limit=10)
    assert page.items[0] == top and page.next_cursor
    second = risk_selectors.risk_list(user=manager, filters={}, cursor=page.next_cursor, limit=10)
    assert not {r.pk for r in page} & {r.pk for r in second}
    assert [r.pk for r in risk_selectors.risk_list(user=manager, filters={"min_score": 20})] == [
        top.pk,
        top.pk + 1,
    ]
    assert [
        r.title_fa for r in risk_selectors.risk_list(user=manager, filters={"owner": users["sales"]})
    ] == ["قطع برق"]
    assert (
        risk_selectors.risk_list(user=manager, filters={"group": group("technology")}, sort="score").items[-1]
        == top
    )
    assert len(risk_selectors.risk_list(user=manager, filters={"status": "closed"})) == 1
    heat = risk_selectors.heat_map(user=manager)
    cells = {(c.likelihood, c.impact): c.count for row in heat for c in row}
    assert cells[(5, 5)] == 1 and cells[(3, 3)] == 27 and cells[(5, 4)] == 0  # closed ones are left out
    assert heat[0][4].band == "critical" and heat[4][0].band == "low"
    client = client_as("manager")
    client.get(reverse("adoption:risk_list"))
    with queries() as counted:
        response = client.get(reverse("adoption:risk_list"), {"sort": "-likelihood"})
    assert response.status_code == 200 and 'data-testid="heat-5-5"' in response.content.decode()
    few = len(counted)
    for i in range(20):
        add(manager, title=f"ریسک {i}", owner=users["support"], group=group("system"))
    with queries() as counted:
        client.get(reverse("adoption:risk_list"), {"sort": "-likelihood"})
    assert len(counted) == few  # no query per row


def test_the_assessment_list_takes_the_same_queries_for_more_rows(users, client_as, queries, nine):
    client = client_as("manager")
    assessments.assessment_create(
        actor=users["manager"], data=assessments.AssessmentInput(model=nine, title="a")
    )
    client.get(reverse("adoption:assessment_list"))
    with queries() as counted:
        client.get(reverse("adoption:assessment_list"))
    few = len(counted)
    for i in range(15):
        found = assessments.assessment_create(
            actor=users["manager"], data=assessments.AssessmentInput(model=nine, title=f"t{i}")
        )
        assessments.respondent_invite_user(actor=users["manager"], assessment=found, user=users["sales"])
    with queries() as counted:
        response = client.get(reverse("adoption:assessment_list"))
    assert response.status_code == 200 and len(counted) == few
