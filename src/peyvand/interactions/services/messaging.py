"""Sending email and SMS to a customer from their record, and the templates for them.

Each send writes, in one transaction, the interaction on the customer's timeline and the
outbox row the worker delivers; the interaction shows the message's status as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import phonenumbers
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.services.parties import party_update

from .. import placeholders, smscount
from ..consent import consent_check, unsubscribe_payload, unsubscribe_url
from ..models import Channel, Direction, Interaction, MessageTemplate, OutboundMessage, Purpose
from ..system import system_actor
from .interactions import BODY_MAX_LENGTH, InteractionInput, interaction_log
from .outbox import OutboundFile, message_queue

SMS_MAX_LENGTH = 1000


@dataclass
class Draft:
    """What a send form collects."""

    to: str
    body: str
    subject: str = ""
    purpose: str = Purpose.TRANSACTIONAL
    language: str = ""
    template: MessageTemplate | None = None
    attachments: tuple[OutboundFile, ...] = ()


def _addresses(party: Party, kind: str) -> list[str]:
    return list(
        ContactPoint.objects.filter(party=party, kind=kind)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
    )


def _check_common(party: Party, actor: User, draft: Draft, channel: str) -> dict[str, list[str]]:
    policy.require_view(actor, party)
    policy.require_create(actor, Interaction)
    errors: dict[str, list[str]] = {}
    if draft.purpose not in (Purpose.TRANSACTIONAL, Purpose.MARKETING):
        errors["purpose"] = [_("Choose transactional or marketing.")]
    else:
        try:
            consent_check(party=party, channel=channel, purpose=draft.purpose)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if draft.language and draft.language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Persian or English.")]
    if draft.template is not None and (draft.template.channel != channel or draft.template.deleted_at):
        errors["template"] = [_("Choose a template for this channel.")]
    for name in ("subject", "body"):
        try:
            placeholders.check(name, getattr(draft, name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


@transaction.atomic
def email_send(
    *,
    party: Party,
    actor: User,
    draft: Draft,
    source: tuple[models.Model, str] | None = None,
    reply_to: str | None = None,
) -> OutboundMessage:
    """Email a customer at one of their addresses; logged on the timeline at once.

    ``draft.attachments`` go with it; ``source`` names a record's field that follows the
    email's status (see ``message_queue``). Answers go to ``reply_to`` (the service desk's
    inbox, say), else to the sender.
    """
    errors = _check_common(party, actor, draft, "email")
    if draft.to not in _addresses(party, ContactPoint.Kind.EMAIL):
        errors["to"] = [_("Choose one of the customer's email addresses.")]
    subject = clean_text(draft.subject)
    if not subject:
        errors["subject"] = [_("Enter a subject.")]
    if not draft.body.strip():
        errors["body"] = [_("Write the message.")]
    elif len(draft.body) > BODY_MAX_LENGTH:
        errors["body"] = [_("The message is too long.")]
    if errors:
        raise ValidationError(errors)
    language = draft.language or (draft.template.language if draft.template else settings.LANGUAGE_CODE)
    values = placeholders.values_for(party=party, sender=actor, language=language)
    subject = placeholders.render(subject, values)[:200]
    body = placeholders.render(draft.body.strip(), values)
    interaction = interaction_log(
        party=party,
        actor=actor,
        data=InteractionInput(
            channel=Channel.EMAIL, direction=Direction.OUTBOUND, subject=subject, body=body
        ),
    )
    leave = unsubscribe_url(party, "email") if draft.purpose == Purpose.MARKETING else ""
    with translation.override(language):
        html = render_to_string(
            "interactions/email/message.html",
            {
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "align": "right" if translation.get_language_bidi() else "left",
                "subject": subject,
                "body": body,
                "unsubscribe_url": leave,
            },
        )
        text = f"{body}\n\n-- \n{_('Unsubscribe')}: {leave}" if leave else body
    return message_queue(
        channel=OutboundMessage.Kind.EMAIL,
        purpose=draft.purpose,
        to_address=draft.to,
        subject=subject,
        body_text=text,
        body_html=html,
        party=party,
        interaction=interaction,
        template=draft.template,
        actor=actor,
        language=language,
        reply_to=actor.email if reply_to is None else reply_to,
        attachments=draft.attachments,
        source=source,
    )


def _sms_language(draft_language: str, template: MessageTemplate | None) -> str:
    return draft_language or (template.language if template else settings.LANGUAGE_CODE)


def _sms_text(party: Party, actor: User, text: str, language: str) -> str:
    """The text as this customer will receive it: placeholders filled, in ``language``."""
    return placeholders.render(
        text.strip(), placeholders.values_for(party=party, sender=actor, language=language)
    )


def sms_preview(
    *, text: str, party: Party | None = None, actor: User | None = None, language: str = ""
) -> smscount.SmsCount:
    """Segments and cost of ``text``; for a customer, counted as it will be sent to them
    (a long name in {name} can add a segment)."""
    if party is None or actor is None:
        return smscount.count(text)
    policy.require_view(actor, party)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return smscount.count(_sms_text(party, actor, text, language))


@transaction.atomic
def sms_send(*, party: Party, actor: User, draft: Draft) -> OutboundMessage:
    """Text a customer's mobile number; the cost is fixed when it is queued."""
    errors = _check_common(party, actor, draft, "sms")
    if draft.to not in _addresses(party, ContactPoint.Kind.PHONE):
        errors["to"] = [_("Choose one of the customer's phone numbers.")]
    elif not _is_mobile(draft.to):
        errors["to"] = [_("This number cannot receive SMS: choose a mobile number.")]
    text = draft.body.strip()
    if not text:
        errors["body"] = [_("Write the message.")]
    if errors:
        raise ValidationError(errors)
    language = _sms_language(draft.language, draft.template)
    text = _sms_text(party, actor, text, language)
    if len(text) > SMS_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": SMS_MAX_LENGTH, "count": len(text)}
                ]
            }
        )
    counted = smscount.count(text)
    interaction = interaction_log(
        party=party,
        actor=actor,
        data=InteractionInput(
            channel=Channel.SMS,
            direction=Direction.OUTBOUND,
            subject=clean_text(text)[:80] or _("SMS"),
            body=text,
        ),
    )
    return message_queue(
        channel=OutboundMessage.Kind.SMS,
        purpose=draft.purpose,
        to_address=draft.to,
        body_text=text,
        party=party,
        interaction=interaction,
        template=draft.template,
        actor=actor,
        language=language,
        segments=counted.segments,
        cost=counted.cost,
    )


def _is_mobile(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


# --- templates ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TemplateInput:
    """A message template's fields; on a change, those left UNSET stay as they are."""

    name: str | Unset = UNSET
    channel: str | Unset = UNSET
    purpose: str | Unset = UNSET
    language: str | Unset = UNSET
    subject: str | Unset = UNSET
    body: str | Unset = UNSET


TEMPLATE_FIELDS = tuple(f.name for f in fields(TemplateInput))


def _clean_template(data: TemplateInput, *, current: MessageTemplate | None) -> dict[str, Any]:
    merged = {name: getattr(current, name) for name in TEMPLATE_FIELDS} if current else {}
    merged.update(given(data))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
        "name": clean_text(merged.get("name")),
        "channel": merged.get("channel"),
        "purpose": merged.get("purpose") or Purpose.TRANSACTIONAL,
        "language": merged.get("language") or settings.LANGUAGE_CODE,
        "subject": clean_text(merged.get("subject")),
        "body": (merged.get("body") or "").strip(),
    }
    if not cleaned["name"] or len(cleaned["name"]) > 100:
        errors["name"] = [_("Enter a name of at most 100 characters.")]
    if cleaned["channel"] not in MessageTemplate.Kind.values:
        errors["channel"] = [_("Choose email or SMS.")]
    if cleaned["purpose"] not in (Purpose.TRANSACTIONAL, Purpose.MARKETING):
        errors["purpose"] = [_("Choose transactional or marketing.")]
    if cleaned["language"] not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Persian or English.")]
    if cleaned["channel"] == MessageTemplate.Kind.EMAIL and not cleaned["subject"]:
        errors["subject"] = [_("Enter a subject.")]
    if len(cleaned["subject"]) > 200:
        errors["subject"] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": 200, "count": len(cleaned["subject"])}
        ]
    if not cleaned["body"]:
        errors["body"] = [_("Write the message.")]
    for name in ("subject", "body"):
        try:
            placeholders.check(name, cleaned[name])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def template_create(*, actor: User, data: TemplateInput) -> MessageTemplate:
    policy.require_create(actor, MessageTemplate)
    cleaned = _clean_template(data, current=None)
    template = MessageTemplate.objects.create(created_by=actor, updated_by=actor, **cleaned)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=template,
        changes={k: [None, v] for k, v in cleaned.items()},
    )
    return template


@transaction.atomic
def template_update(*, template: MessageTemplate, actor: User, data: TemplateInput) -> MessageTemplate:
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    policy.require_change(actor, template)
    cleaned = _clean_template(data, current=template)
    before = snapshot(template, TEMPLATE_FIELDS)
    for name, value in cleaned.items():
        setattr(template, name, value)
    changes = changes_between(before, snapshot(template, TEMPLATE_FIELDS))
    if changes:
        template.updated_by = actor
        template.save()
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=template, changes=changes)
    return template


@transaction.atomic
def template_delete(*, template: MessageTemplate, actor: User) -> None:
    policy.require_change(actor, template)
    soft_delete_record(template, actor=actor, party_id=None, changes={"name": [template.name, None]})


def consent_withdraw_by_link(*, token: str) -> Party | None:
    """An unsubscribe link from a marketing email: withdraw that channel's consent."""

    try:
        payload = unsubscribe_payload(token)
        party = Party.objects.get(pk=int(payload["p"]))
        channel = payload["c"] if payload["c"] in ("email", "sms") else "email"
    except (signing.BadSignature, KeyError, TypeError, ValueError, Party.DoesNotExist):
        return None
    if getattr(party, f"{channel}_consent"):
        withdrawn = (
            PartyInput(email_consent=False, email_consent_source="unsubscribe")
            if channel == "email"
            else PartyInput(sms_consent=False, sms_consent_source="unsubscribe")
        )
        party_update(party=party, actor=system_actor(), data=withdrawn)
    return party
