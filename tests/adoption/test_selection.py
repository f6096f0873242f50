"""Vendor selection (seed [004], CRM selection) on the real database: the built-in criteria,
the weighted arithmetic against hand-computed figures, each evaluator scoring only their own
scores, bad input, the decision, each role's reach, the pages, the CSV and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peyvand.adoption.models import CapabilityGroup, Criterion, Evaluator, Selection, Vendor, VendorScore
from peyvand.adoption.selectors import selection as selectors
from peyvand.adoption.services import selection as services
from peyvand.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "sales", "support", "marketing", "readonly", "outsider")
PROJECT_TEAM = {"admin", "manager"}


def make(actor, name="انتخاب CRM ۱۴۰۵"):
    return services.selection_create(actor=actor, data=services.SelectionInput(name=name))


def small(users):
    """A selection of three criteria (weights 4 and 2 operational, 3 technical), vendors A and
    B, and the manager and the administrator as evaluators."""
    selection = make(users["manager"])
    Criterion.objects.filter(selection=selection).delete()
    add = services.criterion_add
    c1 = add(
        actor=users["manager"],
        selection=selection,
        data=services.CriterionInput(group="operational", name="فروش", weight=4),
    )
    c2 = add(
        actor=users["manager"],
        selection=selection,
        data=services.CriterionInput(group="operational", name="خدمات", weight="۲"),
    )
    c3 = add(
        actor=users["manager"],
        selection=selection,
        data=services.CriterionInput(group="technical", name="API", weight=3),
    )
    a = services.vendor_save(
        actor=users["manager"],
        selection=selection,
        data=services.VendorInput(name="A", website="https://a.example"),
    )
    b = services.vendor_save(actor=users["manager"], selection=selection, data=services.VendorInput(name="B"))
    for who in ("manager", "admin"):
        services.evaluator_add(actor=users["manager"], selection=selection, user=users[who])
    return selection, (c1, c2, c3), (a, b)


def score(user, selection, vendor, values, criteria):
    services.scores_save(
        actor=user,
        selection=selection,
        scores=[
            services.ScoreInput(vendor_id=vendor.pk, criterion_id=c.pk, value=v)
            for c, v in zip(criteria, values, strict=True)
        ],
    )


def scored(users):
    selection, criteria, (a, b) = small(users)
    score(users["manager"], selection, a, (5, 2, 4), criteria)
    score(users["manager"], selection, b, (3, 3, 3), criteria)
    score(users["admin"], selection, a, (4, 4, 2), criteria)
    score(users["admin"], selection, b, ("۵", "١", 5), criteria)  # Persian and Arabic digits
    return selection, criteria, (a, b)


def test_a_selection_starts_with_the_built_in_criteria_of_the_five_groups(users):
    selection = make(users["manager"])
    criteria = selectors.criteria(selection)
    assert len(criteria) == len(services.builtin_criteria()) >= 15
    groups = {c.group for c in criteria}
    assert groups == set(CapabilityGroup.values)
    for group in CapabilityGroup.values:
        assert sum(1 for c in criteria if c.group == group) >= 3, group
    assert all(c.name_fa and c.name_en and 0 <= c.weight <= 10 for c in criteria)
    assert {"sales-automation", "integration-api", "data-residency", "vendor-stability", "total-cost"} <= {
        c.key for c in criteria
    }
    assert AuditEvent.objects.filter(model="adoption.selection", kind=AuditEvent.Kind.CREATE).count() == 1


def test_the_weighted_scores_against_hand_computed_figures(users):
    selection, _criteria, (a, _b) = scored(users)
    found = selectors.results(selection)
    by = {r.vendor.name: r for r in found.vendors}
    # A: manager op (4·5+2·2)/6 = 4, tech 4, overall 36/9 = 4; admin op (16+8)/6 = 4, tech 2,
    # overall 30/9; mean overall (4 + 10/3)/2 = 11/3, spread |4 − 10/3|/2 = 1/3.
    assert by["A"].groups["operational"] == pytest.approx(4.0)
    assert by["A"].groups["technical"] == pytest.approx(3.0)
    assert by["A"].overall == pytest.approx(11 / 3)
    assert by["A"].spread == pytest.approx(1 / 3)
    # B: manager 3 everywhere; admin op (20+2)/6 = 11/3, tech 5, overall 37/9.
    assert by["B"].groups["operational"] == pytest.approx((3 + 11 / 3) / 2)
    assert by["B"].groups["technical"] == pytest.approx(4.0)
    assert by["B"].overall == pytest.approx((3 + 37 / 9) / 2)
    assert by["B"].spread == pytest.approx((37 / 9 - 3) / 2)
    assert by["A"].groups["legal"] is None and by["A"].evaluators == 2
    assert [(r.vendor.name, r.rank) for r in found.vendors] == [("A", 1), ("B", 2)]
    assert found.evaluator_count == 2 and found.complete == 2 and found.leader.vendor == a
    assert [g for g, _label in found.groups] == ["operational", "technical"]


def test_a_weight_of_zero_leaves_a_criterion_out_and_ties_share_a_rank(users):
    selection, (c1, c2, c3), (a, b) = scored(users)
    services.criterion_weigh(actor=users["manager"], criterion=c3, weight="0")
    found = selectors.results(selection)
    by = {r.vendor.name: r for r in found.vendors}
    assert by["A"].overall == pytest.approx(4.0) and by["A"].spread == pytest.approx(0.0)
    assert by["B"].overall == pytest.approx((3 + 11 / 3) / 2)
    assert by["A"].groups["technical"] is None
    assert [g for g, _label in found.groups] == ["operational"]
    # The same scores for both vendors from both evaluators: a tie, both first.
    for who in ("manager", "admin"):
        score(users[who], selection, b, (5, 2, 1), (c1, c2, c3))
        score(users[who], selection, a, (5, 2, 5), (c1, c2, c3))
    assert [r.rank for r in selectors.results(selection).vendors] == [1, 1]


def test_each_evaluator_scores_only_their_own(users):
    selection, criteria, (a, _b) = scored(users)
    before = list(VendorScore.objects.order_by("pk").values_list("evaluator__user__username", "value"))
    audit = AuditEvent.objects.count()
    # The manager's call only ever touches the manager's own row.
    score(users["manager"], selection, a, (1, 1, 1), criteria)
    admin_a = VendorScore.objects.filter(evaluator__user=users["admin"], vendor=a).order_by(
        "criterion__order"
    )
    assert [s.value for s in admin_a] == [4, 4, 2]
    # Someone who may change the selection but is not an evaluator scores nothing.
    Evaluator.objects.filter(selection=selection, user=users["admin"]).delete()
    with pytest.raises(PermissionDenied):
        score(users["admin"], selection, a, (5, 5, 5), criteria)
    assert VendorScore.objects.filter(evaluator__user=users["admin"]).count() == 0
    assert AuditEvent.objects.count() == audit + 1  # the manager's change only
    assert len(before) == 12


def test_bad_scores_are_refused_all_or_nothing(users, english):
    selection, (c1, c2, _c3), (a, b) = small(users)
    _other, (o1, *_rest), (ov, _ob) = small(users)
    cases = [
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=c1.pk, value=6)], "from 1 to 5"),
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=c1.pk, value=0)], "from 1 to 5"),
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=c1.pk, value="x")], "from 1 to 5"),
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=c1.pk, value=True)], "from 1 to 5"),
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=c1.pk, value=3, note="n" * 501)], "at most 500"),
        ([services.ScoreInput(vendor_id=ov.pk, criterion_id=c1.pk, value=3)], "not part of the selection"),
        ([services.ScoreInput(vendor_id=a.pk, criterion_id=o1.pk, value=3)], "not part of the selection"),
    ]
    for scores, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.scores_save(
                actor=users["manager"],
                selection=selection,
                scores=[services.ScoreInput(vendor_id=b.pk, criterion_id=c2.pk, value=4), *scores],
            )
    assert VendorScore.objects.count() == 0


def test_bad_set_up_is_refused(users, english):
    selection = make(users["manager"])
    count = Criterion.objects.filter(selection=selection).count()
    for weight in (11, -1, "x", "۱۱", True, 2.5):
        with pytest.raises(ValidationError, match="from 0 to 10"):
            services.criterion_add(
                actor=users["manager"],
                selection=selection,
                data=services.CriterionInput(group="legal", name="مالیات", weight=weight),
            )
    with pytest.raises(ValidationError) as refused:
        services.criterion_add(
            actor=users["manager"], selection=selection, data=services.CriterionInput(group="x", name=" ")
        )
    assert set(refused.value.message_dict) == {"group", "name"}
    for website in ("ftp://vendor.example", "javascript:alert(1)", "vendor.example", "http://"):
        with pytest.raises(ValidationError, match="http:// or https://"):
            services.vendor_save(
                actor=users["manager"],
                selection=selection,
                data=services.VendorInput(name="V", website=website),
            )
    with pytest.raises(ValidationError, match="adoption area"):
        services.evaluator_add(actor=users["manager"], selection=selection, user=users["sales"])
    with pytest.raises(ValidationError, match="Name the selection"):
        services.selection_create(actor=users["manager"], data=services.SelectionInput(name="  "))
    assert Criterion.objects.filter(selection=selection).count() == count
    assert Vendor.objects.count() == Evaluator.objects.count() == 0 and Selection.objects.count() == 1


def test_a_decided_selection_takes_no_changes_until_reopened(users, english):
    selection, criteria, (a, _b) = scored(users)
    other = make(users["manager"], name="دیگری")
    stranger = services.vendor_save(
        actor=users["manager"], selection=other, data=services.VendorInput(name="Z")
    )
    with pytest.raises(ValidationError, match="one of the vendors"):
        services.selection_decide(actor=users["manager"], selection=selection, vendor=stranger, reason="x")
    with pytest.raises(ValidationError, match="why"):
        services.selection_decide(actor=users["manager"], selection=selection, vendor=a, reason=" ")
    services.selection_decide(actor=users["manager"], selection=selection, vendor=a, reason="بیشترین امتیاز")
    selection.refresh_from_db()
    assert (selection.status, selection.chosen_vendor, selection.decided_at is not None) == (
        "decided",
        a,
        True,
    )
    with pytest.raises(ValidationError, match="decided"):
        score(users["manager"], selection, a, (1, 1, 1), criteria)
    with pytest.raises(ValidationError, match="decided"):
        services.criterion_weigh(actor=users["manager"], criterion=criteria[0], weight=1)
    assert (
        VendorScore.objects.get(evaluator__user=users["manager"], vendor=a, criterion=criteria[0]).value == 5
    )
    services.selection_reopen(actor=users["admin"], selection=selection)
    selection.refresh_from_db()
    assert selection.status == "open" and selection.chosen_vendor is None
    score(users["manager"], selection, a, (1, 1, 1), criteria)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_pages_as_the_policy_says(users, client_as, role):
    selection, _criteria, _vendors = scored(users)
    client = client_as(role)
    allowed = role in PROJECT_TEAM
    for url in (reverse("adoption:selection_list"), reverse("adoption:selection_create")):
        assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    for url in (
        reverse("adoption:selection_detail", args=[selection.pk]),
        reverse("adoption:selection_edit", args=[selection.pk]),
        reverse("adoption:selection_results", args=[selection.pk]),
        reverse("adoption:selection_scores", args=[selection.pk]),
    ):
        assert client.get(url).status_code == (200 if allowed else 404), (role, url)


@pytest.mark.parametrize("role", sorted(set(ROLES) - PROJECT_TEAM))
def test_a_denied_write_changes_nothing(users, client_as, role):
    selection, (c1, _c2, _c3), (a, _b) = scored(users)
    evaluator = Evaluator.objects.get(selection=selection, user=users["admin"])
    scores = list(VendorScore.objects.order_by("pk").values_list("pk", "value", "note"))
    audit = AuditEvent.objects.count()
    client = client_as(role)
    pk = selection.pk
    attempts = [
        (reverse("adoption:selection_create"), {"name": "x"}),
        (reverse("adoption:selection_edit", args=[pk]), {"name": "y"}),
        (
            reverse("adoption:selection_criterion_add", args=[pk]),
            {"group": "legal", "name": "z", "weight": 5},
        ),
        (reverse("adoption:selection_criterion_change", args=[pk, c1.pk]), {"weight": 9}),
        (reverse("adoption:selection_criterion_change", args=[pk, c1.pk]), {"remove": "1"}),
        (reverse("adoption:selection_vendor_add", args=[pk]), {"name": "V"}),
        (reverse("adoption:selection_vendor_remove", args=[pk, a.pk]), {}),
        (reverse("adoption:selection_evaluator_add", args=[pk]), {"user": users[role].pk}),
        (reverse("adoption:selection_evaluator_remove", args=[pk, evaluator.pk]), {}),
        (reverse("adoption:selection_decide", args=[pk]), {"vendor": a.pk, "reason": "r"}),
        (reverse("adoption:selection_scores", args=[pk]), {f"score-{a.pk}-{c1.pk}": "1"}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in (403, 404), (role, url)
    selection.refresh_from_db()
    assert (selection.name, selection.status) == ("انتخاب CRM ۱۴۰۵", "open")
    assert (
        Criterion.objects.get(pk=c1.pk).weight == 4
        and Criterion.objects.filter(selection=selection).count() == 3
    )
    assert Vendor.objects.filter(selection=selection).count() == 2 and Evaluator.objects.count() == 2
    assert list(VendorScore.objects.order_by("pk").values_list("pk", "value", "note")) == scores
    assert AuditEvent.objects.count() == audit and Selection.objects.count() == 1
    with pytest.raises(PermissionDenied):
        make(users[role])
    with pytest.raises(PermissionDenied):
        services.criterion_weigh(actor=users[role], criterion=c1, weight=1)


def test_a_project_team_member_who_is_not_an_evaluator_cannot_score_on_the_page(users, client_as):
    selection, (c1, _c2, _c3), (a, _b) = scored(users)
    Evaluator.objects.filter(selection=selection, user=users["admin"]).delete()
    client = client_as("admin")
    url = reverse("adoption:selection_scores", args=[selection.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {f"score-{a.pk}-{c1.pk}": "1"}).status_code == 403
    assert not VendorScore.objects.filter(evaluator__user=users["admin"]).exists()


def test_the_pages_set_up_score_and_decide(users, client_as):
    client = client_as("manager")
    response = client.post(reverse("adoption:selection_create"), {"name": "انتخاب سامانه", "description": ""})
    selection = Selection.objects.get(name="انتخاب سامانه")
    assert response.status_code == 302
    pk = selection.pk
    bad = client.post(
        reverse("adoption:selection_vendor_add", args=[pk]), {"name": "V", "website": "ftp://x.example"}
    )
    assert bad.status_code == 422 and not Vendor.objects.filter(selection=selection).exists()
    client.post(
        reverse("adoption:selection_vendor_add", args=[pk]),
        {"name": "همکاران سیستم", "website": "https://hamkaran.example"},
    )
    client.post(reverse("adoption:selection_evaluator_add", args=[pk]), {"user": users["manager"].pk})
    refused = client.post(reverse("adoption:selection_evaluator_add", args=[pk]), {"user": users["sales"].pk})
    assert refused.status_code == 422 and Evaluator.objects.filter(selection=selection).count() == 1
    vendor = Vendor.objects.get(selection=selection)
    first = selectors.criteria(selection)[0]
    weight = client.post(
        reverse("adoption:selection_criterion_change", args=[pk, first.pk]), {"weight": "۱۰"}
    )
    assert weight.status_code == 302 and Criterion.objects.get(pk=first.pk).weight == 10
    assert (
        client.post(
            reverse("adoption:selection_criterion_change", args=[pk, first.pk]), {"weight": "12"}
        ).status_code
        == 422
    )
    page = reverse("adoption:selection_scores", args=[pk])
    wrong = client.post(page, {f"score-{vendor.pk}-{first.pk}": "9"})
    assert wrong.status_code == 422 and not VendorScore.objects.exists()
    ok = client.post(page, {f"score-{vendor.pk}-{first.pk}": "۴", f"note-{vendor.pk}-{first.pk}": "خوب"})
    assert ok.status_code == 302
    assert VendorScore.objects.get().value == 4 and VendorScore.objects.get().note == "خوب"
    client.post(
        reverse("adoption:selection_decide", args=[pk]), {"vendor": vendor.pk, "reason": "تنها گزینه"}
    )
    selection.refresh_from_db()
    assert selection.status == "decided" and selection.chosen_vendor == vendor
    detail = client.get(reverse("adoption:selection_detail", args=[pk])).content.decode()
    assert "تنها گزینه" in detail


def test_the_results_page_and_its_csv(users, client_as):
    selection, _criteria, (a, _b) = scored(users)
    a.name = '=HYPERLINK("http://evil.example")'
    a.save()
    client = client_as("manager")
    url = reverse("adoption:selection_results", args=[selection.pk])
    page = client.get(url, headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-chart="chart-vendors-data"' in text
    assert "echarts" in text
    export = client.get(url, {"export": "vendors"})
    assert export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("1,\"'=HYPERLINK(")
    assert ",3.67,0.33,2" in lines[1]
    assert client.get(url, {"export": "nope"}).status_code == 404


def test_the_results_page_reads_in_a_fixed_number_of_queries(users, client_as):
    selection, criteria, (_a, _b) = scored(users)
    client = client_as("manager")
    url = reverse("adoption:selection_results", args=[selection.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(4):
        vendor = services.vendor_save(
            actor=users["manager"], selection=selection, data=services.VendorInput(name=f"V{index}")
        )
        for who in ("manager", "admin"):
            score(users[who], selection, vendor, (3, 4, 5), criteria)
    services.evaluator_add(actor=users["manager"], selection=selection, user=users["manager"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]


def test_the_list_reads_in_a_fixed_number_of_queries(users, client_as):
    client = client_as("manager")
    make(users["manager"])
    url = reverse("adoption:selection_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(5):
        scored(users) if index == 0 else make(users["admin"], name=f"S{index}")
    with CaptureQueriesContext(connection) as many:
        text = client.get(url).content.decode()
    assert len(many) == len(few) and "S4" in text


def test_the_api(users, api_as):
    api = api_as("manager")
    created = api.post("/adoption/selections", {"name": "انتخاب API"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    criteria = api.get(f"/adoption/selections/{pk}/criteria").json()
    assert len(criteria) == len(services.builtin_criteria())
    assert (
        api.post(
            f"/adoption/selections/{pk}/criteria", {"group": "legal", "name": "x", "weight": 11}
        ).status_code
        == 422
    )
    assert (
        api.post(
            f"/adoption/selections/{pk}/vendors", {"name": "V", "website": "ftp://v.example"}
        ).status_code
        == 422
    )
    vendor = api.post(
        f"/adoption/selections/{pk}/vendors", {"name": "V", "website": "https://v.example"}
    ).json()
    crit = criteria[0]["id"]
    assert api.patch(f"/adoption/selections/{pk}/criteria/{crit}", {"weight": 7}).json()["weight"] == 7
    # Not an evaluator yet: scoring is refused.
    body = {"scores": [{"vendor_id": vendor["id"], "criterion_id": crit, "value": "۴", "note": "n"}]}
    assert api.put(f"/adoption/selections/{pk}/scores", body).status_code == 403
    assert (
        api.post(f"/adoption/selections/{pk}/evaluators", {"user_id": users["manager"].pk}).status_code == 201
    )
    assert api.put(f"/adoption/selections/{pk}/scores", body).json() == {"saved": 1}
    bad = {"scores": [{"vendor_id": vendor["id"], "criterion_id": crit, "value": 6}]}
    assert api.put(f"/adoption/selections/{pk}/scores", bad).status_code == 422
    assert api.get(f"/adoption/selections/{pk}/scores").json()[0]["value"] == 4
    results = api.get(f"/adoption/selections/{pk}/results").json()
    assert results["vendors"][0]["overall"] == 4 and results["vendors"][0]["rank"] == 1
    assert results["vendors"][0]["groups"][criteria[0]["group"]] == 4
    # Another project-team member reads but does not score for the manager.
    admin = api_as("admin")
    assert admin.get(f"/adoption/selections/{pk}/scores").status_code == 403
    assert admin.put(f"/adoption/selections/{pk}/scores", body).status_code == 403
    decided = api.post(f"/adoption/selections/{pk}/decision", {"vendor_id": vendor["id"], "reason": "خوب"})
    assert decided.json()["status"] == "decided"
    assert api.put(f"/adoption/selections/{pk}/scores", body).status_code == 422
    for role in ("sales", "readonly", "outsider"):
        other = api_as(role)
        assert other.get(f"/adoption/selections/{pk}").status_code in (403, 404)
        assert other.post("/adoption/selections", {"name": "x"}).status_code == 403
    assert Selection.objects.count() == 1
