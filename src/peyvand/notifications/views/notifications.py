"""The bell, the screen-pop of a ringing call, the notification list and settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import hooks
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor
from peyvand.interactions.selectors.telephony import has_extension

from .. import selectors, services
from ..forms import PreferenceForm
from ..kinds import KINDS
from ..models import Notification


@login_required
def bell_count(request: HttpRequest) -> HttpResponse:
    """The badge, polled every 20 seconds; it also pops up a ringing call.

    For a user with a telephony extension it also starts the screen-pop's own poll (every
    few seconds, see ``screen_pop``), so an incoming call shows within seconds rather than
    on the badge's next round. Users without one poll only the badge.
    """
    user = request_user(request)
    ringing = selectors.notifications.ringing(user=user)
    return render(
        request,
        "notifications/_bell_count.html",
        {
            "unread": selectors.notifications.unread_count(user=user),
            "ringing": ringing,
            "actions": _call_actions(request, ringing),
            "watch_calls": has_extension(user=user),
            "poll_seconds": SCREEN_POP_SECONDS,
        },
    )


# How often a user with an extension asks whether a call is ringing. Each poll is one query
# (besides the session's): a range of the partial index of unread notifications, the user's
# last 90 seconds.
SCREEN_POP_SECONDS = 4


@login_required
def screen_pop(request: HttpRequest) -> HttpResponse:
    """The ringing call's pop-up, alone: polled every few seconds while a call may come.

    Nothing new (the same call, or still none) is a 204, which htmx leaves alone: the page
    does not redraw, and a screen reader does not announce the call again.
    """
    ringing = selectors.notifications.ringing(user=request_user(request))
    if str(ringing.pk if ringing else 0) == request.GET.get("shown", ""):
        return HttpResponse(status=204)
    return render(
        request,
        "notifications/_screen_pop.html",
        {
            "ringing": ringing,
            "actions": _call_actions(request, ringing),
            "watch_calls": True,
            "poll_seconds": SCREEN_POP_SECONDS,
        },
    )


def _call_actions(request: HttpRequest, ringing: Notification | None) -> list[hooks.RenderedPanel]:
    """What the apps offer on a ringing call's pop-up (open a ticket, say)."""
    return hooks.panels(request, "call", ringing)["actions"] if ringing is not None else []


@login_required
def bell_menu(request: HttpRequest) -> HttpResponse:
    """The drop-down's content, loaded when it opens."""
    return render(
        request,
        "notifications/_bell_menu.html",
        {"items": selectors.notifications.bell(user=request_user(request))},
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = {
        "unread": request.GET.get("unread") == "1",
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in KINDS else "",
        "sort": request.GET.get("sort", "new"),
    }
    try:
        page = selectors.notifications.notification_list(
            user=user, filters=filters, cursor=request.GET.get("cursor")
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("notification_list")
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": [(k, v.label) for k, v in KINDS.items()],
            "nav": "notifications",
        },
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go where it points (the target checks the permission policy)."""
    user = request_user(request)
    notification = selectors.notifications.notification_get(user=user, pk=pk)
    services.notifications.notification_mark_read(notification=notification, user=user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications.notifications_mark_all_read(user=request_user(request))
    if request.headers.get("HX-Request"):
        return bell_count(request)
    messages.success(request, _("Everything is marked as read."))
    return redirect("notification_list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    preference = selectors.notifications.preference_for(user=user)
    initial = {
        "email_reminders": preference.email_reminders,
        "email_alerts": preference.email_alerts,
        "email_messages": preference.email_messages,
        "default_reminders": preference.default_reminders,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences.preference_update(user=user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notification_settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "has_email": bool(user.email), "nav": "settings"},
    )
