"""Planning, changing, finishing and cancelling activities through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.activities import services
from peyvand.activities.models import Activity, Reminder
from peyvand.core.models import AuditEvent
from peyvand.interactions.models import Interaction
from peyvand.notifications.models import Notification
from tests.roles import OWNERS

# role -> whose activities (by assignee) the role may change under the default policy
CHANGES = {
    "admin": {"sales", "sales2", "outsider"},
    "manager": {"sales", "sales2"},
    "sales": {"sales"},
    "support": set(),
    "marketing": set(),
    "readonly": set(),
    "outsider": {"outsider"},
}
SEES = {
    "admin": {"sales", "sales2", "outsider"},
    "manager": {"sales", "sales2"},
    "sales": {"sales", "sales2"},
    "support": {"sales", "sales2"},
    "marketing": {"sales", "sales2", "outsider"},
    "readonly": set(),
    "outsider": {"outsider"},
}


def test_create_defaults_and_audit_on_the_customers_timeline(users, make_person):
    party = make_person()
    activity = services.activities.activity_create(
        actor=users["sales"],
        data={"title": "  تماس  با   علي ", "party": party, "due_at": timezone.now() + dt.timedelta(days=1)},
    )
    assert activity.assignee == users["sales"] and activity.kind == "task" and activity.status == "open"
    assert activity.title == "تماس با علی"  # cleaned: spaces, Arabic yeh
    assert list(activity.reminders.values_list("minutes_before", flat=True)) == [15]  # the default
    event = AuditEvent.objects.get(model="activities.activity", object_id=activity.pk)
    assert event.party_id == party.pk and event.kind == "create"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "party"}, "kind"),
        ({"priority": 9}, "priority"),
        ({"due_at": "tomorrow"}, "due_at"),
        ({"due_at": dt.datetime(1900, 1, 1, tzinfo=dt.UTC)}, "due_at"),
        ({"repeat": "hourly"}, "repeat"),
        ({"repeat_every": 0}, "repeat_every"),
        ({"ends_at": timezone.now() - dt.timedelta(days=3)}, "ends_at"),
        ({"owner": None}, "owner"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(users, data, field):
    base = {"title": "ok", "due_at": timezone.now() + dt.timedelta(hours=1)}
    with pytest.raises(ValidationError) as raised:
        services.activities.activity_create(actor=users["sales"], data={**base, **data})
    assert field in raised.value.message_dict
    assert not Activity.objects.exists()


def test_a_customer_the_actor_cannot_see_is_refused(users, make_person):
    hidden = make_person(owner="outsider")
    with pytest.raises(ValidationError) as raised:
        services.activities.activity_create(
            actor=users["sales"], data={"title": "x", "party": hidden, "due_at": timezone.now()}
        )
    assert "party" in raised.value.message_dict


@pytest.mark.parametrize("role", sorted(CHANGES))
@pytest.mark.parametrize("owner", [o for o in OWNERS if o])
def test_who_may_change_whose_activity(users, make_activity, role, owner):
    activity = make_activity(owner)
    later = activity.due_at + dt.timedelta(days=1)
    visible = Activity.objects.filter(pk=activity.pk)
    from peyvand.core import policy

    assert policy.visible(users[role], visible).exists() == (owner in SEES[role])
    if owner in CHANGES[role]:
        services.activities.activity_update(activity=activity, actor=users[role], data={"due_at": later})
        assert Activity.objects.get(pk=activity.pk).due_at == later
    else:
        before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            services.activities.activity_update(activity=activity, actor=users[role], data={"due_at": later})
        with pytest.raises(PermissionDenied):
            services.activities.activity_complete(activity=activity, actor=users[role])
        fresh = Activity.objects.get(pk=activity.pk)
        assert fresh.due_at == activity.due_at and fresh.status == "open"
        assert AuditEvent.objects.count() == before


def test_sales_may_not_give_an_activity_to_a_colleague_but_a_manager_may(users):
    data = {"title": "x", "due_at": timezone.now() + dt.timedelta(hours=1), "assignee": users["sales2"]}
    with pytest.raises(ValidationError) as raised:
        services.activities.activity_create(actor=users["sales"], data=data)
    assert "assignee" in raised.value.message_dict
    activity = services.activities.activity_create(actor=users["manager"], data=data)
    assert activity.assignee == users["sales2"]
    # The new assignee is told.
    note = Notification.objects.get(recipient=users["sales2"], kind="assigned")
    assert note.actor == users["manager"] and note.url.endswith(f"/activities/{activity.pk}/")
    with pytest.raises(PermissionDenied):
        services.activities.activity_create(
            actor=users["readonly"], data={**data, "assignee": users["readonly"]}
        )


def test_complete_a_call_logs_it_on_the_timeline_and_plans_the_follow_up(users, make_person, make_activity):
    party = make_person()
    call = make_activity("sales", party=party, due_in=dt.timedelta(minutes=-5))
    follow_at = timezone.now() + dt.timedelta(days=2)
    result = services.activities.activity_complete(
        activity=call,
        actor=users["sales"],
        outcome="completed",
        note="قرار شد پیش‌فاکتور بفرستیم",
        follow_up={"due_at": follow_at},
    )
    done = result.activity
    assert done.status == "done" and done.completed_by == users["sales"] and done.outcome == "completed"
    interaction = Interaction.objects.get(party=party)
    assert interaction.channel == "phone" and interaction.direction == "outbound"
    assert interaction.subject == call.title and interaction.outcome == "completed"
    assert done.interaction_id == interaction.pk
    follow = result.follow_up
    assert follow.follows_id == call.pk and follow.party == party and follow.kind == "call"
    assert follow.due_at == follow_at and follow.status == "open" and follow.title.endswith(call.title)
    with pytest.raises(ValidationError):
        services.activities.activity_complete(activity=done, actor=users["sales"])


def test_a_failed_follow_up_rolls_the_completion_back(users, make_activity):
    call = make_activity("sales")
    with pytest.raises(ValidationError):
        services.activities.activity_complete(
            activity=call, actor=users["sales"], follow_up={"due_at": "soon"}
        )
    assert Activity.objects.get(pk=call.pk).status == "open"
    assert Activity.objects.count() == 1


def test_a_task_completed_logs_no_interaction(users, make_person, make_activity):
    task = make_activity("sales", kind="task", party=make_person())
    services.activities.activity_complete(activity=task, actor=users["sales"], outcome="")
    assert not Interaction.objects.exists()


def test_bad_outcome_is_refused(users, make_activity):
    call = make_activity("sales")
    with pytest.raises(ValidationError):
        services.activities.activity_complete(activity=call, actor=users["sales"], outcome="won")
    assert Activity.objects.get(pk=call.pk).status == "open"


def test_repeating_activity_plans_its_next_occurrence_on_completion_and_on_cancel(users, make_activity):
    monthly = make_activity("sales", repeat="monthly", reminders=[60])
    result = services.activities.activity_complete(activity=monthly, actor=users["sales"])
    following = result.next_occurrence
    assert following is not None and following.due_at > monthly.due_at + dt.timedelta(days=27)
    assert following.repeat == "monthly" and following.follows_id == monthly.pk
    assert list(following.reminders.values_list("minutes_before", flat=True)) == [60]
    after_cancel = services.activities.activity_cancel(
        activity=following, actor=users["sales"]
    ).next_occurrence
    assert after_cancel is not None and after_cancel.due_at > following.due_at


def test_moving_an_activity_rearms_its_reminders_and_alerts(users, make_activity):
    activity = make_activity("sales", reminders=[15], due_in=dt.timedelta(minutes=10))
    reminder = Reminder.objects.get(activity=activity)
    Reminder.objects.filter(pk=reminder.pk).update(delivered_at=timezone.now())
    Activity.objects.filter(pk=activity.pk).update(
        overdue_alerted_at=timezone.now(), escalated_at=timezone.now()
    )
    later = timezone.now() + dt.timedelta(days=1)
    moved = services.activities.activity_update(
        activity=activity, actor=users["sales"], data={"due_at": later}
    )
    reminder.refresh_from_db()
    assert reminder.delivered_at is None and reminder.remind_at == later - dt.timedelta(minutes=15)
    assert moved.overdue_alerted_at is None and moved.escalated_at is None


def test_a_closed_activity_cannot_be_moved_but_can_be_reopened(users, make_activity):
    activity = make_activity("sales")
    services.activities.activity_cancel(activity=activity, actor=users["sales"], reason="مشتری منصرف شد")
    with pytest.raises(ValidationError):
        services.activities.activity_update(
            activity=activity, actor=users["sales"], data={"due_at": timezone.now() + dt.timedelta(days=3)}
        )
    reopened = services.activities.activity_reopen(activity=activity, actor=users["sales"])
    assert reopened.status == "open" and reopened.completed_at is None


def test_delete_moves_it_to_the_trash_with_its_customer_history(users, make_person, make_activity):
    party = make_person()
    activity = make_activity("sales", party=party)
    services.activities.activity_delete(activity=activity, actor=users["sales"])
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert Activity.all_objects.get(pk=activity.pk).deleted_by == users["sales"]
    assert AuditEvent.objects.filter(model="activities.activity", kind="delete", party_id=party.pk).exists()


def test_deleting_the_customer_takes_its_activities_along_and_restoring_brings_them_back(
    users, make_person, make_activity
):
    from peyvand.customers import services as customer_services

    party = make_person()
    activity = make_activity("sales", party=party)
    customer_services.parties.party_delete(party=party, actor=users["admin"])
    assert not Activity.objects.filter(pk=activity.pk).exists()
    customer_services.parties.party_restore(party=party, actor=users["admin"])
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_editing_without_moving_does_not_remind_again(users, make_activity):
    activity = make_activity("sales", reminders=[15], due_in=dt.timedelta(minutes=10))
    assert services.reminders.reminders_deliver_due() == 1
    services.activities.activity_update(
        activity=activity, actor=users["sales"], data={"title": "عنوان تازه"}, reminders=[15]
    )
    assert Reminder.objects.get(activity=activity).delivered_at is not None
    assert services.reminders.reminders_deliver_due() == 0


def test_a_manager_finishing_a_reps_call_leaves_the_follow_up_with_the_rep(users, make_activity):
    call = make_activity("sales")
    result = services.activities.activity_complete(
        activity=call, actor=users["manager"], follow_up={"due_at": timezone.now() + dt.timedelta(days=1)}
    )
    assert result.follow_up.assignee == users["sales"]


@pytest.mark.parametrize(
    "language, expected",
    [("fa", "تاریخی بین ۱۳۷۸/۱۰/۱۱ و ۱۵۷۹/۱۰/۱۰ وارد کنید."), ("en", "between 2000-01-01 and 2200-12-31")],
)
def test_a_date_out_of_range_is_explained_in_the_users_calendar_and_digits(users, language, expected):
    from django.utils import translation

    with translation.override(language), pytest.raises(ValidationError) as error:
        services.activities.activity_create(
            actor=users["sales"], data={"title": "x", "due_at": dt.datetime(2300, 1, 1, tzinfo=dt.UTC)}
        )
    assert expected in error.value.message_dict["due_at"][0]


@pytest.mark.parametrize(
    "query", ["علی رئیسی", "علي رئيسي", "علی رییسی", "ALI"], ids=["persian", "arabic", "hamza-less", "latin"]
)
def test_activities_are_found_by_title_however_its_letters_were_typed(make_activity, users, query):
    from peyvand.activities.selectors.activities import ActivityFilters, activity_list

    wanted = make_activity(title="تماس با علي رئيسي (Ali)")
    make_activity(title="جلسه با مینا")
    found = activity_list(user=users["admin"], filters=ActivityFilters(q=query, who="all"))
    assert [a.pk for a in found] == [wanted.pk]


def test_a_changed_title_is_searched_by_its_new_words(make_activity, users):
    from peyvand.activities.selectors.activities import ActivityFilters, activity_list

    activity = make_activity(title="تماس اول")
    services.activities.activity_update(activity=activity, actor=users["admin"], data={"title": "جلسه‌ی دوم"})
    assert [
        a.pk for a in activity_list(user=users["admin"], filters=ActivityFilters(q="دوم", who="all"))
    ] == [activity.pk]
    assert not list(activity_list(user=users["admin"], filters=ActivityFilters(q="اول", who="all")))
