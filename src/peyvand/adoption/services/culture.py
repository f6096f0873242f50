"""Culture surveys: saving a respondent's points (now and preferred) on the OCAI's dimensions.

A culture survey is an assessment against a culture model, so opening it, inviting colleagues
or outsiders by a one-time link and closing it are the assessments' services; only the answers
differ. In each dimension the respondent divides 100 points among the four statements (one per
culture type), once for *now* and once for *preferred*: whole numbers from 0, adding up to 100.
A dimension is saved whole or not at all; submitting needs every dimension.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log

from ..models import POINTS_TOTAL, AssessmentStatus, CultureAnswer, Factor, ModelKind, Respondent, Statement
from .assessments import may_answer

Points = tuple[int, int]  # (now, preferred)


def _valid_points(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= POINTS_TOTAL


@transaction.atomic
def culture_answers_save(
    *, respondent: Respondent, answers: Mapping[int, Points], submit: bool, user: User | None = None
) -> Respondent:
    """Save the points of whole dimensions (statement id -> (now, preferred)); with ``submit``
    every dimension must be answered and the questionnaire closes. ``user`` is the signed-in
    respondent, None for someone answering through a link."""
    respondent = (
        Respondent.objects.select_for_update().select_related("assessment__model").get(pk=respondent.pk)
    )
    if not may_answer(user, respondent):
        raise PermissionDenied(_("This questionnaire is not yours."))
    if respondent.assessment.model.kind != ModelKind.CULTURE:
        raise ValidationError(_("This questionnaire is not a culture survey."))
    if respondent.submitted_at is not None:
        raise ValidationError(_("These answers were submitted already."))
    if respondent.assessment.status != AssessmentStatus.OPEN:
        raise ValidationError(_("This assessment is closed."))
    statements = {
        s.pk: s
        for s in Statement.objects.filter(factor__model_id=respondent.assessment.model_id).select_related(
            "factor"
        )
    }
    errors: list[str] = []
    given: dict[int, dict[int, Points]] = defaultdict(dict)  # factor id -> statement id -> points
    for statement_id, points in answers.items():
        statement = statements.get(statement_id)
        if statement is None:
            errors.append(_("Statement %(id)s is not in this questionnaire.") % {"id": statement_id})
        elif not (isinstance(points, tuple) and len(points) == 2 and all(_valid_points(p) for p in points)):
            errors.append(
                _("%(dimension)s: give each statement whole points from 0 to %(total)d.")
                % {"dimension": statement.factor.name, "total": POINTS_TOTAL}
            )
        else:
            given[statement.factor_id][statement_id] = points
    factors: dict[int, Factor] = {s.factor_id: s.factor for s in statements.values()}
    per_factor: dict[int, set[int]] = defaultdict(set)
    for statement in statements.values():
        per_factor[statement.factor_id].add(statement.pk)
    for factor_id, dimension in given.items():
        name = factors[factor_id].name
        if set(dimension) != per_factor[factor_id]:
            errors.append(_("%(dimension)s: give points to all four statements.") % {"dimension": name})
            continue
        for column, label in ((0, _("now")), (1, _("preferred"))):
            total = sum(p[column] for p in dimension.values())
            if total != POINTS_TOTAL:
                errors.append(
                    _("%(dimension)s (%(column)s): the points add up to %(sum)d, not %(total)d.")
                    % {"dimension": name, "column": label, "sum": total, "total": POINTS_TOTAL}
                )
    if errors:
        raise ValidationError(errors)
    existing = {a.statement_id: a for a in CultureAnswer.objects.filter(respondent=respondent)}
    if submit:
        answered = set(existing) | {statement_id for points in given.values() for statement_id in points}
        missing = [f for f_id, f in factors.items() if not per_factor[f_id] <= answered]
        if missing:
            raise ValidationError(
                _("Divide the points in every dimension before you submit (%(count)d left).")
                % {"count": len(missing)}
            )
    new, changed = [], []
    for dimension in given.values():
        for statement_id, (now, preferred) in dimension.items():
            answer = existing.get(statement_id)
            if answer is None:
                new.append(
                    CultureAnswer(
                        respondent=respondent, statement_id=statement_id, now=now, preferred=preferred
                    )
                )
            elif (answer.now, answer.preferred) != (now, preferred):
                answer.now, answer.preferred = now, preferred
                changed.append(answer)
    CultureAnswer.objects.bulk_create(new)
    CultureAnswer.objects.bulk_update(changed, ["now", "preferred"])
    if submit:
        respondent.submitted_at = timezone.now()
        respondent.save(update_fields=["submitted_at"])
        audit_log(
            actor=user,
            kind=AuditEvent.Kind.UPDATE,
            obj=respondent.assessment,
            changes={"submitted": [None, str(respondent)]},
        )
    return respondent
