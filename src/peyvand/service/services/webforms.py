"""Public request forms: an administrator designs them; anyone on the web may send one, which
opens a ticket for the customer their email or phone finds (or a new suspect) and tells them
its number by email, through the outbox.

Spam protection, as for web-to-lead (whose pieces this reuses: the honeypot's name and the
rate limit per address, counted with every other public form's submissions): a honeypot
field, a signed token the page carries that says which form it was and when the page was
made, refused once a day old and ignored (as a bot's) when sent back within seconds, and the
rate limit per address.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text
from peyvand.customers.models import ContactPoint, Party, Source
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.customers.rules import ContactInput
from peyvand.customers.selectors.identity import party_by_email, party_by_phone
from peyvand.customers.services.contacts import contact_point_add
from peyvand.customers.services.suspects import suspect_create
from peyvand.interactions.delivery.mail import message_id
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Direction, OutboundMessage, Purpose
from peyvand.interactions.services.interactions import InteractionInput, interaction_record_system
from peyvand.interactions.services.outbox import message_queue
from peyvand.interactions.system import system_actor
from peyvand.sales.services.webforms import HONEYPOT, RateLimited, webform_hit

from ..models import Category, Channel, Kind, Language, Message, Ticket, TicketWebForm
from .mail import subject_of, support_inbox
from .messages import customer_message
from .tickets import BODY_MAX_LENGTH, TicketInput

__all__ = ["HONEYPOT", "RateLimited"]

SALT = "peyvand.service.webform"
TOKEN_MAX_AGE = 24 * 3600  # a page left open longer is sent again after a reload
MIN_SECONDS = 3  # people take longer than this to fill in a form; scripts do not
AUDITED = ("name", "title", "intro", "language", "kind", "category", "team", "thank_you", "active")


# --- the forms ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WebFormInput:
    name: str
    title: str
    intro: str = ""
    language: str = Language.PERSIAN
    kind: str = Kind.QUESTION
    category: Category | None = None
    team: Team | None = None
    thank_you: str = ""
    active: bool = True


def _text(
    errors: dict[str, list[str]],
    name: str,
    value: str,
    limit: int,
    *,
    required: bool = False,
    lines: bool = False,
) -> str:
    """One line cleaned as names are (``clean_text``), or, with ``lines``, text whose line
    breaks are kept."""
    text = (value or "").replace("\x00", "").strip() if lines else clean_text(value)
    if required and not text:
        errors[name] = [_("This field is required.")]
    elif len(text) > limit:
        errors[name] = [
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
        ]
    return text


@transaction.atomic
def web_form_save(*, actor: User, data: WebFormInput, form: TicketWebForm | None = None) -> TicketWebForm:
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    values = {
        "name": _text(errors, "name", data.name, 100, required=True),
        "title": _text(errors, "title", data.title, 200, required=True),
        "intro": _text(errors, "intro", data.intro, 2000, lines=True),
        "thank_you": _text(errors, "thank_you", data.thank_you, 300),
    }
    if data.language not in Language.values:
        errors["language"] = [_("Choose Persian or English.")]
    if data.kind not in Kind.values:
        errors["kind"] = [_("Choose a valid type.")]
    if data.category is not None and not data.category.active:
        errors["category"] = [_("Choose an active category.")]
    if errors:
        raise ValidationError(errors)
    created = form is None
    before = {} if form is None else snapshot(form, AUDITED)
    form = form or TicketWebForm(key=secrets.token_urlsafe(18))
    for name, value in values.items():
        setattr(form, name, value)
    form.language, form.kind, form.category, form.team = data.language, data.kind, data.category, data.team
    form.active = data.active
    form.save()
    changes = changes_between(before, snapshot(form, AUDITED))
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=form, changes=changes)
    return form


# --- the token the page carries -----------------------------------------------------------------


def form_token(form: TicketWebForm, *, now: float | None = None) -> str:
    """Which form, and when the page was made: signed, so neither can be forged."""
    return signing.dumps({"f": form.pk, "t": int(now if now is not None else time.time())}, salt=SALT)


def _token_age(form: TicketWebForm, token: str) -> float:
    """Seconds since the page was made; ValidationError for a forged, foreign or old token."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        payload = None
    made = payload.get("t") if isinstance(payload, dict) else None
    age = time.time() - made if isinstance(made, int) else -1.0
    # The signature's own age is when it was signed; the page's is what it says, checked too.
    if not isinstance(payload, dict) or payload.get("f") != form.pk or not 0 <= age <= TOKEN_MAX_AGE:
        raise ValidationError(_("This page is out of date: reload it and send the form again."))
    return age


# --- a visitor's request ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WebRequestInput:
    """What a visitor sent: the form's fields, the token and the honeypot."""

    name: str = ""
    email: str = ""
    phone: str = ""
    subject: str = ""
    message: str = ""
    token: str = ""
    honeypot: str = ""


def _clean_request(data: WebRequestInput) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    values = {
        "name": _text(errors, "name", data.name, 200),
        "subject": _text(errors, "subject", data.subject, 200, required=True),
        "message": _text(errors, "message", data.message, BODY_MAX_LENGTH, required=True, lines=True),
        "email": "",
        "phone": "",
    }
    if (data.email or "").strip():
        try:
            values["email"] = normalize_email(data.email)
        except ValidationError as exc:
            errors["email"] = exc.messages
    if (data.phone or "").strip():
        try:
            values["phone"] = normalize_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if not (data.email or "").strip() and not (data.phone or "").strip():
        errors["email"] = [_("Enter an email address or a phone number, so we can answer you.")]
    if errors:
        raise ValidationError(errors)
    return values


def web_request_submit(*, form: TicketWebForm, data: WebRequestInput, address: str | None) -> Ticket | None:
    """Open a ticket from a visitor's request; None when it was a bot's (the honeypot filled,
    or sent back faster than people type), which is told it succeeded and learns nothing.
    RateLimited when the address sent too many; ValidationError names the fields."""
    webform_hit(address=address)  # counted first, whatever it holds: bots are counted too
    if not form.active:
        raise ValidationError(_("This form is no longer accepting requests."))
    if (data.honeypot or "").strip():
        return None
    if _token_age(form, data.token) < MIN_SECONDS:
        return None
    values = _clean_request(data)
    with transaction.atomic():
        party = _customer(values)
        interaction = interaction_record_system(
            party=party,
            data=InteractionInput(
                channel=InteractionChannel.WEBSITE,
                direction=Direction.INBOUND,
                subject=values["subject"],
                body=values["message"],
            ),
        )
        opening = TicketInput(
            subject=values["subject"],
            channel=Channel.WEB,
            kind=form.kind,
            category=form.category if form.category and form.category.active else None,
            team=form.team,
            language=form.language,
        )
        received = customer_message(
            ticket=None,
            party=party,
            body=values["message"],
            subject=values["subject"],
            channel=Channel.WEB,
            interaction=interaction,
            opening=opening,
        )
        ticket = received.ticket
        if values["email"]:
            ticket_acknowledge(ticket=ticket, to=values["email"])
    return ticket


def _customer(values: dict[str, str]) -> Party:
    """Whoever the email (else the phone) belongs to; else a new suspect with both. A known
    customer's record is never changed by what an anonymous visitor typed."""
    email, phone = values["email"], values["phone"]
    found = (party_by_email(email) if email else None) or (party_by_phone(phone) if phone else None)
    if found is not None:
        return found
    actor = system_actor()
    kind, value = (ContactPoint.Kind.EMAIL, email) if email else (ContactPoint.Kind.PHONE, phone)
    party = suspect_create(actor=actor, kind=kind, value=value, name=values["name"], source=Source.WEBSITE)
    if email and phone:
        contact_point_add(
            party=party,
            actor=actor,
            data=ContactInput(kind=ContactPoint.Kind.PHONE, value=phone),
            allow_duplicate=True,
        )
    return party


def ticket_acknowledge(*, ticket: Ticket, to: str) -> Message:
    """Tell the customer their request was received and its number, by email through the
    outbox, once per ticket; it shows in the thread (answers to it thread back by its number
    and Message-ID)."""
    language = ticket.language if ticket.language in Language.values else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = subject_of(ticket)
        text = _(
            "Hello,\n\nWe received your request and gave it the number %(number)s. We will answer you "
            "as soon as we can; to add anything, reply to this email.\n\n%(subject)s"
        ) % {"number": ticket.number, "subject": ticket.subject}
    message = Message.objects.create(ticket=ticket, kind=Message.Kind.REPLY, body=text)
    interaction = interaction_record_system(
        party=ticket.party,
        data=InteractionInput(
            channel=InteractionChannel.EMAIL, direction=Direction.OUTBOUND, subject=subject, body=text
        ),
    )
    outbound = message_queue(
        channel=OutboundMessage.Kind.EMAIL,
        purpose=Purpose.TRANSACTIONAL,
        to_address=to,
        subject=subject,
        body_text=text,
        party=ticket.party,
        interaction=interaction,
        language=language,
        reply_to=support_inbox(),
        key=f"ticket_ack:{ticket.pk}",
        source=(message, "delivery_status"),
    )
    message.outbound, message.interaction, message.delivery_status = outbound, interaction, outbound.status
    message.message_id = message_id(outbound.idempotency_key).strip("<>")
    message.save(update_fields=["outbound", "interaction", "delivery_status", "message_id"])
    return message
