"""The customer interaction map of the situation analysis (touchpoints per stage × channel
from the interactions logged) and the innovation model's feedback loop (periods measured
from Peyvand itself, the support decision, the trend), on the real database: counts against
hand-made data, bad input, each role's reach and the pages in Persian and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from peyvand.adoption.models import FeedbackPeriod, ItemStatus, RoadmapItem
from peyvand.adoption.selectors import feedback as feedback_selectors
from peyvand.adoption.selectors import interaction_map as selectors
from peyvand.adoption.services import feedback as services
from peyvand.adoption.services import roadmap as roadmap_services
from peyvand.customers.models import CustomerInsight, LifecycleStage
from peyvand.interactions.models import Interaction

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def touch(party, channel, at, users, **extra):
    return Interaction.objects.create(
        party=party,
        channel=channel,
        direction="inbound",
        occurred_at=at,
        subject="تماس",
        handled_by=users["admin"],
        **extra,
    )


@pytest.fixture
def world(users, make_person):
    """A prospect with two calls and an email, a customer with one call and a chat, one call
    out of the range and one deleted; the customer placed as "established" by the analytics."""
    now = timezone.now()
    prospect = make_person(first_name="سارا", data={"stage": "prospect"})
    customer = make_person(first_name="رضا", data={"stage": "customer"})
    touch(prospect, "phone", now, users)
    touch(prospect, "phone", now - dt.timedelta(days=3), users)
    touch(prospect, "email", now, users)
    touch(customer, "phone", now, users)
    touch(customer, "chat", now, users)
    touch(customer, "phone", now - dt.timedelta(days=400), users)
    touch(customer, "sms", now, users, deleted_at=now)
    CustomerInsight.objects.create(
        party=customer, lifecycle_stage=LifecycleStage.ESTABLISHED, computed_at=now
    )
    return prospect, customer


def test_touchpoints_per_stage_and_channel(users, world):
    today = timezone.localdate()
    found = selectors.interaction_map(user=users["manager"], start=today - dt.timedelta(days=30), end=today)
    assert found.count("prospect", "phone") == 2
    assert found.count("prospect", "email") == 1
    assert found.count("customer", "phone") == 1
    assert found.count("customer", "chat") == 1
    assert found.count("customer", "sms") == 0  # deleted
    assert found.total == 5
    assert [c for c, _l in found.channels] == ["phone", "email", "chat"]
    by_lifecycle = selectors.interaction_map(
        user=users["manager"], start=today - dt.timedelta(days=30), end=today, by="lifecycle"
    )
    assert by_lifecycle.count("established", "phone") == 1
    assert by_lifecycle.count(selectors.UNPLACED, "phone") == 2
    chart = selectors.interaction_chart(found)
    assert chart.kind == "stacked" and len(chart.series) == 3
    # A year back takes in the old call too.
    wide = selectors.interaction_map(user=users["manager"], start=today - dt.timedelta(days=500), end=today)
    assert wide.count("customer", "phone") == 2


def test_the_map_counts_only_what_the_reader_may_see(users, world, make_person):
    other = make_person(owner="outsider", first_name="نگار", data={"stage": "prospect"})
    touch(other, "phone", timezone.now(), users)
    today = timezone.localdate()
    assert (
        selectors.interaction_map(user=users["admin"], start=today, end=today).count("prospect", "phone") == 2
    )
    sales = selectors.interaction_map(user=users["outsider"], start=today, end=today)
    assert sales.count("prospect", "phone") == 1


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_map_page(users, world, client_as, language, django_assert_max_num_queries):
    users["manager"].language = language
    users["manager"].save()
    client = client_as("manager")
    url = reverse("adoption:interaction_map")
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="map-prospect-phone">' + ("۲" if language == "fa" else "2") in page
    assert 'data-testid="chart-touchpoints' in page or "touchpoints" in page
    # A range typed in Jalali with Persian digits, or in Gregorian.
    today = timezone.localdate()
    typed = "۱۴۰۰/۰۱/۰۱" if language == "fa" else "2021-03-21"
    wide = client.get(url, {"date_from": typed, "by": "lifecycle"})
    assert wide.status_code == 200
    assert (
        'data-testid="map-established-phone">' + ("۲" if language == "fa" else "2") in wide.content.decode()
    )
    for bad in (
        {"date_from": "۱۴۰۵/۱۳/۴۰"},
        {"date_from": "2025-02-02", "date_to": "2024-01-01"},
        {"by": "x<script>"},
    ):
        answer = client.get(url, bad)
        assert answer.status_code in (200, 422)
        assert "x<script>" not in answer.content.decode()
    export = client.get(url, {"export": "touchpoints"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert client.get(url, {"export": "nope"}).status_code == 404
    assert today


@pytest.mark.parametrize("role", ROLES)
def test_only_the_project_team_opens_the_map_and_the_loop(client_as, role):
    client = client_as(role)
    for name in ("adoption:interaction_map", "adoption:feedback_list"):
        response = client.get(reverse(name))
        assert response.status_code == (200 if role in PROJECT_TEAM else 403)
    if role not in PROJECT_TEAM:
        today = timezone.localdate().isoformat()
        refused = client.post(reverse("adoption:feedback_list"), {"start": today, "end": today})
        assert refused.status_code == 403
        assert not FeedbackPeriod.objects.exists()


def test_a_period_is_measured_from_peyvand(users, make_person):
    # Three customers created by the administrator: two share a phone; one has no source.
    make_person(
        first_name="الف", contacts=[{"kind": "phone", "value": "09121234567"}], data={"source": "website"}
    )
    make_person(
        first_name="ب", contacts=[{"kind": "phone", "value": "۰۹۱۲۱۲۳۴۵۶۷"}], data={"source": "phone"}
    )
    make_person(first_name="پ", owner="sales")
    roadmap = roadmap_services.roadmap_create(
        actor=users["manager"],
        data=roadmap_services.RoadmapInput(title="نقشه", starts_on=dt.date(2026, 1, 1)),
    )
    items = list(RoadmapItem.objects.filter(roadmap=roadmap).order_by("id"))
    done = len(items) // 4
    RoadmapItem.objects.filter(pk__in=[i.pk for i in items[:done]]).update(status=ItemStatus.DONE)
    today = timezone.localdate()
    period = services.feedback_period_create(
        actor=users["manager"], data=services.PeriodInput(start=today - dt.timedelta(days=6), end=today)
    )
    assert period.active_users == 2  # the administrator made the customers, the manager the roadmap
    assert period.records_created >= 4
    assert float(period.records_per_user) == pytest.approx(round(period.records_created / 2, 2))
    # Reachable 2 of 3, owned 3 of 3, sourced 2 of 3: 7 of 9.
    assert float(period.completeness) == pytest.approx(77.78)
    assert float(period.duplicate_rate) == pytest.approx(66.67)
    assert float(period.roadmap_progress) == pytest.approx(round(done / len(items) * 100, 2))
    assert period.objectives_on_track is None
    assert period.users == users["manager"].__class__.objects.filter(is_active=True).count()
    with pytest.raises(ValidationError):  # the same days twice
        services.feedback_period_create(
            actor=users["manager"], data=services.PeriodInput(start=period.start, end=period.end)
        )
    decided = services.feedback_period_decide(
        actor=users["manager"],
        period=period,
        data=services.DecisionInput(decision="continue", reason="پذیرش خوب است", notes="بودجه کافی"),
    )
    assert (decided.decision, decided.decided_by) == ("continue", users["manager"])
    with pytest.raises(ValidationError):
        services.feedback_period_measure(actor=users["manager"], period=period)
    chart = feedback_selectors.trend_chart(users["manager"])
    assert len(chart.labels) == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (dt.date(2025, 3, 1), dt.date(2025, 2, 1)), (dt.date(2024, 1, 1), dt.date(2025, 6, 1))],
)
def test_bad_periods_are_refused(users, start, end):
    with pytest.raises(ValidationError):
        services.feedback_period_create(
            actor=users["manager"], data=services.PeriodInput(start=start, end=end)
        )
    assert not FeedbackPeriod.objects.exists()


def test_bad_decisions_are_refused_and_others_may_not_decide(users):
    today = timezone.localdate()
    period = services.feedback_period_create(
        actor=users["admin"], data=services.PeriodInput(start=today, end=today)
    )
    for decision, reason in (("maybe", "x"), ("continue", " "), ("stop", "x" * 5001)):
        with pytest.raises(ValidationError):
            services.feedback_period_decide(
                actor=users["admin"],
                period=period,
                data=services.DecisionInput(decision=decision, reason=reason),
            )
    with pytest.raises(PermissionDenied):
        services.feedback_period_decide(
            actor=users["sales"], period=period, data=services.DecisionInput(decision="stop", reason="x")
        )
    assert FeedbackPeriod.objects.get(pk=period.pk).decision == ""


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_loop_pages(users, client_as, language):
    users["manager"].language = language
    users["manager"].save()
    client = client_as("manager")
    bad = client.post(reverse("adoption:feedback_list"), {"start": "۱۴۰۵/۱۳/۰۱", "end": "x"})
    assert bad.status_code == 422 and not FeedbackPeriod.objects.exists()
    start = "۱۴۰۵/۰۱/۰۱" if language == "fa" else "2026-03-21"
    end = "۱۴۰۵/۰۱/۳۱" if language == "fa" else "2026-04-20"
    made = client.post(reverse("adoption:feedback_list"), {"start": start, "end": end})
    assert made.status_code == 302
    period = FeedbackPeriod.objects.get()
    assert (period.start, period.end) == (dt.date(2026, 3, 21), dt.date(2026, 4, 20))
    detail = client.get(made["Location"])
    assert detail.status_code == 200 and 'data-testid="feedback-figures"' in detail.content.decode()
    refused = client.post(made["Location"], {"decision": "expand", "reason": ""})
    assert refused.status_code == 422
    ok = client.post(made["Location"], {"decision": "expand", "reason": "<b>رشد</b>"})
    assert ok.status_code == 302
    shown = client.get(made["Location"]).content.decode()
    assert "&lt;b&gt;رشد&lt;/b&gt;" in shown and 'data-testid="support-decision"' in shown
    listing = client.get(reverse("adoption:feedback_list"))
    assert listing.status_code == 200 and 'data-testid="period-list"' in listing.content.decode()
    assert client.get(reverse("adoption:feedback_list"), {"export": "feedback"}).status_code == 200
    assert client.post(reverse("adoption:feedback_measure", args=[period.pk])).status_code == 302


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_pdf_reports(users, client_as, assessment, language):
    from peyvand.adoption.services import business

    client = client_as("manager")
    report = client.get(reverse("adoption:assessment_pdf", args=[assessment.pk]), {"lang": language})
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")
    case = business.case_save(
        actor=users["manager"],
        data=business.BusinessCaseInput(title="طرح توجیهی"),
    )
    board = client.get(reverse("adoption:case_pdf", args=[case.pk]), {"lang": language})
    assert board.status_code == 200 and board.content.startswith(b"%PDF")
    for role in ("sales", "outsider"):
        assert client_as(role).get(reverse("adoption:case_pdf", args=[case.pk])).status_code in (403, 404)
        assert client_as(role).get(reverse("adoption:assessment_pdf", args=[assessment.pk])).status_code in (
            403,
            404,
        )
