"""The report builder's engine: Jalali and Gregorian periods (the Jalali year from Nowruz),
the whitelist of a definition, the pivot counted in the database through the permission
policy (two salespeople of different teams, the cross-owner case), saved reports and their
sharing, and the scheduled e-mail sent once per period."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext
from pydantic import ValidationError as SpecError
from pypdf import PdfReader

from peyvand.analytics.models import SavedReport
from peyvand.analytics.reporting import ReportSpec, bucket_label, buckets
from peyvand.analytics.selectors import reports as selectors
from peyvand.analytics.services import reports as services
from peyvand.core.models import AuditEvent
from peyvand.core.text import to_persian_digits
from peyvand.customers.models import ContactPoint
from peyvand.interactions import files
from peyvand.interactions.models import OutboundMessage
from peyvand.sales.models import Deal, DealStatus
from peyvand.sales.services import pipelines

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def has_number(text: str, digits: str) -> bool:
    """A number in Persian digits, in either order (pypdf reverses a right-to-left line)."""
    return digits in text or digits[::-1] in text


WON_BY_OWNER_AND_QUARTER = {
    "entity": "deal",
    "measure": "sum",
    "measure_field": "amount_base",
    "rows": "owner",
    "columns": "closed_at:quarter",
    "calendar": "jalali",
    "filters": [{"dimension": "status", "values": ["won"]}],
}


def tehran(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_fixed_timezone(210))


@pytest.fixture
def deal(users, make_org):
    """``deal(owner, amount, closed=date, status=...)``: a deal made straight in the table
    (the sales services are tested elsewhere; here only the figures matter)."""
    pipeline = pipelines.pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    parties: dict[str, Any] = {}

    def make(
        owner: str, amount: int, closed: dt.datetime | None = None, status: str = DealStatus.WON, **extra
    ):
        party = parties.get(owner) or parties.setdefault(owner, make_org(name=f"شرکت {owner}", owner=owner))
        stage = stages[-2] if status == DealStatus.WON else stages[0]
        return Deal.objects.create(
            title="فروش",
            party=extra.pop("party", party),
            pipeline=pipeline,
            stage=stage,
            status=status,
            currency="IRR",
            amount=Decimal(amount),
            amount_base=Decimal(amount),
            expected_close=dt.date(2025, 6, 1),
            owner=users[owner],
            closed_at=closed,
            stage_entered_at=timezone.now(),
            **extra,
        )

    return make


# --- periods ------------------------------------------------------------------------------------


def test_the_jalali_year_starts_at_nowruz():
    # 1403 is a leap year: Esfand has 30 days, so Nowruz 1404 falls on 21 March 2025.
    quarters = buckets(dt.date(2025, 3, 20), dt.date(2025, 3, 21), "quarter", "jalali", "fa")
    assert [(b.start, b.end) for b in quarters] == [
        (dt.date(2024, 12, 21), dt.date(2025, 3, 21)),
        (dt.date(2025, 3, 21), dt.date(2025, 6, 22)),
    ]
    with translation.override("fa"):
        quarter = gettext("Q%(quarter)s %(year)s")  # «فصل …» once the catalogue has it
        expected = [to_persian_digits(quarter % {"quarter": q, "year": y}) for q, y in ((4, 1403), (1, 1404))]
        assert [b.label for b in quarters] == expected
        assert expected[0].endswith("۴ ۱۴۰۳")
    years = buckets(dt.date(2025, 3, 20), dt.date(2026, 3, 21), "year", "jalali", "en")
    assert [(b.start, b.label) for b in years] == [
        (dt.date(2024, 3, 20), "1403"),
        (dt.date(2025, 3, 21), "1404"),
        (dt.date(2026, 3, 21), "1405"),
    ]
    assert bucket_label(dt.date(2025, 11, 22), "month", "jalali", "fa") == "آذر ۱۴۰۴"
    assert bucket_label(dt.date(2025, 11, 22), "month", "jalali", "en") == "Azar 1404"


def test_gregorian_periods():
    months = buckets(dt.date(2024, 12, 31), dt.date(2025, 2, 1), "month", "gregorian", "en")
    assert [b.label for b in months] == ["Dec 2024", "Jan 2025", "Feb 2025"]
    with translation.override("en"):
        assert bucket_label(dt.date(2025, 10, 1), "quarter", "gregorian", "en") == "Q4 2025"
    assert bucket_label(dt.date(2025, 10, 1), "month", "gregorian", "fa") == "۲۰۲۵/۱۰"


# --- the whitelist --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"rows": "owner__password"},
        {"rows": "amount_base"},
        {"columns": "owner"},  # the same as the rows
        {"measure": "sum", "measure_field": "owner__password"},
        {"measure": "sum", "measure_field": ""},
        {"measure_field": "amount_base"},  # a count takes no field
        {"date_field": "owner__last_login"},
        {"date_from": "2025-01-01"},  # a range with no date to apply it to
        {"date_field": "closed_at", "date_from": "1404/02/01", "date_to": "1404/01/01"},
        {"filters": [{"dimension": "owner__is_superuser", "values": ["1"]}]},
        {"filters": [{"dimension": "closed_at:month", "values": ["1"]}]},
        {"filters": [{"dimension": "status", "values": ["stolen"]}]},
        {"filters": [{"dimension": "owner", "values": ["1 OR 1=1"]}]},
        {"entity": "user"},
        {"order_by": "password"},
    ],
)
def test_only_whitelisted_names_pass(change):
    with pytest.raises(SpecError):
        ReportSpec.model_validate({"entity": "deal", "rows": "owner", **change})


def test_dates_in_either_calendar_and_any_digits():
    spec = ReportSpec.model_validate(
        {
            "entity": "deal",
            "rows": "owner",
            "date_field": "closed_at",
            "date_from": "۱۴۰۴/۰۱/۰۱",
            "date_to": "2025-06-21",
        }
    )
    assert (spec.date_from, spec.date_to) == (dt.date(2025, 3, 21), dt.date(2025, 6, 21))
    with pytest.raises(SpecError):
        ReportSpec.model_validate(
            {"entity": "deal", "rows": "owner", "date_field": "closed_at", "date_from": "1404/13/40"}
        )


# --- running a report ------------------------------------------------------------------------------


def test_won_deal_value_by_owner_and_jalali_quarter(deal, users, english):
    deal("sales", 100, tehran(dt.date(2025, 3, 20), 23))  # the last evening of 1403
    deal("sales", 250, tehran(dt.date(2025, 3, 21), 0))  # Nowruz 1404
    deal("sales", 50, tehran(dt.date(2025, 6, 21)))  # the last day of the first quarter
    deal("sales2", 400, tehran(dt.date(2025, 6, 22)))  # the second quarter's first
    deal("sales2", 999, tehran(dt.date(2025, 4, 1)), status=DealStatus.LOST)  # not won
    deal("sales", 70, None, status=DealStatus.OPEN)
    spec = ReportSpec.model_validate(WON_BY_OWNER_AND_QUARTER)
    pivot = selectors.run(user=users["manager"], spec=spec)
    assert [c.label for c in pivot.columns] == ["Q4 1403", "Q1 1404", "Q2 1404"]
    owners = {row.label: row.key for row in pivot.rows}
    sales, sales2 = owners[str(users["sales"])], owners[str(users["sales2"])]
    keys = [c.key for c in pivot.columns]
    assert [pivot.value(sales, k) for k in keys] == [Decimal(100), Decimal(300), None]
    assert [pivot.value(sales2, k) for k in keys] == [None, None, Decimal(400)]
    assert pivot.row_totals[sales].value("sum") == Decimal(400)
    assert pivot.grand.value("sum") == Decimal(800)
    header, rows = pivot.export()
    assert header == ["Owner", "Q4 1403", "Q1 1404", "Q2 1404", "Total"]
    assert rows[-1] == ["Total", 100, 300, 400, 800]
    chart = pivot.chart()
    assert chart.labels == tuple(row.label for row in pivot.rows)
    assert [s.name for s in chart.series] == ["Q4 1403", "Q1 1404", "Q2 1404"]


def test_the_same_report_in_persian_digits(deal, users):
    deal("sales", 1_250_000, tehran(dt.date(2025, 3, 21)))
    with translation.override("fa"):
        pivot = selectors.run(user=users["manager"], spec=ReportSpec.model_validate(WON_BY_OWNER_AND_QUARTER))
        assert pivot.header()[1].endswith("۱ ۱۴۰۴")
        assert pivot.totals()[-1] == "۱٬۲۵۰٬۰۰۰"
        assert pivot.chart().payload()["locale"] == "fa-IR"


def test_two_salespeople_of_different_teams_get_different_totals(deal, users):
    deal("sales", 100, tehran(dt.date(2025, 5, 1)))
    deal("sales2", 200, tehran(dt.date(2025, 5, 2)))  # the same team as sales
    deal("outsider", 4000, tehran(dt.date(2025, 5, 3)))  # team B
    spec = ReportSpec.model_validate(WON_BY_OWNER_AND_QUARTER)
    totals = {name: selectors.run(user=users[name], spec=spec).grand.value("sum") for name in users}
    assert totals["sales"] == totals["sales2"] == Decimal(300)  # their team's, not the outsider's
    assert totals["outsider"] == Decimal(4000)  # only their own team's
    assert totals["manager"] == Decimal(300)
    assert totals["admin"] == Decimal(4300)
    assert totals["readonly"] is None  # sees no deals at all
    # The cross-owner case: a filter naming another team's owner finds nothing for them.
    sneaky = ReportSpec.model_validate(
        {
            **WON_BY_OWNER_AND_QUARTER,
            "filters": [{"dimension": "owner", "values": [str(users["outsider"].pk)]}],
        }
    )
    assert selectors.run(user=users["sales"], spec=sneaky).is_empty
    assert selectors.run(user=users["admin"], spec=sneaky).grand.value("sum") == Decimal(4000)


def test_gregorian_months_city_and_averages(deal, users, make_org, english):
    tabriz = make_org(
        name="تبریز",
        owner="sales",
        contacts=[{"kind": "address", "value": "خیابان امام", "city": "تبریز", "province": "آذربایجان شرقی"}],
    )
    deal("sales", 100, tehran(dt.date(2025, 1, 31), 23), party=tabriz)  # 31 January in Tehran
    deal("sales", 300, tehran(dt.date(2025, 2, 1)), party=tabriz)
    deal("sales2", 500, tehran(dt.date(2025, 2, 3)))  # a customer with no address
    spec = ReportSpec.model_validate(
        {
            "entity": "deal",
            "measure": "avg",
            "measure_field": "amount_base",
            "rows": "city",
            "columns": "closed_at:month",
            "calendar": "gregorian",
        }
    )
    pivot = selectors.run(user=users["manager"], spec=spec)
    assert [r.label for r in pivot.rows] == ["تبریز", "Not set"]
    assert [c.label for c in pivot.columns] == ["Jan 2025", "Feb 2025"]
    assert pivot.column_totals[pivot.columns[1].key].value("avg") == Decimal(400)  # (300 + 500) / 2
    assert pivot.grand.value("avg") == Decimal(300)
    only_tabriz = ReportSpec.model_validate(
        {**spec.model_dump(), "filters": [{"dimension": "city", "values": ["تبریز"]}]}
    )
    assert selectors.run(user=users["manager"], spec=only_tabriz).grand.count == 2
    assert ContactPoint.objects.filter(city="تبریز").exists()


@pytest.mark.parametrize("entity", ["customer", "order", "order_line", "interaction", "activity", "ticket"])
def test_every_entity_runs(entity, users, make_person):
    make_person()
    spec = ReportSpec.model_validate({"entity": entity, "rows": "owner", "columns": "team"})
    pivot = selectors.run(user=users["admin"], spec=spec)
    assert pivot.grand.count == (1 if entity == "customer" else 0)


def test_a_date_range_applies_to_its_date(deal, users):
    deal("sales", 100, tehran(dt.date(2025, 3, 20)))
    deal("sales", 200, tehran(dt.date(2025, 3, 21)))
    spec = ReportSpec.model_validate(
        {
            **WON_BY_OWNER_AND_QUARTER,
            "date_field": "closed_at",
            "date_from": "1404/01/01",
            "date_to": "1404/12/29",
        }
    )
    pivot = selectors.run(user=users["manager"], spec=spec)
    assert pivot.grand.value("sum") == Decimal(200)


# --- saved reports -----------------------------------------------------------------------------------


def save(user, name="فروش فصلی", **extra):
    data = services.ReportInput(name=name, spec=ReportSpec.model_validate(WON_BY_OWNER_AND_QUARTER), **extra)
    return services.report_save(actor=user, data=data)


def test_a_private_report_and_one_shared_with_the_team(users):
    private = save(users["sales"], "خصوصی")
    shared = save(users["sales"], "مشترک", visibility="team")
    assert shared.team_id == users["sales"].team_id
    seen = {
        name: set(selectors.reports_visible(users[name]).values_list("name", flat=True)) for name in users
    }
    assert seen["sales"] == {"خصوصی", "مشترک"}
    assert seen["sales2"] == {"مشترک"}
    assert seen["manager"] == {"خصوصی", "مشترک"}  # a manager sees their team's
    assert seen["outsider"] == set()
    assert seen["readonly"] == set()  # readonly users do not read reports
    with pytest.raises(Http404):
        selectors.report_get(user=users["outsider"], pk=shared.pk)
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=users["sales2"],
            data=services.ReportInput(name="x", spec=selectors.report_spec(shared)),
            report=shared,
        )
    with pytest.raises(PermissionDenied):
        services.report_delete(actor=users["sales2"], report=shared)
    assert SavedReport.objects.filter(pk=shared.pk, name="مشترک").exists()
    services.report_delete(actor=users["sales"], report=private)
    assert not selectors.reports_visible(users["sales"]).filter(pk=private.pk).exists()
    assert AuditEvent.objects.filter(object_id=private.pk, kind=AuditEvent.Kind.DELETE).exists()


def test_saving_checks_its_fields(users, english):
    with pytest.raises(ValidationError) as caught:
        save(users["sales"], "  ")
    assert caught.value.message_dict["name"] == ["Give the report a name."]
    with pytest.raises(ValidationError) as caught:
        save(users["admin"], "بی‌تیم", visibility="team")  # the administrator is in no team
    assert "visibility" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        save(users["readonly"])


# --- e-mailed on a schedule ----------------------------------------------------------------------------


def test_the_scheduled_email_goes_once_a_period_with_each_readers_figures(deal, users):
    for name, user in users.items():
        user.email = "" if name == "support" else f"{name}@example.com"  # no address, no e-mail
        user.language = "en" if name == "sales2" else "fa"
        user.save()
    deal("sales", 1000, tehran(dt.date(2025, 5, 1)))
    deal("outsider", 7, tehran(dt.date(2025, 5, 1)))
    report = save(users["sales"], "هفتگی", visibility="team", schedule="weekly")
    saturday = tehran(dt.date(2026, 12, 5), 9)
    assert services.reports_send_due(now=saturday) == 1
    assert services.reports_send_due(now=saturday + dt.timedelta(days=3)) == 0  # the same week
    sent = OutboundMessage.objects.filter(subject__contains="هفتگی")
    team_a = {
        u.pk
        for u in users.values()
        if u.team_id == users["sales"].team_id and selectors.may_use(u) and u.email
    }
    assert {m.recipient_user_id for m in sent} == team_a
    assert sent.count() == len(team_a) == 4  # the manager, both salespeople, marketing
    english_one = OutboundMessage.objects.get(recipient_user=users["sales2"], subject="Report: هفتگی")
    assert "Total | 1,000 | 1,000" in english_one.body_text  # not the other team's 7
    assert "The chart and the table are in the attached PDF." in english_one.body_text
    assert all(m.attachments.count() == 1 for m in sent)
    (attached,) = english_one.attachments.all()
    assert attached.filename.endswith(".pdf") and attached.content_type == "application/pdf"
    text = pdf_text(files.resolve(attached.path).read_bytes())
    assert "Sum of Value (base currency)" in text  # the chart's value axis, in the reader's language
    assert "600" in text and "1,000" in text  # its ticks, and the reader's figure
    persian = OutboundMessage.objects.get(recipient_user=users["manager"], subject__contains="هفتگی")
    assert has_number(pdf_text(files.resolve(persian.attachments.get().path).read_bytes()), "۶۰۰")
    assert services.reports_send_due(now=saturday + dt.timedelta(days=7)) == 1  # the next week
    assert (
        OutboundMessage.objects.filter(recipient_user=users["sales"], subject__contains="هفتگی").count() == 2
    )
    report.refresh_from_db()
    assert report.last_sent_period == "weekly:2026-12-12"


def test_without_node_the_email_carries_the_table_and_says_why_there_is_no_chart(deal, users, settings):
    settings.PEYVAND_NODE = "/nowhere/node"
    users["sales"].email, users["sales"].language = "sales@example.com", "en"
    users["sales"].save()
    deal("sales", 1000, tehran(dt.date(2025, 5, 1)))
    save(users["sales"], "بی‌نمودار", schedule="daily")
    assert services.reports_send_due(now=tehran(dt.date(2026, 12, 7))) == 1
    message = OutboundMessage.objects.get(subject__contains="بی‌نمودار")
    note = "The chart could not be drawn on the server (it needs Node.js); the attached PDF holds the table."
    assert note in message.body_text and note in message.body_html
    text = pdf_text(files.resolve(message.attachments.get().path).read_bytes())
    assert "it needs Node.js" in " ".join(text.split()) and "1,000" in text
    assert "Sum of Value (base currency)" not in text  # no chart, so no value axis


def test_period_keys():
    day = dt.date(2026, 3, 21)  # Nowruz 1405, a Saturday
    assert services.period_key("daily", "jalali", day) == "daily:2026-03-21"
    assert services.period_key("weekly", "jalali", day) == "weekly:2026-03-21"
    assert services.period_key("weekly", "gregorian", day) == "weekly:2026-03-16"
    assert services.period_key("monthly", "jalali", day) == "monthly:1405-01"
    assert services.period_key("monthly", "jalali", day - dt.timedelta(days=1)) == "monthly:1404-12"
    assert services.period_key("monthly", "gregorian", day) == "monthly:2026-03"


def test_a_broken_report_does_not_keep_the_others_from_going_out(users):
    broken = save(users["sales"], "خراب", schedule="daily")
    save(users["sales"], "سالم", schedule="daily")
    SavedReport.objects.filter(pk=broken.pk).update(definition={"entity": "nothing"})
    users["sales"].email = "sales@example.com"
    users["sales"].save()
    assert services.reports_send_due(now=tehran(dt.date(2026, 12, 7))) == 1
    assert OutboundMessage.objects.filter(subject__contains="سالم").count() == 1
    assert not OutboundMessage.objects.filter(subject__contains="خراب").exists()
