"""Campaigns: the list, writing one, its page (estimate, preview, test send, send, progress),
its report (charts, tables, CSV) and its recipients."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from peyvand.core import charts, policy
from peyvand.core.converters import choice_id
from peyvand.core.exports import csv_response
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors, sort_columns
from peyvand.core.models import Scope, User
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.models import Party
from peyvand.customers.selectors import parties as customer_selectors

from ..forms import CampaignFilterForm, CampaignForm, RecipientFilterForm, SendForm, TestSendForm, WinnerForm
from ..models import Campaign, Criterion, Recipient, Status
from ..selectors import attribution, results
from ..selectors import campaigns as selectors
from ..selectors import segments as segment_selectors
from ..services import abtest
from ..services import campaigns as services

SORT_LABELS = {"name": gettext_lazy("Name"), "created": gettext_lazy("Created")}


def _require_campaigns(user: User) -> None:
    if policy.scope(user, "campaign", "view") == Scope.NONE:
        raise PermissionDenied


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_campaigns(user)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = CampaignFilterForm(request.GET or None)
    try:
        page = selectors.campaign_list(
            user=user,
            filters=form.filters() if request.GET else {},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("marketing:campaign_list")
    return render(
        request,
        "marketing/campaign_list.html",
        {
            "nav": "campaigns",
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, Campaign),
        },
    )


def _campaign_form(request: HttpRequest, user: User, campaign: Campaign | None) -> HttpResponse:
    segments = segment_selectors.segments_for_choice(user=user)
    if request.method == "POST":
        form = CampaignForm(request.POST, segments=segments)
        if form.is_valid():
            try:
                if campaign is None:
                    campaign = services.campaign_create(actor=user, data=form.campaign_input())
                else:
                    campaign = services.campaign_update(
                        campaign=campaign, actor=user, data=form.campaign_input()
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": campaign.name})
                return redirect(campaign.get_absolute_url())
    else:
        initial: dict[str, Any] = CampaignForm.initial_of(campaign) if campaign else {}
        if campaign is None and choice_id(request.GET.get("segment")):
            initial["segments"] = [int(request.GET["segment"])]
        form = CampaignForm(initial=initial, segments=segments)
    return render(
        request,
        "marketing/campaign_form.html",
        {"nav": "campaigns", "form": form, "campaign": campaign},
        status=422 if form.errors else 200,
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Campaign)
    return _campaign_form(request, user, None)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    policy.require_change(user, campaign)
    if not campaign.is_editable:
        messages.error(request, _("A campaign that has been sent (or is being sent) cannot be changed."))
        return redirect(campaign.get_absolute_url())
    return _campaign_form(request, user, campaign)


def _detail_context(request: HttpRequest, user: User, campaign: Campaign, **forms: Any) -> dict[str, Any]:
    include, exclude = selectors.audience_segments(campaign)
    can_change = policy.can_change(user, campaign)
    return {
        "nav": "campaigns",
        "campaign": campaign,
        "include": include,
        "exclude": exclude,
        "can_change": can_change,
        "send_form": forms.get("send_form") or SendForm(),
        "test_form": forms.get("test_form")
        or TestSendForm(initial={"to": user.email if campaign.channel == "email" else ""}),
        "tests_left": services.test_sends_left(user),
        "sample": _sample(user, campaign),
        "running": campaign.status == Status.SENDING and not campaign.ab_waiting,
        **_ab_context(campaign),
    }


def _ab_context(campaign: Campaign) -> dict[str, Any]:
    """The A/B test's card: both variants' figures side by side, and which won and why."""
    if not campaign.ab_test:
        return {}
    figures = results.ab_figures(campaign=campaign) if campaign.status != Status.DRAFT else None
    criterion = campaign.ab_criterion
    rows = []
    if figures is not None:
        measures = [
            *(
                [(Criterion.OPENS, pgettext("an email", "Opened"))]
                if selectors.counts_opens(campaign)
                else []
            ),
            (Criterion.CLICKS, _("Clicked")),
            (Criterion.REPLIES, _("Replied")),
        ]
        rows = [
            (
                criterion_key,
                label,
                [(figures[v].count(criterion_key), figures[v].rate(criterion_key)) for v in ("a", "b")],
            )
            for criterion_key, label in measures
        ]
    return {
        "ab": {
            "figures": figures,
            "rows": rows,
            "criterion_label": Criterion(criterion).label,
            "result": campaign.ab_result,
            "can_pick": campaign.status == Status.SENDING and not campaign.ab_winner,
        }
    }


def _sample(user: User, campaign: Campaign) -> list[Party]:
    """A few customers of the audience to preview the message for."""
    try:
        audience = selectors.campaign_audience(user=user, campaign=campaign)
        return list(audience.order_by("sort_key", "id")[:15])
    except ValidationError:
        return []


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    return render(request, "marketing/campaign_detail.html", _detail_context(request, user, campaign))


@login_required
def campaign_estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """The audience and cost card (htmx, after the page: a count over the whole audience)."""
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    context: dict[str, Any] = {"campaign": campaign}
    try:
        context["estimate"] = services.campaign_estimate(user=user, campaign=campaign)
    except ValidationError as exc:
        context["problems"] = exc.messages
    return render(request, "marketing/_estimate.html", context)


@login_required
def campaign_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as a chosen customer (or the sender) would receive it (htmx)."""
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    party = None
    if choice_id(request.GET.get("party")):
        party = customer_selectors.party_get(user=user, pk=request.GET["party"])
    language = request.GET.get("language", "")
    variant = "b" if request.GET.get("variant") == "b" else ""
    rendered = services.campaign_preview(
        campaign=campaign, actor=user, party=party, language=language, variant=variant
    )
    return render(
        request, "marketing/_preview.html", {"campaign": campaign, "rendered": rendered, "party": party}
    )


@login_required
@require_POST
def campaign_test(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    form = TestSendForm(request.POST)
    if form.is_valid():
        party = None
        if form.cleaned_data.get("party"):
            party = customer_selectors.party_get(user=user, pk=form.cleaned_data["party"])
        try:
            services.campaign_test_send(
                campaign=campaign,
                actor=user,
                to=form.cleaned_data["to"],
                party=party,
                language=form.cleaned_data.get("language") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("A test was sent to %(to)s.") % {"to": form.cleaned_data["to"]})
            return redirect(campaign.get_absolute_url())
    context = _detail_context(request, user, campaign, test_form=form)
    return render(request, "marketing/campaign_detail.html", context, status=422)


@login_required
@require_POST
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    form = SendForm(request.POST)
    if form.is_valid():
        send_at = form.cleaned_data.get("send_at") if form.cleaned_data["when"] == "later" else None
        if send_at is not None and timezone.is_naive(send_at):
            send_at = timezone.make_aware(send_at)
        try:
            campaign = services.campaign_schedule(campaign=campaign, actor=user, send_at=send_at)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if campaign.status == Status.SCHEDULED:
                messages.success(request, _("The campaign is scheduled."))
            else:
                messages.success(request, _("The campaign is being sent."))
            return redirect(campaign.get_absolute_url())
    context = _detail_context(request, user, campaign, send_form=form)
    return render(request, "marketing/campaign_detail.html", context, status=422)


@login_required
@require_POST
def campaign_winner(request: HttpRequest, pk: int) -> HttpResponse:
    """The marketer picks the A/B test's winner before its time is up."""
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    policy.require_change(user, campaign)
    form = WinnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose variant A or B."))
        return redirect(campaign.get_absolute_url())
    try:
        abtest.campaign_pick_winner(campaign=campaign, actor=user, variant=form.cleaned_data["variant"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The winner is chosen: the rest of the customers get it now."))
    return redirect(campaign.get_absolute_url())


@login_required
@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    try:
        services.campaign_cancel(campaign=campaign, actor=user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("The campaign was stopped."))
    return redirect(campaign.get_absolute_url())


@login_required
@require_POST
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    try:
        services.campaign_delete(campaign=campaign, actor=user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(campaign.get_absolute_url())
    messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": campaign.name})
    return redirect("marketing:campaign_list")


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, for the page to poll while the campaign is sent."""
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    return render(
        request,
        "marketing/_progress.html",
        {"campaign": campaign, "running": campaign.status == Status.SENDING and not campaign.ab_waiting},
    )


@login_required
def campaign_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    stats = selectors.campaign_stats(campaign=campaign)
    found = selectors.campaign_charts(campaign=campaign, stats=stats)
    lift = results.campaign_lift(campaign=campaign)
    if lift is not None:
        found["lift"] = results.lift_chart(lift)
    if campaign.ab_test and campaign.status != Status.DRAFT:
        found["abtest"] = results.ab_chart(campaign=campaign, figures=results.ab_figures(campaign=campaign))
    if key := request.GET.get("export"):
        return _export(campaign, found, stats, key)
    return render(
        request,
        "marketing/campaign_report.html",
        {
            "nav": "campaigns",
            "campaign": campaign,
            "stats": stats,
            "charts": found,
            "figures": _figures(campaign, stats),
            "lift": lift,
            "attribution": _attribution(campaign),
            "reasons": [
                (r, label, stats.skipped_by.get(r, 0))
                for r, label in Recipient.Reason.choices
                if r != Recipient.Reason.CONTROL
            ],
        },
    )


def _attribution(campaign: Campaign) -> list[tuple[str, Any]] | None:
    found = attribution.campaign_attribution(campaign=campaign)
    if found is None:
        return None
    return [(_("First touch"), found[0].first), (_("Last touch"), found[0].last)]


def _figures(campaign: Campaign, stats: selectors.Stats) -> list[tuple[str, str, Any, str]]:
    """(key, label, value, kind) of the report's key figures, in order."""
    figures = [
        ("targeted", _("Targeted"), stats.targeted, "count"),
        ("sent", _("Sent"), stats.queued, "count"),
        ("delivered", _("Delivered"), stats.delivered, "count"),
        ("failed", _("Failed"), stats.failed + stats.cancelled, "count"),
        ("skipped", _("Skipped"), stats.skipped, "count"),
        ("held_out", _("Control group"), stats.held_out, "count"),
        ("opened", pgettext("an email", "Opened"), stats.opened, "count"),
        ("clicked", _("Clicked"), stats.clicked, "count"),
        ("replied", _("Replied"), stats.replied, "count"),
        ("unsubscribed", _("Unsubscribed"), stats.unsubscribed, "count"),
        ("orders", _("Orders"), stats.orders, "count"),
        ("revenue", _("Revenue"), stats.revenue, "money"),
        ("cost", _("Cost"), stats.cost, "money"),
        ("cost_per_response", _("Cost per response"), stats.cost_per_response, "money"),
        ("roi", _("Return on investment"), stats.roi, "percent"),
    ]
    return [
        figure
        for figure in figures
        if (figure[0] != "opened" or selectors.counts_opens(campaign))
        and (figure[0] != "held_out" or campaign.control_percent or stats.held_out)
    ]


def _export(
    campaign: Campaign, found: dict[str, charts.Chart], stats: selectors.Stats, key: str
) -> StreamingHttpResponse:
    if key == "figures":
        header: list[Any] = [_("Figure"), _("Value")]
        rows: list[list[Any]] = [
            [label, "" if value is None else value] for _k, label, value, _kind in _figures(campaign, stats)
        ]
    elif key in found:
        header, rows = found[key].csv_rows()
    else:
        raise Http404
    return csv_response(header, rows, f"campaign-{campaign.pk}-{key}.csv")


@login_required
def campaign_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_get(user=user, pk=pk)
    form = RecipientFilterForm(request.GET or None)
    try:
        page = selectors.recipient_list(
            user=user,
            campaign=campaign,
            filters=form.filters() if request.GET else {},
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("marketing:campaign_recipients", campaign.pk)
    return render(
        request,
        "marketing/campaign_recipients.html",
        {
            "nav": "campaigns",
            "campaign": campaign,
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
        },
    )
