"""Linking a person to an organisation, and unlinking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.http import request_user

from .. import selectors, services
from ..forms import (
    MembershipForm,
)
from ..models import Kind, Membership

# --- memberships --------------------------------------------------------------------------


@login_required
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = selectors.parties.party_get(user=user, pk=pk, kind=Kind.PERSON)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an organisation from the list."))
        return redirect("party_detail", person.pk)
    organisation = selectors.parties.party_get(
        user=user, pk=form.cleaned_data["organisation"], kind=Kind.ORGANISATION
    )
    try:
        services.memberships.membership_add(
            person=person, organisation=organisation, actor=user, title=form.cleaned_data["title"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(person)s now belongs to %(organisation)s.")
            % {"person": person.display_name, "organisation": organisation.display_name},
        )
    return redirect("party_detail", person.pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    membership = Membership.objects.select_related("person", "organisation").filter(pk=pk).first()
    if membership is None or not policy.can_view(user, membership):
        raise Http404
    services.memberships.membership_remove(membership=membership, actor=user)
    messages.success(request, _("The link to the organisation was removed."))
    back = request.POST.get("back")
    return redirect(
        "party_detail", membership.organisation_id if back == "organisation" else membership.person_id
    )
