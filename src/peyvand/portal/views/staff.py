"""Staff's pages about the portal: a customer's access (the invitation, revoking it) and
the changes of contact details customers made there (approving or rejecting them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor
from peyvand.customers.models import Party

from ..forms import ChangeFilterForm, InviteForm, RejectForm
from ..models import ChangeStatus, DetailChange
from ..selectors import details as change_selectors
from ..selectors.access import party_access
from ..selectors.details import ChangeFilters
from ..services import accounts, details


def _party(request: HttpRequest, pk: int) -> Party:
    user = request_user(request)
    party = policy.get_visible(user, Party.objects.filter(deleted_at__isnull=True), pk)
    policy.require_change(user, party)
    return party


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    party = _party(request, pk)
    access = party_access(party=party)
    initial = {"can_see_organisation": access.account.can_see_organisation if access.account else False}
    form = InviteForm(request.POST if request.method == "POST" else None, party=party, initial=initial)
    if form.is_valid():
        contact, channel = form.chosen()
        data = accounts.InviteInput(
            contact=contact,
            channel=channel,
            can_see_organisation=form.cleaned_data["can_see_organisation"],
            language=form.cleaned_data["language"],
        )
        try:
            accounts.portal_invite(actor=request_user(request), party=party, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation to the portal is on its way."))
            return redirect("party_detail", pk=party.pk)
    return render(request, "portal/staff_invite.html", {"party": party, "form": form, "access": access})


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    party = _party(request, pk)
    if accounts.portal_revoke(actor=request_user(request), party=party) is not None:
        messages.success(request, _("Portal access was revoked."))
    return redirect("party_detail", pk=party.pk)


# --- changes of contact details made in the portal ------------------------------------------


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """The changes customers made in the portal, those waiting for review first: filtered by
    status, sorted, a page at a time; only of customers the user may see."""
    form = ChangeFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = ChangeFilters(
        status=cleaned.get("status", ChangeStatus.PENDING) if form.is_bound else ChangeStatus.PENDING,
        sort=cleaned.get("sort") or "newest",
    )
    try:
        page = change_selectors.change_list(
            user=request_user(request), filters=filters, cursor=request.GET.get("cursor")
        )
    except InvalidCursor:
        return redirect("portal_staff:changes")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "portal/staff_changes.html",
        {"form": form, "page": page, "query": query.urlencode(), "reject_form": RejectForm()},
    )


def _change(request: HttpRequest, pk: int) -> DetailChange:
    user = request_user(request)
    change = policy.get_visible(user, DetailChange.objects.select_related("party"), pk)
    policy.require_change(user, change.party)
    return change


def _back(request: HttpRequest, change: DetailChange) -> HttpResponse:
    if request.POST.get("next") == "party":
        return redirect("party_detail", pk=change.party_id)
    return redirect("portal_staff:changes")


@login_required
@require_POST
def change_approve(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    try:
        details.portal_change_approve(change=change, actor=request_user(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The change is approved and applied."))
    return _back(request, change)


@login_required
@require_POST
def change_reject(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        details.portal_change_reject(
            change=change, actor=request_user(request), reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The change is rejected."))
    return _back(request, change)
