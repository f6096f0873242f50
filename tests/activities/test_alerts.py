"""Overdue alerts, escalation to the manager after each team's delay (on a frozen clock),
and birthdays and anniversaries."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone, translation

from peyvand.activities import services, tasks
from peyvand.activities.models import Activity, TeamSettings
from peyvand.activities.services import alerts
from peyvand.activities.services.alerts import Occasion, register_occasion_source
from peyvand.notifications.models import Notification

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


@pytest.fixture
def overdue_call(users, make_activity):
    with mock.patch("django.utils.timezone.now", return_value=NOW - dt.timedelta(days=3)):
        return make_activity("sales", due_in=dt.timedelta(days=2), reminders=[])  # due NOW - 1 day


def test_overdue_is_alerted_to_the_assignee_once(users, overdue_call):
    assert services.alerts.overdue_alerts_raise(now=NOW) == 1
    assert services.alerts.overdue_alerts_raise(now=NOW + dt.timedelta(minutes=5)) == 0
    alert = notes(users["sales"], "overdue").get()
    assert alert.data["title"] == overdue_call.title
    assert not notes(users["manager"], "overdue").exists()


def test_escalation_waits_for_the_default_delay_then_tells_the_teams_manager(users, overdue_call, settings):
    settings.PEYVAND_ESCALATION_DELAY_MINUTES = 48 * 60
    assert services.alerts.escalations_raise(now=NOW) == 0  # one day overdue: not yet
    assert services.alerts.escalations_raise(now=NOW + dt.timedelta(days=1, minutes=1)) == 1
    assert services.alerts.escalations_raise(now=NOW + dt.timedelta(days=3)) == 0  # once
    escalation = notes(users["manager"], "escalation").get()
    assert escalation.data["assignee"] == str(users["sales"])
    assert not notes(users["outsider"], "escalation").exists()
    assert not notes(users["sales"], "escalation").exists()


def test_each_team_has_its_own_delay(users, team_a, overdue_call, make_activity):
    services.feeds.team_settings_update(
        team=team_a, actor=users["admin"], data={"escalation_delay_minutes": 60}
    )
    with mock.patch("django.utils.timezone.now", return_value=NOW - dt.timedelta(days=3)):
        other = make_activity("outsider", due_in=dt.timedelta(days=2), reminders=[])
    # Team A escalates an hour after; team B (no settings) uses the default day.
    assert services.alerts.escalations_raise(now=NOW - dt.timedelta(minutes=1)) == 1
    assert notes(users["manager"], "escalation").count() == 1
    assert Activity.objects.get(pk=other.pk).escalated_at is None
    assert services.alerts.escalations_raise(now=NOW + dt.timedelta(minutes=1)) == 1
    admins = notes(users["admin"], "escalation")  # team B has no manager: the administrators
    assert admins.count() == 1 and admins.get().data["assignee"] == str(users["outsider"])


def test_a_team_may_name_its_escalation_target_or_switch_escalation_off(users, team_a, team_b, overdue_call):
    services.feeds.team_settings_update(
        team=team_a,
        actor=users["admin"],
        data={"escalation_delay_minutes": 0, "escalate_to": users["support"]},
    )
    assert services.alerts.escalations_raise(now=NOW) == 1
    assert notes(users["support"], "escalation").count() == 1
    assert not notes(users["manager"], "escalation").exists()
    services.feeds.team_settings_update(team=team_b, actor=users["admin"], data={"escalate": False})
    assert TeamSettings.objects.get(team=team_b).escalate is False


def test_only_administrators_change_team_settings_and_bad_values_change_nothing(users, team_a):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.feeds.team_settings_update(
            team=team_a, actor=users["manager"], data={"escalation_delay_minutes": 5}
        )
    with pytest.raises(ValidationError):
        services.feeds.team_settings_update(
            team=team_a, actor=users["admin"], data={"escalation_delay_minutes": -5}
        )
    with pytest.raises(ValidationError):
        services.feeds.team_settings_update(
            team=team_a, actor=users["admin"], data={"escalation_delay_minutes": "soon"}
        )
    assert not TeamSettings.objects.exists()


def test_moving_the_activity_restarts_the_clock(users, overdue_call):
    assert services.alerts.overdue_alerts_raise(now=NOW) == 1
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        services.activities.activity_update(
            activity=overdue_call, actor=users["sales"], data={"due_at": NOW + dt.timedelta(hours=2)}
        )
    assert services.alerts.overdue_alerts_raise(now=NOW + dt.timedelta(hours=1)) == 0
    assert services.alerts.overdue_alerts_raise(now=NOW + dt.timedelta(hours=3)) == 1
    assert notes(users["sales"], "overdue").count() == 2


def test_done_activities_raise_nothing(users, overdue_call):
    services.activities.activity_complete(activity=overdue_call, actor=users["sales"])
    assert services.alerts.overdue_alerts_raise(now=NOW) == 0
    assert services.alerts.escalations_raise(now=NOW + dt.timedelta(days=30)) == 0


def test_the_periodic_job_is_safe_to_run_twice(users, overdue_call):
    with mock.patch("django.utils.timezone.now", return_value=NOW + dt.timedelta(days=2)):
        tasks.alerts_task.call_local()
        tasks.alerts_task.call_local()
    assert notes(users["sales"], "overdue").count() == 1
    assert notes(users["manager"], "escalation").count() == 1


def test_an_assignee_who_is_the_manager_escalates_to_the_administrators(users, make_activity):
    with mock.patch("django.utils.timezone.now", return_value=NOW - dt.timedelta(days=3)):
        own = make_activity("manager", due_in=dt.timedelta(days=1), reminders=[])
    assert alerts.escalation_recipients(own, None) == [users["admin"]]


# --- birthdays and anniversaries ----------------------------------------------------------


def test_birthdays_remind_the_owner_once_a_year(users, make_person):
    """A Persian owner is reminded on the Jalali day: 1990-03-10 is 19 Esfand 1368, and
    19 Esfand 1403 is 2025-03-09."""
    make_person(owner="sales", first_name="مریم", data={"date_of_birth": dt.date(1990, 3, 10)})
    make_person(owner="sales2", first_name="یاسر", data={"date_of_birth": dt.date(1985, 7, 1)})
    make_person(owner=None, first_name="بی‌صاحب", data={"date_of_birth": dt.date(1980, 3, 10)})
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 10)) == 0  # 20 Esfand: not her day
    day = dt.date(2025, 3, 9)
    assert services.alerts.occasions_remind(day=day) == 1
    assert services.alerts.occasions_remind(day=day) == 0
    reminder = notes(users["sales"], "birthday").get()
    assert reminder.data["party"] == "مریم کریمی" and reminder.data["years"] == 35  # 1403 − 1368
    assert not notes(users["sales2"], "birthday").exists()
    assert services.alerts.occasions_remind(day=dt.date(2026, 3, 10)) == 1  # 19 Esfand 1404, a year on


def test_an_english_owner_is_reminded_on_the_gregorian_day(users, make_person):
    users["sales"].language = "en"
    users["sales"].save(update_fields=["language"])
    make_person(owner="sales", data={"date_of_birth": dt.date(1990, 3, 10)})
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 9)) == 0
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 10)) == 1
    tasks.occasions_task.call_local()  # the periodic job the same day adds nothing
    assert notes(users["sales"], "birthday").get().data["years"] == 35


def test_a_29_february_birthday_is_remembered_on_28_february_in_common_years(users, make_person):
    users["sales"].language = "en"
    users["sales"].save(update_fields=["language"])
    make_person(owner="sales", data={"date_of_birth": dt.date(2000, 2, 29)})
    assert services.alerts.occasions_remind(day=dt.date(2025, 2, 28)) == 1
    assert services.alerts.occasions_remind(day=dt.date(2024, 2, 28)) == 0
    assert services.alerts.occasions_remind(day=dt.date(2024, 2, 29)) == 1


def test_a_30_esfand_birthday_is_remembered_on_29_esfand_in_common_years(users, make_person):
    # 30 Esfand 1399 (a leap year) is 2021-03-20; 1403 is leap too, 1402 and 1404 are not.
    make_person(owner="sales", data={"date_of_birth": dt.date(2021, 3, 20)})
    assert services.alerts.occasions_remind(day=dt.date(2024, 3, 19)) == 1  # 29 Esfand 1402
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 19)) == 0  # 29 Esfand 1403: it has a 30th
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 20)) == 1  # 30 Esfand 1403
    assert services.alerts.occasions_remind(day=dt.date(2026, 3, 20)) == 1  # 29 Esfand 1404
    assert [n.data["years"] for n in notes(users["sales"], "birthday").order_by("id")] == [3, 4, 5]


def test_another_app_can_add_anniversaries(users, make_person):
    party = make_person(owner="sales")

    def contracts(day):
        yield Occasion(
            "anniversary",
            f"contract:{party.pk}:7",
            party.pk,
            party.display_name,
            users["sales"].pk,
            "Contract",
            3,
        )

    register_occasion_source(contracts)
    try:
        assert services.alerts.occasions_remind(day=dt.date(2025, 5, 1)) == 1
        assert services.alerts.occasions_remind(day=dt.date(2025, 5, 1)) == 0
    finally:
        alerts._SOURCES.remove(contracts)
    note = notes(users["sales"], "anniversary").get()
    assert note.data == {"party": party.display_name, "label": "Contract", "years": 3}


def test_inactive_owners_are_not_reminded(users, make_person):
    make_person(owner="sales", data={"date_of_birth": dt.date(1990, 3, 10)})
    users["sales"].is_active = False
    users["sales"].save()
    assert services.alerts.occasions_remind(day=dt.date(2025, 3, 10)) == 0
    assert timezone.now()


def test_customer_anniversaries_count_from_the_first_deal_won(users, make_person, make_deal, stages):
    from peyvand.notifications.kinds import notification_text
    from peyvand.sales.models import Deal
    from peyvand.sales.services import deals

    party = make_person(owner="sales", first_name="نیما", last_name="رضایی")
    first, later = make_deal(party=party), make_deal(party=party)
    lost = make_deal(party=party)
    for deal in (first, later):
        deals.deal_move_stage(deal=deal, stage=stages["won"], actor=users["sales"])
    deals.deal_move_stage(deal=lost, stage=stages["lost"], actor=users["sales"], lost_reason="گران")
    # Won on 1 Mehr 1400 (2021-09-23, 10:00 Tehran) and on a later day; lost earlier still.
    won_at = dt.datetime(2021, 9, 23, 6, 30, tzinfo=dt.UTC)
    Deal.objects.filter(pk=first.pk).update(closed_at=won_at)
    Deal.objects.filter(pk=later.pk).update(closed_at=won_at + dt.timedelta(days=40))
    Deal.objects.filter(pk=lost.pk).update(closed_at=won_at - dt.timedelta(days=100))

    assert services.alerts.occasions_remind(day=dt.date(2024, 9, 23)) == 0  # 2 Mehr 1403: not the day
    assert not notes(users["sales"], "anniversary").exists()
    assert services.alerts.occasions_remind(day=dt.date(2024, 9, 22)) == 1  # 1 Mehr 1403
    assert services.alerts.occasions_remind(day=dt.date(2024, 9, 22)) == 0
    note = notes(users["sales"], "anniversary").get()
    assert note.data == {"party": "نیما رضایی", "label": "Customer anniversary", "years": 3}
    assert note.party_id == party.pk
    with translation.override("fa"):
        assert notification_text(note) == "سالگرد مشتری شدن نیما رضایی: امروز ۳ سال"
    with translation.override("en"):
        assert notification_text(note) == "Customer anniversary of نیما رضایی: 3 years today"


def test_an_english_owner_gets_the_customer_anniversary_on_the_gregorian_day(
    users, make_person, make_deal, stages
):
    from peyvand.sales.models import Deal
    from peyvand.sales.services import deals

    users["sales"].language = "en"
    users["sales"].save(update_fields=["language"])
    deal = make_deal(party=make_person(owner="sales"))
    deals.deal_move_stage(deal=deal, stage=stages["won"], actor=users["sales"])
    Deal.objects.filter(pk=deal.pk).update(closed_at=dt.datetime(2021, 9, 23, 6, 30, tzinfo=dt.UTC))
    assert services.alerts.occasions_remind(day=dt.date(2024, 9, 22)) == 0
    assert services.alerts.occasions_remind(day=dt.date(2021, 9, 23)) == 0  # the day itself is no anniversary
    assert services.alerts.occasions_remind(day=dt.date(2024, 9, 23)) == 1
    assert notes(users["sales"], "anniversary").get().data["years"] == 3
