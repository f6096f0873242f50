"""The business case end to end on a real database: writing a case and its lines (audited),
the form's and the API's refusals (translated, nothing written), the page's figures and charts
in Persian digits, who may do what, and the list's filters, sorting, paging and queries."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from peyvand.adoption.models import BusinessCase, CaseLine
from peyvand.adoption.selectors import business as selectors
from peyvand.adoption.services import business as services
from peyvand.core.models import AuditEvent
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def make_case(actor, title="طرح توجیهی CRM", **fields):
    fields.setdefault("discount_rate", "10")
    fields.setdefault("horizon_years", 3)
    return services.case_save(actor=actor, data=services.BusinessCaseInput(title=title, **fields))


def add_line(actor, case, kind="benefit", category="retention", amount="500", **fields):
    data = services.CaseLineInput(kind=kind, category=category, amount=amount, **fields)
    return services.line_save(actor=actor, case=case, data=data)


@pytest.fixture
def case(users):
    found = make_case(users["manager"])
    add_line(users["manager"], found, label="نگهداشت مشتری")
    add_line(users["manager"], found, kind="cost", category="licences", amount="1000", one_off=True)
    return found


def test_a_case_and_its_lines_are_written_and_audited(users, case):
    case.refresh_from_db()
    assert (case.currency, case.horizon_years, case.discount_rate, case.sensitivity) == (
        "IRR",
        3,
        D(10),
        D(20),
    )
    found = selectors.figures(case, selectors.case_lines(case))
    assert found.cash == [-1000, 500, 500, 500] and found.payback == 2
    assert abs(found.npv - D("243.425995")) < D("0.000001")
    events = AuditEvent.objects.filter(model="adoption.businesscase", object_id=case.pk)
    assert events.filter(kind=AuditEvent.Kind.CREATE).count() == 1
    assert events.filter(kind=AuditEvent.Kind.UPDATE).count() == 2  # a line each
    line = case.lines.get(kind="cost")
    services.line_delete(actor=users["manager"], line=line)
    assert not CaseLine.objects.filter(pk=line.pk).exists() and events.count() == 4
    changed = services.case_save(
        actor=users["manager"],
        data=services.BusinessCaseInput(
            title="تازه", currency="USD", horizon_years="۵", discount_rate="۱۲٫۵"
        ),
        case=case,
    )
    assert (changed.currency, changed.horizon_years, changed.discount_rate) == ("USD", 5, D("12.5"))
    update = events.filter(kind=AuditEvent.Kind.UPDATE).order_by("-pk").first()
    assert update.changes["currency"] == ["IRR", "USD"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"discount_rate": "-5"}, "discount_rate", "A discount rate cannot be negative."),
        ({"horizon_years": "11"}, "horizon_years", "Choose a horizon from 1 to 10 years."),
        ({"horizon_years": "2.5"}, "horizon_years", "Choose a horizon from 1 to 10 years."),
        ({"currency": "XYZ"}, "currency", "Unknown currency XYZ"),
        ({"title": "  "}, "title", "Give the business case a title."),
        ({"sensitivity": "0"}, "sensitivity", "Enter a number of at least 1."),
        ({"discount_rate": "abc"}, "discount_rate", "Enter a number."),
    ],
)
def test_the_service_refuses_bad_cases_with_clear_messages(users, english, fields, field, message):
    values = {"title": "x", **fields}
    with pytest.raises(ValidationError) as caught:
        services.case_save(actor=users["manager"], data=services.BusinessCaseInput(**values))
    assert message in caught.value.message_dict[field][0]
    assert not BusinessCase.objects.exists()


def test_lines_are_checked(users, case, english):
    bad = [
        ({"amount": "-1"}, "amount"),
        ({"growth": "-100"}, "growth"),
        ({"kind": "cost", "category": "retention"}, "category"),
        ({"kind": "gift"}, "kind"),
        ({"amount": "1.5.2"}, "amount"),
    ]
    before = case.lines.count()
    for fields, field in bad:
        with pytest.raises(ValidationError) as caught:
            add_line(users["manager"], case, **fields)
        assert field in caught.value.message_dict, fields
    assert case.lines.count() == before
    # Rial has no decimals: an amount is rounded to the currency.
    assert add_line(users["manager"], case, amount="۱۲۳٫۶").amount == D(124)


def test_the_form_takes_persian_digits_and_refuses_a_negative_rate_in_persian(client_as):
    client = client_as("manager")
    with translation.override("fa"):
        response = client.post(
            reverse("adoption:case_create"),
            {
                "title": "طرح",
                "currency": "IRR",
                "horizon_years": "۱۱",
                "discount_rate": "-۵",
                "sensitivity": "۲۰",
            },
            HTTP_ACCEPT_LANGUAGE="fa",
        )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"horizon_years", "discount_rate"}
    with translation.override("fa"):
        expected = translation.gettext("A discount rate cannot be negative.")
    assert form.errors["discount_rate"] == [expected]
    assert not BusinessCase.objects.exists()
    response = client.post(
        reverse("adoption:case_create"),
        {"title": "طرح", "currency": "EUR", "horizon_years": "۴", "discount_rate": "٨", "sensitivity": "۱۵"},
    )
    case = BusinessCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "adoption:case_detail", args=[case.pk]
    )
    assert (case.currency, case.horizon_years, case.discount_rate, case.sensitivity) == ("EUR", 4, 8, 15)
    response = client.post(
        reverse("adoption:line_add", args=[case.pk]),
        {"kind": "cost", "category": "retention", "amount": "x"},
    )
    assert response.status_code == 422 and not case.lines.exists()
    assert {"amount", "category"} <= set(response.context["line_form"].errors)
    line = services.line_save(
        actor=case.created_by,
        case=case,
        data=services.CaseLineInput(kind="cost", category="people", amount="100"),
    )
    edit = reverse("adoption:line_edit", args=[case.pk, line.pk])
    assert client.get(edit).status_code == 200
    bad = client.post(edit, {"kind": "cost", "category": "people", "amount": "-۱", "growth": "0"})
    assert bad.status_code == 422 and "amount" in bad.context["form"].errors
    line.refresh_from_db()
    assert line.amount == 100
    good = client.post(edit, {"kind": "cost", "category": "people", "amount": "۲۵۰٫۵", "growth": "۱۰"})
    assert good.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.growth) == (D("250.50"), D(10))


def test_the_page_shows_the_figures_in_persian_and_both_charts(client_as, users, case):
    client = client_as("manager")
    with translation.override("fa"):
        response = client.get(reverse("adoption:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="fa")
    html = response.content.decode()
    assert response.status_code == 200
    assert "۲۴۳" in html and "۲٫۰" in html  # the NPV, rounded to the Rial; the payback in years
    assert "۲۳٫۳۸٪" in html  # the IRR
    assert 'data-testid="tornado-table"' in html and '"kind": "tornado"' in html
    assert 'id="chart-cash-data"' in html
    tornado = response.context["tornado"]
    assert len(tornado["labels"]) == 2 and tornado["labels"][0] == "نگهداشت مشتری"  # the widest swing first
    assert tornado["rtl"] is True and tornado["locale"] == "fa-IR"
    assert tornado["series"][0]["values"][0] == pytest.approx(-248.69, abs=0.01)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_business_case_pages_as_the_policy_says(client_as, case, role):
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    for url in (reverse("adoption:case_list"), reverse("adoption:case_create")):
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    for url in (
        reverse("adoption:case_detail", args=[case.pk]),
        reverse("adoption:case_edit", args=[case.pk]),
    ):
        assert client.get(url).status_code == (200 if allowed else 404), (role, url)


@pytest.mark.parametrize("role", sorted(set(ROLES) - PROJECT_TEAM))
def test_a_denied_write_changes_nothing_and_audits_nothing(client_as, api_as, users, case, role):
    api = api_as(role)  # its token is audited before counting
    before_audit = AuditEvent.objects.count()
    before = (BusinessCase.objects.count(), CaseLine.objects.count())
    line = case.lines.first()
    client = client_as(role)
    attempts = [
        (
            reverse("adoption:case_create"),
            {"title": "x", "currency": "IRR", "horizon_years": "3", "discount_rate": "5"},
        ),
        (
            reverse("adoption:case_edit", args=[case.pk]),
            {"title": "y", "currency": "IRR", "horizon_years": "3"},
        ),
        (
            reverse("adoption:line_add", args=[case.pk]),
            {"kind": "benefit", "category": "retention", "amount": "9"},
        ),
        (reverse("adoption:line_delete", args=[case.pk, line.pk]), {}),
        (
            reverse("adoption:line_edit", args=[case.pk, line.pk]),
            {"kind": "cost", "category": "people", "amount": "1"},
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in (403, 404), (role, url)
    assert api.post("/adoption/business-cases", {"title": "x"}).status_code == 403
    assert api.patch(f"/adoption/business-cases/{case.pk}", {"title": "y"}).status_code in (403, 404)
    lines = f"/adoption/business-cases/{case.pk}/lines"
    assert api.post(lines, {"kind": "cost", "category": "people", "amount": "1"}).status_code in (403, 404)
    assert api.delete(f"{lines}/{line.pk}").status_code in (403, 404)
    assert (BusinessCase.objects.count(), CaseLine.objects.count()) == before
    case.refresh_from_db()
    assert case.title == "طرح توجیهی CRM"
    assert AuditEvent.objects.count() == before_audit
    with pytest.raises(PermissionDenied):
        make_case(users[role])


def test_the_api_writes_a_case_its_lines_and_reads_the_figures(api_as):
    api = api_as("manager")
    created = api.post(
        "/adoption/business-cases",
        {"title": "API", "horizon_years": 3, "discount_rate": "10", "currency": "irr"},
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert created.json()["currency"] == "IRR" and created.json()["discount_rate"] == "10.000"
    lines = f"/adoption/business-cases/{case_id}/lines"
    assert api.post(lines, {"kind": "benefit", "category": "cross_sell", "amount": "500"}).status_code == 201
    cost = api.post(lines, {"kind": "cost", "category": "consulting", "amount": 1000, "one_off": True})
    assert cost.status_code == 201, cost.content
    figures = api.get(f"/adoption/business-cases/{case_id}/figures").json()
    assert figures["npv"] == "243.00" and figures["payback_years"] == "2.000000"
    assert figures["irr"].startswith("0.23375")
    assert [y["net"] for y in figures["years"]] == ["-1000.00", "500.00", "500.00", "500.00"]
    assert figures["sensitivity"][0]["npv_low"] == "-5.00"
    changed = api.patch(f"{lines}/{cost.json()['id']}", {"amount": "1500"})
    assert changed.status_code == 200 and changed.json()["amount"] == "1500.00"
    assert api.delete(f"{lines}/{cost.json()['id']}").status_code == 204
    assert len(api.get(lines).json()) == 1
    assert api.patch(f"/adoption/business-cases/{case_id}", {"horizon_years": 5}).json()["horizon_years"] == 5
    listed = api.get("/adoption/business-cases", {"q": "API"}).json()
    assert [c["id"] for c in listed["items"]] == [case_id]
    assert_error(api_as("sales").get("/adoption/business-cases"), 403, "permission_denied")
    assert_error(api.get("/adoption/business-cases/999999"), 404, "not_found")


def test_the_api_refuses_bad_input_with_translated_errors_and_writes_nothing(api_as, case):
    api = api_as("manager")
    before = (BusinessCase.objects.count(), CaseLine.objects.count(), AuditEvent.objects.count())
    error = assert_error(
        api.post("/adoption/business-cases", {"title": "x", "discount_rate": "-3"}), 422, "validation_error"
    )
    assert any(f["field"] == "discount_rate" for f in error["fields"])
    error = assert_error(
        api.post("/adoption/business-cases", {"title": "x", "horizon_years": 0}), 422, "validation_error"
    )
    assert any(f["field"] == "horizon_years" for f in error["fields"])
    lines = f"/adoption/business-cases/{case.pk}/lines"
    assert_error(
        api.post(lines, {"kind": "cost", "category": "retention", "amount": 5}), 422, "validation_error"
    )
    assert_error(
        api.post(lines, {"kind": "cost", "category": "people", "amount": "-5"}), 422, "validation_error"
    )
    assert_error(
        api.post(lines, {"kind": "cost", "category": "people", "amount": "x"}), 422, "validation_error"
    )
    persian = api.post(
        "/adoption/business-cases", {"title": "x", "discount_rate": "-3"}, headers={"Accept-Language": "fa"}
    )
    with translation.override("fa"):
        expected = translation.gettext("A discount rate cannot be negative.")
    assert expected in persian.content.decode()
    assert (BusinessCase.objects.count(), CaseLine.objects.count(), AuditEvent.objects.count()) == before


def test_the_list_filters_sorts_pages_and_keeps_its_queries(users, client_as, queries):
    manager = users["manager"]
    for i in range(3):
        found = make_case(manager, title=f"طرح {i}", currency="USD" if i == 1 else "IRR")
        add_line(manager, found)
    page = selectors.case_list(user=manager, filters={}, sort="title", limit=2)
    assert [c.title for c in page] == ["طرح 0", "طرح 1"] and page.next_cursor
    rest = selectors.case_list(user=manager, filters={}, sort="title", cursor=page.next_cursor, limit=2)
    assert [c.title for c in rest] == ["طرح 2"]
    assert [c.title for c in selectors.case_list(user=manager, filters={"currency": "USD"})] == ["طرح 1"]
    assert [c.title for c in selectors.case_list(user=manager, filters={"q": "2"})] == ["طرح 2"]
    assert selectors.case_list(user=manager, filters={}).items[0].benefit_count == 1
    assert not selectors.case_list(user=users["sales"], filters={}).items
    client = client_as("manager")
    client.get(reverse("adoption:case_list"))
    with queries() as counted:
        response = client.get(reverse("adoption:case_list"), {"sort": "-title"})
    assert response.status_code == 200 and "طرح 2" in response.content.decode()
    few = len(counted)
    for i in range(15):
        found = make_case(manager, title=f"بیشتر {i}")
        add_line(manager, found, kind="cost", category="people")
    with queries() as counted:
        client.get(reverse("adoption:case_list"), {"sort": "-title"})
    assert len(counted) == few
    client.get(reverse("adoption:case_detail", args=[found.pk]))  # reads the settings it shows money by
    with queries() as counted:
        client.get(reverse("adoption:case_detail", args=[found.pk]))
    detail = len(counted)
    for _ in range(5):
        add_line(manager, found)
    with queries() as counted:
        client.get(reverse("adoption:case_detail", args=[found.pk]))
    assert len(counted) == detail
