"""Staff's view of a customer's portal access: the account, its latest invitation and
sign-ins."""

from __future__ import annotations

from dataclasses import dataclass, field

from peyvand.customers.models import Party

from ..models import Invitation, PortalAccount, SignInLog


@dataclass
class Access:
    account: PortalAccount | None
    invitation: Invitation | None = None
    sign_ins: list[SignInLog] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.account is None:
            return "none"
        waiting = self.invitation is not None and self.invitation.used_at is None
        return "invited" if waiting and self.account.activated_at is None else "active"


def party_access(*, party: Party) -> Access:
    account = PortalAccount.objects.filter(party=party, revoked_at__isnull=True).first()
    if account is None:
        return Access(None)
    return Access(
        account,
        account.invitations.order_by("-created_at", "-id").first(),
        list(account.sign_ins.order_by("-at", "-id")[:5]),
    )
