"""Readiness assessments: opening one, inviting respondents (colleagues, or outsiders by a
one-time link of which only a hash is kept), and saving answers (partially, then submitted).

Who may do what: those the policy lets change the "adoption" area open assessments and
invite; a respondent answers only their own questionnaire, and once it is submitted it is
closed to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ReadinessModel,
    Respondent,
    Statement,
)
from ..models.readiness import LIKERT_MAX, LIKERT_MIN

TITLE_MAX = 200
DEPARTMENT_MAX = 120
LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 90
AUDITED = ("model", "title", "department", "starts_on", "ends_on", "status")


@dataclass(frozen=True, kw_only=True)
class AssessmentInput:
    model: ReadinessModel
    title: str
    department: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def respond_url(token: str) -> str:
    return settings.PEYVAND_BASE_URL + reverse("adoption:respond_link", args=[token])


def _clean(data: AssessmentInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = clean_text(data.title)
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Use at most %(limit)d characters.") % {"limit": TITLE_MAX}]
    department = clean_text(data.department)
    if len(department) > DEPARTMENT_MAX:
        errors["department"] = [_("Use at most %(limit)d characters.") % {"limit": DEPARTMENT_MAX}]
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    if errors:
        raise ValidationError(errors)
    return {
        "model": data.model,
        "title": title,
        "department": department,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
    }


@transaction.atomic
def assessment_create(*, actor: User, data: AssessmentInput) -> Assessment:
    policy.require_create(actor, Assessment)
    cleaned = _clean(data)
    assessment = Assessment(**cleaned, created_by=actor, updated_by=actor)
    assessment.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=assessment,
        changes=changes_between({}, snapshot(assessment, AUDITED)),
    )
    return assessment


@transaction.atomic
def assessment_set_status(*, actor: User, assessment: Assessment, status: str) -> Assessment:
    """Close an assessment (no more answers) or open it again."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    policy.require_change(actor, assessment)
    if status not in AssessmentStatus.values:
        raise ValidationError({"status": [_("Choose a valid status.")]})
    if assessment.status != status:
        before = snapshot(assessment, ("status",))
        assessment.status = status
        assessment.updated_by = actor
        assessment.save(update_fields=["status", "updated_by", "updated_at"])
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=assessment,
            changes=changes_between(before, snapshot(assessment, ("status",))),
        )
    return assessment


def _require_open(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.OPEN:
        raise ValidationError(_("This assessment is closed."))


@transaction.atomic
def respondent_invite_user(*, actor: User, assessment: Assessment, user: User) -> Respondent:
    """Ask a colleague to answer; they find the questionnaire from a notification."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    policy.require_change(actor, assessment)
    _require_open(assessment)
    if not user.is_active:
        raise ValidationError({"user": [_("Choose an active user.")]})
    if Respondent.objects.filter(assessment=assessment, user=user).exists():
        raise ValidationError({"user": [_("This colleague is invited already.")]})
    respondent = Respondent.objects.create(assessment=assessment, user=user, name=user.get_full_name())
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=assessment,
        changes={"respondent": [None, user.get_username()]},
    )
    url = reverse("adoption:respond", args=[respondent.pk])
    transaction.on_commit(
        lambda: hooks.notify(
            recipient=user,
            kind="adoption_invited",
            data={"title": assessment.title},
            url=url,
            key=f"adoption-respondent-{respondent.pk}",
            actor=actor,
        )
    )
    return respondent


@transaction.atomic
def respondent_invite_link(
    *, actor: User, assessment: Assessment, name: str, email: str = "", days: int = LINK_DAYS_DEFAULT
) -> tuple[Respondent, str]:
    """A one-time link for someone without an account: the token is returned once, never kept."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    policy.require_change(actor, assessment)
    _require_open(assessment)
    name = clean_text(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the respondent's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most %(limit)d characters.") % {"limit": 200}]
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if not 1 <= days <= LINK_DAYS_MAX:
        errors["days"] = [_("Choose between 1 and %(limit)d days.") % {"limit": LINK_DAYS_MAX}]
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    respondent = Respondent.objects.create(
        assessment=assessment,
        name=name,
        email=email,
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=assessment, changes={"respondent": [None, name]})
    return respondent, token


def respondent_for_token(token: str) -> Respondent | None:
    """The outsider a link belongs to while it may still be used: not expired, not submitted,
    its assessment open. Anything else is as if the link did not exist."""
    if not token or len(token) > 200:
        return None
    respondent = (
        Respondent.objects.select_related("assessment__model")
        .filter(token_hash=token_hash(token), user__isnull=True)
        .first()
    )
    if (
        respondent is None
        or respondent.submitted_at is not None
        or respondent.expires_at is None
        or respondent.expires_at <= timezone.now()
        or respondent.assessment.status != AssessmentStatus.OPEN
        or respondent.assessment.deleted_at is not None
    ):
        return None
    return respondent


def may_answer(user: User | None, respondent: Respondent) -> bool:
    """A staff respondent answers their own questionnaire; a link respondent, through the link."""
    if user is None:
        return respondent.user_id is None
    return respondent.user_id is not None and respondent.user_id == user.pk and user.is_active


@transaction.atomic
def answers_save(
    *, respondent: Respondent, answers: Mapping[int, int], submit: bool, user: User | None = None
) -> Respondent:
    """Save some or all ratings (statement id -> 1..5); with ``submit`` every statement must be
    rated and the questionnaire closes. ``user`` is the signed-in respondent, None for a link."""
    respondent = Respondent.objects.select_for_update().select_related("assessment").get(pk=respondent.pk)
    if not may_answer(user, respondent):
        raise PermissionDenied(_("This questionnaire is not yours."))
    if respondent.submitted_at is not None:
        raise ValidationError(_("These answers were submitted already."))
    _require_open(respondent.assessment)
    statement_ids = set(
        Statement.objects.filter(factor__model_id=respondent.assessment.model_id).values_list("pk", flat=True)
    )
    errors: list[str] = []
    for statement_id, value in answers.items():
        if statement_id not in statement_ids:
            errors.append(_("Statement %(id)s is not in this questionnaire.") % {"id": statement_id})
        elif isinstance(value, bool) or not isinstance(value, int) or not LIKERT_MIN <= value <= LIKERT_MAX:
            errors.append(
                _("Rate each statement from %(low)d to %(high)d.") % {"low": LIKERT_MIN, "high": LIKERT_MAX}
            )
    if errors:
        raise ValidationError(sorted(set(errors)))
    existing = {a.statement_id: a for a in Answer.objects.filter(respondent=respondent)}
    if submit:
        missing = len(statement_ids - {*existing, *answers})
        if missing:
            raise ValidationError(
                _("Rate every statement before you submit (%(count)d left).") % {"count": missing}
            )
    changed, new = [], []
    for statement_id, value in answers.items():
        if statement_id in existing:
            if existing[statement_id].value != value:
                existing[statement_id].value = value
                changed.append(existing[statement_id])
        else:
            new.append(Answer(respondent=respondent, statement_id=statement_id, value=value))
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["value"])
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
