"""Monthly sales targets, set by managers for their team's people or the team as a whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core.models import AuditEvent, Role, Team, User
from peyvand.core.services.audit import audit_log

from .. import conf
from ..models import SalesTarget
from ..money import check_money, to_decimal
from ..periods import month_start


def may_set_target(actor: User, *, owner: User | None, team: Team | None) -> bool:
    if actor.is_administrator:
        return True
    if actor.role != Role.MANAGER or actor.team_id is None:
        return False
    if owner is not None:
        return owner.team_id == actor.team_id
    return team is not None and team.pk == actor.team_id


@transaction.atomic
def target_set(
    *, actor: User, month: dt.date, amount: Any, owner: User | None = None, team: Team | None = None
) -> SalesTarget:
    """Set (or replace) one month's target for a salesperson or, without one, a team."""
    if (owner is None) == (team is None):
        raise ValidationError({"owner": [_("Choose either a salesperson or a team.")]})
    if not may_set_target(actor, owner=owner, team=team):
        raise PermissionDenied(_("Only a manager may set targets, and only for their own team."))
    value = check_money(to_decimal(amount, field="amount"), field="amount", currency=conf.base_currency())
    first = month_start(month)
    target, _created = SalesTarget.objects.update_or_create(
        month=first, owner=owner, team=None if owner else team, defaults={"amount": value, "set_by": actor}
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=target, changes={"amount": [None, str(value)]})
    return target
