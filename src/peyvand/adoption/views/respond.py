"""Answering a questionnaire: a colleague's own (signed in), or an outsider's through a
one-time link (no account). Answers are saved as often as wanted, then submitted once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core.http import request_user
from peyvand.core.models import User

from ..forms import LIKERT_LABELS, questionnaire_form, ratings_from
from ..models import Respondent
from ..selectors import assessments as selectors
from ..services import assessments as services
from . import culture


@login_required
def my_questionnaires(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "adoption/my_questionnaires.html",
        {"nav": "adoption", "respondents": selectors.my_questionnaires(request_user(request))},
    )


@login_required
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    respondent = selectors.respondent_get(user=request_user(request), pk=pk)
    return _questionnaire(request, respondent, request_user(request), again=request.path)


def respond_link(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the link is the key. Expired, used or unknown links are not found."""
    respondent = services.respondent_for_token(token)
    if respondent is None:
        if request.method == "GET" and request.GET.get("done") == "1":
            return render(request, "adoption/thanks.html", {})
        raise Http404
    return _questionnaire(request, respondent, None, again=request.path)


def _questionnaire(
    request: HttpRequest, respondent: Respondent, user: User | None, *, again: str
) -> HttpResponse:
    if respondent.assessment.is_culture:
        return culture.culture_questionnaire(request, respondent, user, again=again)
    sections = selectors.questionnaire(respondent)
    statement_ids = [s.pk for section in sections for s in section.statements]
    errors: list[str] = []
    if request.method == "POST" and respondent.submitted_at is None:
        form = questionnaire_form(statement_ids, request.POST)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            ratings = ratings_from(form)
            try:
                services.answers_save(respondent=respondent, answers=ratings, submit=submit, user=user)
            except ValidationError as exc:
                errors = exc.messages
                if submit:  # keep what was rated, say what is missing
                    services.answers_save(respondent=respondent, answers=ratings, submit=False, user=user)
            else:
                if submit:
                    if user is None:
                        return redirect(f"{again}?done=1")
                    messages.success(request, _("Thank you: your answers were submitted."))
                    return redirect("adoption:my_questionnaires")
                messages.success(request, _("Your answers were saved; you may finish later."))
                return redirect(again)
        else:
            errors = [_("Rate each statement from %(low)d to %(high)d.") % {"low": 1, "high": 5}]
        sections = selectors.questionnaire(respondent)
    return render(
        request,
        "adoption/questionnaire.html",
        {
            "nav": "adoption",
            "respondent": respondent,
            "assessment": respondent.assessment,
            "sections": sections,
            "scale": list(LIKERT_LABELS.items()),
            "errors": errors,
            "public": user is None,
            "total": len(statement_ids),
            "answered": sum(section.answered for section in sections),
        },
        status=422 if errors else 200,
    )
