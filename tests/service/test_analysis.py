"""The service analysis: each section's figures from a small known set of tickets, through
the permission policy; the page in Persian and English; each table as CSV; a constant
number of queries whatever the number of tickets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from peyvand.core.models import User
from peyvand.sales.models import Product
from peyvand.service.models import Category, Cause, SlaEvent, SlaPolicy, Status, Survey, Ticket
from peyvand.service.selectors import analysis as selectors

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
# 1404/01/01 to 1404/03/31: three Jalali months (Farvardin, Ordibehesht, Khordad), 93 days,
# so months rather than weeks; in Gregorian months, March (from the 21st) to June (to the 21st).
START, END = dt.date(2025, 3, 21), dt.date(2025, 6, 21)
NOW = dt.datetime(2025, 5, 26, 12, 0, tzinfo=TEHRAN)
URL = reverse("service:analysis")
QUERY = {"date_from": "1404/01/01", "date_to": "1404/03/31"}
JALALI_MONTHS = ("فروردین ۱۴۰۴", "اردیبهشت ۱۴۰۴", "خرداد ۱۴۰۴")
MONTHS = ("Mar 2025", "Apr 2025", "May 2025", "Jun 2025")
CHART_KEYS = {
    "volume", "category", "product", "team", "first_response", "resolution", "breach", "backlog",
    "causes", "csat", "nps", "load",
}  # fmt: skip


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TEHRAN)


@pytest.fixture
def desk(open_ticket, users, team_a, team_b):
    """Six tickets of team A, held by the support agent or nobody, and one of team B's.

    ====  ===========  =======  ========  =======  ========  ==========  ========  ==========
    name  opened       channel  category  product  response  resolution  SLA       complaint
    ====  ===========  =======  ========  =======  ========  ==========  ========  ==========
    t1    03-25 10:00  phone    A         P1       10 min    3 h (late)  breached  late
    t2    03-26 10:00  email    A         P2       20 min    10 h        kept      late
    t7    04-01 10:00  web      —         —        —         closed      none      no cause
    t3    04-25 10:00  email    B         P1       50 min    open        breached  damaged
    t5    04-10 10:00  chat     —         —        —         open        none      rude (B)
    t4    05-25 10:00  web      —         —        3 h       open        none      —
    t6    05-26 08:00  phone    —         —        —         new         none      —
    ====  ===========  =======  ========  =======  ========  ==========  ========  ==========
    """
    cat_a, cat_b = Category.objects.create(name="دسته الف"), Category.objects.create(name="دسته ب")
    p1 = Product.objects.create(sku="P1", name_fa="گوشی", name_en="Phone X")
    p2 = Product.objects.create(sku="P2", name_fa="تبلت", name_en="Tablet Y")
    late, damaged = Cause.objects.create(name="تأخیر پیک"), Cause.objects.create(name="شکستگی")
    rude = Cause.objects.create(name="بی‌ادبی")
    policy = SlaPolicy.objects.first()

    def ticket(name, **fields):
        made = open_ticket(
            "admin",
            subject=name,
            team=fields.pop("team", team_a),
            assignee=fields.pop("assignee", users["support"]),
        )
        no_sla = {"sla_policy": None, "first_response_due": None, "resolution_due": None}
        Ticket.objects.filter(pk=made.pk).update(**{**no_sla, **fields})
        return Ticket.objects.get(pk=made.pk)

    t1 = ticket(
        "t1", created_at=at(3, 25), channel="phone", category=cat_a, product=p1, kind="complaint", cause=late,
        first_responded_at=at(3, 25, 10, 10), resolved_at=at(3, 25, 13), status=Status.RESOLVED,
        sla_policy=policy, first_response_due=at(3, 25, 10, 5), resolution_due=at(3, 25, 12),
    )  # fmt: skip
    t2 = ticket(
        "t2", created_at=at(3, 26), channel="email", category=cat_a, product=p2, kind="complaint", cause=late,
        first_responded_at=at(3, 26, 10, 20), resolved_at=at(3, 26, 20), status=Status.CLOSED,
        sla_policy=policy, first_response_due=at(3, 26, 11), resolution_due=at(3, 27, 12),
    )  # fmt: skip
    t3 = ticket(
        "t3", created_at=at(4, 25), channel="email", category=cat_b, product=p1, kind="complaint",
        cause=damaged, first_responded_at=at(4, 25, 10, 50), status=Status.OPEN, sla_policy=policy,
    )  # fmt: skip
    t4 = ticket(
        "t4", created_at=at(5, 25), channel="web", first_responded_at=at(5, 25, 13), status=Status.OPEN
    )
    t5 = ticket(
        "t5", created_at=at(4, 10), channel="chat", kind="complaint", cause=rude, status=Status.OPEN,
        team=team_b, assignee=users["outsider"],
    )  # fmt: skip
    t6 = ticket("t6", created_at=at(5, 26, 8), channel="phone", status=Status.NEW, assignee=None)
    t7 = ticket("t7", created_at=at(4, 1), channel="web", kind="complaint", status=Status.CLOSED)
    for breached, metric in [(t1, "resolution"), (t3, "first_response"), (t3, "resolution")]:
        SlaEvent.objects.create(ticket=breached, metric=metric, kind="breach", due_at=at(4, 1), at=at(4, 1))
    SlaEvent.objects.create(ticket=t2, metric="resolution", kind="warning", due_at=at(3, 27), at=at(3, 27))
    for on, kind, score, answered in [
        (t1, "csat", 5, at(3, 27)),
        (t2, "csat", 3, at(3, 28)),
        (t1, "nps", 10, at(3, 27)),
        (t2, "nps", 6, at(3, 28)),
        (t3, "nps", 9, at(4, 26)),
        (t4, "csat", None, None),  # sent, never answered
        (t5, "csat", 1, at(4, 11)),  # team B's: the support agent does not see it
    ]:
        Survey.objects.create(ticket=on, kind=kind, score=score, answered_at=answered)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7}


def analyse(user: User, language: str = "en", **filters) -> selectors.Analysis:
    with translation.override(language):
        return selectors.analysis(
            user=user, filters=selectors.AnalysisFilters(start=START, end=END, **filters), now=NOW
        )


def series(chart) -> dict[str, tuple]:
    """name -> values, rounded to 4 places."""
    return {s.name: tuple(None if v is None else round(v, 4) for v in s.values) for s in chart.series}


# --- the figures --------------------------------------------------------------------------------


def test_volume_over_time_by_channel_in_jalali_and_gregorian_months(desk, users):
    persian = analyse(users["support"], "fa").charts["volume"]
    assert persian.labels == JALALI_MONTHS
    assert [s.values for s in persian.series] == [(1, 1, 0), (1, 0, 1), (1, 0, 1), (3, 1, 2)]
    chart = analyse(users["support"]).charts["volume"]
    assert chart.kind == "stacked" and chart.labels == MONTHS and chart.label_heading == "Month"
    assert series(chart) == {
        "Email": (1, 1, 0, 0),
        "Phone": (1, 0, 1, 0),
        "Web form": (0, 1, 1, 0),
        "Total": (2, 2, 2, 0),
    }
    assert [s.in_chart for s in chart.series] == [True, True, True, False]  # the total is the table's


def test_volume_by_category_product_and_team(desk, users):
    charts = analyse(users["support"]).charts
    assert charts["category"].labels == ("دسته الف", "دسته ب", "Not set")
    assert charts["category"].series[0].values == (2, 1, 3)
    assert charts["product"].labels == ("Phone X", "Tablet Y", "Not set")
    assert charts["product"].series[0].values == (2, 1, 3)
    assert analyse(users["support"], "fa").charts["product"].labels[:2] == ("گوشی", "تبلت")
    assert charts["team"].labels == ("Team A",) and charts["team"].series[0].values == (6,)


def test_response_and_resolution_times_are_read_off_the_histogram(desk, users):
    charts = analyse(users["support"], "fa").charts
    # Farvardin: 10 and 20 minutes. The median (rank 1 of 2) closes the 0–15 minute bucket:
    # 15 min; the 90th percentile (rank 1.8) lies 0.8 into the 15–30 bucket: 27 min.
    # Ordibehesht: 50 minutes, alone in 30–60: 45 and 57 min. Khordad: 3 h, alone in 2–4 h:
    # 3 h and 3.8 h. Within the SLA: t1 answered after its due time, t2 before.
    assert list(series(charts["first_response"]).values()) == [
        (0.25, 0.75, 3.0),  # median
        (0.45, 0.95, 3.8),  # 90th percentile
        (2, 1, 1),  # tickets
        (50.0, None, None),  # within the SLA
    ]
    # Resolved in Farvardin: 3 h (2–4 h bucket) and 10 h (8–12 h bucket): the median closes
    # the 2–4 h bucket (4 h), the 90th percentile lies 0.8 into 8–12 h (11.2 h).
    english = analyse(users["support"]).charts
    assert series(english["resolution"]) == {
        "Median": (4.0, None, None, None),
        "90th percentile": (11.2, None, None, None),
        "Tickets": (2, 0, 0, 0),
        "Within the SLA": (50.0, None, None, None),
    }
    assert series(english["first_response"]) == {
        "Median": (0.25, 0.75, 3.0, None),
        "90th percentile": (0.45, 0.95, 3.8, None),
        "Tickets": (2, 1, 1, 0),
        "Within the SLA": (50.0, None, None, None),
    }
    assert english["first_response"].unit == "hours"


def test_a_duration_on_an_edge_falls_in_the_bucket_above(open_ticket, users):
    # Exactly 15 minutes is in 15–30, exactly an hour in 1–2 h (SQLite's julianday would
    # make them 14.99999… and 59.99999… unrounded).
    for minutes in (15, 60):
        made = open_ticket("admin", assignee=None)
        opened = dt.datetime(2025, 6, 1, 9, 0, 0, 123456, tzinfo=TEHRAN)
        Ticket.objects.filter(pk=made.pk).update(
            created_at=opened, first_responded_at=opened + dt.timedelta(minutes=minutes)
        )
    with translation.override("en"):
        found = selectors.analysis(
            user=users["admin"],
            filters=selectors.AnalysisFilters(start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 1)),
        )
    # The median closes the 15–30 bucket; the 90th percentile lies 0.8 into 1–2 h: 108 min.
    assert series(found.charts["first_response"])["Median"] == (0.5,)
    assert series(found.charts["first_response"])["90th percentile"] == (1.8,)


def test_breach_rate_backlog_and_load(desk, users):
    charts = analyse(users["support"]).charts
    # Opened under a policy: t1 (breached) and t2 in March, t3 (breached twice: one ticket) in April.
    assert series(charts["breach"]) == {
        "Breach rate": (50.0, 100.0, None, None),
        "Tickets with an SLA": (2, 1, 0, 0),
        "Breached": (1, 1, 0, 0),
    }
    # Open at NOW: t6 (4 hours old), t4 (a day and 2 hours), t3 (31 days).
    assert charts["backlog"].labels == ("Under a day", "1–3 days", "3–7 days", "7–30 days", "Over 30 days")
    assert charts["backlog"].series[0].values == (1, 1, 0, 0, 1)
    assert charts["load"].labels == (str(users["support"]), "Unassigned")
    assert charts["load"].series[0].values == (2, 1)


def test_pareto_of_complaint_causes(desk, users):
    chart = analyse(users["support"]).charts["causes"]
    assert chart.kind == "pareto"
    assert chart.labels == ("تأخیر پیک", "شکستگی")  # the most frequent first
    assert series(chart) == {"Complaints": (2, 1), "Cumulative share": (66.6667, 100.0)}
    line = chart.series[1]
    assert (line.kind, line.axis, line.format) == ("line", 1, "percent")
    assert "Complaints without a cause: 1." in chart.note  # t7


def test_csat_and_nps_by_month_from_answered_surveys(desk, users):
    charts = analyse(users["support"]).charts
    assert series(charts["csat"]) == {"Average score (1–5)": (4.0, None, None, None), "Answers": (2, 0, 0, 0)}
    # March: a promoter (10) and a detractor (6): 0. April: a promoter (9): 100.
    assert series(charts["nps"]) == {
        "NPS": (0.0, 100.0, None, None),
        "Answers": (2, 1, 0, 0),
        "Promoters (9–10)": (50.0, 100.0, None, None),
        "Detractors (0–6)": (50.0, 0.0, None, None),
    }


def test_key_figures_in_the_readers_digits(desk, users):
    english = {f.key: f.value for f in analyse(users["support"]).figures}
    assert english == {
        "tickets": "6",
        "first_response": "0.5 h",  # 10, 20, 50 min and 3 h: rank 2 of 4 closes the 15–30 min bucket
        "resolution": "4.0 h",
        "breach": "66.7%",
        "backlog": "3",
        "csat": "4.0",
        "nps": "33.3",  # 2 promoters, 1 detractor of 3
    }
    persian = {f.key: f.value for f in analyse(users["support"], "fa").figures}
    assert persian["tickets"] == "۶" and persian["breach"] == "۶۶٫۷٪" and persian["nps"] == "۳۳٫۳"


def test_figures_come_only_from_the_tickets_one_may_see(desk, users, team_b):
    admin = analyse(users["admin"]).charts
    assert admin["team"].labels == ("Team A", "Team B") and admin["team"].series[0].values == (6, 1)
    assert "Chat" in series(admin["volume"])
    assert "بی‌ادبی" in admin["causes"].labels
    assert str(users["outsider"]) in admin["load"].labels
    assert series(admin["csat"])["Answers"] == (2, 1, 0, 0)
    # The support agent of team A sees neither team B's agent's ticket nor its survey.
    support = analyse(users["support"]).charts
    assert "Team B" not in support["team"].labels
    assert "Chat" not in series(support["volume"])
    assert "بی‌ادبی" not in support["causes"].labels
    assert str(users["outsider"]) not in support["load"].labels
    # Team B's agent sees their own ticket and the unassigned one, nothing of team A's agent.
    outsider = analyse(users["outsider"]).charts
    assert series(outsider["volume"])["Total"] == (0, 1, 1, 0)
    assert outsider["load"].labels == (str(users["outsider"]), "Unassigned")
    # The team filter.
    only_b = analyse(users["admin"], team_id=team_b.pk).charts
    assert only_b["team"].labels == ("Team B",) and series(only_b["volume"])["Total"] == (0, 1, 0, 0)


def test_weeks_for_a_short_range(desk, users):
    with translation.override("fa"):
        chart = selectors.analysis(
            user=users["support"],
            filters=selectors.AnalysisFilters(start=dt.date(2025, 3, 22), end=dt.date(2025, 4, 5)),
            now=NOW,
        ).charts["volume"]
    # Iranian weeks start on Saturday: 1404/01/02 (a Saturday), 01/09 and 01/16 (its only day).
    assert chart.labels == ("۱۴۰۴/۰۱/۰۲", "۱۴۰۴/۰۱/۰۹", "۱۴۰۴/۰۱/۱۶")
    assert chart.series[-1].values == (2, 1, 0)  # the total


# --- the page -------------------------------------------------------------------------------------


def payloads(html: str) -> dict[str, dict]:
    found = re.findall(r'<script id="chart-(\w+)-data" type="application/json">(.*?)</script>', html, re.S)
    return {key: json.loads(text) for key, text in found}


def test_the_page_in_persian(desk, as_user):
    html = as_user("support").get(URL, QUERY).content.decode()
    data = payloads(html)
    assert set(data) == CHART_KEYS
    assert html.count("data-chart=") == len(CHART_KEYS)
    volume = data["volume"]
    assert volume["locale"] == "fa-IR" and volume["rtl"] is True
    assert volume["labels"] == list(JALALI_MONTHS)
    assert [s["values"] for s in volume["series"]] == [[1, 1, 0], [1, 0, 1], [1, 0, 1]]  # no total
    assert data["causes"]["series"][1] == {
        "name": data["causes"]["series"][1]["name"], "values": [66.67, 100], "format": "percent",
        "decimals": 1, "kind": "line", "axis": 1,
    }  # fmt: skip
    cells = re.findall(r'<td class="text-end text-nowrap">([^<]*)</td>', html)
    assert cells and not any(re.search(r"[0-9]", cell) for cell in cells)
    assert "۶۶٫۷٪" in cells
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html and "peyvand/charts.js" in html
    assert 'value="1404/01/01"' in html


def test_the_page_in_english(desk, as_user):
    client = as_user("support")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, {"date_from": "2025-03-21", "date_to": "2025-06-21"})
    html = response.content.decode()
    assert response.status_code == 200
    data = payloads(html)
    assert data["volume"]["locale"] == "en-US" and data["volume"]["rtl"] is False
    assert data["volume"]["labels"] == list(MONTHS)
    assert '<caption class="visually-hidden">Causes of complaints (Pareto)</caption>' in html
    assert '<td class="text-end text-nowrap">66.7%</td>' in html


def test_dates_typed_in_either_calendar_and_a_wrong_range(desk, as_user):
    client = as_user("support")
    gregorian = client.get(URL, {"date_from": "2025-03-21", "date_to": "2025-06-21"}).content.decode()
    assert payloads(gregorian)["volume"]["labels"] == list(JALALI_MONTHS)
    backwards = client.get(URL, {"date_from": "1404/03/31", "date_to": "1404/01/01"})
    assert backwards.status_code == 200 and backwards.context["form"].errors["date_to"]
    assert backwards.context["analysis"].filters == selectors.default_filters()
    nonsense = client.get(URL, {"date_from": "hello", "team": "999999"})
    assert nonsense.status_code == 200 and nonsense.context["analysis"].filters == selectors.default_filters()


def test_who_sees_the_page(as_user, users):
    assert as_user("support").get(URL).status_code == 200
    assert as_user("sales").get(URL).status_code == 200  # sales see their team's tickets
    assert as_user("readonly").get(URL).status_code == 403
    tickets_page = as_user("support").get(reverse("service:ticket_list")).content.decode()
    assert f'href="{URL}"' in tickets_page


def test_each_table_as_csv(desk, as_user):
    Cause.objects.filter(name="شکستگی").update(name="=HYPERLINK(1)")
    client = as_user("support")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, {**QUERY, "export": "causes"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tickets-causes-2025-03-21-2025-06-21.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["Cause", "Complaints", "Cumulative share"],
        ["تأخیر پیک", "2", "66.67"],
        ["'=HYPERLINK(1)", "1", "100"],  # neutralised: never a formula
    ]
    volume = client.get(URL, {**QUERY, "export": "volume"})
    lines = list(csv.reader(io.StringIO(b"".join(volume.streaming_content).decode().lstrip("\ufeff"))))
    assert lines[0] == ["Month", "Email", "Phone", "Web form", "Total"]
    assert lines[1] == ["Mar 2025", "1", "1", "0", "2"]
    assert client.get(URL, {"export": "nothing"}).status_code == 404


def test_the_page_counts_in_a_constant_number_of_queries(desk, as_user, open_ticket, queries):
    client = as_user("support")
    client.get(URL, QUERY)
    with queries() as few:
        client.get(URL, QUERY)
    for i in range(10):
        ticket = open_ticket("admin", subject=f"مورد {i}", assignee=None)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=at(4, 1 + i), first_responded_at=at(4, 2 + i))
        Survey.objects.create(ticket=ticket, kind="csat", score=4, answered_at=at(4, 3 + i))
    with queries() as many:
        response = client.get(URL, QUERY)
    assert series_total(response) == 6 + 10
    assert len(many) == len(few)
    assert len(few) <= 20


def series_total(response) -> int:
    return sum(v for s in payloads(response.content.decode())["volume"]["series"] for v in s["values"])
