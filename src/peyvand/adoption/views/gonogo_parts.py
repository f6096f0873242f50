"""The go/no-go evaluation's part of a selection's page: its decision form and its context
(shared by the selection page and the evaluation's own views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from peyvand.core import policy
from peyvand.core.forms import BootstrapMixin
from peyvand.core.models import User

from ..models import GoDecision, Selection
from ..selectors import gonogo as selectors
from ..services import gonogo as services


class GoDecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (GoDecision.GO.value, GoDecision.GO.label),
            (GoDecision.NO_GO.value, GoDecision.NO_GO.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=services.TEXT_MAX
    )


def sheet(
    user: User,
    selection: Selection,
    posted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The evaluation's part of the selection page's context."""
    found = selectors.evaluation(selection)
    posted = posted or {}
    errors = errors or {}
    rows = [
        {
            "criterion": row.criterion,
            "label": row.label,
            "value": posted.get(f"score-{row.criterion}", "" if row.value is None else str(row.value)),
            "note": posted.get(f"note-{row.criterion}", row.note),
            "errors": errors.get(f"score-{row.criterion}", []),
        }
        for row in found.rows
    ]
    chosen = posted.get("risk_assessment", str(found.risk_assessment.pk) if found.risk_assessment else "")
    return {
        "go": found,
        "go_rows": rows,
        "go_errors": errors.get("__all__", []) + errors.get("risk_assessment", []),
        "go_risk_choices": list(selectors.risk_assessments(user)[:100]),
        "go_risk_chosen": chosen,
        "go_can_change": policy.can_change(user, selection),
        "go_decision_form": GoDecisionForm(),
    }
