"""Satisfaction surveys: a CSAT question sent once after a ticket is resolved (an NPS one on
demand), answered through a signed link without signing in, once."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import hooks
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.interactions import smscount
from peyvand.interactions.models import Direction, OutboundMessage, Purpose
from peyvand.interactions.services.interactions import InteractionInput, interaction_record_system
from peyvand.interactions.services.outbox import message_queue

from ..models import Channel, Status, Survey, Ticket
from ..selectors.tickets import reply_addresses
from .mail import subject_of, support_inbox

SALT = "peyvand.service.survey"
ANSWER_WITHIN_DAYS = 60
SCALES = {Survey.Kind.CSAT: range(1, 6), Survey.Kind.NPS: range(0, 11)}
COMMENT_MAX_LENGTH = 2000


def survey_token(survey: Survey) -> str:
    return signing.dumps({"survey": survey.pk}, salt=SALT, compress=True)


def survey_url(survey: Survey) -> str:
    return settings.PEYVAND_BASE_URL + reverse("service:survey", args=[survey_token(survey)])


@transaction.atomic
def survey_send(*, ticket: Ticket, kind: str = Survey.Kind.CSAT, actor: User | None = None) -> Survey | None:
    """Ask the customer, by email when they have an address, else by SMS to a mobile. Once
    per ticket and kind: None when it was sent before or they have neither."""
    addresses = reply_addresses(ticket=ticket)
    if addresses[Channel.EMAIL]:
        channel, to = Channel.EMAIL, addresses[Channel.EMAIL][0]
    elif addresses[Channel.SMS]:
        channel, to = Channel.SMS, addresses[Channel.SMS][0]
    else:
        return None
    try:
        with transaction.atomic():
            survey = Survey.objects.create(ticket=ticket, kind=kind, channel=channel)
    except IntegrityError:
        return None
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("How did we do? %(subject)s") % {"subject": subject_of(ticket)}
        question = (
            _("How satisfied are you with how we handled your request? Answer in one click:")
            if kind == Survey.Kind.CSAT
            else _("How likely are you to recommend us to a friend? Answer in one click:")
        )
    text = f"{question}\n{survey_url(survey)}"
    interaction = interaction_record_system(
        party=ticket.party,
        data=InteractionInput(
            channel=channel, direction=Direction.OUTBOUND, subject=subject[:200], body=text
        ),
    )
    counted = smscount.count(text) if channel == Channel.SMS else None
    survey.outbound = message_queue(
        channel=OutboundMessage.Kind.EMAIL if channel == Channel.EMAIL else OutboundMessage.Kind.SMS,
        purpose=Purpose.TRANSACTIONAL,
        to_address=to,
        subject=subject[:200] if channel == Channel.EMAIL else "",
        body_text=text,
        party=ticket.party,
        interaction=interaction,
        actor=actor,
        language=language,
        reply_to=support_inbox() if channel == Channel.EMAIL else "",
        segments=counted.segments if counted else 0,
        cost=counted.cost if counted else None,
        key=f"survey:{survey.pk}",
    )
    survey.save(update_fields=["outbound"])
    return survey


def survey_for_token(token: str) -> Survey | None:
    """The survey a link names, while it may still be answered; None for a bad or old link."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=ANSWER_WITHIN_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    return (
        Survey.objects.select_related("ticket", "ticket__party", "ticket__assignee")
        .filter(pk=payload.get("survey"))
        .first()
    )


@transaction.atomic
def survey_rate(*, ticket: Ticket, score: int, comment: str = "") -> Survey:
    """The customer rates a resolved ticket themselves (from the portal): the satisfaction
    survey sent after resolution, answered, or one made for the purpose. Once per ticket."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("A request is rated once it is resolved."))
    survey, _created = Survey.objects.get_or_create(
        ticket=ticket, kind=Survey.Kind.CSAT, defaults={"channel": Channel.PORTAL}
    )
    return survey_answer(survey=survey, score=score, comment=comment)


@transaction.atomic
def survey_answer(*, survey: Survey, score: int, comment: str = "") -> Survey:
    """Record the answer, once; a poor score (CSAT 1-2, NPS 0-6) tells the ticket's assignee."""
    survey = Survey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
    if survey.answered_at is not None:
        raise ValidationError(_("This survey was answered already. Thank you!"))
    if score not in SCALES[Survey.Kind(survey.kind)]:
        raise ValidationError({"score": [_("Choose one of the marks.")]})
    comment = clean_text(comment)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": COMMENT_MAX_LENGTH, "count": len(comment)}
                ]
            }
        )
    survey.score, survey.comment, survey.answered_at = score, comment, timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    ticket = survey.ticket
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=ticket,
        party_id=ticket.party_id,
        changes={f"survey_{survey.kind}": [None, score]},
    )
    poor = score <= 2 if survey.kind == Survey.Kind.CSAT else score <= 6
    if poor and ticket.assignee is not None:
        hooks.notify(
            recipient=ticket.assignee,
            kind="survey_poor",
            key=f"survey_poor:{survey.pk}",
            party_id=ticket.party_id,
            url=ticket.get_absolute_url(),
            data={"number": ticket.number, "subject": ticket.subject, "score": score},
        )
    return survey
