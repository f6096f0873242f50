"""Objectives limited to one marketing segment or one channel: the figure counts only that
segment's customers (as it holds them today) or the records of that channel; a segment the
writer may not see, or one the metric cannot take, is refused; the form, the list and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from peyvand.adoption.models import Objective
from peyvand.adoption.services import objectives as services
from peyvand.core.models import AuditEvent, Role, RoleScope
from peyvand.interactions.services.interactions import InteractionInput, interaction_log
from peyvand.marketing.models import Segment
from peyvand.marketing.services.segments import SegmentInput, list_add, list_from_ids, segment_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _objective(users, actor="manager", **data) -> Objective:
    fields = {
        "title": "مشتریان تازه",
        "metric": "new_customers",
        "baseline_start": TODAY - dt.timedelta(days=100),
        "baseline_end": TODAY - dt.timedelta(days=11),
        "starts_on": TODAY - dt.timedelta(days=10),
        "due_on": TODAY + dt.timedelta(days=10),
        "target": "10",
        **data,
    }
    return services.objective_save(actor=users[actor], data=services.ObjectiveInput(**fields))


@pytest.fixture
def customers(users, make_person):
    """Five new customers today: three came by phone, two from the website."""
    return [
        make_person(first_name=f"مشتری{n}", data={"source": "phone" if n < 3 else "website"})
        for n in range(5)
    ]


def test_a_segments_objective_counts_only_its_customers(users, customers):
    segment, _change = list_from_ids(
        actor=users["marketing"], name="وفاداران", party_ids=[customers[0].pk, customers[3].pk]
    )
    whole = _objective(users)
    scoped = _objective(users, segment=segment)
    assert (whole.current_value, scoped.current_value) == (5, 2)
    assert scoped.segment == segment
    # The segment as it holds them today: a customer added to the list counts at the next measure.
    list_add(segment=segment, actor=users["marketing"], party_ids=[customers[4].pk])
    assert services.objective_measure(scoped).current_value == 3
    event = AuditEvent.objects.get(
        model="adoption.objective", object_id=scoped.pk, kind=AuditEvent.Kind.CREATE
    )
    assert event.changes["segment"][1] == segment.pk


def test_a_channels_objective_counts_only_that_channel(users, customers):
    assert _objective(users, channel="phone").current_value == 3
    assert _objective(users, channel="website").current_value == 2
    for channel, count in (("phone", 2), ("email", 1)):
        for _n in range(count):
            interaction_log(
                party=customers[0],
                actor=users["sales"],
                data=InteractionInput(channel=channel, subject="تماس"),
            )
    interactions = _objective(users, metric="interactions", channel="email")
    assert interactions.current_value == 1
    assert _objective(users, metric="interactions").current_value == 3


def test_a_segment_the_writer_may_not_see_or_a_channel_the_metric_lacks_is_refused(users, customers):
    segment, _change = list_from_ids(actor=users["marketing"], name="فهرست", party_ids=[customers[0].pk])
    # Support may write objectives here but sees no segments.
    RoleScope.objects.create(role=Role.SUPPORT, resource="adoption", action="view", scope="all")
    RoleScope.objects.create(role=Role.SUPPORT, resource="adoption", action="change", scope="all")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        _objective(users, actor="support", segment=segment)
    assert error.value.message_dict == {"segment": ["Choose a segment you may see."]}
    with pytest.raises(ValidationError) as error:
        _objective(users, metric="complaints", channel="walk_in")  # tickets do not walk in
    assert set(error.value.message_dict) == {"channel"}
    assert _objective(users, actor="support").segment is None
    assert Objective.objects.count() == 1


def test_the_form_and_the_list_show_the_scope(users, customers, client_as):
    segment, _change = list_from_ids(actor=users["marketing"], name="بخش طلایی", party_ids=[customers[1].pk])
    client = client_as("manager")
    page = client.get("/adoption/objectives/new/")
    assert "بخش طلایی" in page.content.decode()
    posted = {
        "title": "مشتریان طلایی",
        "metric": "new_customers",
        "segment": segment.pk,
        "channel": "phone",
        "baseline_start": "1403/01/01",
        "baseline_end": "1403/06/31",
        "starts_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "target": "۵",
    }
    response = client.post("/adoption/objectives/new/", posted)
    assert response.status_code == 302, response.content.decode()[:3000]
    objective = Objective.objects.get()
    assert (objective.segment, objective.channel, objective.current_value) == (segment, "phone", 1)
    listing = client.get("/adoption/objectives/").content.decode()
    assert "بخش طلایی" in listing
    bad = client.post("/adoption/objectives/new/", {**posted, "metric": "complaints", "channel": "walk_in"})
    assert bad.status_code == 200 and Objective.objects.count() == 1


def test_the_api_writes_and_reads_the_scope(users, customers, api_as):
    segment, _change = list_from_ids(actor=users["marketing"], name="API", party_ids=[customers[2].pk])
    body = {
        "title": "مشتریان تلفنی",
        "metric": "new_customers",
        "segment_id": segment.pk,
        "channel": "phone",
        "baseline_start": (TODAY - dt.timedelta(days=60)).isoformat(),
        "baseline_end": (TODAY - dt.timedelta(days=30)).isoformat(),
        "starts_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "due_on": (TODAY + dt.timedelta(days=5)).isoformat(),
        "target": "3",
    }
    api = api_as("manager")
    created = api.post("/adoption/objectives", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["segment"], data["channel"], data["current_value"]) == (
        {"id": segment.pk, "name": "API", "kind": "static"},
        "phone",
        1,
    )
    changed = api.patch(f"/adoption/objectives/{data['id']}", {"segment_id": None, "channel": ""})
    assert changed.status_code == 200 and changed.json()["current_value"] == 5
    refused = api.post("/adoption/objectives", {**body, "segment_id": 999999})
    assert refused.status_code == 422 and "segment_id" in refused.content.decode()
    wrong = api.post("/adoption/objectives", {**body, "metric": "complaints", "channel": "walk_in"})
    assert wrong.status_code == 422


def test_a_segment_whose_rule_no_longer_holds_measures_nothing_and_stops_no_other(users, customers):
    segment = segment_create(actor=users["marketing"], data=SegmentInput(name="پویا"))
    scoped = _objective(users, segment=segment)
    assert scoped.current_value == 5  # the default rule: every customer
    Segment.objects.filter(pk=segment.pk).update(rule=["no longer a rule"])
    other = _objective(users)
    assert services.objectives_measure_all() == 2
    scoped.refresh_from_db()
    other.refresh_from_db()
    assert (scoped.current_value, other.current_value) == (None, 5)
