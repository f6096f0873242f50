"""Readiness models written in the editor by an administrator: a new model from the posted
rows (Persian digits, empty rows dropped), refused whole with every problem listed and nothing
lost; a copy of a built-in model; a change to one no assessment uses (built-in and used models
are not changed); the model's file to download, which the import reads back; who may do what."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from peyvand.adoption.models import Factor, ReadinessModel, Statement
from peyvand.adoption.services import assessments, catalogue
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "/admin/adoption/models/new/"

POSTED = {
    "key": "our-own",
    "name_fa": "مدل ما",
    "name_en": "Our model",
    "source": "In-house",
    "description_fa": "",
    "description_en": "",
    "factor-0-key": "people",
    "factor-0-name_fa": "افراد",
    "factor-0-name_en": "People",
    "factor-0-guidance_fa": "راهنما",
    "factor-0-guidance_en": "Guidance",
    "factor-0-statement-0-fa": "کارکنان آماده‌اند.",
    "factor-0-statement-0-en": "Staff are ready.",
    "factor-0-statement-0-weight": "۱٫۵",
    # An empty row the page drew is not kept.
    "factor-0-statement-1-fa": "",
    "factor-0-statement-1-en": "",
    "factor-0-statement-1-weight": "1",
    "factor-0-statement-1002-fa": "کارکنان نگران‌اند.",
    "factor-0-statement-1002-en": "Staff are worried.",
    "factor-0-statement-1002-weight": "2",
    "factor-0-statement-1002-reverse": "on",
    "factor-3-key": "tools",
    "factor-3-name_fa": "ابزار",
    "factor-3-name_en": "Tools",
    "factor-3-statement-1000-fa": "ابزار داریم.",
    "factor-3-statement-1000-en": "We have tools.",
    "factor-3-statement-1000-weight": "",
}


def test_an_administrator_writes_a_new_model_in_the_editor(client_as):
    client = client_as("admin")
    page = client.get(NEW)
    assert page.status_code == 200
    # One factor with three empty statements, and the templates the page copies for new rows.
    assert page.content.decode().count('data-testid="editor-statement"') == 3 + 1
    saved = client.post(NEW, POSTED)
    model = ReadinessModel.objects.get(key="our-own")
    assert saved.status_code == 302 and saved["Location"] == f"/adoption/models/{model.pk}/"
    factors = list(Factor.objects.filter(model=model).order_by("order"))
    assert [(f.key, f.name_fa, f.order) for f in factors] == [("people", "افراد", 1), ("tools", "ابزار", 2)]
    statements = Statement.objects.filter(factor__model=model).order_by("factor__order", "order")
    assert [(s.text_en, s.weight, s.reverse) for s in statements] == [
        ("Staff are ready.", D("1.5"), False),
        ("Staff are worried.", D(2), True),
        ("We have tools.", D(1), False),
    ]
    assert not model.builtin
    assert AuditEvent.objects.filter(model="adoption.readinessmodel", object_id=model.pk).count() == 1


def test_a_wrong_model_is_refused_whole_with_every_problem_and_nothing_is_lost(client_as, english):
    client = client_as("admin")
    wrong = {
        **POSTED,
        "key": "Our Own",
        "name_en": "",
        "factor-3-key": "people",
        "factor-0-statement-0-weight": "-1",
    }
    refused = client.post(NEW, wrong, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    page = refused.content.decode()
    for problem in (
        "The model needs a key of lowercase Latin letters, digits and hyphens",
        "The model: the name (en) is missing.",
        "Factor 2: the key people is used twice.",
        "Factor 1, statement 1: the weight must be a number above 0 and at most 100.",
    ):
        assert problem in page
    # What was typed is still there to be corrected.
    assert 'value="Our Own"' in page and "کارکنان نگران‌اند." in page and 'value="-1"' in page
    assert not ReadinessModel.objects.filter(name_fa="مدل ما").exists()


def test_a_model_is_changed_until_an_assessment_uses_it(users, client_as):
    client = client_as("admin")
    client.post(NEW, POSTED)
    model = ReadinessModel.objects.get(key="our-own")
    edit = f"/admin/adoption/models/{model.pk}/edit/"
    page = client.get(edit).content.decode()
    assert "کارکنان نگران‌اند." in page and 'value="our-own"' in page
    changed = {key: value for key, value in POSTED.items() if not key.startswith("factor-3-")} | {
        "name_en": "Our model, 2nd edition"
    }
    assert client.post(edit, changed).status_code == 302
    model.refresh_from_db()
    assert model.name_en == "Our model, 2nd edition"
    assert list(Factor.objects.filter(model=model).values_list("key", flat=True)) == ["people"]
    event = AuditEvent.objects.filter(model="adoption.readinessmodel", object_id=model.pk).latest("id")
    assert set(event.changes) == {"name", "factors"}

    assessments.assessment_create(
        actor=users["manager"], data=assessments.AssessmentInput(model=model, title="آمادگی")
    )
    assert client.get(edit)["Location"] == f"/adoption/models/{model.pk}/"
    with pytest.raises(ValidationError) as error, translation.override("en"):
        catalogue.readiness_model_save(
            actor=users["admin"], document=catalogue.model_document(model), model=model
        )
    assert error.value.messages == [
        "An assessment uses this model, so it is no longer changed: copy it into a new model."
    ]
    nine = ReadinessModel.objects.get(key="iranian-9")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        catalogue.readiness_model_save(
            actor=users["admin"], document=catalogue.model_document(nine), model=nine
        )
    assert error.value.messages == ["A built-in model is not changed: copy it into a new model."]
    assert 'data-testid="edit-model"' not in client.get(f"/adoption/models/{nine.pk}/").content.decode()


def test_a_built_in_model_is_copied_into_a_new_one(client_as):
    nine = ReadinessModel.objects.get(key="iranian-9")
    client = client_as("admin")
    page = client.get(f"{NEW}?copy={nine.pk}").content.decode()
    assert 'value="iranian-9-copy"' in page
    # Its rows, and the templates the page copies for new rows.
    assert page.count('data-testid="editor-factor"') == 9 + 1
    statements = Statement.objects.filter(factor__model=nine).count()
    assert page.count('data-testid="editor-statement"') == statements + 1


def test_the_downloaded_file_is_read_back_by_the_import(users, client_as):
    nine = ReadinessModel.objects.get(key="iranian-9")
    download = client_as("manager").get(f"/adoption/models/{nine.pk}/model.json")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="iranian-9.json"'
    document = json.loads(download.content)
    document["key"] = "iranian-9-ours"
    again = catalogue.readiness_model_import(
        actor=users["admin"], content=json.dumps(document).encode(), filename="ours.json"
    )
    assert catalogue.model_document(again) | {"key": "iranian-9"} == catalogue.model_document(nine)


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly", "outsider"])
def test_only_an_administrator_writes_models(client_as, role):
    client = client_as(role)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, POSTED).status_code == 403
    assert not ReadinessModel.objects.filter(key="our-own").exists()
    # The model's file: the project team (administrators and managers) only, as its page.
    nine = ReadinessModel.objects.get(key="iranian-9")
    assert client.get(f"/adoption/models/{nine.pk}/model.json").status_code == (
        200 if role == "manager" else 403
    )
