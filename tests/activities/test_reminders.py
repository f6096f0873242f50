"""Reminders arrive exactly once: across a doubled periodic run, two workers, a worker that
dies mid-delivery, and a worker that was down (late, and marked late)."""

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation

from peyvand.activities import services, tasks
from peyvand.activities.models import Reminder
from peyvand.interactions.models import OutboundMessage
from peyvand.notifications import services as notification_services
from peyvand.notifications.kinds import notification_text
from peyvand.notifications.models import Notification


def reminders_of(user):
    return Notification.objects.filter(recipient=user, kind="reminder")


def test_a_due_reminder_is_delivered_once_however_often_the_job_runs(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=10), reminders=[15])
    assert services.reminders.reminders_deliver_due() == 1
    assert services.reminders.reminders_deliver_due() == 0
    tasks.reminders_task.call_local()  # the periodic job itself, twice more
    tasks.reminders_task.call_local()
    notification = reminders_of(users["sales"]).get()
    assert notification.data["title"] == activity.title and not notification.late
    assert notification.url == f"/activities/{activity.pk}/"


def test_nothing_is_delivered_before_its_time(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(hours=3), reminders=[60, 15])
    assert services.reminders.reminders_deliver_due() == 0
    two_hours_on = timezone.now() + dt.timedelta(hours=2, minutes=1)
    assert services.reminders.reminders_deliver_due(now=two_hours_on) == 1  # the hour-before one
    assert services.reminders.reminders_deliver_due(now=activity.due_at) == 1  # then the 15-minute one
    assert reminders_of(users["sales"]).count() == 2


def test_a_worker_that_dies_before_committing_loses_nothing(users, make_activity):
    make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    reminder = Reminder.objects.get()

    class WorkerDied(Exception):
        pass

    # The worker claims the reminder and writes the notification, then its transaction is
    # rolled back: both vanish together. (A real worker killed mid-run, and restarted as
    # two: test_worker_restart.py.)
    with pytest.raises(WorkerDied), transaction.atomic():
        assert services.reminders.reminder_deliver(reminder_id=reminder.pk)
        assert reminders_of(users["sales"]).count() == 1
        raise WorkerDied
    reminder.refresh_from_db()
    assert reminder.delivered_at is None and not reminders_of(users["sales"]).exists()
    # The next run delivers it, once.
    assert services.reminders.reminders_deliver_due() == 1
    assert services.reminders.reminders_deliver_due() == 0
    assert reminders_of(users["sales"]).count() == 1


def test_after_downtime_a_reminder_is_delivered_late_and_marked_late(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=30), reminders=[15])
    back_up = activity.due_at + dt.timedelta(hours=3)  # the worker was down through it
    assert services.reminders.reminders_deliver_due(now=back_up) == 1
    notification = reminders_of(users["sales"]).get()
    assert notification.late
    assert Reminder.objects.get().late
    assert services.reminders.reminders_deliver_due(now=back_up + dt.timedelta(minutes=1)) == 0


def test_a_second_worker_finding_the_reminder_claimed_sends_nothing(users, make_activity):
    make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    reminder = Reminder.objects.get()
    # Both workers read the due list before either delivered.
    assert services.reminders.reminder_deliver(reminder_id=reminder.pk)
    assert not services.reminders.reminder_deliver(reminder_id=reminder.pk)
    assert reminders_of(users["sales"]).count() == 1


def test_the_notification_key_is_a_second_guard(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    reminder = Reminder.objects.get()
    key = f"reminder:{reminder.pk}:{reminder.remind_at.isoformat()}"
    # As if a run delivered it but the reminder row was reset by hand.
    assert (
        notification_services.notifications.notify(
            recipient=users["sales"], kind="reminder", key=key, data={}
        )
        is not None
    )
    assert services.reminders.reminders_deliver_due() == 1  # claimed...
    assert reminders_of(users["sales"]).count() == 1  # ...but not delivered twice
    assert activity.pk


def test_closed_activities_are_not_reminded(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    services.activities.activity_complete(activity=activity, actor=users["sales"])
    assert services.reminders.reminders_deliver_due() == 0
    assert not reminders_of(users["sales"]).exists()


def test_a_moved_activity_is_reminded_again_before_its_new_time(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    assert services.reminders.reminders_deliver_due() == 1
    later = timezone.now() + dt.timedelta(days=1)
    services.activities.activity_update(activity=activity, actor=users["sales"], data={"due_at": later})
    assert services.reminders.reminders_deliver_due() == 0
    assert services.reminders.reminders_deliver_due(now=later - dt.timedelta(minutes=14)) == 1
    assert reminders_of(users["sales"]).count() == 2


def test_email_only_for_users_who_asked(users, make_activity, django_capture_on_commit_callbacks):
    users["sales"].email, users["sales2"].email = "sara@example.com", "reza@example.com"
    users["sales"].save()
    users["sales2"].save()
    notification_services.preferences.preference_update(user=users["sales"], data={"email_reminders": True})
    make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    make_activity("sales2", due_in=dt.timedelta(minutes=5), reminders=[15])
    assert services.reminders.reminders_deliver_due() == 2
    emails = OutboundMessage.objects.filter(purpose="notification")
    assert list(emails.values_list("to_address", flat=True)) == ["sara@example.com"]
    email = emails.get()
    assert email.recipient_user == users["sales"] and email.idempotency_key.startswith("notification-")
    assert "تماس پیگیری" in email.subject and 'dir="rtl"' in email.body_html


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_deliver_once(users, make_activity):
    for _ in range(5):
        make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15])
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            for _attempt in range(50):
                try:
                    results.append(services.reminders.reminders_deliver_due())
                    return
                except OperationalError:
                    # SQLite's shared in-memory test database refuses a second writer at once
                    # (a file database waits instead): the run fails whole, as a worker's
                    # run would, and the next run goes again.
                    time.sleep(0.05)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(results) == 5
    assert reminders_of(users["sales"]).count() == 5


def offsets(activity):
    return sorted(activity.reminders.values_list("minutes_before", flat=True))


@pytest.mark.parametrize(
    ("due_in", "asked", "kept"),
    [
        (dt.timedelta(minutes=5), [15, 0], [0]),  # the 15-minute moment has passed: at its time only
        (dt.timedelta(minutes=5), [15], [15]),  # nothing else to come: one, now
        (dt.timedelta(minutes=5), [60, 15], [15]),  # both passed: one, not two at once
        (dt.timedelta(hours=2), [60, 15, 0], [0, 15, 60]),  # all still to come
        (dt.timedelta(minutes=-30), [15, 0], []),  # already past its time: the overdue alert says it
    ],
)
def test_one_reminder_per_moment(make_activity, due_in, asked, kept):
    assert offsets(make_activity("sales", due_in=due_in, reminders=asked)) == kept


def test_a_due_soon_activity_reminds_once_then_is_overdue_a_while_later(users, make_activity):
    activity = make_activity("sales", due_in=dt.timedelta(minutes=5), reminders=[15, 0])
    assert services.reminders.reminders_deliver_due() == 0  # the 15-minute one was not kept
    assert services.reminders.reminders_deliver_due(now=activity.due_at) == 1
    assert services.alerts.overdue_alerts_raise(now=activity.due_at + dt.timedelta(minutes=1)) == 0
    assert services.alerts.overdue_alerts_raise(now=activity.due_at + dt.timedelta(minutes=20)) == 1
    assert reminders_of(users["sales"]).count() == 1


def test_each_reminder_says_what_it_is(users, make_activity, english):
    activity = make_activity("sales", due_in=dt.timedelta(days=2), reminders=[1440, 60, 15, 0])
    for minutes in (1440, 60, 15, 0):
        services.reminders.reminders_deliver_due(now=activity.due_at - dt.timedelta(minutes=minutes))
    texts = [notification_text(n) for n in reminders_of(users["sales"]).order_by("id")]
    assert [t.split(":")[0] for t in texts] == ["In 1 day", "In 1 hour", "In 15 minutes", "Now"]
    assert all(activity.title in t for t in texts)
    with translation.override("fa"):
        assert notification_text(reminders_of(users["sales"]).order_by("id")[2]).startswith("۱۵ ")
