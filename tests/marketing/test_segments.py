"""Segments: every condition of a rule, AND/OR groups, the capped count, the policy by role
and across owners, one query per evaluation, and the services that keep segments and lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from peyvand.customers.models import CustomerInsight
from peyvand.marketing import rules
from peyvand.marketing.models import Segment, SegmentMember
from peyvand.marketing.selectors import segments as selectors
from peyvand.marketing.services import campaigns
from peyvand.marketing.services import segments as services
from peyvand.sales.models import Deal
from peyvand.sales.services.pipelines import pipeline_ensure_default
from peyvand.service.models import Ticket

from .conftest import moment, rule

pytestmark = pytest.mark.django_db


def names(user, data):
    parties = selectors.rule_parties(user=user, rule=selectors.rule_parse(data))
    return sorted(parties.values_list("first_name", flat=True)) if parties.exists() else []


def everyone_but(*left_out):
    return sorted({"مریم", "رضا", "سارا", "John", ""} - set(left_out))


@pytest.fixture
def history(town, make_order, touch, product, users):
    """Maryam bought twice (tea, then 1.2M), ten days ago she wrote; Reza last wrote 100 days
    ago; Sara has an open deal; John an open ticket."""
    today = timezone.localdate()
    make_order(town["maryam"], today - dt.timedelta(days=200), "800000", product=product)
    make_order(town["maryam"], today - dt.timedelta(days=20), "1200000")
    make_order(town["reza"], today - dt.timedelta(days=5), "500000", status="cancelled")
    touch(town["maryam"], timezone.now() - dt.timedelta(days=10))
    touch(town["reza"], timezone.now() - dt.timedelta(days=100))
    pipeline = pipeline_ensure_default()
    Deal.objects.create(
        title="قرارداد",
        party=town["sara"],
        pipeline=pipeline,
        stage=pipeline.stages.order_by("order").first(),
        currency="IRR",
        expected_close=today,
        owner=users["outsider"],
        stage_entered_at=timezone.now(),
    )
    Ticket.objects.create(number="T-000001", party=town["john"], subject="سؤال")
    return today


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "kind", "op": "is", "value": "organisation"}, [""]),
        ({"field": "stage", "op": "in", "value": ["customer"]}, ["سارا", "مریم"]),
        ({"field": "stage", "op": "not_in", "value": ["customer"]}, everyone_but("سارا", "مریم")),
        ({"field": "source", "op": "in", "value": ["website"]}, ["John", "مریم"]),
        ({"field": "province", "op": "in", "value": ["تهران"]}, ["رضا", "مریم"]),
        ({"field": "city", "op": "in", "value": ["tehran", "اصفهان"]}, ["John", "سارا"]),
        ({"field": "city", "op": "not_in", "value": ["تهران"]}, everyone_but("رضا", "مریم")),
        ({"field": "sms_consent", "op": "yes"}, ["John", "سارا", "مریم"]),
        ({"field": "sms_consent", "op": "no"}, ["", "رضا"]),
        ({"field": "email_consent", "op": "yes"}, ["", "John", "مریم"]),
        ({"field": "created", "op": "within", "value": 1}, everyone_but()),
        ({"field": "created", "op": "between", "value": {"from": "2000-01-01", "to": "2000-12-31"}}, []),
        ({"field": "last_interaction", "op": "within", "value": 30}, ["مریم"]),
        ({"field": "last_interaction", "op": "not_within", "value": 30}, everyone_but("مریم")),
        ({"field": "last_interaction", "op": "never"}, ["", "John", "سارا"]),
        ({"field": "open_deals", "op": "yes"}, ["سارا"]),
        ({"field": "open_deals", "op": "no"}, everyone_but("سارا")),
        ({"field": "open_tickets", "op": "yes"}, ["John"]),
        ({"field": "order_count", "op": "gte", "value": 2}, ["مریم"]),
        ({"field": "order_count", "op": "eq", "value": 0}, everyone_but("مریم")),  # Reza's was cancelled
        ({"field": "order_count", "op": "lte", "value": 1}, everyone_but("مریم")),
        ({"field": "order_count", "op": "gte", "value": 1, "period": {"days": 30}}, ["مریم"]),
        ({"field": "order_count", "op": "eq", "value": 1, "period": {"days": 90}}, ["مریم"]),
        ({"field": "order_value", "op": "gte", "value": "2000000"}, ["مریم"]),
        ({"field": "order_value", "op": "gte", "value": "2000001"}, []),
        (
            {"field": "order_value", "op": "lte", "value": "1000", "period": {"days": 90}},
            everyone_but("مریم"),
        ),
    ],
)
def test_each_condition(history, admin, condition, expected):
    assert names(admin, rule(condition)) == expected


def test_conditions_on_dates_rows_and_ids(history, town, admin, users, product, make_segment):
    before = (history - dt.timedelta(days=50)).isoformat()
    assert names(admin, rule({"field": "last_interaction", "op": "before", "value": before})) == ["رضا"]
    assert names(admin, rule({"field": "last_interaction", "op": "after", "value": before})) == ["مریم"]
    assert names(admin, rule({"field": "product", "op": "any", "value": [product.pk]})) == ["مریم"]
    recent = {"field": "product", "op": "any", "value": [product.pk], "period": {"days": 30}}
    assert names(admin, rule(recent)) == []
    assert names(admin, rule({"field": "owner", "op": "in", "value": [users["sales"].pk]})) == ["مریم"]
    assert names(admin, rule({"field": "owner", "op": "none"})) == [""]
    assert names(
        admin, rule({"field": "owner", "op": "not_in", "value": [users["sales"].pk]})
    ) == everyone_but("مریم")
    vip = town["maryam"].tags.get().pk
    assert names(admin, rule({"field": "tag", "op": "any", "value": [vip]})) == ["مریم"]
    assert names(admin, rule({"field": "tag", "op": "none", "value": [vip]})) == everyone_but("مریم")
    chosen = make_segment(name="فهرست", kind=Segment.Kind.STATIC)
    services.list_add(segment=chosen, actor=users["marketing"], party_ids=[town["reza"].pk])
    assert names(admin, rule({"field": "list", "op": "in", "value": [chosen.pk]})) == ["رضا"]


def test_groups_combine_with_and_and_or(town, admin):
    in_tehran = {"field": "city", "op": "in", "value": ["تهران", "Tehran"]}
    agreed = {"field": "sms_consent", "op": "yes"}
    both = {"match": "all", "conditions": [in_tehran, agreed]}
    assert names(admin, rule(groups=[both])) == ["John", "مریم"]
    either = {"match": "any", "conditions": [in_tehran, agreed]}
    assert names(admin, rule(groups=[either])) == ["John", "رضا", "سارا", "مریم"]
    customers = {"match": "all", "conditions": [{"field": "stage", "op": "in", "value": ["customer"]}]}
    assert names(admin, rule(match="any", groups=[both, customers])) == ["John", "سارا", "مریم"]
    assert names(admin, rule(match="all", groups=[both, customers])) == ["مریم"]


def test_a_rule_without_conditions_holds_everyone_one_query(town, admin, queries):
    with queries() as q:
        assert names(admin, rules.EVERYONE.as_json()) == everyone_but()
    assert len(q) == 2  # exists(), then the names


def test_a_whole_rule_is_one_query(history, admin, product, queries):
    data = rule(
        {"field": "city", "op": "in", "value": ["تهران"]},
        {"field": "sms_consent", "op": "yes"},
        {"field": "order_count", "op": "gte", "value": 2, "period": {"from": "2000-01-01"}},
        {"field": "order_value", "op": "gte", "value": "100"},
        {"field": "last_interaction", "op": "within", "value": 30},
        {"field": "product", "op": "any", "value": [product.pk]},
    )
    parsed = selectors.rule_parse(data)
    with queries() as q:
        found = list(selectors.rule_parties(user=admin, rule=parsed).values_list("first_name", flat=True))
    assert found == ["مریم"]
    assert len(q) == 2  # the currency rates for the order value, then the customers


def test_the_count_is_capped(town, admin):
    assert selectors.rule_count(user=admin, rule=rules.EVERYONE, cap=3) == (3, True)
    assert selectors.rule_count(user=admin, rule=rules.EVERYONE, cap=10) == (5, False)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", everyone_but()),
        ("marketing", everyone_but()),
        ("sales", ["", "John", "رضا", "مریم"]),  # team A's and nobody's
        ("outsider", ["", "سارا"]),  # team B's and nobody's
        ("readonly", []),
    ],
)
def test_a_segment_holds_only_customers_the_reader_may_see(town, users, make_segment, role, expected):
    segment = make_segment(rule=rule())
    parties = selectors.segment_parties(user=users[role], segment=segment)
    assert sorted(parties.values_list("first_name", flat=True)) == expected


def test_the_rule_is_checked_with_its_place(admin, english):
    bad = rule(
        {"field": "stage", "op": "in", "value": ["nonsense"]},
        {"field": "colour", "op": "in", "value": ["red"]},
        {"field": "order_count", "op": "gte", "value": "many"},
    )
    with pytest.raises(ValidationError) as caught:
        selectors.rule_parse(bad)
    problems = caught.value.message_dict["rule"]
    assert problems[0].startswith("Group 1, condition 1:")
    assert problems[1].startswith("Group 1, condition 2:")
    assert problems[2].startswith("Group 1, condition 3:")
    with pytest.raises(ValidationError):
        selectors.rule_parse({"match": "all", "groups": "no"})
    with pytest.raises(ValidationError):
        selectors.rule_parse(
            rule({"field": "created", "op": "between", "value": {"from": "2025-02-01", "to": "2025-01-01"}})
        )


def test_rules_keep_their_shape_through_json():
    data = rule(
        {"field": "city", "op": "in", "value": ["تهران", "كرج"]},
        {
            "field": "order_value",
            "op": "gte",
            "value": "۲٬۰۰۰٬۰۰۰",
            "period": {"from": "2024-03-20", "to": "2025-03-20"},
        },
    )
    parsed = selectors.rule_parse(data)
    assert parsed.groups[0].conditions[0].values == ("تهران", "کرج")  # Arabic kaf folded
    again = selectors.rule_parse(parsed.as_json())
    assert again == parsed
    assert again.groups[0].conditions[1].amount == 2_000_000


# --- the services --------------------------------------------------------------------------


def test_creating_a_segment_checks_everything(users, town):
    with pytest.raises(ValidationError) as caught:
        services.segment_create(
            actor=users["marketing"],
            data=services.SegmentInput(
                name="  ", rule=rule({"field": "owner", "op": "in", "value": [999999]})
            ),
        )
    assert set(caught.value.message_dict) == {"name", "rule"}
    assert not Segment.objects.exists()
    with pytest.raises(PermissionDenied):
        services.segment_create(actor=users["sales"], data=services.SegmentInput(name="بخش من"))
    segment = services.segment_create(actor=users["marketing"], data=services.SegmentInput(name="همه"))
    assert segment.owner == users["marketing"] and segment.rule == rules.EVERYONE.as_json()


def test_a_segment_cannot_name_itself(users, make_segment):
    listed = make_segment(name="فهرست", kind=Segment.Kind.STATIC)
    segment = make_segment(rule=rule({"field": "list", "op": "in", "value": [listed.pk]}))
    with pytest.raises(ValidationError):
        services.segment_update(
            segment=listed,
            actor=users["marketing"],
            data=services.SegmentInput(kind=Segment.Kind.DYNAMIC),
        )
    assert segment.rule["groups"][0]["conditions"][0]["value"] == [listed.pk]


def test_sales_may_see_segments_but_not_change_them(users, make_segment):
    segment = make_segment()
    assert selectors.segment_get(user=users["sales"], pk=segment.pk) == segment
    with pytest.raises(PermissionDenied):
        services.segment_update(
            segment=segment, actor=users["sales"], data=services.SegmentInput(name="تغییر")
        )
    segment.refresh_from_db()
    assert segment.name == "بخش"


def test_freezing_keeps_who_is_in_it_now(town, users, make_segment):
    segment = make_segment(rule=rule({"field": "sms_consent", "op": "yes"}))
    frozen = services.segment_freeze(segment=segment, actor=users["marketing"], name="پیامک‌خوان‌ها")
    assert frozen.is_static
    members = set(SegmentMember.objects.filter(segment=frozen).values_list("party__first_name", flat=True))
    assert members == {"مریم", "سارا", "John"}
    town["sara"].sms_consent = False
    town["sara"].save()
    assert selectors.segment_count(user=users["marketing"], segment=frozen) == (3, False)
    assert selectors.segment_count(user=users["marketing"], segment=segment) == (2, False)


def test_a_list_takes_only_customers_its_writer_may_see(town, users, make_segment):
    listed = make_segment(actor="manager", name="فهرست", kind=Segment.Kind.STATIC)
    ids = [town["maryam"].pk, town["sara"].pk, 10**9]
    change = services.list_add(segment=listed, actor=users["manager"], party_ids=ids)
    assert (change.added, change.skipped) == (1, 2)  # Sara is team B's; the last does not exist
    again = services.list_add(segment=listed, actor=users["manager"], party_ids=ids)
    assert (again.added, again.already) == (0, 1)
    assert services.list_remove(segment=listed, actor=users["manager"], party_ids=[town["maryam"].pk]) == 1
    segment, made = services.list_from_ids(actor=users["marketing"], name="انتخاب", party_ids=ids)
    assert made.added == 2 and segment.is_static


def test_a_list_from_a_file_of_phones_emails_and_national_ids(town, users, make_segment, tmp_path: Path):
    town["reza"].national_id = "0012345679"
    town["reza"].save()
    listed = make_segment(name="از فایل", kind=Segment.Kind.STATIC)
    path = tmp_path / "list.csv"
    path.write_text(
        "شماره,ایمیل\n۰۹۱۲۱۲۳۴۵۶۷,\n,JOHN@example.com\n0012345679,\n09990000000,nobody@example.com\n",
        encoding="utf-8",
    )
    change = services.list_import(segment=listed, actor=users["marketing"], path=path)
    assert change.added == 3
    assert change.unmatched == ["09990000000", "nobody@example.com"]
    members = set(SegmentMember.objects.filter(segment=listed).values_list("party__first_name", flat=True))
    assert members == {"مریم", "John", "رضا"}
    empty = tmp_path / "empty.csv"
    empty.write_text("name\nnothing here\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        services.list_import(segment=listed, actor=users["marketing"], path=empty)


def test_a_segment_in_use_by_a_scheduled_campaign_stays(users, town, make_campaign):
    campaign = make_campaign()
    segment = campaign.audience.get().segment
    campaigns.campaign_schedule(
        campaign=campaign,
        actor=users["marketing"],
        send_at=moment(timezone.localdate() + dt.timedelta(days=3)),
    )
    with pytest.raises(ValidationError):
        services.segment_delete(segment=segment, actor=users["marketing"])
    campaigns.campaign_cancel(campaign=campaign, actor=users["marketing"])
    services.segment_delete(segment=segment, actor=users["marketing"])
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_the_analysis_figures_make_conditions(users, town):
    # What the analytics app writes back onto customers: Maryam a champion worth 5M and
    # likely active, Reza at risk; the others not scored yet.
    computed = timezone.now()
    CustomerInsight.objects.create(
        party=town["maryam"], rfm_cell="champions", predicted_clv=5_000_000, probability_alive=0.9,
        lifecycle_stage="established", profit=3_000_000, churn_risk=0.1, computed_at=computed,
    )  # fmt: skip
    CustomerInsight.objects.create(
        party=town["reza"], rfm_cell="at_risk", predicted_clv=200_000, probability_alive=0.3,
        lifecycle_stage="slipping", profit=-450_000, churn_risk=0.72, computed_at=computed,
    )  # fmt: skip
    admin = users["admin"]
    assert names(admin, rule({"field": "rfm_cell", "op": "in", "value": ["champions"]})) == ["مریم"]
    assert names(admin, rule({"field": "rfm_cell", "op": "not_in", "value": ["champions"]})) == everyone_but(
        "مریم"
    )
    assert names(admin, rule({"field": "predicted_clv", "op": "gte", "value": "۱۰۰۰۰۰۰"})) == ["مریم"]
    assert names(admin, rule({"field": "predicted_clv", "op": "lte", "value": "1000000"})) == ["رضا"]
    assert names(admin, rule({"field": "probability_alive", "op": "lte", "value": 50})) == ["رضا"]
    assert names(admin, rule({"field": "lifecycle_stage", "op": "in", "value": ["slipping"]})) == ["رضا"]
    assert names(
        admin, rule({"field": "lifecycle_stage", "op": "not_in", "value": ["slipping"]})
    ) == everyone_but("رضا")
    assert names(admin, rule({"field": "profit", "op": "lte", "value": "-1"})) == ["رضا"]
    assert names(admin, rule({"field": "churn_risk", "op": "gte", "value": "۷۰"})) == ["رضا"]
    assert names(admin, rule({"field": "churn_risk", "op": "lte", "value": 10})) == ["مریم"]
    assert names(admin, rule({"field": "profit", "op": "gte", "value": "0"})) == ["مریم"]
    with pytest.raises(ValidationError):
        selectors.rule_parse(rule({"field": "lifecycle_stage", "op": "in", "value": ["nope"]}))
    with pytest.raises(ValidationError):
        selectors.rule_parse(rule({"field": "rfm_cell", "op": "in", "value": ["nope"]}))


def test_a_rules_problems_number_its_groups_in_the_readers_digits():
    bad = {
        "match": "all",
        "groups": [{"match": "all", "conditions": [{"field": "nope", "op": "in", "value": []}]}],
    }
    with translation.override("fa"), pytest.raises(ValidationError) as persian:
        selectors.rule_parse(bad)
    assert "گروه ۱، شرط ۱" in str(persian.value)
    with translation.override("en"), pytest.raises(ValidationError) as english:
        selectors.rule_parse(bad)
    assert "Group 1, condition 1" in str(english.value)
