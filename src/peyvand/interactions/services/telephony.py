"""Calls reported by the PBX (Asterisk, Issabel): one interaction per call, kept up to date.

Events may repeat or arrive out of order (a PBX retries a webhook it thinks failed): the
call's row, found by the PBX's call id and locked, makes each event idempotent, so one
call is one interaction however many times its events come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from peyvand.core import hooks, policy
from peyvand.core.addresses import is_public_url
from peyvand.core.apikit.schemas import ApiDateTime, NoNul, WholeNumber
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.core.text import to_ascii_digits
from peyvand.customers.models import ContactPoint, Party, Source
from peyvand.customers.selectors.identity import party_by_phone
from peyvand.customers.services.suspects import suspect_create

from ..addresses import caller_number
from ..models import Channel, Direction, Interaction, Outcome, PhoneCall, TelephonyProfile
from ..system import system_actor
from .interactions import (
    InteractionInput,
    interaction_record_system,
    interaction_update_system,
    reported_time_error,
    reported_time_ok,
)

Status = PhoneCall.Status
MAX_CALL_SECONDS = 7 * 24 * 3600


class CallEvent(BaseModel):
    """One PBX event, as the webhook posts it (JSON or a form): checked here, once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    call_id: Annotated[
        str, Field(min_length=1, max_length=100, description="The PBX's id (Asterisk's UNIQUEID)"), NoNul
    ]
    event: Literal["ringing", "answered", "finished"]
    number: Annotated[
        str, Field(max_length=100, description="The customer's number, in any format"), NoNul
    ] = ""
    direction: Literal["inbound", "outbound"] = "inbound"
    extension: Annotated[str, Field(max_length=20), NoNul] = ""
    duration: (
        Annotated[WholeNumber, Field(ge=0, le=MAX_CALL_SECONDS, description="Talk time in seconds (billsec)")]
        | None
    ) = None
    recording_url: Annotated[str, Field(max_length=500), NoNul] = ""
    at: ApiDateTime | None = Field(None, description="When it happened; now when left out")

    @field_validator("recording_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        # Something may fetch the recording one day: no loopback or private host, in any spelling.
        if value and not is_public_url(value):
            raise ValueError(_("Enter an http or https address on a public host."))
        return value

    @field_validator("at")
    @classmethod
    def _recent(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and not reported_time_ok(value):
            raise ValueError(reported_time_error())
        return value


def _user_on(extension: str) -> User | None:
    if not extension:
        return None
    profile = TelephonyProfile.objects.filter(extension=extension.strip()).select_related("user").first()
    return profile.user if profile is not None and profile.user.is_active else None


def _customer(number: str | None, user: User | None) -> Party | None:
    if number is None:
        return None
    party = party_by_phone(number, prefer_owner=user)
    if party is not None:
        return party
    # An unknown number becomes a suspect, created by and given to whoever took the call
    # when they may have customers, else left unassigned for the team to pick up.
    takes = user is not None and policy.can_create(user, Party) and policy.may_own(user, Party, user)
    actor = user if takes and user is not None else system_actor()
    return suspect_create(
        actor=actor,
        kind=ContactPoint.Kind.PHONE,
        value=number,
        source=Source.PHONE,
        owner=user if takes else None,
    )


def _lock(event: CallEvent, now: dt.datetime) -> tuple[PhoneCall, bool]:
    call = PhoneCall.objects.select_for_update().filter(call_id=event.call_id).first()
    if call is not None:
        return call, False
    number = caller_number(event.number)
    try:
        with transaction.atomic():
            call = PhoneCall.objects.create(
                call_id=event.call_id,
                direction=event.direction,
                number=number or "",
                raw_number=event.number[:100],
                extension=event.extension[:20],
                user=_user_on(event.extension),
                status=Status.RINGING,
                started_at=now,
            )
    except IntegrityError:
        return PhoneCall.objects.select_for_update().get(call_id=event.call_id), False
    return call, True


def _describe(call: PhoneCall) -> InteractionInput:
    """The call as an interaction on the timeline: its subject, details and outcome."""
    # Written in the language of whoever took or made the call: they read it first.
    language = (call.user.language if call.user is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if call.status == Status.MISSED:
            subject = _("Missed call")
        elif call.status == Status.NO_ANSWER:
            subject = _("Outgoing call, not answered")
        elif call.direction == Direction.OUTBOUND:
            subject = _("Outgoing call")
        else:
            subject = _("Incoming call")
        lines = []
        if call.extension:
            lines.append(_("Extension: %(extension)s") % {"extension": call.extension})
        if call.duration is not None:
            minutes, seconds = divmod(call.duration, 60)
            lines.append(_("Duration: %(minutes)d:%(seconds)02d") % {"minutes": minutes, "seconds": seconds})
        if call.recording_url:
            lines.append(_("Recording: %(url)s") % {"url": call.recording_url})
    outcomes: dict[str, str] = {
        Status.MISSED: Outcome.NO_ANSWER,
        Status.NO_ANSWER: Outcome.NO_ANSWER,
        Status.FINISHED: Outcome.COMPLETED,
    }
    outcome = outcomes.get(call.status, "")
    return InteractionInput(
        channel=Channel.PHONE,
        direction=call.direction,
        subject=subject,
        body="\n".join(lines),
        outcome=outcome,
        handled_by=call.user,
    )


def call_event_record(*, event: CallEvent) -> PhoneCall:
    """Apply one PBX event to its call; returns the call with its customer."""
    now = event.at or timezone.now()
    with transaction.atomic():
        call, created = _lock(event, now)
        answering = _user_on(event.extension)
        if answering is not None and answering.pk != call.user_id:
            call.user, call.extension = answering, event.extension[:20]  # a queue rang, this one answered
        if event.event == "answered" and call.answered_at is None:
            call.answered_at = now
            if call.status == Status.RINGING:
                call.status = Status.ANSWERED
            elif call.status in (Status.MISSED, Status.NO_ANSWER):
                call.status = Status.FINISHED  # the "answered" event came after "finished"
        if event.event == "finished" and call.ended_at is None:
            call.ended_at = now
            answered = call.answered_at is not None or bool(event.duration)
            # Nobody answering is a missed call only when the customer rang us; a call we
            # made that they did not take is just not answered (and nobody missed it).
            unanswered = Status.MISSED if call.direction == Direction.INBOUND else Status.NO_ANSWER
            call.status = Status.FINISHED if answered else unanswered
        if event.event == "finished" and event.duration is not None:
            call.duration = event.duration
        if event.recording_url:
            call.recording_url = event.recording_url
        if created or (call.party_id is None and call.number):
            call.party = _customer(call.number or None, call.user)
        call.save()
        _log(call)
        _notify(call, event, created)
    return call


def _log(call: PhoneCall) -> None:
    if call.party is None:
        return  # a withheld number: nobody to put it on
    data = _describe(call)
    if call.interaction_id is None:
        interaction = interaction_record_system(
            party=call.party, data=replace(data, occurred_at=call.started_at), handled_by=call.user
        )
        PhoneCall.objects.filter(pk=call.pk).update(interaction=interaction)
        call.interaction = interaction
    else:
        interaction = Interaction.objects.select_for_update().get(pk=call.interaction_id)
        interaction_update_system(interaction=interaction, data=data)


def _notify(call: PhoneCall, event: CallEvent, created: bool) -> None:
    user = call.user
    if user is None:
        return
    shown = call.party is not None and policy.can_view(user, call.party)
    data = {
        "number": call.number or call.raw_number,
        "party": call.party.display_name if shown and call.party else "",
        "direction": call.direction,
    }
    url = reverse("party_detail", args=[call.party.pk]) if shown and call.party else ""
    if call.direction == Direction.INBOUND and event.event in ("ringing", "answered"):
        hooks.notify(
            recipient=user,
            kind="call",
            key=f"call:{call.call_id}",
            data=data,
            url=url,
            party_id=call.party_id,
        )
    if call.status == Status.MISSED:
        hooks.notify(
            recipient=user,
            kind="missed_call",
            key=f"missed:{call.call_id}",
            data=data,
            url=url,
            party_id=call.party_id,
        )


# --- extensions ---------------------------------------------------------------------------


@transaction.atomic
def extension_set(*, user: User, extension: str, actor: User) -> TelephonyProfile:
    """Ring ``user`` for calls to ``extension`` (digits, as the PBX names it)."""

    policy.require_admin(actor)
    extension = to_ascii_digits(extension or "").strip()
    if not extension or len(extension) > 20 or not all(ch.isalnum() or ch in "*#-_" for ch in extension):
        raise ValidationError({"extension": [_("Enter the extension as the PBX names it, such as 101.")]})
    taken = (
        TelephonyProfile.objects.filter(extension=extension).exclude(user=user).select_related("user").first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "extension": [
                    _("Extension %(extension)s already rings %(user)s.")
                    % {"extension": extension, "user": taken.user}
                ]
            }
        )
    profile, _created = TelephonyProfile.objects.update_or_create(
        user=user, defaults={"extension": extension}
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=user, changes={"extension": [None, extension]})
    return profile


@transaction.atomic
def extension_remove(*, profile: TelephonyProfile, actor: User) -> None:
    policy.require_admin(actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=profile.user,
        changes={"extension": [profile.extension, None]},
    )
    profile.delete()
