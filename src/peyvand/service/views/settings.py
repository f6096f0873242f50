"""The desk's settings (administrators): categories, business calendars, SLA policies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import jalali, policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors

from ..calendar import WEEK_FROM_SATURDAY
from ..forms import CalendarDayForm, CalendarForm, CategoryForm, PolicyForm
from ..models import BusinessCalendar, Category, SlaPolicy
from ..selectors import sla as selectors
from ..services import settings as services


@login_required
def service_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        category = None
        if request.POST.get("category"):
            category = get_object_or_404(Category, pk=request.POST["category"])
            form = CategoryForm({"name": request.POST.get("name") or category.name})
        if form.is_valid():
            try:
                services.category_save(
                    actor=user,
                    name=form.cleaned_data["name"],
                    active=request.POST.get("active", "1") == "1",
                    category=category,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The category was saved."))
                return redirect("service:settings")
    return render(
        request,
        "service/settings.html",
        {
            "nav": "admin",
            "form": form,
            "categories": selectors.all_categories(),
            "calendars": selectors.calendars(),
            "policies": selectors.policies(),
        },
    )


@login_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else None
    initial = (
        {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "official_holidays": calendar.official_holidays,
        }
        if calendar
        else {}
    )
    if calendar:
        initial.update(
            {f"day_{day}": services.windows_text(calendar.week.get(str(day), [])) for day in range(7)}
        )
    form = CalendarForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_save(actor=user, data=form.calendar_input(), calendar=calendar)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The calendar was saved."))
            return redirect("service:calendar_edit", calendar.pk)
    year = _year(request)
    return render(
        request,
        "service/calendar_form.html",
        {
            "nav": "admin",
            "form": form,
            "calendar": calendar,
            "days": [form[f"day_{day}"] for day in WEEK_FROM_SATURDAY],
            "year": year,
            "holidays": selectors.calendar_holidays(calendar, year, get_language() or "fa")
            if calendar
            else [],
            "day_form": CalendarDayForm(),
        },
    )


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 1990 < int(text) < 2200 else timezone.localdate().year


@login_required
@require_POST
def calendar_day(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a holiday, take an official one back, or clear what an administrator set."""
    user = request_user(request)
    policy.require_admin(user)
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    if request.POST.get("clear"):
        form = CalendarDayForm({"date": request.POST["clear"], "holiday": "1"})
        if form.is_valid():
            services.calendar_day_clear(actor=user, calendar=calendar, date=form.cleaned_data["date"])
            messages.success(request, _("The day is back to what the calendar says."))
        return redirect("service:calendar_edit", calendar.pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_day_set(
                actor=user,
                calendar=calendar,
                date=form.cleaned_data["date"],
                holiday=form.cleaned_data["holiday"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(
                request, _("%(day)s was saved.") % {"day": jalali.format_date(form.cleaned_data["date"])}
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("service:calendar_edit", calendar.pk)


@login_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    sla_policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    initial = (
        {name: getattr(sla_policy, name) for name in PolicyForm.base_fields}
        if sla_policy
        else {"calendar": _default()}
    )
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(actor=user, data=form.policy_input(), sla_policy=sla_policy)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The SLA policy was saved."))
            return redirect("service:settings")
    return render(
        request, "service/policy_form.html", {"nav": "admin", "form": form, "sla_policy": sla_policy}
    )


def _default() -> BusinessCalendar | None:
    return BusinessCalendar.objects.order_by("-is_default", "id").first()
