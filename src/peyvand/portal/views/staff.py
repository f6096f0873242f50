"""Staff's pages about a customer's portal access: the invitation and revoking it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.customers.models import Party

from ..forms import InviteForm
from ..selectors.access import party_access
from ..services import accounts


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
