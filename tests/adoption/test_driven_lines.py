"""Benefit lines driven by the case's assumptions: a line is worth the assumption's value × its
amount per unit and follows the assumption when it is changed or the measured value adopted,
so the NPV and the board's PDF move with it; the tornado moves each assumption with every
line it drives; refusals with reasons; the page, its form and the API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from peyvand.adoption.models import CaseLine
from peyvand.adoption.selectors.business import Driver, Flow, case_lines, figures, sensitivity
from peyvand.adoption.services import business as services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users):
    return services.case_save(
        actor=users["manager"],
        data=services.BusinessCaseInput(title="طرح توجیهی", horizon_years=3, discount_rate=10),
    )


def _assume(users, case, **data):
    fields = {"label": "مشتری تازه در ماه", "value": "۳", "metric": "new_customers", "months": 1, **data}
    return services.assumption_save(
        actor=users["manager"], case=case, data=services.AssumptionInput(**fields)
    )


def _line(users, case, **data):
    fields = {"kind": "benefit", "category": "conversion", **data}
    return services.line_save(actor=users["manager"], case=case, data=services.CaseLineInput(**fields))


def test_a_driven_line_is_worth_the_assumption_times_its_amount_per_unit_and_follows_it(users, case):
    newcomers = _assume(users, case)
    line = _line(users, case, assumption=newcomers.pk, per_unit="۱۲۰٬۰۰۰٬۰۰۰", amount="1")
    assert (line.amount, line.per_unit, line.assumption_id) == (D(360_000_000), D(120_000_000), newcomers.pk)
    before = figures(case, case_lines(case)).npv
    services.assumption_save(
        actor=users["manager"],
        case=case,
        assumption=newcomers,
        data=services.AssumptionInput(label=newcomers.label, value="6", metric="new_customers", months=1),
    )
    line.refresh_from_db()
    assert line.amount == D(720_000_000)
    cent = D("0.01")
    assert figures(case, case_lines(case)).npv.quantize(cent) == (2 * before).quantize(cent)
    event = AuditEvent.objects.filter(model="adoption.businesscase", object_id=case.pk).latest("id")
    assert event.changes == {f"line {line.pk} amount": ["360000000.00", "720000000.00"]}


def test_adopting_the_measured_value_moves_the_lines_it_drives(users, case, make_person):
    for n in range(5):
        make_person(first_name=f"مشتری{n}")
    newcomers = _assume(users, case)
    line = _line(users, case, assumption=newcomers.pk, per_unit="1000")
    services.assumption_adopt(actor=users["manager"], assumption=newcomers)
    line.refresh_from_db()
    assert line.amount == D(5000)


def test_the_tornado_moves_an_assumption_with_every_line_it_drives():
    average = Driver(7, "میانگین فرصت")
    first = Flow(label="تبدیل", benefit=True, amount=D(100), driver=average)
    second = Flow(label="فروش متقاطع", benefit=True, amount=D(50), driver=average)
    fixed = Flow(label="مجوز", benefit=False, amount=D(60), one_off=True)
    swings = sensitivity([first, second, fixed], 1, D(0), D("0.1"))
    assert [(s.label, s.assumption) for s in swings] == [("میانگین فرصت", True), ("مجوز", False)]
    # Both lines move together: 150 ± 15, less the 60 of year 0.
    assert (swings[0].low, swings[0].high) == (D(75), D(105))
    with translation.override("en"):
        assert swings[0].title == "Assumption: میانگین فرصت" and swings[1].title == "مجوز"


def test_driven_lines_are_refused_with_reasons(users, case, english):
    other = services.case_save(actor=users["manager"], data=services.BusinessCaseInput(title="دیگری"))
    foreign = _assume(users, other)
    with pytest.raises(ValidationError) as error:
        _line(users, case, assumption=foreign.pk, per_unit="")
    assert error.value.message_dict == {
        "assumption": ["Choose one of this business case's assumptions."],
        "per_unit": ["Say what the line is worth for each unit of the assumption."],
    }
    negative = _assume(users, case, label="تغییر ریزش", value="-2", metric="")
    with pytest.raises(ValidationError) as error:
        _line(users, case, assumption=negative.pk, per_unit="10")
    assert error.value.message_dict == {
        "per_unit": ["A line cannot be worth less than nothing: its assumption is negative."]
    }
    assert not CaseLine.objects.exists()
    growth = _assume(users, case, label="رشد", value="2", metric="")
    line = _line(users, case, assumption=growth.pk, per_unit="10")
    with pytest.raises(ValidationError) as error:
        services.assumption_save(
            actor=users["manager"],
            case=case,
            assumption=growth,
            data=services.AssumptionInput(label="رشد", value="-1"),
        )
    assert error.value.message_dict == {
        "value": [
            f"The line «{line.name}» follows this assumption: "
            "A line cannot be worth less than nothing: its assumption is negative."
        ]
    }
    growth.refresh_from_db()
    line.refresh_from_db()
    assert (growth.value, line.amount) == (D(2), D(20))


def test_removing_the_assumption_leaves_its_lines_at_their_last_amount(users, case):
    newcomers = _assume(users, case)
    line = _line(users, case, assumption=newcomers.pk, per_unit="100")
    pk = newcomers.pk
    services.assumption_delete(actor=users["manager"], assumption=newcomers)
    line.refresh_from_db()
    assert (line.amount, line.assumption_id, line.per_unit) == (D(300), None, None)
    events = AuditEvent.objects.filter(model="adoption.businesscase", object_id=case.pk)
    untied = {f"line {line.pk} assumption_id": [pk, None], f"line {line.pk} per_unit": ["100.00", None]}
    assert untied in [event.changes for event in events]


def test_the_page_adds_a_driven_line_shows_how_and_the_pdf_carries_the_assumptions(users, case, client_as):
    newcomers = _assume(users, case)
    client = client_as("manager")
    page = client.get(f"/adoption/business-cases/{case.pk}/").content.decode()
    assert f'<option value="{newcomers.pk}">مشتری تازه در ماه</option>' in page
    refused = client.post(
        f"/adoption/business-cases/{case.pk}/lines/",
        {"kind": "benefit", "category": "conversion", "assumption": newcomers.pk, "per_unit": ""},
    )
    assert refused.status_code == 422 and not CaseLine.objects.exists()
    assert "بگویید این ردیف به ازای هر واحد از فرض چه‌قدر می‌ارزد." in refused.content.decode()
    added = client.post(
        f"/adoption/business-cases/{case.pk}/lines/",
        {"kind": "benefit", "category": "conversion", "assumption": newcomers.pk, "per_unit": "۱۰۰۰"},
    )
    assert added.status_code == 302
    line = CaseLine.objects.get()
    assert line.amount == D(3000)
    page = client.get(f"/adoption/business-cases/{case.pk}/").content.decode()
    assert 'data-testid="driven"' in page and "مشتری تازه در ماه (۳) × " in page
    assert "فرض: مشتری تازه در ماه" in page  # the tornado's table names the assumption
    edit = client.get(f"/adoption/business-cases/{case.pk}/lines/{line.pk}/").content.decode()
    assert f'<option value="{newcomers.pk}" selected>' in edit
    pdf = client.get(f"/adoption/business-cases/{case.pk}/board.pdf?lang=fa")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_api_writes_a_driven_line_unties_it_and_names_assumptions_in_the_sensitivity(users, case, api_as):
    newcomers = _assume(users, case)
    api = api_as("manager")
    base = f"/adoption/business-cases/{case.pk}/lines"
    made = api.post(
        base, {"kind": "benefit", "category": "conversion", "assumption": newcomers.pk, "per_unit": "250"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["amount"], body["assumption"], body["per_unit"]) == ("750.00", newcomers.pk, "250.00")
    swings = api.get(f"/adoption/business-cases/{case.pk}/figures").json()["sensitivity"]
    assert [(s["label"], s["assumption"]) for s in swings] == [("مشتری تازه در ماه", True)]
    assert api.post(base, {"kind": "benefit", "category": "conversion"}).status_code == 422
    untied = api.patch(f"{base}/{body['id']}", {"assumption": None, "amount": "900"})
    assert untied.status_code == 200, untied.content
    assert (untied.json()["amount"], untied.json()["assumption"], untied.json()["per_unit"]) == (
        "900.00",
        None,
        None,
    )
