"""Programmes (drips): the step editor's rules, the templates, entry, the walk through the
steps with a given time, exactly-once sends, branches, pause, and the path and stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from peyvand.activities.models import Activity
from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.interactions.models import OutboundMessage
from peyvand.marketing.models import Enrolment, PathEvent, Programme, Recipient, Segment, Step
from peyvand.marketing.selectors import programmes as selectors
from peyvand.marketing.services import programmes
from peyvand.marketing.services.programme_templates import programme_from_template
from peyvand.sales.models import Lead

from .conftest import rule

pytestmark = pytest.mark.django_db
K = Step.Kind
T0 = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))


def kinds(enrolment: Enrolment) -> list[str]:
    return list(enrolment.events.order_by("at", "id").values_list("kind", flat=True))


@pytest.fixture
def drip(users: dict[str, User]) -> Callable[..., Programme]:
    """A programme of the given steps (StepInput keyword dicts), started at T0."""

    def make(*steps: dict[str, Any], actor: str = "marketing", start: bool = True, **data: Any) -> Programme:
        programme = programmes.programme_create(
            actor=users[actor], data=programmes.ProgrammeInput(name="برنامه آزمایشی", **data)
        )
        made = [
            programmes.step_add(
                programme=programme,
                actor=users[actor],
                data=programmes.StepInput(**{k: v for k, v in step.items() if not k.endswith("_position")}),
            )
            for step in steps
        ]
        # A branch may go forward: its targets once every step is there.
        for step, data in zip(made, steps, strict=True):
            if "yes_position" in data or "no_position" in data:
                programmes.step_update(step=step, actor=users[actor], data=programmes.StepInput(**data))
        if start:
            programme = programmes.programme_start(programme=programme, actor=users[actor], now=T0)
        return programme

    return make


EMAIL = {
    "kind": K.SEND,
    "channel": "email",
    "subject_fa": "سلام {first_name}",
    "body_fa": '<p>سلام {first_name} <a href="https://shop.example/a">ببینید</a></p>',
    "subject_en": "Hello {first_name}",
    "body_en": '<p>Hello <a href="https://shop.example/a">see</a></p>',
}


def test_the_welcome_template_is_a_draft_with_its_segment_branches_and_content(
    users: dict[str, User],
) -> None:
    programme = programme_from_template(actor=users["marketing"], template="welcome", language="fa")
    assert programme.status == Programme.Status.DRAFT
    assert programme.name == "سری خوشامد"
    assert programme.entry_segment is not None and programme.entry_segment.kind == Segment.Kind.DYNAMIC
    steps = list(programme.steps.order_by("position"))
    assert [s.kind for s in steps] == [
        "send",
        "branch",
        "send",
        "wait",
        "send",
        "branch",
        "task",
        "exit",
        "tag",
    ]
    assert steps[1].yes_step == steps[3] and steps[1].no_step == steps[2]
    assert steps[5].yes_step == steps[8] and steps[5].no_step == steps[6]
    first = steps[0].campaign
    assert first is not None and first.programme_id == programme.pk
    assert first.subject_fa and first.subject_en and first.links == []
    english = programme_from_template(actor=users["marketing"], template="win_back", language="en")
    assert english.name == "Win back customers at risk" and english.reentry_days == 90
    assert programme_from_template(actor=users["marketing"], template="cross_sell").steps.count() == 6


def test_step_input_is_checked_with_clear_errors(
    drip: Callable[..., Programme], users: dict[str, User]
) -> None:
    programme = drip(start=False)
    actor = users["marketing"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "jump"}, "kind"),
        ({"kind": K.WAIT, "amount": 0}, "amount"),
        ({"kind": K.WAIT, "amount": 24 * 31, "unit": "hours"}, "amount"),
        ({"kind": K.BRANCH, "amount": 2, "condition": "smiled"}, "condition"),
        ({"kind": K.BRANCH, "amount": 2, "condition": "opened", "yes_position": 9}, "yes_position"),
        ({"kind": K.TAG, "text": "   "}, "text"),
        ({"kind": K.SEND, "channel": "email", "body_fa": "<p>سلام</p>"}, "subject_fa"),
        ({"kind": K.SEND, "channel": "sms"}, "body_fa"),
        ({"kind": K.SEND, "channel": "fax", "body_fa": "x"}, "channel"),
        ({"kind": K.WAIT, "amount": 1, "position": 5}, "position"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            programmes.step_add(programme=programme, actor=actor, data=programmes.StepInput(**data))
        assert field in caught.value.message_dict, (data, caught.value.message_dict)
    assert programme.steps.count() == 0
    with pytest.raises(ValidationError):
        programmes.programme_start(programme=programme, actor=actor)
    with pytest.raises(PermissionDenied):
        programmes.step_add(
            programme=programme, actor=users["support"], data=programmes.StepInput(kind=K.EXIT)
        )
    assert programme.steps.count() == 0


def test_steps_are_placed_and_renumbered(drip: Callable[..., Programme], users: dict[str, User]) -> None:
    programme = drip({"kind": K.WAIT, "amount": 1}, {"kind": K.EXIT}, start=False)
    actor = users["marketing"]
    tag = programmes.step_add(
        programme=programme, actor=actor, data=programmes.StepInput(kind=K.TAG, text="VIP", position=1)
    )
    assert list(programme.steps.order_by("position").values_list("kind", "position")) == [
        ("tag", 1),
        ("wait", 2),
        ("exit", 3),
    ]
    programmes.step_delete(step=tag, actor=actor)
    assert list(programme.steps.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_a_welcome_path_with_waits_sends_and_branches(
    drip: Callable[..., Programme],
    town: dict[str, Party],
    users: dict[str, User],
    committed: Any,
) -> None:
    programme = drip(
        EMAIL,  # 1
        {"kind": K.BRANCH, "amount": 3, "condition": "opened", "yes_position": 4},  # 2 (no: 3)
        {"kind": K.SEND, "channel": "sms", "body_fa": "سلام {first_name}", "body_en": "Hi"},  # 3
        {"kind": K.WAIT, "amount": 4},  # 4
        {"kind": K.BRANCH, "amount": 2, "unit": "hours", "condition": "bought"},  # 5 (no: next = 6)
        {"kind": K.TASK, "text": "تماس با مشتری"},  # 6
        {"kind": K.TAG, "text": "پیگیری‌شده"},  # 7
    )
    maryam = town["maryam"]
    with committed():
        enrolled = programmes.programme_enrol(
            programme=programme, actor=users["marketing"], party_ids=[maryam.pk], now=T0
        )
    assert enrolled.added == 1
    with committed():
        assert programmes.programmes_advance(now=T0) == 1
    enrolment = Enrolment.objects.get(programme=programme)
    step = {s.position: s for s in programme.steps.all()}
    assert enrolment.step == step[2] and enrolment.due_at == T0 + programmes.BRANCH_LOOK
    sent = Recipient.objects.get(enrolment=enrolment)
    assert sent.campaign == step[1].campaign and sent.state == Recipient.State.QUEUED
    assert sent.message is not None and sent.message.to_address == "maryam@example.com"
    assert sent.queued_at == T0
    # Looking again before the window is over changes nothing; nobody is sent twice.
    assert programmes.programmes_advance(now=T0 + dt.timedelta(hours=1)) == 1
    assert Recipient.objects.filter(enrolment=enrolment).count() == 1
    # She opens it: yes, to step 4 (a wait of four days).
    Recipient.objects.filter(pk=sent.pk).update(opened_at=T0 + dt.timedelta(hours=2))
    programmes.programmes_advance(now=T0 + dt.timedelta(hours=2))
    enrolment.refresh_from_db()
    assert enrolment.step == step[4] and enrolment.due_at == T0 + dt.timedelta(hours=2, days=4)
    assert programmes.programmes_advance(now=T0 + dt.timedelta(days=4)) == 0  # not yet
    later = T0 + dt.timedelta(days=4, hours=2)
    programmes.programmes_advance(now=later)
    enrolment.refresh_from_db()
    assert enrolment.step == step[5]
    # No order within two hours: no, to the next step — the task for her owner, then the tag.
    programmes.programmes_advance(now=later + dt.timedelta(hours=2))
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.DONE and enrolment.step is None
    task = Activity.objects.get(party=maryam)
    assert task.title == "تماس با مشتری" and task.assignee == users["sales"]
    assert maryam.tags.filter(name="پیگیری‌شده").exists()
    assert kinds(enrolment) == [
        "arrived", "sent", "arrived", "branched", "arrived", "waited", "arrived", "branched",
        "arrived", "task", "arrived", "tagged", "done",
    ]  # fmt: skip
    branched = enrolment.events.filter(kind=PathEvent.Kind.BRANCHED).order_by("id")
    with translation.override("en"):
        assert [selectors.describe(e) for e in branched] == [
            "Yes: Opened → step 4",
            "No: not Bought in time → step 6",
        ]
    # The path as a page shows it, and the stats per step.
    path = selectors.enrolment_path(enrolment=enrolment)
    assert [row.kind for row in path][:2] == ["arrived", "sent"] and path[0].step_position == 1
    stats = {row.step.position: row for row in selectors.step_stats(programme=programme)}
    assert (stats[1].entered, stats[1].sent, stats[1].opened) == (1, 1, 1)
    assert stats[7].exited == 1


def test_a_send_skips_without_consent_and_counts_it(
    drip: Callable[..., Programme], town: dict[str, Party], users: dict[str, User]
) -> None:
    programme = drip({"kind": K.SEND, "channel": "sms", "body_fa": "سلام", "body_en": "Hi"})
    programmes.programme_enrol(
        programme=programme, actor=users["marketing"], party_ids=[town["reza"].pk, town["maryam"].pk], now=T0
    )
    programmes.programmes_advance(now=T0)
    skipped = Recipient.objects.get(party=town["reza"], enrolment__isnull=False)
    assert skipped.state == Recipient.State.SKIPPED and skipped.reason == Recipient.Reason.NO_CONSENT
    event = PathEvent.objects.get(enrolment__party=town["reza"], kind=PathEvent.Kind.SKIPPED)
    assert (event.code, event.detail) == ("reason", Recipient.Reason.NO_CONSENT)
    stats = selectors.step_stats(programme=programme)[0]
    assert (stats.entered, stats.sent, stats.skipped) == (2, 1, 1)


def test_a_step_is_sent_once_per_enrolment_even_when_run_again(
    drip: Callable[..., Programme], town: dict[str, Party], users: dict[str, User]
) -> None:
    programme = drip(EMAIL)
    programmes.programme_enrol(
        programme=programme, actor=users["marketing"], party_ids=[town["maryam"].pk], now=T0
    )
    enrolment = Enrolment.objects.get()
    step = programme.steps.get()
    # The constraint itself refuses a second message of a step for one enrolment.
    Recipient.objects.create(campaign=step.campaign, party=town["maryam"], enrolment=enrolment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Recipient.objects.create(campaign=step.campaign, party=town["maryam"], enrolment=enrolment)
    # A run that finds the row already there decides it once and moves on.
    programmes.programmes_advance(now=T0)
    programmes.programmes_advance(now=T0 + dt.timedelta(days=1))
    assert Recipient.objects.filter(enrolment=enrolment).count() == 1
    assert OutboundMessage.objects.filter(idempotency_key__startswith="campaign-recipient-").count() == 1
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.DONE


def test_enrolling_honours_once_and_re_entry(
    drip: Callable[..., Programme], town: dict[str, Party], users: dict[str, User]
) -> None:
    actor = users["marketing"]
    once = drip({"kind": K.TAG, "text": "x"})
    ids = [town["maryam"].pk]
    assert programmes.programme_enrol(programme=once, actor=actor, party_ids=ids, now=T0).added == 1
    programmes.programmes_advance(now=T0)
    assert programmes.programme_enrol(programme=once, actor=actor, party_ids=ids, now=T0).skipped == 1
    again = drip({"kind": K.TAG, "text": "x"}, reentry_days=10)
    programmes.programme_enrol(programme=again, actor=actor, party_ids=ids, now=T0)
    programmes.programmes_advance(now=T0)
    soon = programmes.programme_enrol(
        programme=again, actor=actor, party_ids=ids, now=T0 + dt.timedelta(days=9)
    )
    assert soon.added == 0
    later = programmes.programme_enrol(
        programme=again, actor=actor, party_ids=ids, now=T0 + dt.timedelta(days=10)
    )
    assert later.added == 1
    assert list(again.enrolments.order_by("number").values_list("number", flat=True)) == [1, 2]
    # Sales see programmes but may not enrol anyone; a draft takes nobody.
    with pytest.raises(PermissionDenied):
        programmes.programme_enrol(programme=once, actor=users["sales"], party_ids=ids, now=T0)
    with pytest.raises(ValidationError):
        programmes.programme_enrol(programme=drip({"kind": K.EXIT}, start=False), actor=actor, party_ids=ids)


def test_the_entry_segment_is_checked_by_the_job(
    drip: Callable[..., Programme],
    town: dict[str, Party],
    users: dict[str, User],
    make_segment: Callable[..., Segment],
) -> None:
    tehran = make_segment(rule=rule({"field": "city", "op": "in", "value": ["تهران"]}))
    programme = drip({"kind": K.WAIT, "amount": 1}, entry_segment=tehran, reentry_days=5)
    assert programmes.programmes_enter(now=T0) == 2  # maryam and reza
    assert programmes.programmes_enter(now=T0) == 0
    programmes.programmes_advance(now=T0)
    programmes.programmes_advance(now=T0 + dt.timedelta(days=1))
    assert set(programme.enrolments.values_list("state", flat=True)) == {Enrolment.State.DONE}
    assert programmes.programmes_enter(now=T0 + dt.timedelta(days=5)) == 0
    assert programmes.programmes_enter(now=T0 + dt.timedelta(days=6)) == 2
    assert programme.enrolments.filter(number=2).count() == 2


def test_a_paused_programme_stops_and_resumes(
    drip: Callable[..., Programme], town: dict[str, Party], users: dict[str, User]
) -> None:
    actor = users["marketing"]
    programme = drip({"kind": K.WAIT, "amount": 1}, {"kind": K.TAG, "text": "x"})
    programmes.programme_enrol(programme=programme, actor=actor, party_ids=[town["maryam"].pk], now=T0)
    programmes.programmes_advance(now=T0)
    programmes.programme_pause(programme=programme, actor=actor)
    assert programmes.programmes_advance(now=T0 + dt.timedelta(days=2)) == 0
    with pytest.raises(ValidationError):
        programmes.programme_pause(programme=programme, actor=actor)
    programmes.programme_start(programme=programme, actor=actor)
    assert programmes.programmes_advance(now=T0 + dt.timedelta(days=2)) == 1
    assert Enrolment.objects.get().state == Enrolment.State.DONE


def test_a_lead_step_and_an_exit(
    drip: Callable[..., Programme], town: dict[str, Party], users: dict[str, User]
) -> None:
    programme = drip(
        {"kind": K.LEAD, "text": "علاقه به محصول"}, {"kind": K.EXIT}, {"kind": K.TAG, "text": "never"}
    )
    programmes.programme_enrol(
        programme=programme, actor=users["marketing"], party_ids=[town["maryam"].pk], now=T0
    )
    programmes.programmes_advance(now=T0)
    lead = Lead.objects.get(party=town["maryam"])
    assert lead.message == "علاقه به محصول" and lead.source == "campaign" and lead.owner == users["sales"]
    enrolment = Enrolment.objects.get()
    assert enrolment.state == Enrolment.State.EXITED
    assert kinds(enrolment) == ["arrived", "lead", "arrived", "exited"]
    assert not town["maryam"].tags.filter(name="never").exists()


def test_a_branch_on_a_reply_and_on_an_order(
    drip: Callable[..., Programme],
    town: dict[str, Party],
    users: dict[str, User],
    touch: Callable[..., Any],
    make_order: Callable[..., Any],
) -> None:
    actor = users["marketing"]
    programme = drip(
        {"kind": K.SEND, "channel": "sms", "body_fa": "سلام", "body_en": "Hi"},
        {"kind": K.BRANCH, "amount": 1, "condition": "replied", "yes_position": 4},
        {"kind": K.EXIT},
        {"kind": K.BRANCH, "amount": 1, "condition": "bought", "yes_position": 6},
        {"kind": K.EXIT},
        {"kind": K.TAG, "text": "خرید"},
    )
    maryam = town["maryam"]
    programmes.programme_enrol(programme=programme, actor=actor, party_ids=[maryam.pk], now=T0)
    programmes.programmes_advance(now=T0)
    touch(maryam, T0 + dt.timedelta(hours=1))
    programmes.programmes_advance(now=T0 + dt.timedelta(hours=1))
    enrolment = Enrolment.objects.get()
    assert enrolment.step is not None and enrolment.step.position == 4
    order = make_order(maryam, T0.date())
    type(order).objects.filter(pk=order.pk).update(created_at=T0 + dt.timedelta(hours=3))
    programmes.programmes_advance(now=T0 + dt.timedelta(hours=3))
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.DONE
    assert maryam.tags.filter(name="خرید").exists()
