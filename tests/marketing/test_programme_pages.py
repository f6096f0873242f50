"""Programme pages and API: rendering in Persian and English, the step editor's errors on odd
input, who may change what, query counts, and the API's CRUD, enrol, pause and stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.marketing.models import Enrolment, Programme
from peyvand.marketing.services import programmes
from peyvand.marketing.services.programme_templates import programme_from_template
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(users: dict[str, User], town: dict[str, Party]) -> Programme:
    """The welcome series, started, with Maryam walked through its first step."""
    programme = programme_from_template(actor=users["marketing"], template="welcome", language="fa")
    programme = programmes.programme_start(programme=programme, actor=users["marketing"])
    programmes.programme_enrol(programme=programme, actor=users["marketing"], party_ids=[town["maryam"].pk])
    programmes.programmes_advance(now=timezone.now())
    return programme


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_pages_render_in_both_languages(
    running: Programme, as_user: Callable[[str], Client], language: str
) -> None:
    client = as_user("marketing")
    enrolment = Enrolment.objects.get(programme=running)
    base = f"/marketing/programmes/{running.pk}/"
    for url in (
        "/marketing/programmes/",
        base,
        f"{base}steps/new/",
        f"{base}steps/{running.steps.first().pk}/",  # type: ignore[union-attr]
        f"{base}enrolments/",
        f"{base}enrolments/{enrolment.pk}/",
        "/marketing/attribution/",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        body = response.content.decode()
        direction = "rtl" if language == "fa" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in body, url
    path = client.get(f"{base}enrolments/{enrolment.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-kind="sent"' in path


def test_the_steps_chart_shows_each_step_s_customers_beside_its_table_and_exports(
    running: Programme, as_user: Callable[[str], Client]
) -> None:
    client = as_user("marketing")
    first = running.steps.order_by("position").first()
    assert first is not None
    page = client.get(f"/marketing/programmes/{running.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'id="chart-steps"' in page and "echarts.min.js" in page
    # Maryam entered the first step: the table beside the chart says so in Persian digits.
    assert f"۱. {first.get_kind_display()}" in page
    export = client.get(f"/marketing/programmes/{running.pk}/?export=steps", HTTP_ACCEPT_LANGUAGE="en")
    assert export.status_code == 200
    assert export["Content-Disposition"] == f'attachment; filename="programme-{running.pk}-steps.csv"'
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Step,Entered,Converted,Exited"
    assert lines[1].startswith("1. ") and lines[1].split(",")[1] == "1"
    assert len(lines) == 1 + running.steps.count()


def test_the_step_editor_refuses_odd_input_without_an_error_page(
    running: Programme, as_user: Callable[[str], Client]
) -> None:
    client = as_user("marketing")
    url = f"/marketing/programmes/{running.pk}/steps/new/"
    before = running.steps.count()
    for data in (
        {"kind": "wait", "amount": "۰", "unit": "days"},
        {"kind": "wait", "amount": "٣٦٦٠", "unit": "days"},
        {"kind": "branch", "amount": "2", "condition": "opened", "yes_position": "۹۹"},
        {"kind": "tag", "text": ""},
        {"kind": "send", "channel": "email", "body_fa": "<p>سلام</p>"},
        {"kind": "nonsense"},
        {"kind": "wait", "amount": "abc"},
    ):
        response = client.post(url, data)
        assert response.status_code == 422, data
    assert running.steps.count() == before
    added = client.post(url, {"kind": "tag", "text": "مشتری ويژه", "position": "۲"})  # Arabic ي
    assert added.status_code == 302
    assert running.steps.get(position=2).text == "مشتری ویژه"


def test_sales_see_programmes_but_change_nothing(
    running: Programme, as_user: Callable[[str], Client], users: dict[str, User]
) -> None:
    client = as_user("sales")
    assert client.get(f"/marketing/programmes/{running.pk}/").status_code == 200
    for action in ("pause", "edit", "steps/new"):
        assert client.post(f"/marketing/programmes/{running.pk}/{action}/").status_code == 403
    running.refresh_from_db()
    assert running.status == Programme.Status.ACTIVE
    assert as_user("support").get("/marketing/programmes/").status_code == 403


def test_the_list_s_queries_do_not_grow_with_programmes(
    users: dict[str, User], as_user: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        programmes.programme_create(
            actor=users["marketing"], data=programmes.ProgrammeInput(name=f"برنامه {n}")
        )
    client = as_user("marketing")
    client.get("/marketing/programmes/")
    with django_assert_max_num_queries(14):
        assert client.get("/marketing/programmes/?status=draft&sort=name").status_code == 200


def test_the_api(api_as: Callable[[str], ApiClient], town: dict[str, Party]) -> None:
    api = api_as("marketing")
    made = api.post("/marketing/programmes", {"template": "cross_sell"})
    assert made.status_code == 201, made.content
    data = made.json()
    assert [step["kind"] for step in data["steps"]] == ["wait", "send", "branch", "lead", "exit", "send"]
    assert data["steps"][2]["yes_position"] == 4 and data["steps"][2]["no_position"] == 6
    pk = data["id"]
    blank = api.post("/marketing/programmes", {"name": "پیگیری", "reentry_days": 30})
    assert blank.status_code == 201 and blank.json()["reentry_days"] == 30
    assert api.post("/marketing/programmes", {}).status_code == 422
    bad = api.post(f"/marketing/programmes/{pk}/steps", {"kind": "wait", "amount": 0})
    assert bad.status_code == 422
    step = api.post(f"/marketing/programmes/{pk}/steps", {"kind": "tag", "text": "VIP", "position": 1})
    assert step.status_code == 201 and step.json()["position"] == 1
    assert (
        api.post(f"/marketing/programmes/{pk}/enrol", {"party_ids": [town["maryam"].pk]}).status_code == 422
    )
    assert api.post(f"/marketing/programmes/{pk}/start", {}).json()["status"] == "active"
    enrolled = api.post(f"/marketing/programmes/{pk}/enrol", {"party_ids": [town["maryam"].pk, 10**9]})
    assert enrolled.json() == {"added": 1, "skipped": 0}
    programmes.programmes_advance(now=timezone.now() + dt.timedelta(minutes=1))
    stats = api.get(f"/marketing/programmes/{pk}/stats").json()
    assert stats["enrolled"] == 1 and stats["steps"][0]["entered"] == 1
    listed = api.get(f"/marketing/programmes/{pk}/enrolments").json()
    enrolment_id = listed["items"][0]["id"]
    path = api.get(f"/marketing/programmes/{pk}/enrolments/{enrolment_id}").json()["path"]
    assert [row["kind"] for row in path] == ["arrived", "tagged", "arrived"]
    assert api.post(f"/marketing/programmes/{pk}/pause", {}).json()["status"] == "paused"
    assert api.delete(f"/marketing/programmes/{pk}").status_code == 204
    assert api.get(f"/marketing/programmes/{pk}").status_code == 404
    assert api_as("sales").post(f"/marketing/programmes/{blank.json()['id']}/start", {}).status_code == 403


def test_the_customer_page_links_a_programme_s_message_to_its_programme(
    running: Programme, town: dict[str, Party], as_user: Callable[[str], Client]
) -> None:
    page = as_user("marketing").get(f"/customers/{town['maryam'].pk}/").content.decode()
    assert f'href="/marketing/programmes/{running.pk}/"' in page
    step_campaign = running.steps.get(position=1).campaign
    assert step_campaign is not None
    assert as_user("marketing").get(f"/marketing/campaigns/{step_campaign.pk}/").status_code == 404
    enrolments = as_user("marketing").get(f"/marketing/programmes/{running.pk}/enrolments/").content.decode()
    assert f'href="/customers/{town["maryam"].pk}/"' in enrolments
