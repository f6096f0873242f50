"""What the API endpoints of customers and of the apps above share: a customer a body
names, and the answer to a suspected duplicate.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.errors import error_response, field_error
from peyvand.core.models import User

from .. import selectors
from ..models import Party
from ..selectors import duplicates


def duplicate_found(request: HttpRequest, exc: duplicates.DuplicateFound) -> HttpResponse:
    """409 with the look-alikes: details only of those the caller may see, a count of the rest."""
    user = actor(request)
    shown = [d for d in exc.duplicates if policy.can_view(user, d.party)]
    return error_response(
        409,
        "duplicate",
        str(exc),
        duplicates=[
            {
                "id": d.party.pk,
                "kind": d.party.kind,
                "display_name": d.party.display_name,
                "reasons": d.reasons,
            }
            for d in shown
        ],
        hidden_duplicates=len(exc.duplicates) - len(shown),
    )


def visible_party(user: User, pk: int, field: str, kind: str | None = None) -> Party:
    """A customer a body refers to: one the caller cannot see is a field error."""
    try:
        return selectors.parties.party_get(user=user, pk=pk, kind=kind)
    except Http404:
        raise field_error(field, _("Choose a customer you can see.")) from None
