"""The stakeholder map (the buy-in matrix of seed [004]) on the real database: the quadrants,
adding and placing stakeholders with an append-only history, action plans with Jalali dates,
the list's filters, sorting, paging and queries, the map, the API, and each role's reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.adoption.models import Placement, Quadrant, Stakeholder, StakeholderAction, quadrant_of
from peyvand.adoption.selectors import stakeholders as selectors
from peyvand.adoption.services import stakeholders as services
from peyvand.core.models import AuditEvent
from peyvand.demo import adoption_culture as demo

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def add(actor, name="مریم رضایی", rational=3, emotional=3, **fields):
    return services.stakeholder_create(
        actor=actor,
        data=services.StakeholderInput(name=name, **fields),
        placement=services.PlacementInput(rational=rational, emotional=emotional),
    )


def test_the_quadrants_of_the_buy_in_matrix():
    assert quadrant_of(5, 5) == quadrant_of(4, 4) == Quadrant.CHAMPION
    assert quadrant_of(5, 1) == quadrant_of(4, 3) == Quadrant.BYSTANDER
    assert quadrant_of(1, 5) == quadrant_of(3, 4) == Quadrant.LOOSE_CANNON
    assert quadrant_of(3, 3) == quadrant_of(1, 1) == Quadrant.BLOCKER


def test_placing_a_stakeholder_keeps_every_earlier_place(users, english):
    stakeholder = add(users["manager"], rational=2, emotional=2, role="مدیر فروش", user=users["sales"])
    assert stakeholder.quadrant == Quadrant.BLOCKER and stakeholder.placements.count() == 1
    services.stakeholder_place(
        actor=users["manager"],
        stakeholder=stakeholder,
        data=services.PlacementInput(rational=4, emotional=2, note="پس از کارگاه آموزشی"),
    )
    services.stakeholder_place(
        actor=users["admin"], stakeholder=stakeholder, data=services.PlacementInput(rational=5, emotional=4)
    )
    stakeholder.refresh_from_db()
    assert (stakeholder.rational, stakeholder.emotional, stakeholder.quadrant) == (5, 4, Quadrant.CHAMPION)
    history = selectors.placements(stakeholder)
    assert [(p.rational, p.emotional, p.quadrant) for p in history] == [
        (5, 4, "champion"),
        (4, 2, "bystander"),
        (2, 2, "blocker"),
    ]
    assert history[1].note == "پس از کارگاه آموزشی" and history[0].placed_by == users["admin"]
    event = (
        AuditEvent.objects.filter(model="adoption.stakeholder", kind=AuditEvent.Kind.UPDATE)
        .order_by("pk")
        .last()
    )
    assert event.changes["quadrant"] == ["bystander", "champion"]
    for rational, emotional in ((0, 3), (3, 6), (True, 3)):
        with pytest.raises(ValidationError, match="from 1 to 5"):
            services.stakeholder_place(
                actor=users["manager"],
                stakeholder=stakeholder,
                data=services.PlacementInput(rational=rational, emotional=emotional),
            )
    assert Placement.objects.filter(stakeholder=stakeholder).count() == 3


def test_a_stakeholder_needs_a_name_and_an_active_user(users, english):
    with pytest.raises(ValidationError, match="name"):
        add(users["manager"], name="  ")
    users["sales2"].is_active = False
    users["sales2"].save()
    with pytest.raises(ValidationError, match="active user"):
        add(users["manager"], user=users["sales2"])
    assert not Stakeholder.objects.exists() and not Placement.objects.exists()


def test_the_action_plan(users, english):
    stakeholder = add(users["manager"])
    action = services.stakeholder_action_save(
        actor=users["manager"],
        stakeholder=stakeholder,
        data=services.ActionInput(
            description="جلسهٔ حضوری دربارهٔ مزایای CRM", owner=users["manager"], due_on=dt.date(2026, 12, 20)
        ),
    )
    assert selectors.actions(stakeholder) == [action]
    services.stakeholder_action_save(
        actor=users["manager"],
        stakeholder=stakeholder,
        action=action,
        data=services.ActionInput(
            description=action.description, owner=action.owner, due_on=action.due_on, done=True
        ),
    )
    assert StakeholderAction.objects.get(pk=action.pk).done
    with pytest.raises(ValidationError, match="to be done"):
        services.stakeholder_action_save(
            actor=users["manager"], stakeholder=stakeholder, data=services.ActionInput(description="")
        )
    other = add(users["manager"], name="دیگری")
    with pytest.raises(ValidationError):
        services.stakeholder_action_save(
            actor=users["manager"],
            stakeholder=other,
            action=action,
            data=services.ActionInput(description="x"),
        )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_map_as_the_policy_says(users, client_as, role):
    stakeholder = add(users["admin"], name="کاوه", rational=5, emotional=5)
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    for url in (reverse("adoption:stakeholder_list"), reverse("adoption:stakeholder_create")):
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    for url in (
        reverse("adoption:stakeholder_detail", args=[stakeholder.pk]),
        reverse("adoption:stakeholder_edit", args=[stakeholder.pk]),
    ):
        assert client.get(url).status_code == (200 if allowed else 404), (role, url)


@pytest.mark.parametrize("role", sorted(set(ROLES) - PROJECT_TEAM))
def test_a_denied_write_changes_nothing(users, client_as, role):
    stakeholder = add(users["admin"], name="کاوه", rational=2, emotional=2)
    action = services.stakeholder_action_save(
        actor=users["admin"], stakeholder=stakeholder, data=services.ActionInput(description="تماس")
    )
    audit = AuditEvent.objects.count()
    client = client_as(role)
    attempts = [
        (reverse("adoption:stakeholder_create"), {"name": "x", "rational": 5, "emotional": 5}),
        (reverse("adoption:stakeholder_edit", args=[stakeholder.pk]), {"name": "y"}),
        (reverse("adoption:stakeholder_place", args=[stakeholder.pk]), {"rational": 5, "emotional": 5}),
        (reverse("adoption:stakeholder_action_add", args=[stakeholder.pk]), {"description": "z"}),
        (reverse("adoption:stakeholder_action_done", args=[stakeholder.pk, action.pk]), {"done": "1"}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in (403, 404), (role, url)
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.rational, stakeholder.quadrant) == ("کاوه", 2, "blocker")
    assert Stakeholder.objects.count() == 1 and Placement.objects.count() == 1
    assert StakeholderAction.objects.count() == 1 and not StakeholderAction.objects.get().done
    assert AuditEvent.objects.count() == audit
    with pytest.raises(PermissionDenied):
        add(users[role])
    with pytest.raises(PermissionDenied):
        services.stakeholder_place(
            actor=users[role], stakeholder=stakeholder, data=services.PlacementInput(rational=5, emotional=5)
        )


def test_the_pages_add_place_and_plan_with_a_jalali_date(users, client_as):
    client = client_as("manager")
    response = client.post(
        reverse("adoption:stakeholder_create"),
        {
            "name": "نرگس احمدی",
            "role": "سرپرست پشتیبانی",
            "department": "پشتیبانی",
            "rational": 2,
            "emotional": 4,
        },
    )
    stakeholder = Stakeholder.objects.get(name="نرگس احمدی")
    assert response.status_code == 302 and stakeholder.quadrant == Quadrant.LOOSE_CANNON
    bad = client.post(reverse("adoption:stakeholder_create"), {"name": "", "rational": 9, "emotional": 1})
    assert bad.status_code == 422 and Stakeholder.objects.count() == 1
    client.post(
        reverse("adoption:stakeholder_place", args=[stakeholder.pk]),
        {"rational": 4, "emotional": 5, "note": "قانع شد"},
    )
    added = client.post(
        reverse("adoption:stakeholder_action_add", args=[stakeholder.pk]),
        {"description": "معرفی به‌عنوان سفیر CRM", "owner": users["manager"].pk, "due_on": "۱۴۰۵/۱۰/۰۱"},
    )
    assert added.status_code == 302
    action = StakeholderAction.objects.get()
    assert action.due_on == dt.date(2026, 12, 22)  # 1 Dey 1405
    page = client.get(reverse("adoption:stakeholder_detail", args=[stakeholder.pk])).content.decode()
    assert "۱۴۰۵" in page and "قانع شد" in page and "data-quadrant" not in page
    assert page.count("quadrant-loose_cannon") >= 1 and page.count("quadrant-champion") >= 2
    refused = client.post(
        reverse("adoption:stakeholder_action_add", args=[stakeholder.pk]),
        {"description": "x", "due_on": "۱۴۰۵/۱۳/۴۰"},
    )
    assert refused.status_code == 422 and StakeholderAction.objects.count() == 1
    client.post(reverse("adoption:stakeholder_action_done", args=[stakeholder.pk, action.pk]), {"done": "1"})
    assert StakeholderAction.objects.get().done


def test_the_list_filters_sorts_pages_and_draws_the_map_in_the_same_queries(users, client_as, queries):
    for i, (rational, emotional) in enumerate([(5, 5), (4, 1), (1, 5), (2, 2), (5, 4)]):
        add(users["manager"], name=f"نفر {i}", rational=rational, emotional=emotional, department="فروش")
    found = selectors.stakeholder_list(user=users["manager"], filters={"quadrant": "champion"})
    assert [s.name for s in found] == ["نفر 0", "نفر 4"]
    ordered = selectors.stakeholder_list(user=users["manager"], filters={}, sort="-emotional")
    assert [s.emotional for s in ordered][:2] == [5, 5]
    first = selectors.stakeholder_list(user=users["manager"], filters={}, limit=2)
    assert len(first.items) == 2 and first.next_cursor
    second = selectors.stakeholder_list(user=users["manager"], filters={}, limit=2, cursor=first.next_cursor)
    assert {s.pk for s in first.items}.isdisjoint({s.pk for s in second.items})
    board = selectors.stakeholder_map(user=users["manager"])
    assert (
        board.counts == {"champion": 2, "bystander": 1, "loose_cannon": 1, "blocker": 1} and board.total == 5
    )
    assert board.rows[0][4].names[0][1] == "نفر 0"  # emotional 5 on top, rational 5 at the end
    assert board.rows[4][3].count == 1  # emotional 1, rational 4
    assert selectors.stakeholder_map(user=users["sales"]).total == 0  # the policy hides it all
    client = client_as("manager")
    page = client.get(reverse("adoption:stakeholder_list"), {"quadrant": "blocker"}).content.decode()
    assert 'data-testid="buyin-map"' in page and "نفر 3" in page
    with queries() as counted:
        client.get(reverse("adoption:stakeholder_list"))
    few = len(counted)
    for i in range(15):
        stakeholder = add(
            users["manager"], name=f"دیگر {i}", rational=1 + i % 5, emotional=5 - i % 5, user=users["sales"]
        )
        services.stakeholder_place(
            actor=users["manager"],
            stakeholder=stakeholder,
            data=services.PlacementInput(rational=3, emotional=3),
        )
    with queries() as counted:
        assert client.get(reverse("adoption:stakeholder_list")).status_code == 200
    assert len(counted) == few


def test_the_api(users, api_as):
    api = api_as("manager")
    created = api.post(
        "/adoption/stakeholders",
        {
            "name": "علی کریمی",
            "role": "مدیرعامل",
            "user_id": users["sales"].pk,
            "rational": 4,
            "emotional": 2,
        },
    )
    assert created.status_code == 201 and created.json()["quadrant"] == "bystander"
    pk = created.json()["id"]
    assert api.post("/adoption/stakeholders", {"name": "x", "rational": 6}).status_code == 422
    moved = api.post(
        f"/adoption/stakeholders/{pk}/placements", {"rational": 5, "emotional": 5, "note": "حامی شد"}
    )
    assert moved.status_code == 201 and moved.json()["quadrant"] == "champion"
    history = api.get(f"/adoption/stakeholders/{pk}/placements").json()
    assert [p["quadrant"] for p in history] == ["champion", "bystander"]
    changed = api.patch(f"/adoption/stakeholders/{pk}", {"department": "مدیریت"}).json()
    assert (
        changed["department"] == "مدیریت"
        and changed["role"] == "مدیرعامل"
        and changed["user"]["id"] == users["sales"].pk
    )
    step = api.post(
        f"/adoption/stakeholders/{pk}/actions", {"description": "گزارش ماهانه", "due_on": "2026-12-30"}
    )
    assert step.status_code == 201 and step.json()["due_on"] == "2026-12-30"
    done = api.patch(f"/adoption/stakeholders/{pk}/actions/{step.json()['id']}", {"done": True}).json()
    assert done["done"] is True and done["description"] == "گزارش ماهانه"
    listed = api.get("/adoption/stakeholders", {"quadrant": "champion"}).json()
    assert [s["id"] for s in listed["items"]] == [pk]
    outsider = api_as("sales")
    assert outsider.get(f"/adoption/stakeholders/{pk}").status_code == 404
    assert outsider.get("/adoption/stakeholders").json()["items"] == []
    assert (
        outsider.post(f"/adoption/stakeholders/{pk}/placements", {"rational": 1, "emotional": 1}).status_code
        == 404
    )
    assert outsider.post("/adoption/stakeholders", {"name": "y"}).status_code == 403
    assert Placement.objects.count() == 2 and Stakeholder.objects.count() == 1


def test_the_demo_stakeholder_map_shows_movement(users):
    names = {s[3] for s in demo.STAKEHOLDERS if s[3]} | {s[5][1] for s in demo.STAKEHOLDERS}
    found = dict.fromkeys(names, users["manager"])
    anchor = dt.date(2025, 12, 7)
    assert demo.write_stakeholders(found, anchor=anchor) == len(demo.STAKEHOLDERS)
    assert demo.write_stakeholders(found, anchor=anchor) == 0
    moved = Stakeholder.objects.get(name="کاوه شریفی")
    history = selectors.placements(moved)
    assert [p.quadrant for p in history] == ["blocker", "blocker"] and history[0].rational == 3
    assert history[0].placed_at.date() == anchor - dt.timedelta(days=12)
    assert Stakeholder.objects.get(name="مینا قاسمی").quadrant == Quadrant.CHAMPION
    assert StakeholderAction.objects.count() == len(demo.STAKEHOLDERS)
    assert set(Stakeholder.objects.values_list("quadrant", flat=True)) == set(Quadrant.values)
