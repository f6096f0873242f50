"""The customer's side of a satisfaction survey: a public page behind a signed link; and the
agent's button that asks for a recommendation score (NPS)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.http import request_user

from ..models import Survey
from ..selectors import tickets as selectors
from ..services import surveys


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the link is the key. Answered once; a bad or old link is a 404."""
    found = surveys.survey_for_token(token)
    if found is None:
        raise Http404
    scale = list(surveys.SCALES[Survey.Kind(found.kind)])
    errors: list[str] = []
    if request.method == "POST" and found.answered_at is None:
        score = request.POST.get("score", "")
        try:
            surveys.survey_answer(
                survey=found,
                score=int(score) if score.isdigit() else -1,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("service:survey", token)
    found.refresh_from_db()
    return render(
        request,
        "service/survey.html",
        {"survey": found, "ticket": found.ticket, "scale": scale, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def survey_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the customer how likely they are to recommend us (once per ticket)."""
    user = request_user(request)
    ticket = selectors.ticket_get(user=user, pk=pk)
    policy.require_change(user, ticket)
    if surveys.survey_send(ticket=ticket, kind=Survey.Kind.NPS, actor=user) is None:
        messages.info(request, _("It was asked before, or the customer has no address to ask at."))
    else:
        messages.success(request, _("The question is on its way."))
    return redirect("service:ticket_detail", ticket.pk)
