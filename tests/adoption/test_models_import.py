"""Readiness models are data: the five built-in ones loaded from the app's files (again and
again without duplicates), and an administrator's import from a file, refused whole with
clear errors when anything in it is wrong."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.adoption.models import Factor, ReadinessModel, RiskGroup, Statement
from peyvand.adoption.models.gonogo import RISK_QUESTIONNAIRE_KEY
from peyvand.adoption.services import catalogue
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

EXPECTED = {"firstwave": 8, "tgo": 9, "atfocus": 3, "iranian-9": 9, "iranian-6": 6}

VALID = {
    "format": "peyvand-readiness-model/1",
    "key": "our-own",
    "name": {"fa": "مدل ما", "en": "Our model"},
    "source": "In-house",
    "factors": [
        {
            "key": "people",
            "name": {"fa": "افراد", "en": "People"},
            "guidance": {"fa": "راهنما", "en": "Guidance"},
            "statements": [
                {"fa": "کارکنان آماده‌اند.", "en": "Staff are ready.", "weight": 2},
                {"fa": "کارکنان نگران‌اند.", "en": "Staff are worried.", "weight": 1, "reverse": True},
            ],
        },
        {
            "key": "tools",
            "name": {"fa": "ابزار", "en": "Tools"},
            "statements": [{"fa": "ابزار داریم.", "en": "We have tools."}],
        },
    ],
}


def counts() -> tuple[int, int, int]:
    return ReadinessModel.objects.count(), Factor.objects.count(), Statement.objects.count()


def test_the_five_built_in_models_and_six_risk_groups_are_there_with_their_factors():
    # The risk questionnaire of [004] is built in too, but is not one of [000]'s readiness models.
    readiness = ReadinessModel.objects.filter(builtin=True, kind="readiness").exclude(
        key=RISK_QUESTIONNAIRE_KEY
    )
    found = {m.key: m.factors.count() for m in readiness}
    assert found == EXPECTED
    nine = ReadinessModel.objects.get(key="iranian-9")
    names = list(nine.factors.order_by("order").values_list("name_fa", flat=True))
    assert names[0] == "ساختار" and names[-1] == "مدیریت دانش" and "فرهنگ" in names
    for factor in Factor.objects.exclude(model__key=RISK_QUESTIONNAIRE_KEY):
        assert 3 <= factor.statements.count() <= 4, factor.key
        assert factor.guidance_fa and factor.guidance_en and factor.name_en
    assert Statement.objects.filter(reverse=True).exists()
    assert list(RiskGroup.objects.values_list("key", flat=True)) == [
        "organisational",
        "skills-staffing",
        "project-management",
        "system",
        "application-use",
        "technology",
    ]
    assert sum(len(g["items"]) for g in catalogue.risk_catalogue()["groups"]) == 27


def test_loading_the_built_ins_again_adds_nothing():
    before = counts()
    assert catalogue.builtin_models_load() == 0
    assert catalogue.risk_groups_load() == 0
    assert counts() == before
    ReadinessModel.objects.filter(key="atfocus").delete()
    assert catalogue.builtin_models_load() == 1
    assert counts() == before


def test_an_administrator_imports_a_model_with_its_factors_and_statements(admin):
    model = catalogue.readiness_model_import(
        actor=admin, content=json.dumps(VALID).encode(), filename="m.json"
    )
    assert model.name_en == "Our model" and not model.builtin
    people = model.factors.get(key="people")
    assert [(s.text_en, float(s.weight), s.reverse) for s in people.statements.order_by("order")] == [
        ("Staff are ready.", 2.0, False),
        ("Staff are worried.", 1.0, True),
    ]
    assert model.factors.get(key="tools").guidance_fa == ""
    assert AuditEvent.objects.filter(model="adoption.readinessmodel", object_id=model.pk).count() == 1


def test_yaml_is_read_when_pyyaml_is_installed(admin):
    yaml = pytest.importorskip("yaml")
    content = yaml.safe_dump(VALID, allow_unicode=True).encode()
    model = catalogue.readiness_model_import(actor=admin, content=content, filename="m.yaml")
    assert model.factors.count() == 2


def broken(**changes):
    data = copy.deepcopy(VALID)
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b'{"key": "x", "factors": [', "m.json", "not valid JSON (line 1"),
        ("مدل".encode("utf-16"), "m.json", "not UTF-8"),
        ('{"key": "مدل"}'.encode("cp1256"), "m.json", "not UTF-8"),
        (broken(factors=[]), "m.json", "has no factors"),
        (broken(factors=None), "m.json", "has no factors"),
        (broken(**{"factors.0.statements": []}), "m.json", "Factor 1 has no statements"),
        (broken(**{"factors.1.name": {"fa": "ابزار"}}), "m.json", "Factor 2: the name (en) is missing"),
        (broken(**{"factors.0.statements.1.weight": -1}), "m.json", "Factor 1, statement 2: the weight"),
        (broken(**{"factors.0.statements.0.reverse": "yes"}), "m.json", "reverse must be true or false"),
        (broken(**{"factors.1.key": "people"}), "m.json", "the key people is used twice"),
        (broken(key="Not A Key"), "m.json", "needs a key"),
        (b"[1, 2]", "m.json", "must describe one model"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_error_and_nothing_is_written(
    admin, english, content, filename, message
):
    before, audit = counts(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        catalogue.readiness_model_import(actor=admin, content=content, filename=filename)
    assert any(message in text for text in caught.value.messages), caught.value.messages
    assert counts() == before and AuditEvent.objects.count() == audit


def test_every_problem_is_listed_at_once(admin, english):
    content = broken(**{"factors.0.statements.0.weight": 0, "factors.1.name": {"fa": "ابزار"}})
    with pytest.raises(ValidationError) as caught:
        catalogue.readiness_model_import(actor=admin, content=content, filename="m.json")
    assert len(caught.value.messages) == 2


def test_a_key_in_use_is_refused(admin, english):
    with pytest.raises(ValidationError, match="exists already"):
        catalogue.readiness_model_import(actor=admin, content=broken(key="iranian-9"), filename="m.json")


def test_only_an_administrator_imports(users):
    before = counts()
    with pytest.raises(PermissionDenied):
        catalogue.readiness_model_import(actor=users["manager"], content=json.dumps(VALID).encode())
    assert counts() == before


def test_the_import_page(client_as, english):
    client = client_as("admin")
    url = reverse("adoption:model_import")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("m.json", broken(factors=[]), content_type="application/json")
    response = client.post(url, {"file": bad}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "has no factors" in response.content.decode()
    good = SimpleUploadedFile("m.json", json.dumps(VALID).encode(), content_type="application/json")
    response = client.post(url, {"file": good})
    model = ReadinessModel.objects.get(key="our-own")
    assert response.status_code == 302 and response["Location"] == reverse(
        "adoption:model_detail", args=[model.pk]
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and "افراد" in page.content.decode()
    assert client_as("manager").get(url).status_code == 403
