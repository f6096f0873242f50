"""The implementation roadmap: opened from the template with every sub-phase the issue lists
(the five phases of seed [004], each in one of Chaffey's stages of seed [000]); an item's
changes (checked, audited); the progress per phase and overall; the timeline; filters; the
page in Persian with Jalali dates; the API; who may do what; the page's queries."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from peyvand.adoption.models import ItemStatus, Roadmap, RoadmapItem
from peyvand.adoption.selectors import roadmap as selectors
from peyvand.adoption.services import roadmap as services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}
START = dt.date(2025, 12, 7)  # 1404/09/16

# The sub-phases of issue 15, phase by phase, in its order.
ISSUE_SUB_PHASES = {
    "strategy": [
        "Situation analysis",
        "Commencing CRM education",
        "Developing the CRM vision",
        "Setting priorities",
        "Setting goals and objectives",
        "Identifying people, process and technology needs",
        "Developing the business case",
    ],
    "infrastructure": [
        "Identifying the stakeholders",
        "Establishing the governance structures",
        "Identifying change management needs",
        "Identifying project management needs",
        "Identifying the critical success factors",
        "Developing the risk management plan",
    ],
    "requirements-partners": [
        "Process mapping and refinement",
        "Data analysis and gap analysis",
        "Initial technology requirements and research into alternative solutions",
        "Writing the request for proposal (RFP)",
        "Calling for proposals",
        "Re-checking the technology requirements",
        "Evaluating and selecting the partner",
    ],
    "implementation": [
        "Refining the project plan",
        "Identifying the technology customisation needs",
        "Prototyping, testing, refining and rolling out",
    ],
    "evaluation": ["Project outcomes", "Business outcomes"],
}


def open_roadmap(actor, title="نقشهٔ راه CRM"):
    return services.roadmap_create(actor=actor, data=services.RoadmapInput(title=title, starts_on=START))


def change(actor, item, **fields):
    values = {
        "owner": item.owner,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "deliverables": item.deliverables,
        "status": item.status,
        **fields,
    }
    return services.item_save(actor=actor, item=item, data=services.RoadmapItemInput(**values))


@pytest.fixture
def roadmap(users):
    return open_roadmap(users["manager"])


def test_the_roadmap_has_every_sub_phase_of_the_issue_in_order(roadmap):
    rows = selectors.items(roadmap)
    by_phase: dict[str, list[str]] = {}
    for row in rows:
        by_phase.setdefault(row.phase_key, []).append(row.title_en)
    assert by_phase == ISSUE_SUB_PHASES
    assert len(rows) == 25 and all(row.title_fa for row in rows)
    assert rows[0].title_fa == "تجزیه و تحلیل موقعیت" and rows[0].phase_fa == "ایجاد استراتژی (راهبرد)"
    stages = {row.phase_key: row.stage for row in rows}
    assert stages == {
        "strategy": "planning",
        "infrastructure": "planning",
        "requirements-partners": "foundation",
        "implementation": "execution",
        "evaluation": "execution",
    }
    # One after another from the start, each as long as the template says.
    assert rows[0].starts_on == START and rows[0].ends_on == START + dt.timedelta(days=20)
    for before, after in itertools.pairwise(rows):
        assert after.starts_on == before.ends_on + dt.timedelta(days=1)
    assert all(row.status == ItemStatus.NOT_STARTED for row in rows)
    assert AuditEvent.objects.filter(model="adoption.roadmap", kind=AuditEvent.Kind.CREATE).count() == 1


def test_the_template_is_bilingual_data():
    raw = json.loads(services.TEMPLATE.read_text(encoding="utf-8"))
    assert len(raw["phases"]) == 5
    for phase in raw["phases"]:
        assert (
            phase["name"]["fa"]
            and phase["name"]["en"]
            and phase["stage"] in {"planning", "foundation", "execution"}
        )
        for item in phase["items"]:
            assert item["name"]["fa"] and item["name"]["en"] and item["weeks"] >= 1


def test_changing_items_checks_audits_and_moves_the_progress(users, roadmap, english):
    rows = selectors.items(roadmap)
    first = change(
        users["manager"], rows[0], status=ItemStatus.DONE, owner=users["sales"], deliverables="گزارش"
    )
    assert first.status == "done" and first.owner == users["sales"]
    change(users["manager"], rows[1], status=ItemStatus.DONE)
    change(users["manager"], rows[-1], status=ItemStatus.BLOCKED)
    event = (
        AuditEvent.objects.filter(model="adoption.roadmap", kind=AuditEvent.Kind.UPDATE)
        .order_by("pk")
        .first()
    )
    assert event.changes["situation-analysis status"] == ["not_started", "done"]
    per_phase, overall = selectors.progress(selectors.items(roadmap))
    assert [(p.key, p.done, p.total, p.percent) for p in per_phase][:2] == [
        ("strategy", 2, 7, 29),
        ("infrastructure", 0, 6, 0),
    ]
    assert (overall.done, overall.total, overall.percent) == (2, 25, 8)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        change(users["manager"], rows[2], ends_on=rows[2].starts_on - dt.timedelta(days=1))
    assert caught.value.message_dict["ends_on"] == ["The end cannot come before the start."]
    with pytest.raises(ValidationError):
        change(users["manager"], rows[2], status="lost")
    assert AuditEvent.objects.count() == before
    assert [r.key for r in selectors.items(roadmap, {"status": "done"})] == [
        "situation-analysis",
        "crm-education",
    ]
    assert [r.key for r in selectors.items(roadmap, {"owner": users["sales"]})] == ["situation-analysis"]
    assert len(selectors.items(roadmap, {"phase": "evaluation"})) == 2


def test_the_timeline_places_each_bar_in_its_span(roadmap):
    rows = selectors.items(roadmap)
    first, last, bars = selectors.timeline(rows)
    assert first == START and last == rows[-1].ends_on
    days = (last - first).days + 1
    assert bars[0].offset == 0 and bars[0].width == round(100 * 21 / days, 2)
    assert bars[-1].offset + bars[-1].width == pytest.approx(100, abs=0.02)
    assert selectors.timeline([]) == (None, None, [])
    assert selectors.today_offset(START, START + dt.timedelta(days=9), START + dt.timedelta(days=5)) == 50
    assert selectors.today_offset(START, START + dt.timedelta(days=9), START - dt.timedelta(days=1)) is None
    assert selectors.today_offset(None, None, START) is None


def test_the_page_in_persian_and_the_item_form(client_as, users, roadmap, queries):
    client = client_as("manager")
    url = reverse("adoption:roadmap_detail", args=[roadmap.pk])
    with translation.override("fa"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fa")
    html = response.content.decode()
    assert response.status_code == 200
    assert "تجزیه و تحلیل موقعیت" in html and "۱۴۰۴/۰۹/۱۶" in html
    assert html.count('class="gantt-row"') == 25 and 'data-testid="overall-progress">۰٪' in html
    item = selectors.items(roadmap)[0]
    edit = reverse("adoption:item_edit", args=[item.pk])
    response = client.post(edit, {"starts_on": "1404/09/20", "ends_on": "1404/09/10", "status": "done"})
    assert response.status_code == 422 and "ends_on" in response.context["form"].errors
    response = client.post(
        edit,
        {
            "owner": users["support"].pk,
            "starts_on": "۱۴۰۴/۰۹/۲۰",
            "ends_on": "1404/10/10",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.starts_on, item.ends_on, item.status) == (
        dt.date(2025, 12, 11),
        dt.date(2025, 12, 31),
        "in_progress",
    )
    filtered = client.get(url, {"status": "in_progress"})
    assert filtered.content.decode().count('class="gantt-row"') == 1
    client.get(url)
    with queries() as counted:
        client.get(url)
    few = len(counted)
    for row in selectors.items(roadmap)[:10]:
        change(users["manager"], row, owner=users["sales"])
    with queries() as counted:
        client.get(url)
    assert len(counted) == few
    response = client.post(reverse("adoption:roadmap_list"), {"title": "", "starts_on": ""})
    assert response.status_code == 422 and Roadmap.objects.count() == 1
    response = client.post(reverse("adoption:roadmap_list"), {"title": "دوم", "starts_on": "۱۴۰۴/۱۰/۰۱"})
    assert response.status_code == 302 and Roadmap.objects.get(title="دوم").starts_on == dt.date(2025, 12, 22)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_roadmap_pages_and_a_denied_write_changes_nothing(
    client_as, api_as, users, roadmap, role
):
    api = api_as(role)
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    item = selectors.items(roadmap)[0]
    assert client.get(reverse("adoption:roadmap_list")).status_code == (200 if allowed else 403)
    assert client.get(reverse("adoption:roadmap_detail", args=[roadmap.pk])).status_code == (
        200 if allowed else 404
    )
    assert client.get(reverse("adoption:item_edit", args=[item.pk])).status_code == (200 if allowed else 404)
    if allowed:
        return
    before = (AuditEvent.objects.count(), Roadmap.objects.count(), RoadmapItem.objects.count())
    assert (
        client.post(reverse("adoption:roadmap_list"), {"title": "x", "starts_on": "1404/09/16"}).status_code
        == 403
    )
    data = {"starts_on": "1404/09/16", "ends_on": "1404/09/20", "status": "done"}
    assert client.post(reverse("adoption:item_edit", args=[item.pk]), data).status_code == 404
    assert api.post("/adoption/roadmaps", {"title": "x", "starts_on": "2025-12-07"}).status_code == 403
    assert api.patch(f"/adoption/roadmap-items/{item.pk}", {"status": "done"}).status_code == 404
    assert api.get("/adoption/roadmaps").status_code == 403
    assert (AuditEvent.objects.count(), Roadmap.objects.count(), RoadmapItem.objects.count()) == before
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_STARTED
    with pytest.raises(PermissionDenied):
        open_roadmap(users[role])


def test_the_api_opens_a_roadmap_lists_filters_and_changes_items(api_as, users):
    api = api_as("manager")
    created = api.post("/adoption/roadmaps", {"title": "API", "starts_on": "1404/09/16"})
    assert created.status_code == 201, created.content
    roadmap_id = created.json()["id"]
    assert created.json()["starts_on"] == "2025-12-07"
    assert [r["id"] for r in api.get("/adoption/roadmaps").json()] == [roadmap_id]
    assert api.get(f"/adoption/roadmaps/{roadmap_id}").json()["title"] == "API"
    assert api_as("sales").get(f"/adoption/roadmaps/{roadmap_id}").status_code == 404
    listed = api.get(f"/adoption/roadmaps/{roadmap_id}/items").json()
    assert len(listed["items"]) == 25 and listed["percent_done"] == 0 and len(listed["phases"]) == 5
    first = listed["items"][0]
    changed = api.patch(
        f"/adoption/roadmap-items/{first['id']}", {"status": "done", "owner_id": users["sales"].pk}
    )
    assert changed.status_code == 200 and changed.json()["owner"]["id"] == users["sales"].pk
    assert api.get(f"/adoption/roadmaps/{roadmap_id}/items", {"status": "done"}).json()["percent_done"] == 4
    done = api.get(f"/adoption/roadmaps/{roadmap_id}/items", {"status": "done"}).json()["items"]
    assert [i["key"] for i in done] == ["situation-analysis"]
    assert (
        len(api.get(f"/adoption/roadmaps/{roadmap_id}/items", {"phase": "implementation"}).json()["items"])
        == 3
    )
    before = AuditEvent.objects.count()
    bad = api.patch(f"/adoption/roadmap-items/{first['id']}", {"ends_on": "2020-01-01"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "ends_on"
    assert api.patch(f"/adoption/roadmap-items/{first['id']}", {"status": "lost"}).status_code == 422
    assert api.post("/adoption/roadmaps", {"title": "x"}).status_code == 422
    assert AuditEvent.objects.count() == before and Roadmap.objects.count() == 1


def test_the_roadmap_list_keeps_its_queries(users, client_as, queries, roadmap):
    client = client_as("manager")
    url = reverse("adoption:roadmap_list")
    client.get(url)
    with queries() as counted:
        response = client.get(url)
    assert response.status_code == 200 and roadmap.title in response.content.decode()
    few = len(counted)
    for i in range(4):
        open_roadmap(users["admin"], title=f"نقشه {i}")
    with queries() as counted:
        response = client.get(url)
    assert len(counted) == few and response.content.decode().count("adoption/roadmaps/") >= 5
    listed = {r.title: r for r in selectors.roadmap_list(user=users["manager"])}
    assert (listed[roadmap.title].item_count, listed[roadmap.title].done_count) == (25, 0)
