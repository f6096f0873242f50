"""Saved reports: saving a report's definition with a name (private or shared with the owner's
team, e-mailed daily, weekly or monthly), removing it, and e-mailing the reports that are due.

Each recipient of an e-mailed report gets the figures they may see, in their language, once
per period: the report remembers the period it last sent (under a row lock) and the outbox's
key refuses a second message for the same period and recipient.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import jdatetime
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text

from ..documents import ReportDocument, report_pdfs
from ..models import SavedReport, Schedule, Visibility
from ..reporting import ReportSpec
from ..selectors import reports as selectors

NAME_MAX = 200
logger = logging.getLogger(__name__)
AUDITED = ("name", "visibility", "team_id", "definition", "schedule")


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    name: str
    spec: ReportSpec
    visibility: str = Visibility.PRIVATE
    schedule: str = Schedule.NONE


def _clean(data: ReportInput, owner: User) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Give the report a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Use at most %(limit)d characters.") % {"limit": NAME_MAX}]
    if data.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose who sees the report.")]
    elif data.visibility == Visibility.TEAM and owner.team_id is None:
        errors["visibility"] = [_("You are in no team to share the report with.")]
    if data.schedule not in Schedule.values:
        errors["schedule"] = [_("Choose how often the report is e-mailed.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "visibility": data.visibility,
        "team_id": owner.team_id if data.visibility == Visibility.TEAM else None,
        "definition": data.spec.model_dump(mode="json"),
        "schedule": data.schedule,
    }


@transaction.atomic
def report_save(*, actor: User, data: ReportInput, report: SavedReport | None = None) -> SavedReport:
    """Save a new report (``actor`` owns it) or change one ``actor`` may change."""
    if not selectors.may_use(actor):
        raise PermissionDenied(_("You do not have permission to create this record."))
    if report is None:
        policy.require_create(actor, SavedReport)
        owner = actor
    else:
        report = SavedReport.objects.select_for_update().get(pk=report.pk)
        policy.require_change(actor, report)
        owner = report.owner
    cleaned = _clean(data, owner)
    created = report is None
    before = {} if report is None else snapshot(report, AUDITED)
    report = report or SavedReport(owner=owner, created_by=actor)
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.updated_by = actor
    report.save()
    changes = changes_between(before, snapshot(report, AUDITED))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
            obj=report,
            changes=changes,
        )
    return report


@transaction.atomic
def report_delete(*, actor: User, report: SavedReport) -> None:
    report = SavedReport.objects.select_for_update().get(pk=report.pk)
    policy.require_change(actor, report)
    report.deleted_at = timezone.now()
    report.deleted_by = actor
    report.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=report, changes={"name": [report.name, None]})


# --- e-mailed on a schedule ----------------------------------------------------------------------


def period_key(schedule: str, calendar: str, today: dt.date) -> str:
    """The period ``today`` is in: a day, a week (from Saturday in the Jalali calendar, from
    Monday in the Gregorian) or a month of the report's calendar."""
    if schedule == Schedule.DAILY:
        return f"daily:{today.isoformat()}"
    if schedule == Schedule.WEEKLY:
        first = 5 if calendar == "jalali" else 0
        return f"weekly:{(today - dt.timedelta(days=(today.weekday() - first) % 7)).isoformat()}"
    if calendar == "jalali":
        jday = jdatetime.date.fromgregorian(date=today)
        return f"monthly:{jday.year}-{jday.month:02d}"
    return f"monthly:{today.year}-{today.month:02d}"


def recipients(report: SavedReport) -> list[User]:
    """The owner, and the owner's team when the report is shared with it: active users who
    read reports."""
    users = User.objects.filter(is_active=True)
    if report.visibility == Visibility.TEAM and report.team_id:
        found = users.filter(pk=report.owner_id) | users.filter(team_id=report.team_id)
    else:
        found = users.filter(pk=report.owner_id)
    return [user for user in found.distinct().order_by("pk") if selectors.may_use(user) and user.email]


def report_send(*, report: SavedReport, period: str) -> int:
    """E-mail ``report`` to its recipients for ``period``, each with the PDF of their figures
    (chart and table); how many were queued.

    The chart goes as the attached PDF, not in the message: mail clients do not show SVG
    (Gmail and Outlook drop it) nor data: images, and the PDF opens in every one of them,
    on a phone too, with the Vazirmatn font inside it so Persian reads right whatever fonts
    the reader has. The message keeps the table, readable without opening anything."""
    readers = recipients(report)
    documents = []
    for recipient in readers:
        language = recipient.language or "fa"
        with translation.override(language):
            pivot = selectors.report_run(user=recipient, report=report)
        documents.append(ReportDocument(report, pivot, language))
    pdfs = report_pdfs(documents)  # every reader's chart drawn by one Node.js start
    link = settings.PEYVAND_BASE_URL + reverse("analytics:report_detail", args=[report.pk])
    for recipient, document, pdf in zip(readers, documents, pdfs, strict=True):
        with translation.override(document.language):
            context = {
                "report": report,
                "pivot": document.pivot,
                "link": link,
                "rtl": document.language == "fa",
                "chart_missing": pdf.chart_missing,
            }
            subject = _("Report: %(name)s") % {"name": report.name}
            body_text = render_to_string("analytics/report_email.txt", context)
            body_html = render_to_string("analytics/report_email.html", context)
            filename = f"{_('Report')}-{report.pk}-{period.split(':')[-1]}.pdf"
        hooks.mail_user(
            recipient=recipient,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            language=document.language,
            key=f"report:{report.pk}:{period}:{recipient.pk}",
            attachments=[hooks.MailFile(filename, pdf.content, "application/pdf")],
        )
    return len(readers)


def reports_send_due(*, now: dt.datetime | None = None) -> int:
    """E-mail every scheduled report not yet sent in its current period; how many reports."""
    today = timezone.localdate(now or timezone.now())
    done = 0
    due = SavedReport.objects.exclude(schedule=Schedule.NONE).values_list("pk", flat=True)
    for pk in list(due):
        try:
            done += _send_if_due(pk, today)
        except Exception:  # one broken report must not keep the others from going out
            logger.exception("scheduled report %s was not sent", pk)
    return done


def _send_if_due(pk: int, today: dt.date) -> int:
    """Send one report if its period has not had it yet, under a lock on its row."""
    with transaction.atomic():
        report = (
            SavedReport.objects.select_for_update(skip_locked=True)
            .select_related("owner")
            .filter(pk=pk)
            .exclude(schedule=Schedule.NONE)
            .first()
        )
        if report is None:
            return 0
        calendar = str(report.definition.get("calendar", "jalali"))
        period = period_key(report.schedule, calendar, today)
        if report.last_sent_period == period:
            return 0
        report_send(report=report, period=period)
        report.last_sent_period = period
        report.last_sent_at = timezone.now()
        report.save(update_fields=["last_sent_period", "last_sent_at"])
        return 1
