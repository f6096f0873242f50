"""Canned replies: saving them, and filling one in for a ticket.

A personal reply is its owner's alone. A shared one is offered to a team (or to every team
when it names none) and is written by administrators, or by a team's managers for their team.
Anyone who works tickets keeps personal ones. Placeholders are only the four below: the text
is never formatted by Python (``{customer.__class__}`` stays text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Role, Scope, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.text import clean_text
from peyvand.customers.models import Kind as PartyKind

from ..models import CannedReply, Ticket

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
PLACEHOLDERS = ("customer", "first_name", "ticket", "agent")
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
AUDITED = ("title", "body_fa", "body_en", "shared", "team")


@dataclass(frozen=True, kw_only=True)
class CannedInput:
    title: str
    body_fa: str = ""
    body_en: str = ""
    shared: bool = False
    team: Team | None = None


def may_share(user: User, team: Team | None) -> bool:
    """Whether ``user`` may write a reply shared with ``team`` (None: every team)."""
    if user.is_administrator:
        return True
    return user.is_active and user.role == Role.MANAGER and team is not None and team.pk == user.team_id


def may_keep(user: User) -> bool:
    """Whether ``user`` works tickets, and so may keep canned replies."""
    return policy.scope(user, "ticket", "change") != Scope.NONE


def may_change(user: User, reply: CannedReply) -> bool:
    if reply.shared:
        return may_share(user, reply.team)
    return reply.owner_id == user.pk and may_keep(user)


def _clean(data: CannedInput, actor: User) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = clean_text(data.title)
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_too_long(TITLE_MAX_LENGTH, len(title))]
    bodies = {}
    for name in ("body_fa", "body_en"):
        body = (getattr(data, name) or "").strip()
        if len(body) > BODY_MAX_LENGTH:
            errors[name] = [_too_long(BODY_MAX_LENGTH, len(body))]
        unknown = sorted({p for p in _PLACEHOLDER.findall(body) if p not in PLACEHOLDERS})
        if unknown:
            errors[name] = [
                _("Unknown placeholders: %(unknown)s. Use %(known)s.")
                % {
                    "unknown": ", ".join(f"{{{p}}}" for p in unknown),
                    "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                }
            ]
        bodies[name] = body
    if not (bodies["body_fa"] or bodies["body_en"]) and not {"body_fa", "body_en"} & errors.keys():
        errors["body_fa"] = [_("Write the text in Persian, in English or in both.")]
    if data.shared and not may_share(actor, data.team):
        errors["shared"] = [
            _("Only administrators, and managers for their own team, may share canned replies.")
        ]
    if errors:
        raise ValidationError(errors)
    return {"title": title, **bodies, "shared": data.shared, "team": data.team if data.shared else None}


def _too_long(limit: int, count: int) -> str:
    return _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": count}


@transaction.atomic
def canned_save(*, actor: User, data: CannedInput, reply: CannedReply | None = None) -> CannedReply:
    """Write a canned reply, or change one the actor may change."""
    if reply is None and not may_keep(actor):
        raise PermissionDenied(_("You do not have permission to create this record."))
    if reply is not None:
        reply = CannedReply.objects.select_for_update().get(pk=reply.pk)
        _require_change(actor, reply)
    cleaned = _clean(data, actor)
    created = reply is None
    before = {} if reply is None else snapshot(reply, AUDITED)
    reply = reply or CannedReply(owner=actor, created_by=actor)
    for name, value in cleaned.items():
        setattr(reply, name, value)
    reply.updated_by = actor
    reply.save()
    changes = changes_between(before, snapshot(reply, AUDITED))
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=reply, changes=changes)
    return reply


@transaction.atomic
def canned_delete(*, actor: User, reply: CannedReply) -> None:
    _require_change(actor, reply)
    soft_delete_record(reply, actor=actor, party_id=None, changes={"title": [reply.title, None]})


def _require_change(actor: User, reply: CannedReply) -> None:
    if not may_change(actor, reply):
        raise PermissionDenied(_("You may not change this canned reply."))


# --- filling one in -------------------------------------------------------------------------------


def canned_values(*, ticket: Ticket, agent: User) -> dict[str, str]:
    """What the placeholders become on ``ticket`` answered by ``agent``."""
    party = ticket.party
    person = ticket.contact or (party if party.kind == PartyKind.PERSON else None)
    first_name = (person.first_name if person is not None else "") or (person or party).display_name
    return {
        "customer": party.display_name,
        "first_name": first_name,
        "ticket": ticket.number,
        "agent": agent.get_full_name() or agent.username,
    }


def canned_render(*, reply: CannedReply, ticket: Ticket, agent: User) -> str:
    """The reply's text in the ticket's customer's language, its placeholders filled in."""
    values = canned_values(ticket=ticket, agent=agent)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), reply.body(ticket.language))
