"""A business case's assumptions tied to live figures: the assumed value beside what Peyvand
measures on the company's records and the difference; adopting the measured value (audited);
who may do it; refusals with reasons; the page in Persian."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from peyvand.adoption.models import Assumption
from peyvand.adoption.selectors.business import assumption_rows
from peyvand.adoption.services import business as services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _assume(users, case, actor="manager", **data):
    fields = {"label": "مشتری تازه در ماه", "value": "۳", "metric": "new_customers", "months": 1, **data}
    return services.assumption_save(actor=users[actor], case=case, data=services.AssumptionInput(**fields))


@pytest.fixture
def case(users):
    return services.case_save(actor=users["manager"], data=services.BusinessCaseInput(title="طرح توجیهی"))


@pytest.fixture
def customers(make_person):
    return [make_person(first_name=f"مشتری{n}") for n in range(5)]


def test_the_case_shows_the_assumed_and_the_measured_value_and_the_difference(users, case, customers):
    tied = _assume(users, case)
    loose = _assume(users, case, label="نرخ ریزش", value="12.5", metric="")
    rows = {row.assumption.pk: row for row in assumption_rows(case)}
    assert (rows[tied.pk].measured, rows[tied.pk].difference, rows[tied.pk].difference_percent) == (
        D(5),
        D(2),
        D("66.7"),
    )
    assert rows[tied.pk].adoptable
    assert (rows[loose.pk].measured, rows[loose.pk].difference, rows[loose.pk].adoptable) == (
        None,
        None,
        False,
    )


def test_adopting_the_measured_value_replaces_the_assumption_and_is_audited(users, case, customers):
    tied = _assume(users, case)
    services.assumption_adopt(actor=users["manager"], assumption=tied)
    tied.refresh_from_db()
    assert tied.value == D(5)
    event = AuditEvent.objects.filter(model="adoption.businesscase", object_id=case.pk).latest("id")
    assert event.changes[f"assumption {tied.pk} value"] == ["3.00", "5.00"]
    assert event.changes[f"assumption {tied.pk} adopted"] == [None, True]
    loose = _assume(users, case, metric="")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.assumption_adopt(actor=users["manager"], assumption=loose)
    assert error.value.messages == ["There is no measured value to adopt."]


def test_only_the_project_team_writes_or_adopts(users, case, customers):
    tied = _assume(users, case)
    for name in ("sales", "support", "marketing", "readonly", "outsider"):
        with pytest.raises(PermissionDenied):
            services.assumption_adopt(actor=users[name], assumption=tied)
        with pytest.raises(PermissionDenied):
            _assume(users, case, actor=name)
    tied.refresh_from_db()
    assert tied.value == D(3) and Assumption.objects.count() == 1


def test_bad_input_is_refused_with_reasons(users, case):
    with pytest.raises(ValidationError) as error:
        _assume(users, case, label=" ", value="بسیار", metric="magic", months="۰")
    assert set(error.value.message_dict) == {"label", "value", "metric", "months"}
    assert not Assumption.objects.exists()


def test_the_page_adds_shows_and_adopts(users, case, customers, client_as):
    client = client_as("manager")
    added = client.post(
        f"/adoption/business-cases/{case.pk}/assumptions/",
        {"label": "مشتری تازه", "value": "۴", "metric": "new_customers", "months": "۱"},
    )
    assert added.status_code == 302
    assumption = Assumption.objects.get()
    page = client.get(f"/adoption/business-cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "مشتری تازه" in page and f'data-testid="adopt-{assumption.pk}"' in page
    bad = client.post(
        f"/adoption/business-cases/{case.pk}/assumptions/", {"label": "", "value": "x", "months": "99"}
    )
    assert bad.status_code == 422 and Assumption.objects.count() == 1
    adopted = client.post(f"/adoption/business-cases/{case.pk}/assumptions/{assumption.pk}/adopt/")
    assert adopted.status_code == 302
    assumption.refresh_from_db()
    assert assumption.value == D(5)
    edit = client.get(f"/adoption/business-cases/{case.pk}/assumptions/{assumption.pk}/")
    assert edit.status_code == 200
    assert client_as("sales").post(
        f"/adoption/business-cases/{case.pk}/assumptions/{assumption.pk}/adopt/"
    ).status_code in (403, 404)
    removed = client.post(f"/adoption/business-cases/{case.pk}/assumptions/{assumption.pk}/delete/")
    assert removed.status_code == 302 and not Assumption.objects.exists()


def test_the_api_lists_adds_adopts_and_removes(users, case, customers, api_as):
    api = api_as("manager")
    base = f"/adoption/business-cases/{case.pk}/assumptions"
    made = api.post(base, {"label": "مشتری تازه", "value": "2", "metric": "new_customers", "months": 1})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["value"], body["measured"], body["difference"]) == ("2.00", "5.00", "3.00")
    assert api.post(base, {"label": "x", "value": "1", "metric": "magic"}).status_code == 422
    adopted = api.post(f"{base}/{body['id']}/adopt")
    assert adopted.status_code == 200 and adopted.json()["value"] == "5.00"
    loose = api.post(base, {"label": "فرض", "value": "1"}).json()
    assert api.post(f"{base}/{loose['id']}/adopt").status_code == 422
    assert len(api.get(base).json()) == 2
    assert api_as("sales").post(f"{base}/{body['id']}/adopt").status_code in (403, 404)
    assert api.delete(f"{base}/{loose['id']}").status_code == 204
