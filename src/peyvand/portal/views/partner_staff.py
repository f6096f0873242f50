"""The channel manager's pages: partners ranked by pipeline, won revenue and response time
(a chart and a table), a partner's page (terms, targets, users), marking an organisation as
a partner, and the registrations to approve or reject. Through the permission policy's
``partners`` resource."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.core import policy
from peyvand.core.exports import csv_response
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.models import Kind, Party

from ..models import Partner, PortalAccount, RegistrationStatus
from ..partner_forms import (
    ApproveForm,
    DecideRejectForm,
    PartnerForm,
    PartnerInviteForm,
    RegistrationFilterForm,
    TargetForm,
)
from ..selectors import partners as selectors
from ..services import accounts
from ..services import partners as services


def _require_view(request: HttpRequest) -> None:
    if policy.scope(request_user(request), "partners", "view") == policy.Scope.NONE:
        raise PermissionDenied


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponseBase:
    _require_view(request)
    standings = selectors.ranking(user=request_user(request))
    chart = selectors.ranking_chart(standings)
    if request.GET.get("export") == chart.key:
        return csv_response(*chart.csv_rows(), "partners.csv")
    return render(
        request, "portal/partner_ranking.html", {"nav": "partners", "standings": standings, "chart": chart}
    )


def _years() -> list[int]:
    year, _quarter = selectors.quarter_of(timezone.localdate())
    return [year - 1, year, year + 1]


def _partner_page(request: HttpRequest, partner: Partner, **forms: Any) -> HttpResponse:
    user = request_user(request)
    can_change = policy.can_change(user, partner)
    contacts = selectors.partner_contacts(partner=partner)
    year, quarter = selectors.quarter_of(timezone.localdate())
    context = {
        "nav": "partners",
        "partner": partner,
        "can_change": can_change,
        "users": selectors.partner_users(partner=partner),
        "targets": selectors.targets(partner=partner),
        "partner_form": forms.get("partner_form")
        or PartnerForm(
            initial={
                "kind": partner.kind,
                "commission_rate": partner.commission_rate,
                "price_list": partner.price_list_id,
                "active": partner.active,
            }
        ),
        "target_form": forms.get("target_form")
        or TargetForm(initial={"year": year, "quarter": quarter}, years=_years()),
        "invite_form": forms.get("invite_form") or PartnerInviteForm(contacts=contacts),
    }
    return render(request, "portal/partner_staff.html", context, status=400 if forms else 200)


@login_required
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(user=request_user(request), pk=pk)
    return _partner_page(request, partner)


@login_required
@require_http_methods(["GET", "POST"])
def partner_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Make an organisation a partner, or change a partner's terms (from its page)."""
    user = request_user(request)
    organisation = policy.get_visible(
        user, Party.objects.filter(kind=Kind.ORGANISATION, deleted_at__isnull=True), pk
    )
    partner = Partner.objects.filter(organisation=organisation).first()
    if (partner is not None and not policy.can_change(user, partner)) or (
        policy.scope(user, "partners", "change") == policy.Scope.NONE
    ):
        raise PermissionDenied
    form = PartnerForm(request.POST or None) if request.method == "POST" else PartnerForm()
    if form.is_valid():
        data = services.PartnerInput(**form.cleaned_data)
        try:
            partner = services.partner_save(actor=user, organisation=organisation, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The partner's terms are saved."))
            return redirect("partners:partner", pk=partner.pk)
    if request.method == "POST" and partner is not None:
        return _partner_page(request, partner, partner_form=form)
    return render(
        request,
        "portal/partner_mark.html",
        {"nav": "partners", "organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _changeable(request: HttpRequest, pk: int) -> Partner:
    user = request_user(request)
    partner = selectors.partner_get(user=user, pk=pk)
    policy.require_change(user, partner)
    return partner


@login_required
@require_POST
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    form = TargetForm(request.POST, years=_years())
    if form.is_valid():
        try:
            services.partner_target_set(actor=request_user(request), partner=partner, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("partners:partner", pk=partner.pk)
    return _partner_page(request, partner, target_form=form)


@login_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    form = PartnerInviteForm(request.POST, contacts=selectors.partner_contacts(partner=partner))
    if form.is_valid():
        data = accounts.InviteInput(
            contact=form.chosen(), channel="email", language=form.cleaned_data["language"]
        )
        try:
            services.partner_user_invite(actor=request_user(request), partner=partner, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation to the partner portal is on its way."))
            return redirect("partners:partner", pk=partner.pk)
    return _partner_page(request, partner, invite_form=form)


@login_required
@require_POST
def user_remove(request: HttpRequest, pk: int, account_id: int) -> HttpResponse:
    partner = _changeable(request, pk)
    account = PortalAccount.objects.filter(pk=account_id, partner=partner).first()
    if account is not None:
        services.partner_user_remove(actor=request_user(request), partner=partner, account=account)
        messages.success(request, _("They no longer reach the partner portal."))
    return redirect("partners:partner", pk=partner.pk)


@login_required
@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    user = request_user(request)
    form = RegistrationFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else RegistrationStatus.PENDING
    filters = selectors.RegistrationFilters(status=status)
    try:
        page = selectors.staff_registration_list(user=user, filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("partners:registrations")
    items = list(page)
    found = selectors.conflicts_shown(user=user, registrations=items)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "portal/partner_registrations_staff.html",
        {
            "nav": "partners",
            "form": form,
            "page": page,
            "rows": [(item, found[item.pk]) for item in items],
            "approve_form": ApproveForm(initial={"owner": user.pk}),
            "reject_form": DecideRejectForm(),
            "can_change": policy.scope(user, "partners", "change") != policy.Scope.NONE,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def registration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    registration = selectors.registration_get(user=user, pk=pk)
    policy.require_change(user, registration)
    form = ApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.registration_approve(actor=user, registration=registration, owner=form.cleaned_data["owner"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The registration is approved."))
    return redirect("partners:registrations")


@login_required
@require_POST
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    registration = selectors.registration_get(user=user, pk=pk)
    policy.require_change(user, registration)
    form = DecideRejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.registration_reject(
            actor=user, registration=registration, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The registration is rejected."))
    return redirect("partners:registrations")
