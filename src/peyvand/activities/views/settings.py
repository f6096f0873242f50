"""The administrator's page for each team's escalation rule."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import Team, User

from .. import services
from ..forms import TeamSettingsForm
from ..models import TeamSettings


@login_required
def team_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    rows = {row.team_id: row for row in TeamSettings.objects.all()}
    default_hours = Decimal(settings.PEYVAND_ESCALATION_DELAY_MINUTES) / 60
    people = list(User.objects.filter(is_active=True).order_by("first_name", "last_name", "username"))
    forms = []
    for team in Team.objects.order_by("name"):
        row = rows.get(team.pk)
        initial = {
            "escalate": row.escalate if row else True,
            "escalation_hours": (Decimal(row.escalation_delay_minutes) / 60) if row else default_hours,
            "escalate_to": row.escalate_to_id if row else None,
        }
        posted = request.method == "POST" and request.POST.get("team") == str(team.pk)
        form = TeamSettingsForm(request.POST if posted else None, team=team, initial=initial, people=people)
        if posted and form.is_valid():
            try:
                services.feeds.team_settings_update(team=team, actor=user, data=form.data_for_service())
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"escalation_delay_minutes": "escalation_hours"})
            else:
                messages.success(
                    request, _("The follow-up settings of %(team)s were saved.") % {"team": team}
                )
                return redirect("team_settings")
        forms.append(form)
    return render(
        request,
        "activities/team_settings.html",
        {"forms": forms, "default_hours": default_hours, "nav": "admin"},
    )
