"""Adding, changing and deleting a customer's contact points."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import User

from .. import selectors, services
from ..forms import (
    ContactPointForm,
)
from ..models import ContactPoint
from ..selectors import duplicates
from .parties import duplicate_context

# --- contact points -----------------------------------------------------------------------


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.parties.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    form = ContactPointForm(request.POST or None, initial={"kind": request.GET.get("kind", "phone")})
    context: dict[str, Any] = {"party": party, "form": form, "nav": party.kind}
    if request.method == "POST" and form.is_valid():
        try:
            services.contacts.contact_point_add(
                party=party,
                actor=user,
                data=form.contact_input(),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except duplicates.DuplicateFound as exc:
            context.update(duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact point was added."))
            return redirect("party_detail", party.pk)
    return render(request, "customers/contact_form.html", context)


def _contact_or_404(user: User, pk: int) -> ContactPoint:
    point = ContactPoint.objects.select_related("party").filter(pk=pk).first()
    if point is None or not policy.can_view(user, point):
        raise Http404
    return point


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    point = _contact_or_404(user, pk)
    policy.require_change(user, point.party)
    initial = {name: getattr(point, name) for name in ContactPointForm.base_fields}
    form = ContactPointForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    context: dict[str, Any] = {"party": point.party, "form": form, "point": point, "nav": point.party.kind}
    if request.method == "POST" and form.is_valid():
        try:
            services.contacts.contact_point_update(
                point=point,
                actor=user,
                data=form.changes(),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except duplicates.DuplicateFound as exc:
            context.update(duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact point was saved."))
            return redirect("party_detail", point.party_id)
    return render(request, "customers/contact_form.html", context)


@login_required
@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    point = _contact_or_404(user, pk)
    services.contacts.contact_point_delete(point=point, actor=user)
    messages.success(request, _("The contact point was removed."))
    return redirect("party_detail", point.party_id)
