"""The go/no-go evaluation as a guided wizard: one step per criterion, each saved as a draft
when moving on (next asks for the step's score, back does not), taken up again where it was
left, refusals that keep what was typed, the summary with the recommendation and the decision,
read-only for those who may only look, nothing for those who may not."""

from __future__ import annotations

import pytest

from peyvand.adoption.models import GoDecision, GoNoGo, GoScore
from peyvand.adoption.services import selection as selection_services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def selection(users):
    return selection_services.selection_create(
        actor=users["manager"], data=selection_services.SelectionInput(name="انتخاب CRM")
    )


def _steps(selection) -> str:
    return f"/adoption/selections/{selection.pk}/go-no-go/steps/"


def test_each_step_is_saved_as_a_draft_and_the_draft_is_taken_up_again(users, selection, client_as):
    client = client_as("manager")
    start = client.get(_steps(selection))
    assert start.status_code == 302 and start["Location"].endswith("/steps/1/")
    first = client.get(start["Location"], HTTP_ACCEPT_LANGUAGE="fa")
    assert first.status_code == 200
    moved = client.post(f"{_steps(selection)}1/", {"score": "۴", "note": "هدف سازمان", "go": "next"})
    assert moved.status_code == 302 and moved["Location"].endswith("/steps/2/")
    record = GoNoGo.objects.get(selection=selection)
    assert list(GoScore.objects.filter(evaluation=record).values_list("criterion", "value", "note")) == [
        ("goal", 4, "هدف سازمان")
    ]
    # Left here: the next visit starts at the first criterion not scored.
    assert client.get(_steps(selection))["Location"].endswith("/steps/2/")
    # Next without a score is refused (nothing saved); back keeps the draft as it is.
    refused = client.post(f"{_steps(selection)}2/", {"note": "بدون امتیاز", "go": "next"})
    assert refused.status_code == 422 and "بدون امتیاز" in refused.content.decode()
    back = client.post(f"{_steps(selection)}2/", {"note": "", "go": "back"})
    assert back["Location"].endswith("/steps/1/")
    out_of_range = client.post(f"{_steps(selection)}2/", {"score": "9", "go": "next"})
    assert out_of_range.status_code == 422
    assert GoScore.objects.filter(evaluation=record).count() == 1
    assert AuditEvent.objects.filter(model="adoption.gonogo", object_id=record.pk).exists()


def test_the_summary_shows_the_recommendation_and_records_the_decision(users, selection, client_as):
    client = client_as("manager")
    for step, score in enumerate(("4", "4", "3", "3"), start=1):
        assert client.post(f"{_steps(selection)}{step}/", {"score": score, "go": "next"}).status_code == 302
    assert client.get(_steps(selection))["Location"].endswith("/steps/5/")
    summary = client.get(f"{_steps(selection)}5/").content.decode()
    assert 'data-testid="go-recommendation"' in summary and "text-success" in summary
    missing = client.post(f"{_steps(selection)}decision/", {"decision": "go"})
    assert missing.status_code == 422
    decided = client.post(f"{_steps(selection)}decision/", {"decision": "go", "reason": "آماده‌ایم"})
    assert decided.status_code == 302 and decided["Location"].endswith("/steps/5/")
    record = GoNoGo.objects.get(selection=selection)
    assert (record.decision, record.reason) == (GoDecision.GO, "آماده‌ایم")
    assert record.decided_by == users["manager"]
    # Decided: the steps take no more changes until the evaluation is reopened.
    locked = client.post(f"{_steps(selection)}1/", {"score": "1", "go": "next"})
    assert locked.status_code == 422
    assert GoScore.objects.get(evaluation=record, criterion="goal").value == 4


def test_who_may_look_and_who_may_change(users, selection, client_as):
    assert client_as("manager").get(f"{_steps(selection)}1/").status_code == 200
    for name in ("sales", "support", "marketing", "readonly", "outsider"):
        client = client_as(name)
        assert client.get(f"{_steps(selection)}1/").status_code in (403, 404)
        assert client.post(f"{_steps(selection)}1/", {"score": "3", "go": "next"}).status_code in (403, 404)
    assert client_as("manager").get(f"{_steps(selection)}9/").status_code == 404
    assert not GoScore.objects.exists()
