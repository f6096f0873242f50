"""The worker's SLA check: a warning before each due time and the breach at it, each exactly
once however often it runs, to the assignee and, at a breach, the team's managers."""

from __future__ import annotations

import datetime as dt

import pytest

from peyvand.notifications.models import Notification
from peyvand.service.models import SlaEvent, SlaPolicy
from peyvand.service.services import sla

pytestmark = pytest.mark.django_db


def test_warned_before_and_escalated_at_the_breach_once_each(open_ticket, users):
    SlaPolicy.objects.filter(priority__isnull=True).update(warn_before_minutes=30)
    ticket = open_ticket(actor="admin", assignee=users["support"])
    due = ticket.first_response_due
    assert sla.sla_check(now=due - dt.timedelta(minutes=45)) == 0
    assert sla.sla_check(now=due - dt.timedelta(minutes=20)) == 1
    assert sla.sla_check(now=due - dt.timedelta(minutes=10)) == 0  # warned already
    warning = Notification.objects.get(kind="sla_warning")
    assert warning.recipient == users["support"] and warning.data["number"] == ticket.number
    assert sla.sla_check(now=due + dt.timedelta(minutes=1)) == 1
    assert sla.sla_check(now=due + dt.timedelta(minutes=2)) == 0
    breaches = Notification.objects.filter(kind="sla_breach")
    # The assignee and the team's manager (support is in team A with the manager).
    assert set(breaches.values_list("recipient__username", flat=True)) == {"support", "manager"}
    assert SlaEvent.objects.filter(ticket=ticket, metric="first_response").count() == 2


def test_an_unassigned_tickets_warning_goes_to_the_managers(open_ticket, users):
    ticket = open_ticket()
    sla.sla_check(now=ticket.first_response_due - dt.timedelta(minutes=1))
    # No team on the ticket or its assignee: the administrators hear of it.
    assert set(
        Notification.objects.filter(kind="sla_warning").values_list("recipient__username", flat=True)
    ) == {"admin"}


def test_a_paused_or_answered_clock_raises_nothing(open_ticket, users):
    ticket = open_ticket()
    ticket.first_responded_at = ticket.first_response_due - dt.timedelta(minutes=5)
    ticket.save()
    assert sla.sla_check(now=ticket.first_response_due + dt.timedelta(days=1)) == 0
    assert sla.sla_check(now=ticket.resolution_due + dt.timedelta(minutes=1)) == 1  # the resolution only
    assert SlaEvent.objects.get().metric == "resolution"
