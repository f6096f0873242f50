"""The calendar (week and month, drag to reschedule) and the private iCalendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import jalali
from peyvand.core.http import request_user

from .. import ical, selectors, services
from ..calendar import Grid, month_grid, week_grid


def _anchor(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2200, 12, 31) else timezone.localdate()


def _grid(request: HttpRequest, params: Any) -> tuple[Grid, str]:
    user = request_user(request)
    view = params.get("view") if params.get("view") in ("week", "month") else "month"
    who = params.get("who", selectors.activities.ME)
    who = who if who in selectors.activities.who_choices(user) else selectors.activities.ME
    build = week_grid if view == "week" else month_grid
    grid = build(
        _anchor(params.get("date")),
        jalali=jalali.uses_jalali(),
        today=timezone.localdate(),
        weekend=settings.PEYVAND_WEEKEND,
    )
    start, end = grid.bounds()
    grid.place(selectors.activities.calendar_items(user=user, start=start, end=end, who=who))
    return grid, who


def _context(request: HttpRequest, grid: Grid, who: str) -> dict[str, Any]:
    user = request_user(request)
    return {
        "grid": grid,
        "who": who,
        "who_choices": selectors.activities.who_choices(user),
        "now": timezone.now(),
        "nav": "calendar",
    }


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    grid, who = _grid(request, request.GET)
    template = (
        "activities/_calendar.html" if request.headers.get("HX-Request") else "activities/calendar.html"
    )
    return render(request, template, _context(request, grid, who))


@login_required
@require_POST
def activity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A drop on the calendar: the activity moves to that day (and hour, in the week view),
    through the same service as the form. Answers with the calendar, redrawn."""
    user = request_user(request)
    error = ""
    try:
        activity = selectors.activities.activity_get(user=user, pk=pk)
        day = dt.date.fromisoformat(request.POST.get("day", ""))
        local = timezone.localtime(activity.due_at)
        hour = request.POST.get("hour", "")
        moment = local.replace(
            year=day.year,
            month=day.month,
            day=day.day,
            hour=int(hour) if hour.isdigit() and int(hour) < 24 else local.hour,
        )
        moment = timezone.make_aware(moment.replace(tzinfo=None))
        shift = moment - activity.due_at
        data: dict[str, Any] = {"due_at": moment}
        if activity.ends_at is not None:
            data["ends_at"] = activity.ends_at + shift
        services.activities.activity_update(activity=activity, actor=user, data=data)
    except Http404:
        error = _("Nothing was found here, or you may not see it.")
    except PermissionDenied:
        error = _("You may not move this activity.")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except (ValueError, OverflowError):
        error = _("Drop the activity on a day of the calendar.")
    grid, who = _grid(request, request.POST)
    context = _context(request, grid, who)
    context["error"] = error
    return render(request, "activities/_calendar.html", context, status=200)


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feeds.calendar_feed_revoke(user=user)
            messages.success(request, _("The calendar address no longer works."))
            return redirect("feed_settings")
        _feed, key = services.feeds.calendar_feed_create(user=user)
    active = selectors.activities.calendar_feed_active(user=user)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[key])) if key else ""
    return render(request, "activities/feed_settings.html", {"feed": active, "url": url, "nav": "settings"})


def calendar_feed(request: HttpRequest, key: str) -> HttpResponse:
    """The iCalendar file a phone subscribes to: no session, the secret in the address."""
    user = services.feeds.calendar_feed_user(key)
    if user is None:
        raise Http404
    body = ical.feed(user, selectors.activities.feed_items(user=user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="peyvand.ics"'
    return response
