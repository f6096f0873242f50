"""My day, the activity list, and planning, changing and finishing activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import jalali, policy
from peyvand.core.converters import is_id
from peyvand.core.forms import add_service_errors
from peyvand.core.http import list_headers, request_user
from peyvand.core.list_columns import Column, add_column
from peyvand.core.models import AuditEvent
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.audit import describe_events
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.views.saved import keeps_views
from peyvand.customers.selectors.parties import PartyFilters, party_get, party_queryset
from peyvand.notifications.selectors.notifications import default_reminders

from .. import selectors, services
from ..forms import ActivityForm, CompleteForm
from ..models import Activity, Kind, Status
from ..presets import PRESETS, preset_due


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    day = selectors.activities.my_day(user=user, who=request.GET.get("who", selectors.activities.ME))
    return render(request, "activities/my_day.html", {"day": day, "nav": "my_day"})


LIST = "activity_list"
# The activities list's columns, in their default order; those not shown are there to be chosen.
for _column in (
    Column("title", gettext_lazy("Title"), "activities/columns/activity_title.html"),
    Column("kind", gettext_lazy("Type"), "activities/columns/activity_kind.html"),
    Column("due", gettext_lazy("Due"), "activities/columns/activity_due.html", sort="due"),
    Column("customer", gettext_lazy("Customer"), "activities/columns/activity_customer.html"),
    Column("assignee", gettext_lazy("Assigned to"), "activities/columns/activity_assignee.html"),
    Column(
        "priority", gettext_lazy("Priority"), "activities/columns/activity_priority.html", sort="priority"
    ),
    Column("status", gettext_lazy("Status"), "activities/columns/activity_status.html"),
    Column("deal", gettext_lazy("Deal"), "activities/columns/activity_deal.html", shown=False),
    Column("outcome", gettext_lazy("Outcome"), "activities/columns/activity_outcome.html", shown=False),
    Column("completed", gettext_lazy("Completed"), "activities/columns/activity_completed.html", shown=False),
    Column(
        "created",
        gettext_lazy("Created"),
        "activities/columns/activity_created.html",
        sort="created",
        shown=False,
    ),
):
    add_column(LIST, _column)


@keeps_views
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = selectors.activities.filters_from(request.GET)
    sort = request.GET.get("sort", "due")
    try:
        page = selectors.activities.activity_list(
            user=user, filters=filters, sort=sort, cursor=request.GET.get("cursor")
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("activity_list")
    sort = sort if sort in selectors.activities.SORTS else "due"
    shown = chosen_columns(user=user, list_name=LIST, page=request.path, requested=request.GET.get("columns"))
    return render(
        request,
        "activities/activity_list.html",
        {
            "page": page,
            "filters": filters,
            "columns": list_headers(shown, sort, selectors.activities.SORTS),
            "shown": shown,
            "sort": sort,
            "who_choices": selectors.activities.who_choices(user),
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "nav": "my_day",
        },
    )


def _initial(request: HttpRequest, user: Any) -> dict[str, Any]:
    """A new activity's form, filled from the link that opened it (a customer, a kind)."""

    initial: dict[str, Any] = {"assignee": user, "reminders": default_reminders(user=user)}
    kind = request.GET.get("kind", Kind.CALL)
    initial["kind"] = kind if kind in Kind.values else Kind.CALL
    deal_id = request.GET.get("deal", "")
    if is_id(deal_id):
        # Planned from a deal's page: for the deal, with its customer.
        deal = selectors.deals.deal_choices(user=user, current_id=deal_id).filter(pk=deal_id).first()
        if deal is not None:
            initial["deal"], initial["party"] = deal.pk, deal.party_id
    if request.GET.get("party") or initial.get("party"):
        party = party_get(user=user, pk=request.GET.get("party") or initial["party"])
        initial["party"] = party.pk
        initial["title"] = _title_for(initial["kind"], party.display_name)
    preset = request.GET.get("preset", "tomorrow")
    initial["due_at"] = preset_due(preset if preset in PRESETS else "tomorrow", jalali=jalali.uses_jalali())
    return initial


def _title_for(kind: str, name: str) -> str:
    titles: dict[str, str] = {
        Kind.CALL: _("Call %(name)s"),
        Kind.MEETING: _("Meeting with %(name)s"),
        Kind.VISIT: _("Visit %(name)s"),
        Kind.TASK: _("Follow up with %(name)s"),
    }
    return (titles.get(kind, titles[Kind.TASK]) % {"name": name})[:200]


def _form_page(request: HttpRequest, form: ActivityForm, activity: Activity | None = None) -> HttpResponse:
    party = None
    party_id = form["party"].value()
    if party_id:
        try:
            party = party_get(user=request_user(request), pk=party_id)
        except Http404:
            party = None
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "activity": activity, "party": party, "nav": "my_day", "next": _back(request, "")},
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Activity)
    form = ActivityForm(request.POST or None, user=user, initial=_initial(request, user))
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activities.activity_create(
                actor=user, data=form.data_for_service(), reminders=form.cleaned_data["reminders"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity was planned."))
            return redirect(_back(request, activity.get_absolute_url()))
    return _form_page(request, form)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    events = AuditEvent.objects.filter(model="activities.activity", object_id=activity.pk).select_related(
        "actor"
    )
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "deal": activity.deal if activity.deal and policy.can_view(user, activity.deal) else None,
            "can_change": policy.can_change(user, activity),
            "complete_form": CompleteForm(initial={"follow_up_kind": activity.kind}),
            "reminders": list(activity.reminders.all()),
            "follow_ups": list(policy.visible(user, activity.follow_ups.all()).order_by("due_at", "id")[:10]),
            "history": describe_events(events.order_by("-at", "-id")[:30]),
            "nav": "my_day",
        },
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    policy.require_change(user, activity)
    initial = {name: getattr(activity, name) for name in services.activities.FIELDS}
    initial["party"] = activity.party_id or ""
    initial["deal"] = activity.deal_id
    initial["reminders"] = list(activity.reminders.values_list("minutes_before", flat=True))
    initial["repeat_every"] = activity.repeat_every
    form = ActivityForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activities.activity_update(
                activity=activity,
                actor=user,
                data=form.data_for_service(),
                reminders=form.cleaned_data["reminders"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(_back(request, activity.get_absolute_url()))
    return _form_page(request, form, activity)


@login_required
@require_POST
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    policy.require_change(user, activity)
    form = CompleteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        follow_up: dict[str, Any] | None = None
        if data["follow_up"] in PRESETS:
            follow_up = {"due_at": preset_due(data["follow_up"], jalali=jalali.uses_jalali())}
        elif data["follow_up"] == "custom":
            follow_up = {"due_at": data["follow_up_at"]}
        if follow_up is not None:
            follow_up["kind"] = data["follow_up_kind"]
            if activity.party is not None:
                follow_up["title"] = _title_for(data["follow_up_kind"], activity.party.display_name)
        try:
            result = services.activities.activity_complete(
                activity=activity, actor=user, outcome=data["outcome"], note=data["note"], follow_up=follow_up
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"due_at": "follow_up_at"})
        else:
            if result.follow_up is not None:
                messages.success(
                    request,
                    _("Done. The follow-up is planned for %(when)s.")
                    % {"when": jalali.format_datetime(result.follow_up.due_at)},
                )
            else:
                messages.success(request, _("Done."))
            return redirect(_back(request, activity.get_absolute_url()))
    for error in [*form.non_field_errors(), *[e for f in form for e in f.errors]]:
        messages.error(request, error)
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    policy.require_change(user, activity)
    try:
        services.activities.activity_cancel(
            activity=activity, actor=user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The activity was cancelled."))
    return redirect(_back(request, activity.get_absolute_url()))


@login_required
@require_POST
def activity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    policy.require_change(user, activity)
    services.activities.activity_reopen(activity=activity, actor=user)
    messages.success(request, _("The activity is open again."))
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = selectors.activities.activity_get(user=user, pk=pk)
    policy.require_change(user, activity)
    services.activities.activity_delete(activity=activity, actor=user)
    messages.success(request, _("The activity was deleted."))
    return redirect("party_detail", activity.party_id) if activity.party_id else redirect("my_day")


@login_required
@require_POST
def party_next_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer page's one-click "schedule next contact"."""
    user = request_user(request)
    party = party_get(user=user, pk=pk)
    preset = request.POST.get("preset", "")
    kind = request.POST.get("kind", Kind.CALL)
    if preset not in PRESETS or kind not in Kind.values:
        messages.error(request, _("Choose when to get in touch."))
        return redirect("party_detail", party.pk)
    try:
        activity = services.activities.activity_create(
            actor=user,
            data={
                "party": party,
                "kind": kind,
                "title": _title_for(kind, party.display_name),
                "due_at": preset_due(preset, jalali=jalali.uses_jalali()),
            },
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("%(title)s is planned for %(when)s.")
            % {"title": activity.title, "when": jalali.format_datetime(activity.due_at)},
        )
    return redirect("party_detail", party.pk)


@login_required
def deal_choices(request: HttpRequest) -> HttpResponse:
    """The activity form's deal field for the customer just picked: that customer's deals."""
    user = request_user(request)
    form = ActivityForm(user=user, initial={"party": request.GET.get("party", "")[:20]})
    return render(request, "activities/_deal_choice.html", {"form": form})


@login_required
def party_search(request: HttpRequest) -> HttpResponse:
    """Customers of either kind for the activity form's picker."""
    user = request_user(request)
    results = list(
        party_queryset(user=user, kind=None, filters=PartyFilters(q=request.GET.get("q", "")[:200])).order_by(
            "sort_key", "id"
        )[:15]
    )
    return render(request, "customers/_search_results.html", {"results": results, "mode": "pick"})
